"""Every finding that stands between an organisation and accreditation, with its severity."""
from __future__ import annotations

from dataclasses import dataclass

from scoring.dates import day_in_words
from vocabulary import Severity

GAP_SEVERITY = {
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
SLOT_STATE_GAPS = {
    "missing": "missing_evidence",
    "expired": "expired_evidence",
    "rejected": "rejected_evidence",
    "pending": "unverified_evidence",
}


@dataclass(frozen=True)
class Gap:
    kind: str
    action_id: str
    evidence_type: str | None
    message: str

    @property
    def severity(self) -> str:
        return GAP_SEVERITY[self.kind]


def find_gaps(assessment) -> list[Gap]:
    standard = assessment.standard
    type_titles = {t.id: t.title for t in standard.evidence_types}
    type_verbs = {t.id: ("are", "expire") if t.plural else ("is", "expires") for t in standard.evidence_types}
    gaps: list[Gap] = []
    for action in assessment.actions:
        rating = action.rating
        if not action.applicable:
            if not rating.justification.strip():
                gaps.append(Gap("na_without_justification", action.action_id, None,
                                f"{action.action_id} is rated not applicable without a justification"))
            continue
        if rating.rating in ("not_met", "not_assessed", "partially_met"):
            wording = {"not_met": "rated not met", "not_assessed": "not assessed yet",
                       "partially_met": "rated partially met"}[rating.rating]
            gaps.append(Gap(rating.rating, action.action_id, None, f"{action.action_id} is {wording}"))
        if rating.rating == "met" and action.scores["completeness"] < 1:
            gaps.append(Gap("claimed_without_evidence", action.action_id, None,
                            f"{action.action_id} is rated met but not all its evidence is in place"))
        for slot in action.slots:
            type_title = type_titles[slot.evidence_type].lower()
            be, expire = type_verbs[slot.evidence_type]
            kind = SLOT_STATE_GAPS.get(slot.state)
            if kind:
                gaps.append(Gap(kind, action.action_id, slot.evidence_type,
                                _slot_message(kind, type_title, be, action.action_id)))
            if slot.expiring_soon:
                gaps.append(Gap("expiring_soon", action.action_id, slot.evidence_type,
                                f"The {type_title} for {action.action_id} {expire} on "
                                f"{day_in_words(slot.valid_until)}"))
    applicable_ids = {a.action_id for a in assessment.actions if a.applicable}
    for item in assessment.facts.plan:
        if item.is_open() and item.due is not None and item.due < assessment.as_of and item.action_id in applicable_ids:
            gaps.append(Gap("overdue_action", item.action_id, None,
                            f"Plan item for {item.action_id} was due on {day_in_words(item.due)}: {item.description}"))
    action_order = {a.id: index for index, a in enumerate(standard.actions)}
    return sorted(gaps, key=lambda g: (Severity(g.severity).rank, action_order.get(g.action_id, 0)))


def _slot_message(kind: str, type_title: str, be: str, action_id: str) -> str:
    was = "was" if be == "is" else "were"
    return {
        "missing_evidence": f"No {type_title} {be} linked to {action_id}",
        "expired_evidence": f"The {type_title} for {action_id} {be} out of date",
        "rejected_evidence": f"The {type_title} for {action_id} {was} rejected by the reviewer",
        "unverified_evidence": f"The {type_title} for {action_id} {be} waiting for review",
    }[kind]
