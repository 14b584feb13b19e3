"""The score report as plain data: the `score --json` shape of DESIGN.md."""
from __future__ import annotations

from scoring.engine import Assessment


def rounded(scores: dict[str, float | None]) -> dict[str, float | None]:
    return {layer: None if value is None else round(value, 4) for layer, value in scores.items()}


def assessment_to_dict(assessment: Assessment) -> dict:
    standard = assessment.standard
    type_titles = {t.id: t.title for t in standard.evidence_types}
    engagements = []
    for engagement_result, engagement in zip(assessment.engagements, standard.engagements, strict=True):
        actions = []
        for action_result, action in zip(engagement_result.actions, engagement.actions, strict=True):
            actions.append({
                "id": action.id,
                "title": action.title,
                "rating": str(action_result.rating.rating),
                "justification": action_result.rating.justification,
                "ready": action_result.ready,
                "scores": rounded(action_result.scores),
                "slots": [
                    {
                        "evidence_type": slot.evidence_type,
                        "evidence_type_title": type_titles[slot.evidence_type],
                        "state": slot.state,
                        "expiring_soon": slot.expiring_soon,
                        "valid_until": slot.valid_until.isoformat() if slot.valid_until else None,
                    }
                    for slot in action_result.slots
                ],
            })
        engagements.append({
            "id": engagement.id,
            "title": engagement.title,
            "scores": rounded(engagement_result.scores),
            "actions": actions,
        })
    return {
        "organisation": assessment.facts.slug,
        "organisation_name": assessment.facts.name,
        "standard": standard.id,
        "standard_title": standard.title,
        "as_of": assessment.as_of.isoformat(),
        "readiness": str(assessment.readiness),
        "readiness_reason": assessment.readiness_reason,
        "readiness_blockers": [{"kind": b.kind.value, "action": b.action_id} for b in assessment.readiness_blockers],
        "scores": rounded(assessment.scores),
        "engagements": engagements,
        "gaps": [
            {"kind": g.kind, "severity": g.severity, "action": g.action_id,
             "evidence_type": g.evidence_type, "message": g.message}
            for g in assessment.gaps
        ],
    }
