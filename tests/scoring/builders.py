"""Small builders for scoring facts, so each test states only what it is about."""
from __future__ import annotations

from datetime import date, timedelta
from itertools import count
from pathlib import Path

from scoring.engine import Assessment, SlotResult, assess
from scoring.facts import EvidenceFact, OrganisationFacts, PlanFact, RatingFact
from standards.loader import BUNDLED_DIR, load_standard_file
from standards.schema import Standard

MINI_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "standards" / "mini.yaml"
AS_OF = date(2026, 6, 15)
_ids = count(1)


def mini() -> Standard:
    return load_standard_file(MINI_PATH)


def vse3() -> Standard:
    return load_standard_file(BUNDLED_DIR / "vse-3.yaml")


def days(n: int) -> date:
    """AS_OF shifted by `n` days."""
    return AS_OF + timedelta(days=n)


def evidence(
    evidence_type: str,
    *actions: str,
    status: str = "accepted",
    issued_on: date | None = None,
    valid_until: date | None = None,
) -> EvidenceFact:
    """Current on AS_OF unless dates say otherwise: issued a month ago, valid for most of a year."""
    return EvidenceFact(
        evidence_id=next(_ids),
        evidence_type=evidence_type,
        actions=frozenset(actions),
        issued_on=issued_on or days(-30),
        valid_until=valid_until or days(300),
        review_status=status,
    )


def plan(action_id: str, *, owner: str = "A. Manager", due: date | None = None, done: bool = False) -> PlanFact:
    return PlanFact(action_id=action_id, description="Close the gap", owner=owner,
                    due=days(30) if due is None else due, done=done)


def rating(value: str | tuple[str, str], action_id: str) -> RatingFact:
    if isinstance(value, tuple):
        return RatingFact(action_id, value[0], value[1])
    return RatingFact(action_id, value)


def full_evidence(standard: Standard, status: str = "accepted") -> list[EvidenceFact]:
    """One current evidence item per slot."""
    return [evidence(slot.evidence_type, slot.action_id, status=status) for slot in standard.slots]


def all_rated(standard: Standard, value: str = "met") -> dict[str, str]:
    return {action.id: value for action in standard.actions}


def run(
    standard: Standard,
    ratings: dict[str, str | tuple[str, str]] | None = None,
    evidence_items: list[EvidenceFact] | tuple = (),
    plan_items: list[PlanFact] | tuple = (),
    as_of: date = AS_OF,
) -> Assessment:
    facts = OrganisationFacts(
        slug="harbour-house",
        name="Harbour House Victim Support",
        ratings={action_id: rating(value, action_id) for action_id, value in (ratings or {}).items()},
        evidence=tuple(evidence_items),
        plan=tuple(plan_items),
    )
    return assess(standard, facts, as_of)


def slot(assessment: Assessment, action_id: str, evidence_type: str) -> SlotResult:
    (found,) = [s for s in assessment.slots if s.action_id == action_id and s.evidence_type == evidence_type]
    return found


def action(assessment: Assessment, action_id: str):
    (found,) = [a for a in assessment.actions if a.action_id == action_id]
    return found


def engagement(assessment: Assessment, engagement_id: str):
    (found,) = [e for e in assessment.engagements if e.engagement_id == engagement_id]
    return found
