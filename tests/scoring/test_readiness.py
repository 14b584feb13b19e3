"""Rule 5: ready / approaching / not_ready."""
from __future__ import annotations

import pytest

from tests.scoring.builders import AS_OF, all_rated, days, evidence, full_evidence, plan, run


def readiness(standard, ratings=None, evidence_items=None, plan_items=()):
    ratings = all_rated(standard) if ratings is None else ratings
    items = full_evidence(standard) if evidence_items is None else evidence_items
    return run(standard, ratings, items, plan_items).readiness


def test_ready_when_every_action_is_met_and_every_slot_verified(mini):
    assert readiness(mini) == "ready"


def test_ready_on_the_bundled_standard(vse3):
    assert readiness(vse3) == "ready"


def test_met_with_a_pending_slot_is_not_ready_without_a_plan(mini):
    items = full_evidence(mini)[:-1] + [evidence("rota", "B.1", status="pending")]
    assert readiness(mini, evidence_items=items) == "not_ready"
    assert readiness(mini, evidence_items=items, plan_items=[plan("B.1")]) == "approaching"


def test_partially_met_with_an_open_plan_item_is_approaching(mini):
    ratings = {**all_rated(mini), "A.2": "partially_met"}
    assert readiness(mini, ratings, plan_items=[plan("A.2")]) == "approaching"


def test_a_justified_not_applicable_action_is_left_out(mini):
    ratings = {**all_rated(mini), "B.1": ("not_applicable", "No front desk")}
    items = [evidence("leaflet", "A.1", "A.2"), evidence("rota", "A.2")]
    assert readiness(mini, ratings, items) == "ready"


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        pytest.param(plan("A.2", due=AS_OF), "approaching", id="due-on-as-of-counts"),
        pytest.param(plan("A.2", due=days(90)), "approaching", id="due-later-counts"),
        pytest.param(plan("A.2", due=days(-1)), "not_ready", id="due-the-day-before-does-not"),
        pytest.param(plan("A.2", done=True), "not_ready", id="done-item-does-not"),
        pytest.param(plan("A.2", owner=""), "not_ready", id="empty-owner-does-not"),
        pytest.param(plan("A.2", owner="   "), "not_ready", id="blank-owner-does-not"),
        pytest.param(plan("A.1"), "not_ready", id="item-for-another-action-does-not"),
    ],
)
def test_which_plan_items_cover_a_not_ready_action(mini, item, expected):
    ratings = {**all_rated(mini), "A.2": "partially_met"}
    assert readiness(mini, ratings, plan_items=[item]) == expected


def test_an_item_without_a_due_date_does_not_cover(mini):
    from scoring.facts import PlanFact

    ratings = {**all_rated(mini), "A.2": "partially_met"}
    item = PlanFact("A.2", "Update the leaflet", owner="A. Manager", due=None)
    assert readiness(mini, ratings, plan_items=[item]) == "not_ready"


def test_one_covered_item_among_others_is_enough(mini):
    ratings = {**all_rated(mini), "A.2": "partially_met"}
    items = [plan("A.2", done=True), plan("A.2", due=days(-3)), plan("A.2", due=days(3))]
    assert readiness(mini, ratings, plan_items=items) == "approaching"


def test_every_not_ready_action_needs_its_own_plan_item(mini):
    ratings = {**all_rated(mini), "A.2": "partially_met", "B.1": "partially_met"}
    assert readiness(mini, ratings, plan_items=[plan("A.2")]) == "not_ready"
    assert readiness(mini, ratings, plan_items=[plan("A.2"), plan("B.1")]) == "approaching"


@pytest.mark.parametrize("low", ["not_met", "not_assessed"])
def test_an_action_below_partially_met_is_not_ready_even_with_a_plan(mini, low):
    ratings = {**all_rated(mini), "B.1": low}
    items = [plan(a.id) for a in mini.actions]
    assert readiness(mini, ratings, plan_items=items) == "not_ready"


def test_an_unrated_action_is_not_ready(mini):
    ratings = {"A.1": "met", "A.2": "met"}
    assert readiness(mini, ratings, plan_items=[plan("B.1")]) == "not_ready"


def test_not_applicable_without_justification_is_not_ready_even_when_all_else_is_ready(mini):
    ratings = {**all_rated(mini), "B.1": ("not_applicable", "  ")}
    result = run(mini, ratings, full_evidence(mini), [plan("B.1")])
    assert result.readiness == "not_ready"
    assert "B.1" in result.readiness_reason


def test_readiness_reason_names_the_uncovered_action(mini):
    ratings = {**all_rated(mini), "A.2": "partially_met"}
    result = run(mini, ratings, full_evidence(mini))
    assert result.readiness == "not_ready"
    assert "A.2" in result.readiness_reason
