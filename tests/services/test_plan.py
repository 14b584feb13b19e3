from dataclasses import asdict
from datetime import date, timedelta

import pandas as pd
import pytest
from sqlmodel import select

from accounts.permissions import PermissionDenied
from services.errors import NotFound, ServiceError
from services.plan import (
    PlanChange,
    PlanRow,
    add_plan_item,
    add_plan_item_for_gap,
    changed_plan_rows,
    plan_defaults,
    plan_items,
    save_plan_changes,
)
from services.ratings import set_rating
from services.scores import score_organisation
from storage.models import AuditEntry, PlanItem
from tests.factories import make_organisation
from tests.factories import make_user as make_user_with_password

TODAY = date(2026, 6, 15)


def make_user(*args, **kwargs):
    """A user without a password: these tests never sign in, and hashing one is the slowest step."""
    return make_user_with_password(*args, password=None, **kwargs)


def items(haven, who, organisation, as_of=TODAY):
    with haven.session() as session:
        return plan_items(session, who, organisation_id=organisation, as_of=as_of)


def add(haven, who, organisation, **fields):
    values = {"action_id": "3.1.3", "description": "Run the refresher", "owner": "Grace", "due": TODAY} | fields
    with haven.session() as session:
        return add_plan_item(session, who, organisation_id=organisation, **values).id


def test_a_gap_becomes_a_plan_item_owned_by_the_actions_owner_due_in_30_days(haven, organisation, manager):
    with haven.session() as session:
        set_rating(session, manager, organisation_id=organisation, action_id="3.1.3", rating="partially_met",
                   owner="Grace Whitfield, Training Coordinator")
    gap = {"kind": "partially_met", "action": "3.1.3", "evidence_type": None, "message": "3.1.3 is rated partially met"}
    with haven.session() as session:
        add_plan_item_for_gap(session, manager, organisation_id=organisation, gap=gap,
                              description="Finish the refresher training", today=TODAY)
    (item,) = items(haven, manager, organisation)
    assert asdict(item) == {"id": item.id, "action": "3.1.3", "description": "Finish the refresher training",
                    "owner": "Grace Whitfield, Training Coordinator", "due": TODAY + timedelta(days=30),
                    "done": False, "overdue": False, "gap_kind": "partially_met"}


def test_add_to_plan_clicked_twice_makes_one_item_and_one_audit_entry(haven, organisation, manager):
    gap = {"kind": "missing_evidence", "action": "3.2.1", "evidence_type": "escape_plan",
           "message": "No escape plan is linked to 3.2.1"}
    for _ in range(2):
        with haven.session() as session:
            add_plan_item_for_gap(session, manager, organisation_id=organisation, gap=gap,
                                  description="Upload the escape plan", today=TODAY)
    (item,) = items(haven, manager, organisation)
    assert item.description == "Upload the escape plan"
    with haven.session() as session:
        added = session.exec(select(AuditEntry).where(AuditEntry.action == "plan.add")).all()
    assert len(added) == 1
    # Once that item is done, the same gap may be planned again: it is a new piece of work.
    with haven.session() as session:
        save_plan_changes(session, manager, organisation_id=organisation, changes=[
            PlanChange(id=item.id, description=item.description, owner=item.owner, due=item.due, done=True)])
    with haven.session() as session:
        add_plan_item_for_gap(session, manager, organisation_id=organisation, gap=gap,
                              description="Upload the escape plan", today=TODAY)
    assert [i.done for i in items(haven, manager, organisation)] == [True, False]


def test_without_an_action_owner_the_plan_item_is_owned_by_the_manager(haven, organisation, manager):
    with haven.session() as session:
        defaults = plan_defaults(session, manager, organisation_id=organisation, action_id="3.2.1", today=TODAY)
    assert defaults == {"owner": "amira", "due": date(2026, 7, 15)}


def test_a_plan_item_for_each_not_ready_action_makes_the_organisation_approaching(haven, organisation, manager):
    with haven.session() as session:
        for action in ("3.1.1", "3.1.2", "3.1.3", "3.2.1", "3.2.2", "3.3.1", "3.3.2", "3.3.3"):
            set_rating(session, manager, organisation_id=organisation, action_id=action, rating="partially_met")
    with haven.session() as session:
        report = score_organisation(session, manager, organisation_id=organisation, as_of=TODAY)
        assert report["readiness"] == "not_ready"
        for gap in [g for g in report["gaps"] if g["kind"] == "partially_met"]:
            add_plan_item_for_gap(session, manager, organisation_id=organisation, gap=gap, description=gap["message"],
                                  today=TODAY)
    with haven.session() as session:
        assert score_organisation(session, manager, organisation_id=organisation, as_of=TODAY)["readiness"] == "approaching"


def test_only_changed_rows_are_saved_and_blank_cells_read_as_empty(haven, organisation, manager):
    before = [
        PlanRow(id=1, action="3.1.3", description="Refresher", owner="Grace", due=TODAY, done=False, overdue=False,
                gap_kind=""),
        PlanRow(id=2, action="3.3.2", description="Portal", owner="", due=None, done=False, overdue=False,
                gap_kind=""),
        PlanRow(id=3, action="3.3.3", description="Leaflet", owner="Amira", due=TODAY, done=False, overdue=False,
                gap_kind=""),
    ]
    after = [
        {"id": 1, "description": "Refresher", "owner": "Grace", "due": pd.Timestamp(TODAY), "done": False},
        {"id": 2, "description": "Portal ", "owner": None, "due": pd.NaT, "done": False},
        {"id": 3, "description": "Leaflet", "owner": "Priya", "due": pd.Timestamp("2026-07-01"), "done": True},
    ]
    assert [asdict(change) for change in changed_plan_rows(before, after)] == [
        {"id": 3, "description": "Leaflet", "owner": "Priya", "due": date(2026, 7, 1), "done": True},
    ]


def test_saving_changes_updates_the_items_and_the_audit_log(haven, organisation, manager):
    first = add(haven, manager, organisation)
    second = add(haven, manager, organisation, action_id="3.3.2", description="Portal", owner="", due=None)
    changes = [PlanChange(id=first, description="Run the refresher for all", owner="Grace", due=date(2026, 7, 1),
                          done=True),
               PlanChange(id=second, description="Portal", owner="Priya", due=None, done=False)]
    with haven.session() as session:
        assert save_plan_changes(session, manager, organisation_id=organisation, changes=changes) == 2
    stored = {item.id: item for item in items(haven, manager, organisation)}
    assert (stored[first].description, stored[first].due, stored[first].done) == (
        "Run the refresher for all", date(2026, 7, 1), True)
    assert (stored[second].owner, stored[second].due) == ("Priya", None)
    with haven.session() as session:
        assert session.get(PlanItem, first).closed_at is not None
        assert len(session.exec(select(AuditEntry).where(AuditEntry.action == "plan.update")).all()) == 2


def test_clearing_a_due_date_and_unticking_done(haven, organisation, manager):
    item_id = add(haven, manager, organisation, done=True)
    with haven.session() as session:
        save_plan_changes(session, manager, organisation_id=organisation,
                          changes=[PlanChange(id=item_id, description="Run the refresher", owner="Grace", due=None, done=False)])
    (item,) = items(haven, manager, organisation)
    assert (item.due, item.done) == (None, False)
    with haven.session() as session:
        assert session.get(PlanItem, item_id).closed_at is None


def test_an_empty_description_refuses_the_whole_save(haven, organisation, manager):
    first = add(haven, manager, organisation)
    second = add(haven, manager, organisation, description="Portal")
    changes = [PlanChange(id=first, description="Changed", owner="Grace", due=TODAY, done=False),
               PlanChange(id=second, description="  ", owner="Grace", due=TODAY, done=False)]
    with pytest.raises(ServiceError, match="Describe the task"):
        with haven.session() as session:
            save_plan_changes(session, manager, organisation_id=organisation, changes=changes)
    assert sorted(item.description for item in items(haven, manager, organisation)) == ["Portal", "Run the refresher"]


def test_an_item_of_another_organisation_cannot_be_saved_through_this_one(haven, organisation, manager):
    other = make_organisation(haven, "city-refuge", "City Refuge")
    other_manager = make_user(haven, "otto", "manager", "city-refuge")
    theirs = add(haven, other_manager, other)
    with pytest.raises(NotFound):
        with haven.session() as session:
            save_plan_changes(session, manager, organisation_id=organisation,
                              changes=[PlanChange(id=theirs, description="Mine now", owner="", due=None, done=True)])
    assert items(haven, other_manager, other)[0].description == "Run the refresher"


def test_open_items_past_their_due_date_are_overdue(haven, organisation, manager):
    add(haven, manager, organisation, due=TODAY - timedelta(days=1))
    add(haven, manager, organisation, due=TODAY)
    add(haven, manager, organisation, due=TODAY - timedelta(days=9), done=True)
    add(haven, manager, organisation, due=None)
    assert [item.overdue for item in items(haven, manager, organisation)] == [True, False, False, False]


@pytest.mark.parametrize("role", ["reviewer", "board"])
def test_reviewers_and_board_members_read_the_plan_but_cannot_change_it(haven, organisation, manager, role):
    item_id = add(haven, manager, organisation)
    other = make_user(haven, "someone", role, "harbour-house")
    assert len(items(haven, other, organisation)) == 1
    gap = {"kind": "not_met", "action": "3.1.3", "evidence_type": None}
    for attempt in (
        lambda session: add_plan_item_for_gap(session, other, organisation_id=organisation, gap=gap, description="x"),
        lambda session: plan_defaults(session, other, organisation_id=organisation, action_id="3.1.3"),
        lambda session: save_plan_changes(session, other, organisation_id=organisation,
                                          changes=[PlanChange(id=item_id, description="x", owner="", due=None, done=True)]),
    ):
        with pytest.raises(PermissionDenied):
            with haven.session() as session:
                attempt(session)
    (item,) = items(haven, manager, organisation)
    assert (item.description, item.done) == ("Run the refresher", False)
