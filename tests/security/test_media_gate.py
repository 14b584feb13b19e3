"""The gate in front of Streamlit's /media/ addresses: a handed-out file opens only for its own browser session.

The browser test (tests/browser/test_media_leaks.py) shows the attack on the running app; these drive the
middleware itself with the requests an attacker would send."""
from __future__ import annotations

import asyncio
import concurrent.futures

import pytest

from services import browser_sessions
from services.users import set_user_active
from serving import handouts, media_gate, session_routes
from tests.factories import SYSTEM, make_organisation, make_user

ESCAPE_PLAN = b"%PDF-1.7 escape plan of the refuge, watermarked for amira"
STORED = {"0123abcd.pdf": ESCAPE_PLAN}


@pytest.fixture
def gate(haven, monkeypatch):
    """The middleware over a stand-in for Streamlit's routes, with STORED as its media store."""
    handouts.forget_all()
    monkeypatch.setattr(session_routes, "haven_instance", lambda: haven)
    monkeypatch.setattr(media_gate, "_stored_content", STORED.get)
    monkeypatch.setattr(media_gate, "_base_url_path", lambda: "")

    async def streamlit(scope, receive, send):
        name = scope["path"].rsplit("/", 1)[1]
        body = STORED.get(name, b"streamlit page")
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"x/y")]})
        await send({"type": "http.response.body", "body": body})

    yield media_gate.MediaGate(streamlit)
    handouts.forget_all()


def fetch(app, path: str, cookie: str | None = None) -> tuple[int, dict[bytes, bytes], bytes]:
    headers = [(b"cookie", f"{browser_sessions.COOKIE_NAME}={cookie}".encode())] if cookie else []
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": b"", "headers": headers, "scheme": "http", "server": ("127.0.0.1", 8501)}
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as runner:
        runner.submit(asyncio.run, app(scope, receive, send)).result()
    start = sent[0]
    return start["status"], dict(start.get("headers", [])), b"".join(m.get("body", b"") for m in sent[1:])


def browser(haven, principal) -> tuple[int, str]:
    session_id, code = browser_sessions.begin(haven, principal)
    return session_id, browser_sessions.redeem(haven, code)


@pytest.fixture
def people(haven):
    make_organisation(haven)
    return make_user(haven, "amira", "manager", "harbour-house"), make_user(haven, "trustee", "board", "harbour-house")


def test_a_download_opens_only_for_the_browser_session_it_was_made_for(haven, gate, people):
    amira, trustee = people
    session_id, cookie = browser(haven, amira)
    handouts.hand_out(ESCAPE_PLAN, session_id)

    status, headers, body = fetch(gate, "/media/0123abcd.pdf", cookie)
    assert status == 200 and body == ESCAPE_PLAN and headers[b"cache-control"] == b"no-store, private"

    assert fetch(gate, "/media/0123abcd.pdf")[0] == 404  # no cookie: a signed-out browser
    assert fetch(gate, "/media/0123abcd.pdf", "forged.cookie")[0] == 404
    _, amira_elsewhere = browser(haven, amira)  # the same person in another browser did not ask for it
    assert fetch(gate, "/media/0123abcd.pdf", amira_elsewhere)[0] == 404
    _, board = browser(haven, trustee)
    status, _, body = fetch(gate, "/media/0123abcd.pdf", board)
    assert status == 404 and ESCAPE_PLAN not in body
    assert fetch(gate, "/media/unknown.pdf", cookie)[0] == 404


def test_a_download_closes_when_its_session_ends_or_the_account_is_deactivated(haven, gate, people):
    amira, _ = people
    session_id, cookie = browser(haven, amira)
    handouts.hand_out(ESCAPE_PLAN, session_id)
    browser_sessions.end(haven, session_id)  # signed out
    assert fetch(gate, "/media/0123abcd.pdf", cookie)[0] == 404

    session_id, cookie = browser(haven, amira)
    handouts.hand_out(ESCAPE_PLAN, session_id)
    with haven.session() as session:
        set_user_active(session, SYSTEM, user_id=amira.user_id, active=False)
    assert fetch(gate, "/media/0123abcd.pdf", cookie)[0] == 404


def test_nothing_in_the_media_store_is_served_unless_handed_out(haven, gate, people):
    """A picture or a file Haven did not record (as st.image by bytes would leave) is refused, even to a session
    that is signed in."""
    amira, _ = people
    _, cookie = browser(haven, amira)
    assert fetch(gate, "/media/0123abcd.pdf", cookie)[0] == 404
    assert fetch(gate, "/media/a/b/0123abcd.pdf", cookie)[0] == 404  # Streamlit's route takes any path
    status, _, body = fetch(gate, "/static/media/font.woff2")  # not Streamlit's media route: passed through
    assert status == 200 and body == b"streamlit page"


def test_the_gate_covers_the_media_route_under_a_base_url_path():
    pattern = media_gate.media_pattern("/haven/")
    assert pattern.fullmatch("/haven/media/x.pdf")["file"] == "x.pdf"
    assert not pattern.fullmatch("/media/x.pdf") and not pattern.fullmatch("/haven/static/media/x.woff2")
    assert media_gate.media_pattern("").fullmatch("/media/x.pdf")


def test_handed_out_records_expire():
    handouts.forget_all()
    handouts.hand_out(b"file", 7, now=0.0)
    assert handouts.handed_to(handouts.digest_of(b"file"), now=1.0) == {7}
    assert handouts.handed_to(handouts.digest_of(b"file"), now=handouts.KEEP_SECONDS + 1.0) == frozenset()
    handouts.hand_out(b"file", None)  # no browser session: nobody may fetch it
    assert handouts.handed_to(handouts.digest_of(b"file"), now=handouts.KEEP_SECONDS + 1.0) == frozenset()
