"""Each role opens on its own screen; a screen the person may not open says so; a tab notices a session that ended
elsewhere."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.util import calc_hash

from accounts.permissions import Principal
from services import browser_sessions
from services.evidence import NewEvidence
from services.uploads import upload_evidence
from services.users import set_user_active
from tests.app_pages import open_app, texts
from tests.factories import SYSTEM, make_user, simple_pdf
from tests.ui.test_sign_in import ServerPagesManager
from ui.browser_session import BROWSER_SESSION_KEY
from ui.navigation import PAGES, landing_page, pages_for, refused_pages
from ui.no_access import NO_ACCESS_TITLE
from ui.session import LAST_SEEN_KEY, PRINCIPAL_KEY


@pytest.fixture(autouse=True)
def every_run_through_app_py(monkeypatch):
    from streamlit.runtime.pages_manager import PagesManager

    monkeypatch.setattr(app_test_module, "PagesManager", ServerPagesManager)
    yield
    PagesManager.uses_pages_directory = None


@pytest.mark.parametrize("memberships, expected", [
    (((1, "manager"),), "views/overview.py"),
    (((1, "reviewer"),), "views/review_queue.py"),
    (((None, "reviewer"),), "views/review_queue.py"),
    (((1, "board"),), "views/board.py"),
    (((None, "board"),), "views/board.py"),
    (((1, "reviewer"), (1, "manager")), "views/overview.py"),
])
def test_each_role_lands_where_its_work_is(memberships, expected):
    person = Principal(user_id=7, username="someone", memberships=memberships)
    allowed = pages_for(person, 1)
    assert landing_page(person, 1, allowed).path == expected
    assert {entry.path for entry in refused_pages(allowed)} == {e.path for e in PAGES} - {e.path for e in allowed}


def test_an_administrator_without_a_role_lands_on_the_overview_which_offers_the_demo():
    founder = Principal(user_id=1, username="founder", is_admin=True)
    assert landing_page(founder, None, pages_for(founder, None)).path == "views/overview.py"


def queue_something(haven, organisation, manager):
    upload_evidence(haven, manager, organisation_id=organisation, data=simple_pdf(), filename="plan.pdf",
                    details=NewEvidence("escape_plan", ("3.2.1",), datetime.now(UTC).date(), title="Escape plan"))


def test_a_reviewer_opens_on_the_review_queue_and_sees_the_count(app_haven, organisation, manager):
    queue_something(app_haven, organisation, manager)
    quinn = make_user(app_haven, "quinn", "reviewer", "harbour-house")
    app = open_app(quinn)
    assert not app.exception
    assert app.title[0].value == "Review queue"
    assert "1 waiting for review" in texts(app)


def test_a_board_member_opens_on_the_board_dashboard(app_haven, organisation):
    trustee = make_user(app_haven, "trustee", "board", "harbour-house")
    app = open_app(trustee)
    assert not app.exception
    assert app.title[0].value.startswith("Board")


@pytest.mark.parametrize("who, page", [
    ("trustee", "evidence_library"), ("trustee", "review_queue"), ("quinn", "audit_log"),
    ("quinn", "reports"), ("amira", "admin_users"), ("amira", "review_queue"),
])
def test_an_address_the_person_may_not_open_says_so_and_shows_nothing_of_it(app_haven, organisation, who, page):
    role = {"trustee": "board", "quinn": "reviewer", "amira": "manager"}[who]
    person = make_user(app_haven, who, role, "harbour-house")
    app = at_address(open_app(person), page)
    assert not app.exception
    assert app.title[0].value == NO_ACCESS_TITLE
    title = next(entry.title for entry in PAGES if entry.url_path == page)
    assert f"The page “{title}” is not open to your role here." in texts(app)
    assert not app.dataframe and not app.file_uploader and not app.download_button and not app.metric


def at_address(app, url_path: str):
    """The app as a browser opening /<url_path> runs it (AppTest.switch_page knows file pages only)."""
    app._page_hash = calc_hash(url_path)
    return app.run()


def test_a_tab_whose_browser_session_was_ended_elsewhere_is_signed_out(app_haven, organisation, manager):
    session_id, _ = browser_sessions.begin(app_haven, manager)
    app = open_app()
    app.session_state[PRINCIPAL_KEY] = manager
    app.session_state[BROWSER_SESSION_KEY] = session_id
    app.run()
    assert PRINCIPAL_KEY in app.session_state and app.session_state[PRINCIPAL_KEY] == manager
    browser_sessions.end(app_haven, session_id)  # "Sign out" in another tab
    app.run()
    assert PRINCIPAL_KEY not in app.session_state or app.session_state[PRINCIPAL_KEY] is None
    assert "You were signed out: in another tab or window" in texts(app)


def test_a_tab_left_idle_stays_signed_in_while_another_tab_of_the_browser_is_in_use(app_haven, organisation, manager):
    session_id, _ = browser_sessions.begin(app_haven, manager)
    app = open_app()
    app.session_state[PRINCIPAL_KEY] = manager
    app.session_state[BROWSER_SESSION_KEY] = session_id
    app.session_state[LAST_SEEN_KEY] = datetime.now(UTC) - timedelta(minutes=45)  # this tab: idle
    browser_sessions.state(app_haven, session_id, now=datetime.now(UTC))  # the other tab: just used
    app.run()
    assert app.session_state[PRINCIPAL_KEY] == manager


def test_a_deactivated_users_tab_is_signed_out_and_its_browser_session_is_gone(app_haven, organisation, manager):
    session_id, _ = browser_sessions.begin(app_haven, manager)
    app = open_app()
    app.session_state[PRINCIPAL_KEY] = manager
    app.session_state[BROWSER_SESSION_KEY] = session_id
    app.run()
    with app_haven.session() as session:
        set_user_active(session, SYSTEM, user_id=manager.user_id, active=False)
    app.run()
    assert "Your account is no longer active" in texts(app)
    assert browser_sessions.state(app_haven, session_id) == browser_sessions.ENDED
