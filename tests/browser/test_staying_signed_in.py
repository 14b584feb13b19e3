"""In a real browser: a sign-in lasts through reloads, bookmarks and new tabs; a sign-out or a deactivation ends it
everywhere; each role opens on its own screen, and a screen the person may not open says so."""
from __future__ import annotations

from dataclasses import replace

import pytest

from config import get_settings
from services.instance import open_instance
from services.users import set_user_active
from storage.models import User
from tests.browser.conftest import go_to, open_app, sign_in, sign_out, wait_for_app
from tests.factories import PASSWORD, SYSTEM, write_bundle

pytestmark = pytest.mark.browser


def server_haven(server):
    """The server's own instance, opened from this test process (as a second app process would)."""
    settings = replace(get_settings(), data_dir=server.data_dir,
                       database_url=f"sqlite:///{server.data_dir / 'haven.db'}",
                       blob_url=f"file://{server.data_dir / 'evidence'}", secret_key=None)
    return open_instance(settings)


def with_people(server, tmp_path):
    server.manage("import", str(write_bundle(tmp_path / "bundle")))
    for name, role in (("amira", "manager"), ("quinn", "reviewer"), ("trustee", "board")):
        server.manage("create-user", name, "--role", role, "--org", "harbour-house", "--password-stdin",
                      stdin=PASSWORD)
    return server


def signed_in_as(page) -> str | None:
    sidebar = page.get_by_test_id("stSidebar")
    if not sidebar.count():
        return None
    text = sidebar.inner_text()
    return text.split("Signed in as", 1)[1].split()[0] if "Signed in as" in text else None


def session_cookies(context) -> list[dict]:
    return [c for c in context.cookies() if "haven_session" in c["name"]]


def wait_for_cookie(page, context) -> dict:
    for _ in range(50):
        found = session_cookies(context)
        if found:
            return found[0]
        page.wait_for_timeout(200)
    raise AssertionError("the browser never got the sign-in cookie")


def test_a_sign_in_lasts_through_reloads_and_tabs_and_a_sign_out_ends_it_everywhere(
        haven_server, page, browser_context, shots, tmp_path):
    server = with_people(haven_server(), tmp_path)

    # A bookmark of a screen, opened signed out: the sign-in keeps the address and opens that screen after it.
    open_app(page, server, "gaps_plan")
    sign_in(page, "amira", PASSWORD)
    assert page.url.endswith("/gaps_plan") and signed_in_as(page) == "amira"
    page.get_by_role("heading", name="Gaps and action plan").wait_for()

    cookie = wait_for_cookie(page, browser_context)
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert "amira" not in cookie["value"] and PASSWORD not in cookie["value"]
    assert "haven_session" not in page.evaluate("document.cookie")  # no script of the page can read it

    page.reload()
    wait_for_app(page)
    assert page.url.endswith("/gaps_plan") and signed_in_as(page) == "amira"
    shots.take(page, "after-reload")

    second = browser_context.new_page()  # a second tab, or a link from the calendar file
    open_app(second, server, "evidence_library")
    assert signed_in_as(second) == "amira"
    second.get_by_role("heading", name="Evidence library").wait_for()

    sign_out(page)
    assert "You have signed out." in page.get_by_test_id("stMain").inner_text()
    for _ in range(50):
        if not session_cookies(browser_context):
            break
        page.wait_for_timeout(200)
    assert session_cookies(browser_context) == []

    second.bring_to_front()
    go_to(second, "Overview")  # the second tab's next click
    assert signed_in_as(second) is None
    assert "You were signed out: in another tab or window" in second.get_by_test_id("stMain").inner_text()
    shots.take(second, "second-tab-after-sign-out")
    second.reload()
    wait_for_app(second)
    assert signed_in_as(second) is None and second.get_by_role("button", name="Sign in").is_visible()


def test_a_forged_cookie_signs_nobody_in_and_a_deactivation_ends_an_open_session(
        haven_server, page, browser_context, tmp_path):
    server = with_people(haven_server(), tmp_path)
    open_app(page, server)
    sign_in(page, "amira", PASSWORD)
    real = wait_for_cookie(page, browser_context)

    intruder = browser_context.browser.new_context()
    try:
        for value in (real["value"][:-1] + ("0" if real["value"][-1] != "0" else "1"), "1", "amira"):
            intruder.clear_cookies()
            intruder.add_cookies([{**{k: real[k] for k in ("name", "domain", "path")}, "value": value}])
            tab = intruder.new_page()
            open_app(tab, server, "overview")
            assert signed_in_as(tab) is None and tab.get_by_role("button", name="Sign in").is_visible()
            tab.close()
    finally:
        intruder.close()

    haven = server_haven(server)
    try:
        with haven.session() as session:
            amira = session.exec(User.__table__.select().where(User.username == "amira")).one()
            set_user_active(session, SYSTEM, user_id=amira.id, active=False)
    finally:
        haven.engine.dispose()
    go_to(page, "Evidence library")
    assert signed_in_as(page) is None
    assert "Your account is no longer active" in page.get_by_test_id("stMain").inner_text()
    page.reload()
    wait_for_app(page)
    assert signed_in_as(page) is None


def test_each_role_opens_on_its_own_screen_and_a_refused_address_says_so(haven_server, page, shots, tmp_path):
    server = with_people(haven_server(), tmp_path)

    open_app(page, server)
    sign_in(page, "quinn", PASSWORD)
    page.get_by_role("heading", name="Review queue").wait_for()
    assert page.url.endswith("/review_queue")
    waiting = page.get_by_test_id("stSidebarNav").get_by_role("link", name="Review queue (")
    assert waiting.count() == 1, "the waiting count is in the navigation"
    shots.take(page, "reviewer-lands-on-the-queue")

    open_app(page, server, "audit_log")  # an address the reviewer may not open
    assert page.url.endswith("/audit_log")
    page.get_by_role("heading", name="You have no access to this page").wait_for()
    assert "Audit log" in page.get_by_test_id("stMain").inner_text()
    assert not page.get_by_test_id("stDataFrame").count()
    shots.take(page, "reviewer-refused-audit-log")
    page.get_by_role("link", name="Go to Review queue").click()
    wait_for_app(page)
    page.get_by_role("heading", name="Review queue").wait_for()
    sign_out(page)

    sign_in(page, "trustee", PASSWORD)
    page.get_by_role("heading", name="Board dashboard").wait_for()
    assert page.url.endswith("/board")
    open_app(page, server, "evidence_library")
    page.get_by_role("heading", name="You have no access to this page").wait_for()
    shots.take(page, "board-refused-evidence-library")
    sign_out(page)

    sign_in(page, "amira", PASSWORD)
    page.get_by_test_id("stMain").get_by_text("Evidence complete", exact=True).first.wait_for()  # the page drawn
    assert page.url.endswith("/overview") and "Evidence complete" in page.get_by_test_id("stMain").inner_text()
