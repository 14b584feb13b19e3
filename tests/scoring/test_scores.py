"""Rules 3 and 4: the three score layers per action, engagement and standard."""
from __future__ import annotations

import pytest

from scoring.report import assessment_to_dict
from tests.scoring.builders import action, all_rated, days, engagement, evidence, full_evidence, run

NULL = {"self_assessment": None, "completeness": None, "verified": None}


@pytest.mark.parametrize(
    ("rated", "points"),
    [("met", 1.0), ("partially_met", 0.5), ("not_met", 0.0), ("not_assessed", 0.0)],
)
def test_self_assessment_is_points_over_two(mini, rated, points):
    assert action(run(mini, {"A.1": rated}), "A.1").scores["self_assessment"] == points


def test_an_unrated_action_counts_as_not_assessed(mini):
    result = action(run(mini, {}), "A.1")
    assert result.rating.rating == "not_assessed"
    assert result.scores["self_assessment"] == 0.0


def test_completeness_counts_filled_slots_and_verified_counts_verified_slots(mini):
    result = action(run(mini, {"A.2": "met"}, [evidence("leaflet", "A.2"), evidence("rota", "A.2", status="pending")]),
                    "A.2")
    assert result.scores == {"self_assessment": 1.0, "completeness": 1.0, "verified": 0.5}


def test_expired_rejected_and_missing_slots_are_not_filled(mini):
    items = [evidence("leaflet", "A.2", status="rejected"), evidence("rota", "A.2", valid_until=days(-1))]
    result = action(run(mini, {"A.2": "met"}, items), "A.2")
    assert [s.state for s in result.slots] == ["rejected", "expired"]
    assert result.scores == {"self_assessment": 1.0, "completeness": 0.0, "verified": 0.0}
    assert action(run(mini, {"A.2": "met"}), "A.2").scores["completeness"] == 0.0


def test_not_applicable_action_has_null_scores_even_with_evidence(mini):
    result = action(run(mini, {"A.1": ("not_applicable", "No visitors")}, full_evidence(mini)), "A.1")
    assert result.scores == NULL


def test_not_applicable_action_is_left_out_of_the_engagement_mean(mini):
    result = run(mini, {"A.1": ("not_applicable", "No visitors"), "A.2": "met", "B.1": "met"},
                 [evidence("leaflet", "A.2"), evidence("rota", "A.2")])
    assert engagement(result, "A").scores == {"self_assessment": 1.0, "completeness": 1.0, "verified": 1.0}


def test_all_not_applicable_engagement_is_null_and_left_out_of_the_standard_mean(mini):
    result = run(mini, {"A.1": "met", "A.2": "partially_met", "B.1": ("not_applicable", "No desk")},
                 [evidence("leaflet", "A.1")])
    assert engagement(result, "B").scores == NULL
    assert engagement(result, "A").scores == {"self_assessment": 0.75, "completeness": 0.5, "verified": 0.5}
    assert result.scores == engagement(result, "A").scores


def test_everything_not_applicable_gives_null_standard_scores(mini):
    ratings = {a.id: ("not_applicable", "Closed") for a in mini.actions}
    assert run(mini, ratings, full_evidence(mini)).scores == NULL


def test_standard_score_is_the_mean_of_engagement_means_not_of_actions(mini):
    # A has two actions met with all evidence, B one action not met with nothing.
    result = run(mini, {"A.1": "met", "A.2": "met", "B.1": "not_met"},
                 [evidence("leaflet", "A.1", "A.2"), evidence("rota", "A.2")])
    assert engagement(result, "A").scores["self_assessment"] == 1.0
    assert engagement(result, "B").scores["self_assessment"] == 0.0
    assert result.scores == {"self_assessment": 0.5, "completeness": 0.5, "verified": 0.5}
    mean_of_actions = sum(a.scores["self_assessment"] for a in result.actions) / len(result.actions)
    assert mean_of_actions == pytest.approx(2 / 3)


def test_each_layer_is_averaged_on_its_own(mini):
    result = run(mini, {"A.1": "partially_met", "A.2": "not_met", "B.1": "met"},
                 [evidence("leaflet", "A.1", status="pending"), evidence("rota", "B.1")])
    assert engagement(result, "A").scores == {"self_assessment": 0.25, "completeness": 0.5, "verified": 0.0}
    assert engagement(result, "B").scores == {"self_assessment": 1.0, "completeness": 1.0, "verified": 1.0}
    assert result.scores == {"self_assessment": 0.625, "completeness": 0.75, "verified": 0.5}


def test_all_met_and_verified_scores_one_everywhere(vse3):
    result = run(vse3, all_rated(vse3), full_evidence(vse3))
    assert result.scores == {"self_assessment": 1.0, "completeness": 1.0, "verified": 1.0}


def test_scores_are_rounded_to_four_decimals_in_the_report(vse3):
    # 3.2.1 has three slots: one verified, one pending, one missing.
    result = run(vse3, {"3.2.1": "met", "3.2.2": "partially_met"},
                 [evidence("premises_photos", "3.2.1"), evidence("safety_plan", "3.2.1", status="pending")])
    assert action(result, "3.2.1").scores["verified"] == pytest.approx(1 / 3)
    report = assessment_to_dict(result)
    (engagement_32,) = [e for e in report["engagements"] if e["id"] == "3.2"]
    (action_321,) = [a for a in engagement_32["actions"] if a["id"] == "3.2.1"]
    assert action_321["scores"] == {"self_assessment": 1.0, "completeness": 0.6667, "verified": 0.3333}
    assert engagement_32["scores"] == {"self_assessment": 0.75, "completeness": 0.3333, "verified": 0.1667}
    # standard: engagement 3.1 and 3.3 score 0 on every layer
    assert report["scores"] == {"self_assessment": 0.25, "completeness": 0.1111, "verified": 0.0556}


def test_not_applicable_scores_are_null_in_the_report(mini):
    report = assessment_to_dict(run(mini, {"B.1": ("not_applicable", "No desk")}))
    (engagement_b,) = [e for e in report["engagements"] if e["id"] == "B"]
    assert engagement_b["scores"] == NULL
    assert engagement_b["actions"][0]["scores"] == NULL
