"""Attacks on staying signed in: another site, a tossed cookie, a stolen one, the audit log as a source of tokens."""
from __future__ import annotations

import pytest
from sqlmodel import select

from services import browser_sessions
from services.users import set_user_active
from serving import session_routes
from storage.models import AuditEntry, BrowserSession
from tests.factories import SYSTEM, make_organisation, make_user
from tests.security.test_browser_sessions import SAME_ORIGIN, call, signed_in_browser


@pytest.fixture
def amira(haven):
    make_organisation(haven)
    return make_user(haven, "amira", "manager", "harbour-house")


@pytest.fixture
def served(haven, monkeypatch):
    monkeypatch.setattr(session_routes, "haven_instance", lambda: haven)
    return haven


HTTPS_SAME_ORIGIN = {"sec-fetch-site": "same-origin", "origin": "https://haven.example"}


def _https_cookie(haven, principal) -> str:
    _, code = browser_sessions.begin(haven, principal)
    answer = call(session_routes.begin_session, body=code.encode(), scheme="https", headers=HTTPS_SAME_ORIGIN)
    return answer.headers["set-cookie"].split(";", 1)[0].split("=", 1)[1]


def test_another_site_cannot_sign_a_victim_out(served, amira):
    _, cookie = signed_in_browser(served, amira)
    for headers in ({"sec-fetch-site": "cross-site", "origin": "https://evil.example"}, {"origin": "null"}, {}):
        answer = call(session_routes.end_session, headers={**headers, "cookie": f"haven_session={cookie}"})
        assert answer.status_code == 403 and "set-cookie" not in answer.headers
    assert browser_sessions.resume(served, cookie).principal == amira


def test_a_cookie_issued_over_https_does_not_sign_in_under_the_plain_name(served, amira):
    """Cookie tossing: an attacker who can answer one plain-HTTP request to the host (or owns a sibling subdomain)
    sets `haven_session` to their own valid cookie; the `__Host-` name is out of their reach."""
    attackers = _https_cookie(served, amira)
    assert browser_sessions.resume(served, attackers, secure_name=True).principal == amira
    assert browser_sessions.resume(served, attackers, secure_name=False) is None
    _, plain = signed_in_browser(served, amira)  # a plain-HTTP instance's own cookie still works under its name
    assert browser_sessions.resume(served, plain, secure_name=False).principal == amira


def test_a_presented_cookie_is_never_adopted_by_a_new_sign_in(served, amira):
    """Session fixation: whatever cookie the browser already sends, a sign-in gets a token of its own."""
    _, planted = signed_in_browser(served, amira)
    _, code = browser_sessions.begin(served, amira)
    answer = call(session_routes.begin_session, body=code.encode(),
                  headers={**SAME_ORIGIN, "cookie": f"haven_session={planted}"})
    issued = answer.headers["set-cookie"].split(";", 1)[0].split("=", 1)[1]
    assert issued != planted and issued.split(".")[0] != planted.split(".")[0]


def test_a_stolen_cookie_stops_working_at_deactivation_even_re_signed_by_the_thief(served, amira):
    _, cookie = signed_in_browser(served, amira)
    token, _ = cookie.split(".")
    with served.session() as session:
        set_user_active(session, SYSTEM, user_id=amira.user_id, active=False)
    assert browser_sessions.resume(served, cookie) is None
    assert browser_sessions.resume(served, f"{token}.{'0' * 64}") is None


def test_neither_the_audit_log_nor_the_database_holds_a_token_or_code_in_clear(served, amira):
    session_id, code = browser_sessions.begin(served, amira)
    answer = call(session_routes.begin_session, body=code.encode(), headers=SAME_ORIGIN)
    cookie = answer.headers["set-cookie"].split(";", 1)[0].split("=", 1)[1]
    token = cookie.split(".")[0]
    browser_sessions.resume(served, cookie)
    with served.session() as session:
        row = session.get(BrowserSession, session_id)
        stored = " ".join(str(value) for value in row.model_dump().values())
        logged = " ".join(f"{entry.target} {entry.detail}" for entry in session.exec(select(AuditEntry)))
    for secret in (code, token, cookie):
        assert secret not in stored and secret not in logged
    call(session_routes.end_session, headers={**SAME_ORIGIN, "cookie": f"haven_session={cookie}"})
    with served.session() as session:
        logged = " ".join(f"{entry.target} {entry.detail}" for entry in session.exec(select(AuditEntry)))
    assert token not in logged


def test_the_app_resumes_a_tossed_plain_cookie_for_nobody(served, amira):
    """What the app reads from a request: with the `__Host-` cookie present it wins; an HTTPS-issued value tossed
    in under the plain name alone signs nobody in, while a plain instance's own cookie still does."""
    attackers = _https_cookie(served, amira)
    tossed = browser_sessions.presented_cookie({browser_sessions.COOKIE_NAME: attackers})
    assert tossed == browser_sessions.PresentedCookie(attackers, secure_name=False)
    assert browser_sessions.resume(served, tossed.value, secure_name=tossed.secure_name) is None
    both = browser_sessions.presented_cookie({browser_sessions.COOKIE_NAME: "planted.value",
                                              browser_sessions.SECURE_COOKIE_NAME: attackers})
    assert both.secure_name and browser_sessions.resume(served, both.value, secure_name=True).principal == amira
    _, plain = signed_in_browser(served, amira)
    own = browser_sessions.presented_cookie({browser_sessions.COOKIE_NAME: plain})
    assert browser_sessions.resume(served, own.value, secure_name=own.secure_name).principal == amira
    assert browser_sessions.presented_cookie({}) is None and browser_sessions.presented_cookie({"other": "x"}) is None
