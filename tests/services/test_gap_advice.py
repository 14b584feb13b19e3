from dataclasses import replace
from datetime import timedelta

import pytest

from scoring.dates import day_in_words
from scoring.facts import PlanFact
from scoring.gaps import GAP_SEVERITY
from scoring.report import GapReport, report_of
from services.gap_advice import (
    NEXT_STEPS,
    advise,
    next_step,
    rejection_reasons,
    still_needed_for_approaching,
    still_needed_for_ready,
)
from services.plan import PlanRow
from services.reviews import Rejection
from tests.scoring.builders import AS_OF, all_rated, days, evidence, full_evidence, mini, plan, run, vse3


def report(standard, ratings=None, evidence_items=(), plan_items=()):
    return report_of(run(standard, ratings, list(evidence_items), list(plan_items)))


def gap(kind, action, evidence_type=None, message=""):
    return GapReport(kind, "", action, evidence_type, message)


def rejection(actions, evidence_type, reason):
    return Rejection(evidence_id=1, title="Rota", evidence_type=evidence_type, actions=actions, revision=1,
                     reason=reason, reviewer="quinn", decided_at=None, decided_on=AS_OF)


def plan_rows(*facts):
    return [PlanRow(id=number, action=f.action_id, description=f.description, owner=f.owner, due=f.due, done=f.done,
                    overdue=False, gap_kind="") for number, f in enumerate(facts, start=1)]


@pytest.mark.parametrize("kind", sorted(GAP_SEVERITY))
def test_every_kind_of_gap_has_a_next_step_naming_its_action(kind):
    assert kind in NEXT_STEPS
    finding = GapReport(kind, GAP_SEVERITY[kind], "A.2", "rota", "the finding")
    step = next_step(finding, type_title="Staff rota", reason="Names no deputy", valid_until="2026-07-01")
    assert "A.2" in step and step != "the finding"


@pytest.mark.parametrize(("finding", "options", "expected"), [
    (gap("missing_evidence", "3.2.1", "escape_plan"), {"type_title": "Escape plan"},
     "Upload a current escape plan and link it to 3.2.1"),
    (gap("missing_evidence", "3.3.3", "service_procedures"),
     {"type_title": "Service procedures"}, "Upload current service procedures and link them to 3.3.3"),
    (gap("expired_evidence", "3.1.3", "risk_assessment_training"),
     {"type_title": "Training on risk assessment"},
     "Upload the renewed training on risk assessment for 3.1.3 as a new revision, so it is current again"),
    (gap("rejected_evidence", "3.2.1", "escape_plan"),
     {"type_title": "Escape plan", "reason": "The plan is not dated."},
     "Fix what the reviewer asked: The plan is not dated; then upload a new revision of the escape plan for 3.2.1"),
    (gap("unverified_evidence", "3.3.3", "policy"), {"type_title": "Policy"},
     "Ask a quality reviewer to review the policy for 3.3.3"),
    (gap("expiring_soon", "3.1.2", "network_agreements"),
     {"type_title": "Network agreements", "valid_until": "2026-12-29"},
     "Upload the renewed network agreements for 3.1.2 before they expire on 29 Dec 2026"),
    (gap("not_assessed", "3.3.3", None), {},
     "Rate 3.3.3 on the Self-assessment page"),
])
def test_next_steps_in_plain_words(finding, options, expected):
    assert next_step(finding, **options) == expected


def test_a_rejected_slot_without_a_known_reason_still_says_what_to_do():
    finding = gap("rejected_evidence", "3.2.1", "escape_plan")
    assert next_step(finding, type_title="Escape plan") == (
        "Read the reviewer's comments on the escape plan for 3.2.1, fix it and upload a new revision")


def test_an_unknown_kind_falls_back_to_the_finding():
    assert next_step(gap("new_kind", "A.1", message="Something is off")) == "Something is off"


def test_advise_adds_the_type_title_and_the_reviewers_reason_to_every_gap():
    rejected = evidence("rota", "A.2", status="rejected")
    result = report(mini(), all_rated(mini()), [evidence("leaflet", "A.1", "A.2"), rejected])
    reasons = rejection_reasons([
        rejection(["A.2"], "rota", "Names no deputy <script>x</script>"),
        rejection(["A.2"], "rota", "An older reason"),
    ])
    advised = advise(result, rejection_reasons=reasons)
    assert [g.kind for g in advised] == [g.kind for g in result.gaps]
    rota = next(g for g in advised if g.kind == "rejected_evidence")
    assert rota.evidence_type_title == "Staff rota"
    assert rota.next_step == ("Fix what the reviewer asked: Names no deputy <script>x</script>; "
                                 "then upload a new revision of the staff rota for A.2")


def test_expiring_soon_advice_names_the_date():
    soon = evidence("leaflet", "A.1", "A.2", valid_until=days(20))
    result = report(mini(), all_rated(mini()), [soon, evidence("rota", "A.2", "B.1")])
    (expiring,) = [g for g in advise(result) if g.kind == "expiring_soon" and g.action == "A.1"]
    assert expiring.next_step.endswith(f"before it expires on {day_in_words(days(20))}")


SCENARIOS = {
    "nothing rated": ({}, [], []),
    "all partially met, no plan": (all_rated(mini(), "partially_met"), [], []),
    "all partially met, each planned": (all_rated(mini(), "partially_met"), [], [plan("A.1"), plan("A.2"), plan("B.1")]),
    "planned but overdue": (all_rated(mini(), "partially_met"), [], [plan("A.1"), plan("A.2"), plan("B.1", due=days(-1))]),
    "planned without owner": (all_rated(mini(), "partially_met"), [], [plan("A.1"), plan("A.2"), plan("B.1", owner=" ")]),
    "planned without due date": (all_rated(mini(), "partially_met"), [],
                                 [plan("A.1"), plan("A.2"), PlanFact("B.1", "Close the gap", "A. Manager", None)]),
    "plan item done": (all_rated(mini(), "partially_met"), [], [plan("A.1"), plan("A.2"), plan("B.1", done=True)]),
    "n/a without justification": ({"A.1": "met", "A.2": "met", "B.1": "not_applicable"}, "full", []),
    "n/a justified, rest ready": ({"A.1": "met", "A.2": "met", "B.1": ("not_applicable", "No desk")}, "full", []),
    "ready": (all_rated(mini()), "full", []),
    "met but unverified": (all_rated(mini()), "pending", []),
    "met but unverified, planned": (all_rated(mini()), "pending", [plan("A.1"), plan("A.2"), plan("B.1")]),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_still_needed_for_approaching_is_empty_exactly_when_the_engine_says_approaching_or_ready(name):
    ratings, items, plan_items = SCENARIOS[name]
    standard = mini()
    if items == "full":
        items = full_evidence(standard)
    elif items == "pending":
        items = full_evidence(standard, status="pending")
    result = report(standard, ratings, items, plan_items)
    needed = still_needed_for_approaching(result, plan_rows(*plan_items))
    assert (needed == []) == (result.readiness != "not_ready"), (result.readiness_reason, needed)


def test_what_is_still_needed_is_said_per_action():
    standard = mini()
    ratings = {"A.1": "partially_met", "A.2": "not_assessed", "B.1": "partially_met"}
    items = [plan("A.1"), plan("B.1", due=days(-3))]
    needed = still_needed_for_approaching(report(standard, ratings, [], items), plan_rows(*items))
    assert needed == [
        "Rate A.2 at least partially met on the Self-assessment page (now: not assessed)",
        f"Add a plan item for A.2 with an owner and a due date on or after {day_in_words(AS_OF)}",
        f"Give the overdue plan item of B.1 a new due date on or after {day_in_words(AS_OF)}, or add a new plan item",
    ]


def test_an_open_item_without_an_owner_or_a_due_date_is_named():
    standard = mini()
    ratings = all_rated(standard, "partially_met")
    items = [plan("A.1", owner=""), plan("A.2"), plan("B.1")]
    rows = plan_rows(*items)
    rows[2] = replace(rows[2], due=None)
    needed = still_needed_for_approaching(report(standard, ratings, [], items[:2]), rows)
    assert needed == ["Name an owner for the open plan item of A.1",
                      f"Give the open plan item of B.1 a due date on or after {day_in_words(AS_OF)}"]


def test_a_not_applicable_action_without_justification_is_named():
    result = report(mini(), {"A.1": "met", "A.2": "met", "B.1": "not_applicable"}, full_evidence(mini()))
    assert still_needed_for_approaching(result, []) == [
        "Say why B.1 does not apply (a justification) on the Self-assessment page"]


def test_still_needed_for_ready_names_the_rating_and_the_unverified_evidence():
    standard = vse3()
    items = [e for e in full_evidence(standard) if e.evidence_type != "escape_plan"]
    items.append(evidence("escape_plan", "3.2.1", status="pending"))
    ratings = all_rated(standard) | {"3.3.2": "partially_met"}
    result = report(standard, ratings, items, [plan("3.2.1"), plan("3.3.2")])
    assert result.readiness == "approaching"
    assert still_needed_for_ready(result) == ["3.2.1 needs to be verified escape plan", "3.3.2 needs to be rated met"]
    assert still_needed_for_approaching(result, []) == []


def test_plan_rows_due_in_the_past_do_not_count():
    standard = mini()
    stale = plan("A.1", due=AS_OF - timedelta(days=1))
    result = report(standard, all_rated(standard, "partially_met"), [], [stale, plan("A.2"), plan("B.1")])
    assert result.readiness == "not_ready"
    assert len(still_needed_for_approaching(result, plan_rows(stale, plan("A.2"), plan("B.1")))) == 1
