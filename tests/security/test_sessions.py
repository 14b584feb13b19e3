"""Sessions under attack: guessing passwords, and forms left open in a session that should have ended."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bundles.importer import import_bundle
from services.sign_in import sign_in
from services.users import set_user_active
from storage.models import AuditEntry, Evidence, Rating, User
from tests.app_pages import open_app, texts
from tests.factories import PASSWORD, SYSTEM, make_user, simple_pdf, write_bundle
from ui.session import LAST_SEEN_KEY, PRINCIPAL_KEY

WRONG = "a wrong guess of twelve"


def attempt(haven, username: str, password: str, now: datetime | None = None):
    return sign_in(haven, username=username, password=password, now=now)


def failures_audited(haven) -> int:
    with haven.session() as session:
        return len(session.exec(select(AuditEntry.id).where(AuditEntry.action == "login.failure")).all())


# --- brute force -------------------------------------------------------------------------------------------


def test_guesses_sent_at_once_still_meet_the_lock_out(haven):
    """Twelve guesses in parallel: none slips past the fifth failure, and every one is in the audit log."""
    make_user(haven, "amira", "manager", None)
    start = threading.Barrier(12)
    answers: list[str] = []

    def guess():
        start.wait(timeout=30)
        answers.append(attempt(haven, "amira", WRONG).message)

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert answers.count("The user name or password is wrong.") == 4
    assert answers.count("Too many failed attempts: this account is locked for 15 minutes.") == 1
    assert sum("locked for 15 more minutes" in a or "locked for 16 more minutes" in a for a in answers) == 7
    assert failures_audited(haven) == 12
    assert attempt(haven, "amira", PASSWORD).principal is None  # the right password waits for the lock to end
    later = datetime.now(UTC) + timedelta(minutes=16)
    assert attempt(haven, "amira", PASSWORD, now=later).principal is not None


def test_guessing_a_user_name_learns_nothing(haven):
    make_user(haven, "amira", "manager", None)
    with haven.session() as session:
        set_user_active(session, SYSTEM, user_id=session.exec(select(User.id)).one(), active=False)
    make_user(haven, "bea", "manager", None)
    answers = {attempt(haven, name, WRONG).message for name in ("nobody-here", "amira", "bea")}
    assert answers == {"The user name or password is wrong."}


def test_the_lock_out_is_per_account_and_keeps_the_audit_chain(haven):
    make_user(haven, "amira", "manager", None)
    make_user(haven, "bea", "manager", None)
    for _ in range(5):
        attempt(haven, "amira", WRONG)
    assert attempt(haven, "bea", PASSWORD).principal is not None
    from storage.audit import check_audit_chain

    with haven.session() as session:
        assert check_audit_chain(session) == []
        assert session.exec(select(User).where(User.username == "amira")).one().locked_until is not None


# --- forms left open ----------------------------------------------------------------------------------------
# Streamlit runs a button's callback before the app script, so a callback must itself refuse a session that
# has ended: a form left open past the idle time, or the form of a user deactivated since it was drawn.


@pytest.fixture
def manager(app_haven, tmp_path):
    import_bundle(app_haven, SYSTEM, write_bundle(tmp_path / "bundle"))
    return make_user(app_haven, "amira", "manager", "harbour-house")


def ratings_of(haven) -> dict:
    with haven.session() as session:
        return {r.action_id: r.rating for r in session.exec(select(Rating))}


def evidence_titles(haven) -> list[str]:
    with haven.session() as session:
        return sorted(session.exec(select(Evidence.title)).all())


def leave_for(app, minutes: int) -> None:
    app.session_state[LAST_SEEN_KEY] = datetime.now(UTC) - timedelta(minutes=minutes)


def test_a_rating_form_left_open_past_the_idle_time_saves_nothing(app_haven, manager):
    app = open_app(manager, "views/self_assessment.py")
    assert ratings_of(app_haven)["3.1.1"] == "met"
    leave_for(app, 31)
    app.selectbox(key="rating:1:3.1.1:rating").set_value("not_met")
    app.button(key="rating:1:3.1.1:save").click().run()

    assert ratings_of(app_haven)["3.1.1"] == "met"
    assert PRINCIPAL_KEY not in app.session_state


def test_an_upload_form_left_open_past_the_idle_time_stores_nothing(app_haven, manager):
    upload = "library:1:upload"
    app = open_app(manager, "views/evidence_library.py")
    app.selectbox(key=f"{upload}:type").set_value("policy").run()
    app.multiselect(key=f"{upload}:actions:policy").select("3.3.1")
    app.text_input(key=f"{upload}:title").input("Left on the screen")
    app.file_uploader(key=f"{upload}:files:0").upload("policy.pdf", simple_pdf(), "application/pdf").run()
    before = evidence_titles(app_haven)
    leave_for(app, 45)
    app.button(key=f"{upload}:upload").click().run()

    assert evidence_titles(app_haven) == before
    assert "Left on the screen" not in evidence_titles(app_haven)


def test_a_form_of_a_user_deactivated_since_it_was_drawn_saves_nothing(app_haven, manager):
    app = open_app(manager, "views/self_assessment.py")
    with app_haven.session() as session:
        set_user_active(session, SYSTEM, user_id=manager.user_id, active=False)
    app.selectbox(key="rating:1:3.1.1:rating").set_value("not_met")
    app.button(key="rating:1:3.1.1:save").click().run()

    assert ratings_of(app_haven)["3.1.1"] == "met"


def test_a_form_still_saves_within_the_idle_time(app_haven, manager):
    app = open_app(manager, "views/self_assessment.py")
    leave_for(app, 29)
    app.selectbox(key="rating:1:3.1.1:rating").set_value("not_met")
    app.button(key="rating:1:3.1.1:save").click().run()

    assert ratings_of(app_haven)["3.1.1"] == "not_met"
    assert "The rating of 3.1.1 is saved." in texts(app).replace("\\", "")


def test_a_callback_that_meets_a_database_outage_says_so_instead_of_failing(monkeypatch):
    """Callbacks run outside app.py's error page: the guard turns a lost database into a plain notice."""
    from sqlalchemy.exc import OperationalError

    import ui.session as context
    from accounts.permissions import Principal
    from ui.database import DATABASE_UNAVAILABLE_CHANGE
    from ui.notices import Notice

    class Down:
        settings = type("Settings", (), {"idle_timeout_minutes": 30})()

        def session(self):
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    state: dict = {}
    monkeypatch.setattr(context.st, "session_state", state)
    monkeypatch.setattr(context, "get_haven", lambda: Down())
    state[PRINCIPAL_KEY] = Principal(user_id=1, username="amira", memberships=((1, "manager"),))
    state[LAST_SEEN_KEY] = datetime.now(UTC)
    saved = []

    assert context.live_session(lambda: saved.append("saved"))() is None
    assert saved == [] and state["haven_notices:page"] == [(Notice.ERROR, DATABASE_UNAVAILABLE_CHANGE)]
