"""Staying signed in: what the browser holds is useless without the server's row, and any end of the row ends it."""
from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
from datetime import timedelta

import pytest
from sqlmodel import select
from starlette.requests import Request

from services import browser_sessions
from services.users import reset_password, set_user_active
from serving import session_routes
from storage.models import BrowserSession, utc_now
from tests.factories import PASSWORD, SYSTEM, make_organisation, make_user


@pytest.fixture
def amira(haven):
    make_organisation(haven)
    return make_user(haven, "amira", "manager", "harbour-house")


def signed_in_browser(haven, principal, now=None) -> tuple[int, str]:
    """A sign-in, then the page's exchange of its hand-off code for the cookie: (session id, cookie value)."""
    session_id, code = browser_sessions.begin(haven, principal, now=now)
    cookie = browser_sessions.redeem(haven, code, now=now)
    assert cookie is not None
    return session_id, cookie


def rows(haven) -> list[BrowserSession]:
    with haven.session() as session:
        return list(session.exec(select(BrowserSession)))


def test_the_cookie_signs_its_user_in_again_and_holds_no_id_or_password(haven, amira):
    session_id, cookie = signed_in_browser(haven, amira)
    resumed = browser_sessions.resume(haven, cookie)
    assert resumed.principal == amira and resumed.session_id == session_id
    token, signature = cookie.split(".")
    assert len(token) >= 43 and len(signature) == 64  # 32 random bytes, and an HMAC-SHA256 of them
    assert "amira" not in cookie and PASSWORD not in cookie
    _, again = signed_in_browser(haven, amira)
    assert again.split(".")[0] != token  # random each time, nothing derived from the user
    stored = {row.token_hash for row in rows(haven)}
    assert hashlib.sha256(token.encode()).hexdigest() in stored and token not in stored  # only a hash is kept


def test_a_hand_off_code_works_once_and_only_for_two_minutes(haven, amira):
    _, code = browser_sessions.begin(haven, amira)
    assert browser_sessions.redeem(haven, code) is not None
    assert browser_sessions.redeem(haven, code) is None
    _, stale = browser_sessions.begin(haven, amira)
    assert browser_sessions.redeem(haven, stale, now=utc_now() + timedelta(minutes=3)) is None
    assert browser_sessions.redeem(haven, "made-up-code") is None


@pytest.mark.parametrize("forge", [
    lambda cookie: cookie[:-1] + ("0" if cookie[-1] != "0" else "1"),            # signature changed
    lambda cookie: ("A" if cookie[0] != "A" else "B") + cookie[1:],              # token changed
    lambda cookie: cookie.split(".")[0],                                          # signature dropped
    lambda cookie: cookie.split(".")[0] + "." + "0" * 64,                         # signature guessed
    lambda cookie: "1.2",                                                         # a user id, say
    lambda cookie: cookie + ".extra",
    lambda cookie: "ä" * 10 + "." + cookie.split(".")[1],
])
def test_a_forged_or_altered_cookie_signs_nobody_in(haven, amira, forge):
    _, cookie = signed_in_browser(haven, amira)
    assert browser_sessions.resume(haven, forge(cookie)) is None
    assert browser_sessions.resume(haven, cookie) is not None  # the real one still works


def test_a_cookie_signed_with_another_instances_key_is_refused(haven, amira, tmp_path):
    from dataclasses import replace

    _, cookie = signed_in_browser(haven, amira)
    haven.settings = replace(haven.settings, secret_key="another instance's secret, thirty-two+ characters")
    assert browser_sessions.resume(haven, cookie) is None


def test_signing_out_ends_the_session_for_every_tab_and_every_copy_of_the_cookie(haven, amira):
    session_id, cookie = signed_in_browser(haven, amira)
    second_tab = browser_sessions.resume(haven, cookie)
    assert browser_sessions.state(haven, second_tab.session_id) == browser_sessions.ACTIVE
    assert browser_sessions.end(haven, session_id) is True  # "Sign out" in the first tab
    assert browser_sessions.state(haven, second_tab.session_id) == browser_sessions.ENDED
    assert browser_sessions.resume(haven, cookie) is None
    assert rows(haven) == []


def test_deactivation_and_a_new_password_end_every_browser_of_that_user(haven, amira):
    _, at_work = signed_in_browser(haven, amira)
    _, at_home = signed_in_browser(haven, amira)
    bea = make_user(haven, "bea", "manager", "harbour-house")
    _, beas = signed_in_browser(haven, bea)
    with haven.session() as session:
        set_user_active(session, SYSTEM, user_id=amira.user_id, active=False)
    assert browser_sessions.resume(haven, at_work) is None and browser_sessions.resume(haven, at_home) is None
    assert browser_sessions.resume(haven, beas) is not None  # other people stay signed in
    with haven.session() as session:
        reset_password(session, SYSTEM, user_id=bea.user_id, password="a completely new passphrase")
    assert browser_sessions.resume(haven, beas) is None


def test_the_session_ends_after_the_idle_limit_and_activity_moves_the_limit_on(haven, amira):
    start = utc_now()
    session_id, cookie = signed_in_browser(haven, amira, now=start)
    assert browser_sessions.state(haven, session_id, now=start + timedelta(minutes=25)) == browser_sessions.ACTIVE
    later = start + timedelta(minutes=50)  # 25 minutes after the last activity
    assert browser_sessions.resume(haven, cookie, now=later) is not None
    assert browser_sessions.resume(haven, cookie, now=later + timedelta(minutes=31)) is None  # idle past 30
    assert rows(haven) == []  # an expired row is removed
    session_id, _ = signed_in_browser(haven, amira, now=start)
    assert browser_sessions.state(haven, session_id, now=start + timedelta(minutes=31)) == browser_sessions.EXPIRED


def test_however_active_a_browser_signs_in_again_after_twelve_hours(haven, amira):
    start = utc_now()
    session_id, cookie = signed_in_browser(haven, amira, now=start)
    moment = start
    while moment < start + timedelta(hours=11, minutes=50):
        moment += timedelta(minutes=20)
        browser_sessions.state(haven, session_id, now=moment)
    assert browser_sessions.resume(haven, cookie, now=start + timedelta(hours=12, seconds=1)) is None


# --- the routes that set and clear the cookie --------------------------------------------------------------------


def call(route, *, body: bytes = b"", scheme: str = "http", headers: dict[str, str] | None = None):
    sent = {"host": "haven.example", **(headers or {})}
    scope = {"type": "http", "method": "POST", "scheme": scheme, "path": "/", "query_string": b"",
             "server": ("haven.example", 443 if scheme == "https" else 80),
             "headers": [(k.lower().encode(), v.encode()) for k, v in sent.items()]}
    delivered = False

    async def receive():
        nonlocal delivered
        if delivered:
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    # In a thread of its own: the browser tests' Playwright keeps an event loop running in this thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as runner:
        return runner.submit(asyncio.run, route(Request(scope, receive))).result()


SAME_ORIGIN = {"sec-fetch-site": "same-origin", "origin": "http://haven.example"}


@pytest.fixture
def served(haven, monkeypatch):
    monkeypatch.setattr(session_routes, "haven_instance", lambda: haven)
    return haven


def test_the_route_sets_an_httponly_strict_cookie_for_a_hand_off_code(served, amira):
    _, code = browser_sessions.begin(served, amira)
    answer = call(session_routes.begin_session, body=code.encode(), headers=SAME_ORIGIN)
    assert answer.status_code == 204 and answer.headers["cache-control"] == "no-store"
    (set_cookie,) = answer.headers.getlist("set-cookie")
    name, rest = set_cookie.split("=", 1)
    value = rest.split(";", 1)[0]
    attributes = {part.strip().lower() for part in set_cookie.split(";")[1:]}
    assert name == "haven_session"
    assert {"httponly", "samesite=strict", "path=/", f"max-age={12 * 3600}"} <= attributes
    assert "secure" not in attributes  # plain HTTP on this machine; see the HTTPS case
    assert browser_sessions.resume(served, value).principal == amira


def test_over_https_the_cookie_is_secure_and_host_only(served, amira):
    _, code = browser_sessions.begin(served, amira)
    answer = call(session_routes.begin_session, body=code.encode(), scheme="https",
                  headers={"sec-fetch-site": "same-origin", "origin": "https://haven.example"})
    set_cookie = answer.headers["set-cookie"]
    assert set_cookie.startswith("__Host-haven_session=")
    assert {"secure", "httponly", "samesite=strict", "path=/"} <= {p.strip().lower() for p in set_cookie.split(";")}
    assert "domain=" not in set_cookie.lower()


@pytest.mark.parametrize("headers", [
    {"sec-fetch-site": "cross-site", "origin": "https://evil.example"},
    {"sec-fetch-site": "same-site", "origin": "http://other.haven.example"},
    {"origin": "https://evil.example"},
    {},  # neither header: not a browser's same-origin request
])
def test_another_site_cannot_get_or_spend_a_cookie(served, amira, headers):
    _, code = browser_sessions.begin(served, amira)
    answer = call(session_routes.begin_session, body=code.encode(), headers=headers)
    assert answer.status_code == 403 and "set-cookie" not in answer.headers
    assert browser_sessions.redeem(served, code) is not None  # the code was not spent by the refused request


def test_a_wrong_code_gets_no_cookie(served, amira):
    answer = call(session_routes.begin_session, body=b"not-a-code", headers=SAME_ORIGIN)
    assert answer.status_code == 403 and "set-cookie" not in answer.headers


def test_the_end_route_ends_the_session_and_drops_the_cookie(served, amira):
    _, cookie = signed_in_browser(served, amira)
    answer = call(session_routes.end_session, headers={**SAME_ORIGIN, "cookie": f"haven_session={cookie}"})
    assert answer.status_code == 204
    assert "max-age=0" in answer.headers["set-cookie"].lower()
    assert browser_sessions.resume(served, cookie) is None
