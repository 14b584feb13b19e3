import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from reports.formatting import long_date
from services.evidence import NewEvidence
from services.plan import add_plan_item
from services.ratings import set_rating
from services.reviews import review_revision
from services.uploads import upload_evidence
from storage.models import PlanItem
from tests.app_pages import open_app, texts
from tests.factories import make_user, simple_pdf
from ui.navigation import pages_for

PAGE = "views/gaps_plan.py"
TODAY = date.today()


def add_item(haven, manager, organisation, **fields):
    values = {"action_id": "3.1.3", "description": "Run the refresher training", "owner": "Grace",
              "due": TODAY + timedelta(days=10)} | fields
    with haven.session() as session:
        return add_plan_item(session, manager, organisation_id=organisation, **values).id


def button(app, label, key_part=""):
    found = [b for b in app.button if b.label == label and key_part in (b.key or "")]
    assert found, f"no button '{label}' ({key_part}) on the page"
    return found[0]


def readable(app) -> str:
    """What the page says, with the Markdown escapes of user text taken out, as a reader sees it."""
    return re.sub(r"\\(.)", r"\1", texts(app))


def stored_items(haven):
    with haven.session() as session:
        return [(i.action_id, i.description, i.owner, i.due, i.done, i.gap_kind)
                for i in session.exec(select(PlanItem).order_by(PlanItem.id))]


def test_readiness_and_what_approaching_still_needs_lead_the_page(app_haven, organisation, manager):
    with app_haven.session() as session:
        set_rating(session, manager, organisation_id=organisation, action_id="3.1.1", rating="partially_met")
    app = open_app(manager, page=PAGE)
    assert not app.exception
    shown = readable(app)
    assert "Not ready" in shown and "not yet rated at least partially met" in shown
    assert "Still needed to reach Approaching" in shown
    assert "Rate 3.3.3 at least partially met on the Self-assessment page (now: not assessed)" in shown
    assert "Add a plan item for 3.1.1 with an owner and a due date" in shown
    assert "Next step: Upload a current escape plan and link it to 3.2.1" in shown


def test_a_manager_turns_a_gap_into_a_plan_item_and_it_appears(app_haven, organisation, manager):
    app = open_app(manager, page=PAGE)
    assert not app.data_editor
    button(app, "Add to plan", "_not_assessed_3.3.3").click().run()

    assert not app.exception
    assert stored_items(app_haven) == [
        ("3.3.3", "Rate 3.3.3 on the Self-assessment page", "amira", TODAY + timedelta(days=30), False, "not_assessed")]
    assert [t.value for t in app.toast] == ["Added to the plan for 3.3.3, due in 30 days."]
    table = app.data_editor[0].value
    assert list(table["Description"]) == ["Rate 3.3.3 on the Self-assessment page"]
    assert "In the plan: amira, due " + long_date(TODAY + timedelta(days=30)) in readable(app)
    assert not [b for b in app.button if b.key and b.key.endswith("_not_assessed_3.3.3")]  # planned: no second click


def test_editing_a_row_and_saving_changes_the_database(app_haven, organisation, manager):
    add_item(app_haven, manager, organisation)
    add_item(app_haven, manager, organisation, action_id="3.3.2", description="Move referrals to the portal")
    app = open_app(manager, page=PAGE)
    assert list(app.data_editor[0].value["Owner"]) == ["Grace", "Grace"]
    app.session_state["plan_editor_0"] = {
        "edited_rows": {1: {"Owner": "Priya Nair", "Due": "2027-01-29"}}, "added_rows": [], "deleted_rows": []}
    button(app, "Save changes").click().run()

    assert not app.exception
    assert stored_items(app_haven)[1] == ("3.3.2", "Move referrals to the portal", "Priya Nair", date(2027, 1, 29),
                                          False, "")
    assert stored_items(app_haven)[0][2] == "Grace"
    assert [t.value for t in app.toast] == ["Saved 1 plan item."]
    assert list(app.data_editor[0].value["Owner"]) == ["Grace", "Priya Nair"]


def test_ticking_done_and_saving_moves_the_item_to_done(app_haven, organisation, manager):
    add_item(app_haven, manager, organisation)
    app = open_app(manager, page=PAGE)
    app.session_state["plan_editor_0"] = {"edited_rows": {0: {"Done": True}}, "added_rows": [], "deleted_rows": []}
    button(app, "Save changes").click().run()
    assert stored_items(app_haven)[0][4] is True
    assert "No plan items to show with this filter." in texts(app)
    app.segmented_control[0].set_value("Done").run()
    assert list(app.data_editor[0].value["Description"]) == ["Run the refresher training"]


def test_an_emptied_description_is_refused_and_nothing_is_saved(app_haven, organisation, manager):
    add_item(app_haven, manager, organisation)
    app = open_app(manager, page=PAGE)
    app.session_state["plan_editor_0"] = {
        "edited_rows": {0: {"Description": " ", "Owner": "Someone else"}}, "added_rows": [], "deleted_rows": []}
    button(app, "Save changes").click().run()
    assert "Describe the task." in texts(app)
    assert stored_items(app_haven)[0][1:3] == ("Run the refresher training", "Grace")


def test_overdue_items_stand_out_and_can_be_filtered(app_haven, organisation, manager):
    add_item(app_haven, manager, organisation, due=TODAY - timedelta(days=3))
    add_item(app_haven, manager, organisation, action_id="3.2.1", description="Photograph the door")
    app = open_app(manager, page=PAGE)
    assert "1 plan item is overdue." in [w.value for w in app.warning]
    table = app.data_editor[0].value
    assert list(table["Overdue"]) == ["⚠️ Overdue", ""]
    app.segmented_control[0].set_value("Overdue").run()
    assert list(app.data_editor[0].value["Description"]) == ["Run the refresher training"]
    app.segmented_control[0].set_value("All").run()
    app.selectbox[0].set_value("3.2.1").run()
    assert list(app.data_editor[0].value["Description"]) == ["Photograph the door"]


def test_a_reviewer_reads_the_gaps_and_the_plan_but_cannot_change_them(app_haven, organisation, manager):
    add_item(app_haven, manager, organisation)
    reviewer = make_user(app_haven, "quinn", "reviewer", "harbour-house", password=None)
    app = open_app(reviewer, page=PAGE)
    assert not app.exception
    assert "Only a manager of this organisation changes the plan." in texts(app)
    assert not [b for b in app.button if b.label in ("Add to plan", "Save changes")]
    assert list(app.dataframe[0].value["Description"]) == ["Run the refresher training"]


def test_the_board_does_not_get_the_page(app_haven, organisation):
    board = make_user(app_haven, "bea", "board", "harbour-house", password=None)
    assert PAGE not in [entry.path for entry in pages_for(board, organisation)]
    app = open_app(board)
    with pytest.raises(ValueError):
        app.switch_page(PAGE)


def test_a_rejection_reason_with_markup_is_shown_as_text(app_haven, organisation, manager):
    reviewer = make_user(app_haven, "quinn", "reviewer", "harbour-house", password=None)
    evidence_id = upload_evidence(
        app_haven, manager, organisation_id=organisation, filename="escape.pdf", data=simple_pdf("Escape plan"),
        details=NewEvidence("escape_plan", ("3.2.1",), TODAY - timedelta(days=5), title="Escape plan"))
    with app_haven.session() as session:
        from services.facts import latest_revisions

        revision = latest_revisions(session, [evidence_id])[evidence_id]
        review_revision(session, reviewer, revision_id=revision.id, status="rejected",
                        comment="<script>alert(1)</script> Show the **assembly point**")
    app = open_app(manager, page=PAGE)
    markdown = [m.value for m in app.markdown]
    step = next(m for m in markdown if m.startswith("Next step: Fix what the reviewer asked"))
    assert step == ("Next step: Fix what the reviewer asked\\: \\<script\\>alert\\(1\\)\\</script\\> Show the "
                    "\\*\\*assembly point\\*\\*; then upload a new revision of the escape plan for 3.2.1")
    assert not any("<script>" in m for m in markdown)


def test_once_approaching_the_page_says_what_ready_still_needs(app_haven, organisation, manager):
    from services.organisations import current_cycle
    from standards.loader import get_standard

    with app_haven.session() as session:
        standard = get_standard(current_cycle(session, organisation).standard_id)
        for action in standard.actions:
            set_rating(session, manager, organisation_id=organisation, action_id=action.id, rating="partially_met")
            add_plan_item(session, manager, organisation_id=organisation, action_id=action.id,
                          description=f"Close the gaps of {action.id}", owner="Amira", due=TODAY + timedelta(days=7))
    app = open_app(manager, page=PAGE)
    shown = readable(app)
    assert "Approaching" in shown and "Still needed to reach Approaching" not in shown
    (expander,) = [e for e in app.expander if e.label == "Still needed to be Ready"]
    assert "3.2.1 needs to be rated met and verified pictures of premises, safety plan, escape plan" in readable(app)
