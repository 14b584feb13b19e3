"""Slot states, the three score layers and readiness, exactly as DESIGN.md's "Scoring" says."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from statistics import fmean

from scoring.facts import EvidenceFact, OrganisationFacts, RatingFact
from standards.schema import Standard
from vocabulary import Rating, Readiness, ScoreLayer

LAYERS = tuple(layer.value for layer in ScoreLayer)
EXPIRING_SOON_DAYS = 60


@dataclass(frozen=True)
class SlotResult:
    action_id: str
    evidence_type: str
    state: str
    expiring_soon: bool
    valid_until: date | None
    evidence_ids: tuple = ()

    @property
    def filled(self) -> bool:
        return self.state in ("verified", "pending")


@dataclass(frozen=True)
class ActionResult:
    action_id: str
    rating: RatingFact
    slots: tuple[SlotResult, ...]
    scores: dict[str, float | None]

    @property
    def applicable(self) -> bool:
        return self.rating.applicable

    @property
    def ready(self) -> bool:
        return self.rating.rating == "met" and all(s.state == "verified" for s in self.slots)


@dataclass(frozen=True)
class EngagementResult:
    engagement_id: str
    actions: tuple[ActionResult, ...]
    scores: dict[str, float | None]


@dataclass(frozen=True)
class Assessment:
    facts: OrganisationFacts
    standard: Standard
    as_of: date
    engagements: tuple[EngagementResult, ...]
    scores: dict[str, float | None]
    readiness: str
    readiness_reason: str
    readiness_blockers: tuple[ReadinessBlocker, ...] = ()
    gaps: list = field(default_factory=list)

    @property
    def actions(self) -> list[ActionResult]:
        return [a for e in self.engagements for a in e.actions]

    @property
    def slots(self) -> list[SlotResult]:
        return [s for a in self.actions for s in a.slots]


def slot_result(
    action_id: str, evidence_type: str, evidence: list[EvidenceFact], as_of: date, soon_days: int = EXPIRING_SOON_DAYS
) -> SlotResult:
    linked = [e for e in evidence if e.evidence_type == evidence_type and action_id in e.actions]
    current = [e for e in linked if e.is_current(as_of)]
    current_live = [e for e in current if e.review_status != "rejected"]
    if any(e.review_status == "accepted" for e in current):
        state = "verified"
    elif any(e.review_status == "pending" for e in current):
        state = "pending"
    elif any(e.review_status != "rejected" for e in linked):
        state = "expired"
    elif linked:
        state = "rejected"
    else:
        state = "missing"
    latest_valid_until = max((e.valid_until for e in current_live), default=None)
    expiring_soon = (
        state in ("verified", "pending")
        and latest_valid_until is not None
        and latest_valid_until <= as_of + timedelta(days=soon_days)
    )
    return SlotResult(
        action_id=action_id,
        evidence_type=evidence_type,
        state=state,
        expiring_soon=expiring_soon,
        valid_until=latest_valid_until,
        evidence_ids=tuple(e.evidence_id for e in linked),
    )


def action_scores(rating: RatingFact, slots: list[SlotResult]) -> dict[str, float | None]:
    if not rating.applicable:
        return dict.fromkeys(LAYERS)
    required = len(slots)
    return {
        "self_assessment": (Rating(rating.rating).points or 0) / 2,
        "completeness": sum(s.filled for s in slots) / required if required else 1.0,
        "verified": sum(s.state == "verified" for s in slots) / required if required else 1.0,
    }


def mean_scores(score_sets: list[dict[str, float | None]]) -> dict[str, float | None]:
    """Per layer, the mean of the non-null values (null when there are none)."""
    result: dict[str, float | None] = {}
    for layer in LAYERS:
        values = [s[layer] for s in score_sets if s[layer] is not None]
        result[layer] = fmean(values) if values else None
    return result


class BlockerKind(StrEnum):
    """What keeps an applicable action (or a not-applicable rating) from readiness rule 5's "approaching"."""

    NA_WITHOUT_JUSTIFICATION = "na_without_justification"
    BELOW_PARTIALLY_MET = "below_partially_met"
    NOT_COVERED_BY_PLAN = "not_covered_by_plan"


@dataclass(frozen=True)
class ReadinessBlocker:
    kind: BlockerKind
    action_id: str


def readiness_blockers(actions: list[ActionResult], plan_items, as_of: date) -> list[ReadinessBlocker]:
    """Every finding that keeps the organisation below "approaching", in the standard's order of actions."""
    blockers = []
    for action in actions:
        if not action.applicable:
            if not action.rating.justification.strip():
                blockers.append(ReadinessBlocker(BlockerKind.NA_WITHOUT_JUSTIFICATION, action.action_id))
            continue
        if action.rating.rating not in (Rating.MET, Rating.PARTIALLY_MET):
            blockers.append(ReadinessBlocker(BlockerKind.BELOW_PARTIALLY_MET, action.action_id))
        if not action.ready and not any(p.action_id == action.action_id and p.covers(as_of) for p in plan_items):
            blockers.append(ReadinessBlocker(BlockerKind.NOT_COVERED_BY_PLAN, action.action_id))
    return blockers


def readiness_of(actions: list[ActionResult], blockers: list[ReadinessBlocker]) -> tuple[str, str]:
    """Readiness (rule 5) and the reason in one sentence, from the engine's own blockers."""
    def blocked(kind: BlockerKind) -> list[str]:
        return [b.action_id for b in blockers if b.kind is kind]

    if unjustified := blocked(BlockerKind.NA_WITHOUT_JUSTIFICATION):
        return Readiness.NOT_READY, f"{_listing(unjustified)} rated not applicable without a justification"
    not_ready = [a for a in actions if a.applicable and not a.ready]
    if not not_ready:
        return Readiness.READY, "Every applicable action is rated met and all its evidence is verified"
    if below_partial := blocked(BlockerKind.BELOW_PARTIALLY_MET):
        return Readiness.NOT_READY, f"{_listing(below_partial)} not yet rated at least partially met"
    if uncovered := blocked(BlockerKind.NOT_COVERED_BY_PLAN):
        return (Readiness.NOT_READY,
                f"{_listing(uncovered)} not ready and without an open plan item with an owner and a due date")
    return Readiness.APPROACHING, f"{_listing([a.action_id for a in not_ready])} not ready yet, each with an open plan item"


def _listing(action_ids: list[str]) -> str:
    if len(action_ids) == 1:
        return f"Action {action_ids[0]} is"
    return f"Actions {', '.join(action_ids[:-1])} and {action_ids[-1]} are"


def assess(standard: Standard, facts: OrganisationFacts, as_of: date, soon_days: int = EXPIRING_SOON_DAYS) -> Assessment:
    from scoring.gaps import find_gaps

    evidence = list(facts.evidence)
    engagements: list[EngagementResult] = []
    for engagement in standard.engagements:
        action_results = []
        for action in engagement.actions:
            rating = facts.ratings.get(action.id) or RatingFact(action_id=action.id)
            slots = [slot_result(action.id, t, evidence, as_of, soon_days) for t in action.evidence_types]
            action_results.append(
                ActionResult(action_id=action.id, rating=rating, slots=tuple(slots), scores=action_scores(rating, slots))
            )
        applicable_scores = [a.scores for a in action_results if a.applicable]
        engagements.append(
            EngagementResult(engagement_id=engagement.id, actions=tuple(action_results), scores=mean_scores(applicable_scores))
        )
    all_actions = [a for e in engagements for a in e.actions]
    blockers = readiness_blockers(all_actions, facts.plan, as_of)
    readiness, reason = readiness_of(all_actions, blockers)
    assessment = Assessment(
        facts=facts,
        standard=standard,
        as_of=as_of,
        engagements=tuple(engagements),
        scores=mean_scores([e.scores for e in engagements]),
        readiness=readiness,
        readiness_reason=reason,
        readiness_blockers=tuple(blockers),
    )
    assessment.gaps.extend(find_gaps(assessment))
    return assessment
