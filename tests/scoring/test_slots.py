"""Rule 1 (current) and rule 2 (slot state, filled, expiring soon)."""
from __future__ import annotations

import pytest

from tests.scoring.builders import AS_OF, days, evidence, run, slot


def state_of(mini, *items, action_id="A.1", evidence_type="leaflet"):
    return slot(run(mini, evidence_items=list(items)), action_id, evidence_type)


# --- rule 1: current on as_of when issued_on <= as_of <= valid_until ---------------------

def test_current_on_the_day_it_is_issued(mini):
    assert state_of(mini, evidence("leaflet", "A.1", issued_on=AS_OF)).state == "verified"


def test_still_current_on_its_valid_until_date(mini):
    assert state_of(mini, evidence("leaflet", "A.1", valid_until=AS_OF)).state == "verified"


def test_expired_the_day_after_valid_until(mini):
    assert state_of(mini, evidence("leaflet", "A.1", valid_until=days(-1))).state == "expired"


def test_not_current_before_it_is_issued_so_the_slot_reads_expired(mini):
    """Non-rejected evidence exists but none is current: rule 2 says `expired`."""
    result = state_of(mini, evidence("leaflet", "A.1", issued_on=days(1), valid_until=days(200)))
    assert result.state == "expired"
    assert not result.filled


def test_evidence_current_on_one_date_is_expired_on_a_later_one(mini):
    item = evidence("leaflet", "A.1", issued_on=AS_OF, valid_until=days(10))
    assert slot(run(mini, evidence_items=[item], as_of=days(10)), "A.1", "leaflet").state == "verified"
    assert slot(run(mini, evidence_items=[item], as_of=days(11)), "A.1", "leaflet").state == "expired"


# --- rule 2: state in priority order ---------------------------------------------------

@pytest.mark.parametrize(
    ("items", "expected"),
    [
        pytest.param([("accepted", True), ("pending", True)], "verified", id="accepted-current-beats-pending"),
        pytest.param([("accepted", True), ("rejected", True)], "verified", id="accepted-current-beats-rejected"),
        pytest.param([("pending", True)], "pending", id="pending-current"),
        pytest.param([("pending", True), ("accepted", False)], "pending", id="pending-current-beats-expired-accepted"),
        pytest.param([("accepted", False)], "expired", id="accepted-expired"),
        pytest.param([("pending", False)], "expired", id="pending-expired"),
        pytest.param([("rejected", True)], "rejected", id="only-rejected-current"),
        pytest.param([("rejected", False), ("rejected", True)], "rejected", id="only-rejected"),
        pytest.param([("rejected", True), ("accepted", False)], "expired", id="rejected-plus-expired-non-rejected"),
        pytest.param([("rejected", True), ("pending", False)], "expired", id="rejected-plus-expired-pending"),
        pytest.param([], "missing", id="nothing-linked"),
    ],
)
def test_slot_state_priority(mini, items, expected):
    built = [
        evidence("leaflet", "A.1", status=status,
                 valid_until=days(100) if current else days(-1))
        for status, current in items
    ]
    result = state_of(mini, *built)
    assert result.state == expected
    assert result.filled == (expected in ("verified", "pending"))


def test_rejected_then_reuploaded_is_pending_then_verified_once_accepted(mini):
    rejected = evidence("leaflet", "A.1", status="rejected", issued_on=days(-60))
    assert state_of(mini, rejected).state == "rejected"
    assert state_of(mini, rejected, evidence("leaflet", "A.1", status="pending")).state == "pending"
    assert state_of(mini, rejected, evidence("leaflet", "A.1", status="accepted")).state == "verified"


def test_evidence_linked_to_another_action_does_not_count(mini):
    assert state_of(mini, evidence("leaflet", "A.2")).state == "missing"


def test_evidence_of_another_type_does_not_count(mini):
    result = run(mini, evidence_items=[evidence("rota", "A.1", "A.2")])
    assert slot(result, "A.1", "leaflet").state == "missing"
    assert slot(result, "A.2", "leaflet").state == "missing"
    assert slot(result, "A.2", "rota").state == "verified"


def test_one_item_linked_to_two_actions_fills_both_slots(mini):
    result = run(mini, evidence_items=[evidence("leaflet", "A.1", "A.2")])
    assert slot(result, "A.1", "leaflet").state == "verified"
    assert slot(result, "A.2", "leaflet").state == "verified"
    assert slot(result, "A.2", "rota").state == "missing"


# --- expiring soon: latest valid_until among current non-rejected evidence <= as_of + 60 ----

def test_expiring_soon_exactly_sixty_days_ahead(mini):
    assert state_of(mini, evidence("leaflet", "A.1", valid_until=days(60))).expiring_soon is True


def test_not_expiring_soon_sixty_one_days_ahead(mini):
    assert state_of(mini, evidence("leaflet", "A.1", valid_until=days(61))).expiring_soon is False


def test_expiring_soon_on_its_last_valid_day(mini):
    assert state_of(mini, evidence("leaflet", "A.1", valid_until=AS_OF)).expiring_soon is True


def test_a_pending_slot_can_be_expiring_soon(mini):
    result = state_of(mini, evidence("leaflet", "A.1", status="pending", valid_until=days(30)))
    assert (result.state, result.expiring_soon) == ("pending", True)


@pytest.mark.parametrize("status", ["accepted", "pending", "rejected"])
def test_only_filled_slots_are_expiring_soon(mini, status):
    expired = state_of(mini, evidence("leaflet", "A.1", status=status, valid_until=days(-1)))
    assert expired.state in ("expired", "rejected")
    assert expired.expiring_soon is False


def test_a_rejected_slot_is_not_expiring_soon_even_if_current(mini):
    result = state_of(mini, evidence("leaflet", "A.1", status="rejected", valid_until=days(10)))
    assert (result.state, result.expiring_soon) == ("rejected", False)


def test_a_missing_slot_is_not_expiring_soon(mini):
    result = state_of(mini)
    assert (result.state, result.expiring_soon) == ("missing", False)


def test_expiring_soon_uses_the_latest_valid_until_of_current_evidence(mini):
    result = state_of(
        mini,
        evidence("leaflet", "A.1", status="accepted", valid_until=days(10)),
        evidence("leaflet", "A.1", status="pending", valid_until=days(200)),
    )
    assert (result.state, result.expiring_soon, result.valid_until) == ("verified", False, days(200))


def test_a_rejected_newer_item_does_not_stop_expiring_soon(mini):
    result = state_of(
        mini,
        evidence("leaflet", "A.1", status="accepted", valid_until=days(10)),
        evidence("leaflet", "A.1", status="rejected", valid_until=days(400)),
    )
    assert (result.state, result.expiring_soon, result.valid_until) == ("verified", True, days(10))


def test_a_not_yet_current_renewal_does_not_stop_expiring_soon(mini):
    result = state_of(
        mini,
        evidence("leaflet", "A.1", valid_until=days(10)),
        evidence("leaflet", "A.1", issued_on=days(5), valid_until=days(400)),
    )
    assert (result.state, result.expiring_soon) == ("verified", True)


def test_an_expired_item_does_not_count_towards_the_latest_date(mini):
    result = state_of(
        mini,
        evidence("leaflet", "A.1", valid_until=days(100)),
        evidence("leaflet", "A.1", valid_until=days(-5)),
    )
    assert (result.expiring_soon, result.valid_until) == (False, days(100))
