"""The `score --json` shape of DESIGN.md."""
from __future__ import annotations

import json

from scoring.report import assessment_to_dict
from tests.scoring.builders import AS_OF, days, evidence, run

LAYERS = {"self_assessment", "completeness", "verified"}


def report(vse3):
    return assessment_to_dict(run(
        vse3,
        {"3.1.1": "met", "3.2.2": ("not_applicable", "No premises open to victims")},
        [evidence("risk_assessment", "3.1.1", valid_until=days(30))],
    ))


def test_top_level_keys_and_values(vse3):
    result = report(vse3)
    assert {"organisation", "standard", "as_of", "readiness", "scores", "engagements", "gaps"} <= set(result)
    assert result["organisation"] == "harbour-house"
    assert result["standard"] == "vse-3"
    assert result["as_of"] == AS_OF.isoformat()
    assert result["readiness"] in ("ready", "approaching", "not_ready")
    assert set(result["scores"]) == LAYERS


def test_engagements_actions_and_slots_carry_the_design_keys_in_standard_order(vse3):
    result = report(vse3)
    assert [e["id"] for e in result["engagements"]] == ["3.1", "3.2", "3.3"]
    slots = []
    for engagement in result["engagements"]:
        assert {"id", "scores", "actions"} <= set(engagement)
        assert set(engagement["scores"]) == LAYERS
        for action in engagement["actions"]:
            assert {"id", "rating", "scores", "slots"} <= set(action)
            assert set(action["scores"]) == LAYERS
            for slot in action["slots"]:
                assert {"evidence_type", "state", "expiring_soon"} <= set(slot)
                slots.append((action["id"], slot["evidence_type"], slot["state"], slot["expiring_soon"]))
    assert len(slots) == 11
    assert slots[0] == ("3.1.1", "risk_assessment", "verified", True)
    ratings = {a["id"]: a["rating"] for e in result["engagements"] for a in e["actions"]}
    assert ratings["3.1.1"] == "met"
    assert ratings["3.2.2"] == "not_applicable"
    assert ratings["3.1.2"] == "not_assessed"


def test_gaps_carry_the_design_keys(vse3):
    result = report(vse3)
    assert result["gaps"]
    for gap in result["gaps"]:
        assert set(gap) == {"kind", "severity", "action", "evidence_type", "message"}
    assert {"kind": "missing_evidence", "severity": "high", "action": "3.2.1", "evidence_type": "escape_plan",
            "message": "No escape plan is linked to 3.2.1"} in result["gaps"]
    assert {"kind": "not_assessed", "severity": "high", "action": "3.1.2", "evidence_type": None,
            "message": "3.1.2 is not assessed yet"} in result["gaps"]


def test_the_report_is_plain_json(vse3):
    result = report(vse3)
    assert json.loads(json.dumps(result)) == result


def test_the_typed_report_and_its_json_are_one_and_the_same(vse3):
    """Screens and charts take the typed report; `score --json`, snapshots and bundles its JSON: reading the
    JSON back gives the same report, and its JSON is the very same document."""
    from scoring.report import ScoreReport, report_of

    assessment = run(vse3, {"3.1.1": "met", "3.2.2": ("not_applicable", "No premises open to victims")},
                     [evidence("risk_assessment", "3.1.1", valid_until=days(30))])
    typed = report_of(assessment)
    document = assessment_to_dict(assessment)
    assert typed.to_json() == document
    assert ScoreReport.from_json(json.loads(json.dumps(document))) == typed
    assert json.dumps(ScoreReport.from_json(document).to_json()) == json.dumps(document)
    assert [(b.kind.value, b.action_id) for b in typed.readiness_blockers] == [
        (b["kind"], b["action"]) for b in document["readiness_blockers"]]
