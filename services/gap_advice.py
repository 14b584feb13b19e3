"""Plain-language next steps for the gaps of a score report, and what readiness still needs.

Pure functions over the typed score report: no database, no Streamlit. The engine finds the readiness
blockers; this module only words them.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from scoring.dates import day_in_words, parse_date
from scoring.engine import BlockerKind
from scoring.facts import PlanFact
from scoring.report import GapReport, ScoreReport, SlotReport
from vocabulary import Rating, Readiness

if TYPE_CHECKING:
    from services.plan import PlanRow
    from services.reviews import Rejection

SELF_ASSESSMENT_PAGE = "Self-assessment"


def _plural(kind_of: str) -> bool:
    """True for "network agreements" or "pictures of premises": the head noun before of/on/for ends in s."""
    head = kind_of
    for joint in (" of ", " on ", " for "):
        head = head.split(joint)[0]
    words = head.split()
    return bool(words) and words[-1].endswith("s") and not words[-1].endswith("ss")


def _missing(action: str, kind_of: str, **_) -> str:
    if _plural(kind_of):
        return f"Upload current {kind_of} and link them to {action}"
    return f"Upload a current {kind_of} and link it to {action}"


def _expired(action: str, kind_of: str, **_) -> str:
    pronoun = "they are" if _plural(kind_of) else "it is"
    return f"Upload the renewed {kind_of} for {action} as a new revision, so {pronoun} current again"


def _rejected(action: str, kind_of: str, reason: str = "", **_) -> str:
    if reason:
        asked = reason.strip().rstrip(". ")
        return f"Fix what the reviewer asked: {asked}; then upload a new revision of the {kind_of} for {action}"
    return f"Read the reviewer's comments on the {kind_of} for {action}, fix it and upload a new revision"


def _unverified(action: str, kind_of: str, **_) -> str:
    return f"Ask a quality reviewer to review the {kind_of} for {action}"


def _expiring(action: str, kind_of: str, valid_until: str | None = None, **_) -> str:
    expires = "they expire" if _plural(kind_of) else "it expires"
    before = f" before {expires} on {day_in_words(parse_date(valid_until))}" if valid_until else f" before {expires}"
    return f"Upload the renewed {kind_of} for {action}{before}"


def _not_assessed(action: str, **_) -> str:
    return f"Rate {action} on the {SELF_ASSESSMENT_PAGE} page"


def _not_met(action: str, **_) -> str:
    return (f"Agree what it takes to meet {action}, put it in the plan with an owner and a due date, "
            f"then rate {action} again on the {SELF_ASSESSMENT_PAGE} page")


def _partially_met(action: str, **_) -> str:
    return (f"Finish what is still missing for {action}, then rate it met on the {SELF_ASSESSMENT_PAGE} page")


def _na_without_justification(action: str, **_) -> str:
    return (f"Say why {action} does not apply on the {SELF_ASSESSMENT_PAGE} page, "
            "or rate it if it does apply after all")


def _claimed_without_evidence(action: str, **_) -> str:
    return (f"Upload and link the evidence {action} still lacks, or rate it partially met "
            "until the evidence is in place")


def _overdue(action: str, **_) -> str:
    return (f"Finish the overdue plan item for {action} and tick it done, "
            "or agree a new due date with its owner")


NEXT_STEPS: dict[str, Callable[..., str]] = {
    "missing_evidence": _missing,
    "expired_evidence": _expired,
    "rejected_evidence": _rejected,
    "unverified_evidence": _unverified,
    "expiring_soon": _expiring,
    "not_assessed": _not_assessed,
    "not_met": _not_met,
    "partially_met": _partially_met,
    "na_without_justification": _na_without_justification,
    "claimed_without_evidence": _claimed_without_evidence,
    "overdue_action": _overdue,
}


def next_step(gap: GapReport, *, type_title: str | None = None, reason: str = "",
              valid_until: date | str | None = None) -> str:
    """What to do about one gap, in words a manager acts on."""
    advise_kind = NEXT_STEPS.get(gap.kind)
    if advise_kind is None:
        return gap.message
    kind_of = (type_title or (gap.evidence_type or "evidence").replace("_", " ")).lower()
    if isinstance(valid_until, date):
        valid_until = valid_until.isoformat()
    return advise_kind(gap.action, kind_of=kind_of, reason=reason, valid_until=valid_until)


@dataclass(frozen=True)
class AdvisedGap:
    """A gap of the report with its evidence type's title and the next step to close it."""

    kind: str
    severity: str
    action: str
    evidence_type: str | None
    evidence_type_title: str
    message: str
    next_step: str


def advise(report: ScoreReport, *, rejection_reasons: Mapping[tuple[str, str], str] | None = None) -> list[AdvisedGap]:
    """Every gap of the report with its evidence type title and its next step.

    `rejection_reasons` maps (action, evidence type) to the reviewer's reason for the latest rejection."""
    reasons = rejection_reasons or {}
    slots: dict[tuple[str, str], SlotReport] = {
        (action.id, slot.evidence_type): slot for action in report.actions for slot in action.slots}
    advised = []
    for gap in report.gaps:
        slot = slots.get((gap.action, gap.evidence_type or ""))
        type_title = slot.evidence_type_title if slot else None
        advised.append(AdvisedGap(
            kind=gap.kind, severity=gap.severity, action=gap.action, evidence_type=gap.evidence_type,
            evidence_type_title=type_title or "", message=gap.message,
            next_step=next_step(gap, type_title=type_title, reason=reasons.get((gap.action, gap.evidence_type), ""),
                                valid_until=slot.valid_until if slot else None),
        ))
    return advised


def rejection_reasons(rejected: Sequence[Rejection]) -> dict[tuple[str, str], str]:
    """(action, evidence type) -> the newest reason, from services.reviews.rejections (newest first)."""
    reasons: dict[tuple[str, str], str] = {}
    for row in rejected:
        for action in row.actions:
            reasons.setdefault((action, row.evidence_type), row.reason)
    return reasons


def still_needed_for_approaching(report: ScoreReport, plan: Sequence[PlanRow]) -> list[str]:
    """What stands between the report's organisation and "approaching" (empty when it is there or beyond).

    The engine finds the blockers (`readiness_blockers` of the report); this only words each one,
    looking at the action's plan items to say what to change about them."""
    if report.readiness in (Readiness.APPROACHING, Readiness.READY):
        return []
    as_of = report.as_of
    ratings = {action.id: action.rating for action in report.actions}
    facts = [_plan_fact(item) for item in plan]
    needed = []
    for blocker in report.readiness_blockers:
        action_id = blocker.action_id
        if blocker.kind is BlockerKind.NA_WITHOUT_JUSTIFICATION:
            needed.append(f"Say why {action_id} does not apply (a justification) on the {SELF_ASSESSMENT_PAGE} page")
        elif blocker.kind is BlockerKind.BELOW_PARTIALLY_MET:
            needed.append(f"Rate {action_id} at least partially met on the {SELF_ASSESSMENT_PAGE} page "
                          f"(now: {Rating.label_of(ratings[action_id]).lower()})")
        else:
            needed.append(_plan_item_needed(action_id, [p for p in facts if p.action_id == action_id], as_of))
    return needed


def _plan_item_needed(action_id: str, items: list[PlanFact], as_of: date) -> str:
    """What to do to the plan so that it covers a not-ready action, starting from the items it has."""
    open_items = [p for p in items if p.is_open()]
    on_or_after = f"on or after {day_in_words(as_of)}"
    if any(p.due is not None and p.due < as_of for p in open_items):
        return f"Give the overdue plan item of {action_id} a new due date {on_or_after}, or add a new plan item"
    if any(not p.owner.strip() for p in open_items):
        return f"Name an owner for the open plan item of {action_id}"
    if any(p.due is None for p in open_items):
        return f"Give the open plan item of {action_id} a due date {on_or_after}"
    return f"Add a plan item for {action_id} with an owner and a due date {on_or_after}"


def still_needed_for_ready(report: ScoreReport) -> list[str]:
    """The applicable actions that are not ready yet, each with what they lack."""
    needed = []
    for action in report.actions:
        if not action.applicable or action.ready:
            continue
        lacking = [] if action.rating == Rating.MET else ["rated met"]
        unverified = [s.evidence_type_title.lower() for s in action.slots if s.state != "verified"]
        if unverified:
            lacking.append("verified " + ", ".join(unverified))
        needed.append(f"{action.id} needs to be " + " and ".join(lacking))
    return needed


def _plan_fact(item: PlanRow) -> PlanFact:
    return PlanFact(item.action, item.description, item.owner or "", item.due, bool(item.done))
