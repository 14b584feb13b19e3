from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

import services.snapshots as snapshots
from accounts.permissions import PermissionDenied
from bundles.importer import import_bundle
from scoring.report import LayerScores, TrendPoint
from services.errors import ServiceError
from services.evidence import evidence_register
from services.organisations import current_cycle
from services.plan import plan_items
from services.ratings import ratings_of_cycle, set_rating
from services.scores import score_organisation
from services.snapshots import (
    assessment_cycles,
    closed_cycle_report,
    refresh_daily_snapshot,
    snapshot_series,
    start_next_cycle,
    take_snapshot,
)
from storage.models import AssessmentCycle, Snapshot
from tests.factories import SYSTEM, make_organisation, make_user, write_bundle
from vocabulary import Readiness

DAY = date(2026, 3, 2)


@pytest.fixture
def clock(monkeypatch):
    """Sets the time the audit log records, so changes can happen on chosen days."""
    now = {"at": datetime(2026, 3, 2, 9, 0, tzinfo=UTC)}
    monkeypatch.setattr("storage.audit.utc_now", lambda: now["at"])

    def set_day(day: date) -> date:
        now["at"] = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)
        return day

    return set_day


@pytest.fixture
def organisation(haven, clock):
    return make_organisation(haven)


def slot_states(report: dict) -> dict:
    return {(a["id"], s["evidence_type"]): s["state"] for e in report["engagements"] for a in e["actions"]
            for s in a["slots"]}


def count_snapshots(haven) -> int:
    with haven.session() as session:
        return len(session.exec(select(Snapshot)).all())


def rate(haven, principal, organisation_id, action, rating):
    with haven.session() as session:
        set_rating(session, principal, organisation_id=organisation_id, action_id=action, rating=rating)


def test_a_manager_takes_a_snapshot_on_demand(haven, organisation):
    manager = make_user(haven, "amira", "manager", "harbour-house")
    rate(haven, manager, organisation, "3.1.1", "met")
    with haven.session() as session:
        take_snapshot(session, manager, organisation_id=organisation, as_of=DAY)
        series = snapshot_series(session, manager, organisation_id=organisation)
    assert series == [TrendPoint(taken_on=date(2026, 3, 2), readiness=Readiness.NOT_READY,
                                 scores=LayerScores(self_assessment=0.1111, completeness=0.0, verified=0.0))]


def test_the_board_can_neither_take_snapshots_nor_start_cycles(haven, organisation):
    board = make_user(haven, "trustee", "board", "harbour-house")
    with haven.session() as session:
        with pytest.raises(PermissionDenied, match="may not take snapshots"):
            take_snapshot(session, board, organisation_id=organisation, as_of=DAY)
        with pytest.raises(PermissionDenied, match="may not start a new cycle"):
            start_next_cycle(session, board, organisation_id=organisation, today=DAY)
    with haven.session() as session:
        assert session.exec(select(Snapshot)).all() == []
        assert len(session.exec(select(AssessmentCycle)).all()) == 1


def test_refresh_keeps_at_most_one_snapshot_a_day_and_only_when_scores_move(haven, organisation, clock):
    manager = make_user(haven, "amira", "manager", "harbour-house")
    assert refresh_daily_snapshot(haven, manager, organisation_id=organisation, today=DAY) == DAY  # first baseline
    rate(haven, manager, organisation, "3.1.1", "met")
    assert refresh_daily_snapshot(haven, manager, organisation_id=organisation, today=DAY) == DAY
    rate(haven, manager, organisation, "3.1.2", "partially_met")
    refresh_daily_snapshot(haven, manager, organisation_id=organisation, today=DAY)
    with haven.session() as session:
        series = snapshot_series(session, manager, organisation_id=organisation)
    assert [(s.taken_on.isoformat(), s.scores.self_assessment) for s in series] == [("2026-03-02", 0.1667)]

    next_day = clock(DAY + timedelta(days=1))
    rate(haven, manager, organisation, "3.1.2", "partially_met")  # recorded, but the scores stay the same
    assert refresh_daily_snapshot(haven, manager, organisation_id=organisation, today=next_day) is None
    assert count_snapshots(haven) == 1

    rate(haven, manager, organisation, "3.1.3", "met")
    assert refresh_daily_snapshot(haven, manager, organisation_id=organisation, today=next_day) == next_day
    with haven.session() as session:
        series = snapshot_series(session, manager, organisation_id=organisation)
    assert [s.taken_on.isoformat() for s in series] == ["2026-03-02", "2026-03-03"]


def test_refresh_does_not_score_when_nothing_changed(haven, organisation, monkeypatch):
    board = make_user(haven, "trustee", "board", "harbour-house")
    refresh_daily_snapshot(haven, board, organisation_id=organisation, today=DAY)
    assert count_snapshots(haven) == 1  # taken in the system's name: the board itself may not take one

    def must_not_score(*args, **kwargs):
        raise AssertionError("scored although nothing changed")

    monkeypatch.setattr(snapshots, "score_organisation", must_not_score)
    for _ in range(3):
        assert refresh_daily_snapshot(haven, board, organisation_id=organisation, today=DAY) is None


def test_refresh_for_someone_without_scores_or_without_changes_does_nothing(haven, organisation):
    make_organisation(haven, "north-light", "North Light")
    outsider = make_user(haven, "nadia", "manager", "north-light")
    assert refresh_daily_snapshot(haven, outsider, organisation_id=organisation, today=DAY) is None
    assert count_snapshots(haven) == 0


@pytest.fixture
def imported(haven, tmp_path, clock):
    import_bundle(haven, SYSTEM, write_bundle(tmp_path / "bundle"))
    return make_user(haven, "amira", "manager", "harbour-house")


def test_the_next_cycle_starts_ratings_again_and_keeps_evidence_and_plan(haven, imported):
    manager = imported
    start = date.today() + timedelta(days=1)
    with haven.session() as session:
        before = score_organisation(session, manager, organisation_id=1, as_of=start)
        evidence_before = evidence_register(session, manager, organisation_id=1, as_of=start)
        plan_before = plan_items(session, manager, organisation_id=1, as_of=start)
        old_cycle = current_cycle(session, 1).id
        cycle = start_next_cycle(session, manager, organisation_id=1, name="Reaccreditation 2027", today=start)
        new_cycle = cycle.id
    with haven.session() as session:
        after = score_organisation(session, manager, organisation_id=1, as_of=start)
        ratings = {a["id"]: a["rating"] for e in after["engagements"] for a in e["actions"]}
        assert set(ratings.values()) == {"not_assessed"}
        assert after["scores"]["self_assessment"] == 0.0
        assert evidence_register(session, manager, organisation_id=1, as_of=start) == evidence_before
        assert plan_items(session, manager, organisation_id=1, as_of=start) == plan_before
        assert slot_states(after) == slot_states(before)
        cycles = assessment_cycles(session, manager, organisation_id=1)
    assert [(c.id, c.open, c.closed_on, c.snapshots) for c in cycles] == [
        (old_cycle, False, start, 1), (new_cycle, True, None, 0)]
    assert cycles[1].name == "Reaccreditation 2027"


def test_the_closed_cycle_is_read_only_and_its_report_frozen(haven, imported):
    manager = imported
    start = date.today() + timedelta(days=1)
    with haven.session() as session:
        old_cycle = current_cycle(session, 1).id
        frozen = score_organisation(session, manager, organisation_id=1, as_of=start)
        start_next_cycle(session, manager, organisation_id=1, today=start)
    rate(haven, manager, 1, "3.1.1", "not_met")
    rate(haven, manager, 1, "3.3.1", "met")
    board = make_user(haven, "trustee", "board", "harbour-house")
    with haven.session() as session:
        assert closed_cycle_report(session, manager, cycle_id=old_cycle) == frozen
        assert ratings_of_cycle(session, old_cycle)["3.1.1"].rating == "met"
        assert "3.3.1" not in ratings_of_cycle(session, old_cycle)
        assert ratings_of_cycle(session, current_cycle(session, 1).id)["3.1.1"].rating == "not_met"
        assert closed_cycle_report(session, board, cycle_id=old_cycle)["scores"] == frozen["scores"]


def test_a_cycle_cannot_start_twice_on_one_day(haven, imported):
    start = date.today() + timedelta(days=1)
    with haven.session() as session:
        start_next_cycle(session, imported, organisation_id=1, today=start)
    with haven.session() as session, pytest.raises(ServiceError, match="started today"):
        start_next_cycle(session, imported, organisation_id=1, today=start)
    with haven.session() as session:
        assert len(session.exec(select(AssessmentCycle)).all()) == 2


def test_the_new_cycle_gets_its_first_snapshot_from_the_refresh(haven, imported):
    start = date.today() + timedelta(days=1)
    with haven.session() as session:
        start_next_cycle(session, imported, organisation_id=1, today=start)
    assert refresh_daily_snapshot(haven, imported, organisation_id=1, today=start) == start
    with haven.session() as session:
        series = snapshot_series(session, imported, organisation_id=1)
    assert [(s.taken_on.isoformat(), s.scores.self_assessment) for s in series] == [(start.isoformat(), 0.0)]
