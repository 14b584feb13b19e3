"""Rule 6: one gap per finding, with its severity, high before medium before low."""
from __future__ import annotations

import pytest

from scoring.dates import day_in_words
from tests.scoring.builders import all_rated, days, evidence, full_evidence, plan, run

SEVERITY = {
    "missing_evidence": "high",
    "expired_evidence": "high",
    "rejected_evidence": "high",
    "not_met": "high",
    "not_assessed": "high",
    "na_without_justification": "high",
    "claimed_without_evidence": "high",
    "partially_met": "medium",
    "unverified_evidence": "medium",
    "overdue_action": "medium",
    "expiring_soon": "low",
}
RANK = {"high": 0, "medium": 1, "low": 2}


def gaps(standard, ratings=None, evidence_items=(), plan_items=()):
    return run(standard, ratings, list(evidence_items), list(plan_items)).gaps


def found(gap_list):
    return [(g.kind, g.action_id, g.evidence_type) for g in gap_list]


def test_nothing_to_report_when_everything_is_ready(mini):
    assert gaps(mini, all_rated(mini), full_evidence(mini)) == []


@pytest.mark.parametrize(
    ("ratings", "items", "plan_items", "expected"),
    [
        pytest.param({"A.1": "partially_met"}, [], [], ("missing_evidence", "A.1", "leaflet"), id="missing"),
        pytest.param({"A.1": "partially_met"}, [evidence("leaflet", "A.1", valid_until=days(-1))], [],
                     ("expired_evidence", "A.1", "leaflet"), id="expired"),
        pytest.param({"A.1": "partially_met"}, [evidence("leaflet", "A.1", status="rejected")], [],
                     ("rejected_evidence", "A.1", "leaflet"), id="rejected"),
        pytest.param({"A.1": "not_met"}, [], [], ("not_met", "A.1", None), id="not-met"),
        pytest.param({"A.1": "not_assessed"}, [], [], ("not_assessed", "A.1", None), id="not-assessed"),
        pytest.param({}, [], [], ("not_assessed", "A.1", None), id="unrated"),
        pytest.param({"A.1": ("not_applicable", "")}, [], [], ("na_without_justification", "A.1", None),
                     id="na-without-justification"),
        pytest.param({"A.1": "met"}, [], [], ("claimed_without_evidence", "A.1", None), id="claimed"),
        pytest.param({"A.1": "partially_met"}, [], [], ("partially_met", "A.1", None), id="partially-met"),
        pytest.param({"A.1": "met"}, [evidence("leaflet", "A.1", status="pending")], [],
                     ("unverified_evidence", "A.1", "leaflet"), id="unverified"),
        pytest.param({"A.1": "met"}, [evidence("leaflet", "A.1")], [plan("A.1", due=days(-1))],
                     ("overdue_action", "A.1", None), id="overdue"),
        pytest.param({"A.1": "met"}, [evidence("leaflet", "A.1", valid_until=days(60))], [],
                     ("expiring_soon", "A.1", "leaflet"), id="expiring-soon"),
    ],
)
def test_each_kind_of_gap_with_its_severity(mini, ratings, items, plan_items, expected):
    result = [g for g in gaps(mini, ratings, items, plan_items) if g.action_id == "A.1"]
    assert expected in found(result)
    (gap,) = [g for g in result if (g.kind, g.action_id, g.evidence_type) == expected]
    assert gap.severity == SEVERITY[gap.kind]
    assert gap.message


def test_gaps_are_listed_high_then_medium_then_low(mini):
    result = gaps(
        mini,
        {"A.1": "met", "A.2": "partially_met", "B.1": "not_met"},
        [evidence("leaflet", "A.1", valid_until=days(20)), evidence("leaflet", "A.2", status="pending")],
        [plan("A.2", due=days(-5))],
    )
    ranks = [RANK[g.severity] for g in result]
    assert ranks == sorted(ranks)
    assert {g.severity for g in result} == {"high", "medium", "low"}
    assert found(result) == [
        ("missing_evidence", "A.2", "rota"),
        ("not_met", "B.1", None),
        ("missing_evidence", "B.1", "rota"),
        ("partially_met", "A.2", None),
        ("unverified_evidence", "A.2", "leaflet"),
        ("overdue_action", "A.2", None),
        ("expiring_soon", "A.1", "leaflet"),
    ]


def test_a_not_applicable_action_yields_only_na_without_justification(mini):
    result = gaps(mini, {**all_rated(mini), "A.2": ("not_applicable", "")},
                  [evidence("leaflet", "A.1"), evidence("rota", "B.1"),
                   evidence("leaflet", "A.2", status="rejected")],
                  [plan("A.2", due=days(-10))])
    assert found(result) == [("na_without_justification", "A.2", None)]


def test_a_justified_not_applicable_action_yields_nothing(mini):
    result = gaps(mini, {**all_rated(mini), "A.2": ("not_applicable", "No desk staff")},
                  [evidence("leaflet", "A.1"), evidence("rota", "B.1")], [plan("A.2", due=days(-10))])
    assert result == []


def test_claimed_without_evidence_only_when_met_and_completeness_below_one(mini):
    # met, one of two slots filled -> claimed; met, both filled but one pending -> not claimed
    half = gaps(mini, {"A.2": "met"}, [evidence("leaflet", "A.2")])
    assert ("claimed_without_evidence", "A.2", None) in found(half)
    filled = gaps(mini, {"A.2": "met"}, [evidence("leaflet", "A.2"), evidence("rota", "A.2", status="pending")])
    assert ("claimed_without_evidence", "A.2", None) not in found(filled)
    assert ("unverified_evidence", "A.2", "rota") in found(filled)
    partial = gaps(mini, {"A.2": "partially_met"}, [evidence("leaflet", "A.2")])
    assert ("claimed_without_evidence", "A.2", None) not in found(partial)


@pytest.mark.parametrize(
    ("item", "overdue"),
    [
        pytest.param(plan("A.1", due=days(-1)), True, id="due-yesterday"),
        pytest.param(plan("A.1", due=days(0)), False, id="due-today"),
        pytest.param(plan("A.1", due=days(-1), done=True), False, id="done"),
        pytest.param(plan("A.1", due=days(-1), owner=""), True, id="no-owner-still-overdue"),
    ],
)
def test_overdue_action_for_each_open_item_due_before_as_of(mini, item, overdue):
    result = gaps(mini, all_rated(mini), full_evidence(mini), [item])
    assert (("overdue_action", "A.1", None) in found(result)) is overdue


def test_one_overdue_gap_per_overdue_item(mini):
    result = gaps(mini, all_rated(mini), full_evidence(mini), [plan("A.1", due=days(-1)), plan("A.1", due=days(-9))])
    assert [g.kind for g in result] == ["overdue_action", "overdue_action"]


def test_expiring_soon_is_low_and_per_slot(mini):
    items = [evidence("leaflet", "A.1", "A.2", valid_until=days(45)), evidence("rota", "A.2", "B.1")]
    result = gaps(mini, all_rated(mini), items)
    assert found(result) == [("expiring_soon", "A.1", "leaflet"), ("expiring_soon", "A.2", "leaflet")]
    assert {g.severity for g in result} == {"low"}
    assert day_in_words(days(45)) in result[0].message


def test_missing_evidence_message_reads_as_design_shows(vse3):
    result = gaps(vse3, {"3.2.1": "partially_met"},
                  [evidence("premises_photos", "3.2.1"), evidence("safety_plan", "3.2.1")])
    (missing,) = [g for g in result if g.action_id == "3.2.1" and g.kind == "missing_evidence"]
    assert missing.evidence_type == "escape_plan"
    assert missing.message == "No escape plan is linked to 3.2.1"
