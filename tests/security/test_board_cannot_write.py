"""A board member reads scores and charts; every service that writes, or opens evidence, refuses them.

The pages hide what a board member may not do, but the check that counts is in the services: these
tests call each service directly with a board principal (as a crafted request would), and open the
manager and reviewer pages with a board member's session, widget state included.
"""
from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import SQLModel, select

from accounts.permissions import PermissionDenied
from bundles.exporter import export_bundle
from bundles.importer import import_bundle
from services import (
    audit_log,
    board,
    demo,
    evidence,
    integrity,
    organisations,
    plan,
    ratings,
    reviews,
    snapshots,
    uploads,
    users,
)
from services.evidence import NewEvidence
from storage.models import Evidence, Membership, User
from tests.conftest import opened_by_the_app
from tests.factories import PASSWORD, SYSTEM, make_user, simple_pdf, write_bundle

ROOT = Path(__file__).resolve().parents[2]
TODAY = date.today()

# What a board member may call: reading scores, charts, trends and the plan.
BOARD_MAY_CALL = {
    "board.expiring_evidence", "organisations.visible_organisations", "organisations.organisation_choices", "plan.plan_items", "ratings.ratings_of_organisation",
    "scores.assess_organisation", "scores.score_organisation", "scores.score_network", "scores.network_reports",
    "snapshots.snapshot_if_changed",
    "snapshots.snapshot_series", "snapshots.closed_cycle_report", "snapshots.assessment_cycles",
    "snapshots.refresh_daily_snapshot", "users.refreshed_principal",
    "browser_sessions.begin",  # a board member signing in starts their own browser session
}


def refused_calls(tmp_path: Path):
    """Every other service, called as a board member of harbour-house would have to call it."""
    s = "session"
    return {
        "evidence.add_evidence": (s, lambda x, b: evidence.add_evidence(
            x, b, organisation_id=1, details=NewEvidence("policy", ("3.3.1",), TODAY), intake=None, stored_key=None)),
        "evidence.add_revision": (s, lambda x, b: evidence.add_revision(
            x, b, evidence_id=1, issued_on=TODAY, valid_until=None, intake=None, stored_key=None)),
        "evidence.link_evidence": (s, lambda x, b: evidence.link_evidence(x, b, evidence_id=1, action_id="3.1.1")),
        "evidence.unlink_evidence": (s, lambda x, b: evidence.unlink_evidence(x, b, evidence_id=1, action_id="3.1.1")),
        "evidence.set_links": (s, lambda x, b: evidence.set_links(x, b, evidence_id=1, action_ids=[])),
        "evidence.set_classification": (s, lambda x, b: evidence.set_classification(
            x, b, evidence_id=2, classification="internal")),
        "evidence.evidence_register": (s, lambda x, b: evidence.evidence_register(x, b, organisation_id=1)),
        "evidence.revision_history": (s, lambda x, b: evidence.revision_history(x, b, evidence_id=1)),
        "evidence.read_evidence_file": ("haven", lambda h, b: evidence.read_evidence_file(h, b, revision_id=2)),
        "evidence.read_thumbnail": ("haven", lambda h, b: evidence.read_thumbnail(h, b, revision_id=2)),
        "evidence.read_thumbnails": ("haven", lambda h, b: evidence.read_thumbnails(h, b, organisation_id=1,
                                                                                    revision_ids=[1, 2])),
        "evidence.read_preview": ("haven", lambda h, b: evidence.read_preview(h, b, revision_id=2)),
        "evidence.scan_before_upload": ("haven", lambda h, b: evidence.scan_before_upload(
            h, b, organisation_id=1, data=simple_pdf())),
        "uploads.upload_evidence": ("haven", lambda h, b: uploads.upload_evidence(
            h, b, organisation_id=1, details=NewEvidence("policy", ("3.3.1",), TODAY), data=simple_pdf(),
            filename="policy.pdf")),
        "uploads.upload_revision": ("haven", lambda h, b: uploads.upload_revision(
            h, b, evidence_id=1, issued_on=TODAY, valid_until=None, data=simple_pdf("v2"), filename="v2.pdf")),
        "ratings.set_rating": (s, lambda x, b: ratings.set_rating(x, b, organisation_id=1, action_id="3.1.1", rating="met")),
        "reviews.review_revision": (s, lambda x, b: reviews.review_revision(x, b, revision_id=2, status="accepted")),
        "reviews.review_queue": (s, lambda x, b: reviews.review_queue(x, b, organisation_id=1)),
        "reviews.review_file": (s, lambda x, b: reviews.review_file(x, b, revision_id=2)),
        "reviews.rejections": (s, lambda x, b: reviews.rejections(x, b, organisation_id=1)),
        "reviews.record_imported_review": (s, lambda x, b: reviews.record_imported_review(
            x, b, evidence=x.get(Evidence, 1), status="accepted", reviewer="q.reviewer")),
        "plan.add_plan_item": (s, lambda x, b: plan.add_plan_item(x, b, organisation_id=1, action_id="3.1.1",
                                                                 description="Sneaky task")),
        "plan.update_plan_item": (s, lambda x, b: plan.update_plan_item(x, b, item_id=1, done=True)),
        "plan.plan_defaults": (s, lambda x, b: plan.plan_defaults(x, b, organisation_id=1, action_id="3.1.1")),
        "plan.add_plan_item_for_gap": (s, lambda x, b: plan.add_plan_item_for_gap(
            x, b, organisation_id=1, gap={"action": "3.2.1", "kind": "missing_evidence"}, description="Sneaky")),
        "plan.save_plan_changes": (s, lambda x, b: plan.save_plan_changes(x, b, organisation_id=1,
                                                                          changes=[plan.PlanChange(id=1, description="x", owner="", due=None, done=True)])),
        "snapshots.take_snapshot": (s, lambda x, b: snapshots.take_snapshot(x, b, organisation_id=1)),
        "snapshots.start_next_cycle": (s, lambda x, b: snapshots.start_next_cycle(x, b, organisation_id=1)),
        "organisations.rename_organisation": (s, lambda x, b: organisations.rename_organisation(
            x, b, organisation_id=1, name="Taken over")),
        "organisations.set_organisation_archived": (s, lambda x, b: organisations.set_organisation_archived(
            x, b, organisation_id=1, archived=True)),
        "reviews.waiting_for_review": (s, lambda x, b: reviews.waiting_for_review(x, b, organisation_id=1)),
        "organisations.organisation_summaries": (s, lambda x, b: organisations.organisation_summaries(x, b)),
        "organisations.create_organisation": (s, lambda x, b: organisations.create_organisation(
            x, b, slug="board-made", name="Board made")),
        "users.create_user": (s, lambda x, b: users.create_user(x, b, username="mallory", password=PASSWORD,
                                                                is_admin=True)),
        "users.set_membership": (s, lambda x, b: users.set_membership(x, b, user_id=b.user_id, role="manager",
                                                                      organisation_id=1)),
        "users.remove_membership": (s, lambda x, b: users.remove_membership(x, b, membership_id=1)),
        "users.set_user_active": (s, lambda x, b: users.set_user_active(x, b, user_id=1, active=False)),
        "users.set_user_admin": (s, lambda x, b: users.set_user_admin(x, b, user_id=b.user_id, admin=True)),
        "users.unlock_user": (s, lambda x, b: users.unlock_user(x, b, user_id=1)),
        "users.reset_password": (s, lambda x, b: users.reset_password(x, b, user_id=1, password="board takes over now")),
        "users.list_users": (s, lambda x, b: users.list_users(x, b)),
        "audit_log.audit_entries": (s, lambda x, b: audit_log.audit_entries(x, b)),
        "audit_log.audit_filter_choices": (s, lambda x, b: audit_log.audit_filter_choices(x, b)),
        "audit_log.audit_chain_faults": (s, lambda x, b: audit_log.audit_chain_faults(x, b)),
        "board.network_scores": (s, lambda x, b: board.network_scores(x, b)),
        "integrity.check_integrity": ("haven", lambda h, b: integrity.check_integrity(h, b)),
        "integrity.remove_orphans": ("haven", lambda h, b: integrity.remove_orphans(h, b)),
        "demo.load_demo": ("haven", lambda h, b: demo.load_demo(h, b, today=TODAY)),
        "importer.import_bundle": ("haven", lambda h, b: import_bundle(
            h, b, write_bundle(tmp_path / "sneaky", **{"organisation.slug": "sneaky"}))),
        "exporter.export_bundle": ("haven", lambda h, b: export_bundle(
            h, b, organisation_id=1, out=tmp_path / "pack.zip", include_restricted=True)),
    }


def public_services_with_a_principal() -> set[str]:
    names = set()
    for path in [*sorted((ROOT / "services").glob("*.py")), ROOT / "bundles" / "importer.py", ROOT / "bundles" / "exporter.py"]:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                if "principal" in [a.arg for a in node.args.args + node.args.kwonlyargs]:
                    names.add(f"{path.stem}.{node.name}")
    return names


def snapshot_of(haven) -> dict:
    with haven.engine.connect() as connection:
        rows = {table.name: [tuple(row) for row in connection.execute(select(table))]
                for table in SQLModel.metadata.sorted_tables}
    return {"rows": rows, "files": sorted(haven.store.keys())}


def test_every_service_is_either_open_to_the_board_or_checked_here(tmp_path):
    assert public_services_with_a_principal() == BOARD_MAY_CALL | set(refused_calls(tmp_path))


def test_every_other_service_refuses_a_board_member_and_changes_nothing(haven, tmp_path):
    import_bundle(haven, SYSTEM, write_bundle(tmp_path / "bundle"))
    make_user(haven, "amira", "manager", "harbour-house")
    trustee = make_user(haven, "trustee", "board", "harbour-house")
    before = snapshot_of(haven)
    allowed = []

    for name, (needs, call) in refused_calls(tmp_path).items():
        try:
            if needs == "haven":
                call(haven, trustee)
            else:
                with haven.session() as session:
                    call(session, trustee)
        except PermissionDenied as refusal:
            assert str(refusal).startswith("trustee may not"), (name, refusal)
        else:
            allowed.append(name)

    assert allowed == []
    assert snapshot_of(haven) == before
    assert not (tmp_path / "pack.zip").exists()


def test_a_network_board_member_is_refused_too(haven, tmp_path):
    """A board membership for every organisation is still a board membership."""
    import_bundle(haven, SYSTEM, write_bundle(tmp_path / "bundle"))
    trustee = make_user(haven, "network-trustee", "board", None)
    before = snapshot_of(haven)
    for name in ("ratings.set_rating", "reviews.review_revision", "evidence.read_evidence_file", "uploads.upload_evidence"):
        needs, call = refused_calls(tmp_path)[name]
        with pytest.raises(PermissionDenied):
            if needs == "haven":
                call(haven, trustee)
            else:
                with haven.session() as session:
                    call(session, trustee)
    assert snapshot_of(haven) == before


# --- the pages, opened by a board member's session ---------------------------------------------------------

CLOSED_TO_THE_BOARD = [
    "views/self_assessment.py", "views/evidence_library.py", "views/gaps_plan.py", "views/review_queue.py",
    "views/admin_users.py", "views/audit_log.py", "views/reports.py", "views/network.py",
]


@pytest.fixture
def app_haven(sqlite_haven, monkeypatch):
    """The app opens this SQLite instance (the page guards do not depend on the database backend)."""
    with opened_by_the_app(sqlite_haven, monkeypatch) as instance:
        yield instance


@pytest.fixture
def board_session(app_haven, tmp_path):
    import_bundle(app_haven, SYSTEM, write_bundle(tmp_path / "bundle"))
    make_user(app_haven, "amira", "manager", "harbour-house")
    return make_user(app_haven, "trustee", "board", "harbour-house")


def test_the_board_navigation_leads_to_no_evidence_page(board_session):
    from ui.navigation import pages_for

    assert {entry.path for entry in pages_for(board_session, 1)}.isdisjoint(CLOSED_TO_THE_BOARD)


def run_page_script(principal, page: str, state: dict | None = None):
    """Runs one page script on its own, signed in as `principal`: what a hand-made URL reaches when the server has
    just started (Streamlit then serves the views/ folder directly) or a widget message aimed at the page."""
    from streamlit.testing.v1 import AppTest

    from ui.session import LAST_SEEN_KEY, PRINCIPAL_KEY, now

    # run_path keeps the views/ folder off sys.path, where views/reports.py would shadow the reports package
    app = AppTest.from_string(f"import runpy\nrunpy.run_path({str(ROOT / page)!r}, run_name='__main__')\n",
                              default_timeout=30)
    app.session_state[PRINCIPAL_KEY] = principal
    app.session_state[LAST_SEEN_KEY] = now()
    for key, value in (state or {}).items():
        app.session_state[key] = value
    return app.run()


@pytest.mark.parametrize("page", CLOSED_TO_THE_BOARD)
def test_a_board_member_running_a_closed_page_gets_no_data_and_no_form(board_session, app_haven, page):
    from tests.app_pages import texts

    app = run_page_script(board_session, page)

    assert not app.exception
    assert [e.value for e in app.error] == ["This page is not available to your role."]
    assert not app.button and not app.file_uploader and not app.text_input and not app.dataframe
    for secret in ("reception.jpg", "risk-form.pdf", "Reception door", "Intake risk assessment form"):
        assert secret not in texts(app)


def test_widget_state_crafted_for_a_manager_form_writes_nothing(board_session, app_haven):
    """A board session carrying the keys of the rating and upload forms, pressed buttons included, stores nothing."""
    before = snapshot_of(app_haven)
    crafted = {"rating:1:3.1.1:rating": "met", "rating:1:3.1.1:owner": "Mallory", "rating:1:3.1.1:save": True,
               "library:1:upload:title": "Injected", "library:1:upload:actions:policy": ["3.3.1"],
               "library:1:upload:upload": True}
    for page in ("views/self_assessment.py", "views/evidence_library.py"):
        app = run_page_script(board_session, page, crafted)
        assert [e.value for e in app.error] == ["This page is not available to your role."]
    assert snapshot_of(app_haven) == before


def test_a_manager_page_stops_for_a_stale_board_principal_even_with_a_manager_id(app_haven, tmp_path):
    """The roles come from the database at every run: a Principal edited in session state to claim the manager
    role in harbour-house is corrected back to the board member's real memberships."""
    from dataclasses import replace

    from tests.app_pages import open_app

    import_bundle(app_haven, SYSTEM, write_bundle(tmp_path / "bundle"))
    trustee = make_user(app_haven, "trustee", "board", "harbour-house")
    forged = replace(trustee, memberships=((1, "manager"),), is_admin=True)
    before = snapshot_of(app_haven)

    app = open_app(forged)

    from ui.session import PRINCIPAL_KEY

    assert app.session_state[PRINCIPAL_KEY] == trustee
    assert not any(b.label == "Add the files" for b in app.button)
    with app_haven.session() as session:
        assert session.exec(select(User).where(User.username == "trustee")).one().is_admin is False
        assert session.exec(select(Membership.role).where(Membership.user_id == trustee.user_id)).all() == ["board"]
    assert snapshot_of(app_haven)["rows"]["evidence_revision"] == before["rows"]["evidence_revision"]
