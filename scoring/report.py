"""The score report as typed values, and its one JSON form: the `score --json` shape of DESIGN.md.

`report_of` turns the engine's `Assessment` into a `ScoreReport`, which the screens, charts, tables,
gap advice and the board PDF take. JSON is made only at the edges (command line, snapshots, bundles,
the network's kept reports) by `ScoreReport.to_json`, and read back (a closed cycle's frozen report)
by `ScoreReport.from_json`; the two are exact inverses.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from scoring.engine import Assessment, BlockerKind, ReadinessBlocker
from vocabulary import Rating, Readiness, ScoreLayer


def rounded(scores: Mapping[str, float | None]) -> dict[str, float | None]:
    return {layer: None if value is None else round(value, 4) for layer, value in scores.items()}


@dataclass(frozen=True)
class LayerScores:
    """The three layers, rounded to 4 decimals as the report gives them; None where nothing applies."""

    self_assessment: float | None = None
    completeness: float | None = None
    verified: float | None = None

    def __getitem__(self, layer: str) -> float | None:
        return getattr(self, ScoreLayer(layer).value)

    @classmethod
    def from_json(cls, scores: Mapping[str, float | None] | None) -> LayerScores:
        scores = scores or {}
        return cls(*(scores.get(layer) for layer in ScoreLayer))

    def to_json(self) -> dict[str, float | None]:
        # Spelled out: this runs 12 times per report, 12,000 times for `score --all` at 1,000 organisations.
        return {"self_assessment": self.self_assessment, "completeness": self.completeness, "verified": self.verified}


_LAYERS = tuple(layer.value for layer in ScoreLayer)


@dataclass(frozen=True)
class TrendPoint:
    """One snapshot in a cycle's trend: the day it was taken, the readiness then and the three layers."""

    taken_on: date
    readiness: Readiness | None
    scores: LayerScores


def _layer_scores(scores: Mapping[str, float | None]) -> LayerScores:
    return LayerScores(*(None if (value := scores.get(layer)) is None else round(value, 4) for layer in _LAYERS))


@dataclass(frozen=True)
class SlotReport:
    evidence_type: str
    evidence_type_title: str
    state: str
    expiring_soon: bool
    valid_until: date | None


@dataclass(frozen=True)
class ActionReport:
    id: str
    title: str
    rating: Rating
    justification: str
    ready: bool
    scores: LayerScores
    slots: tuple[SlotReport, ...]

    @property
    def applicable(self) -> bool:
        return self.rating != Rating.NOT_APPLICABLE


@dataclass(frozen=True)
class EngagementReport:
    id: str
    title: str
    scores: LayerScores
    actions: tuple[ActionReport, ...]


@dataclass(frozen=True)
class GapReport:
    kind: str
    severity: str
    action: str
    evidence_type: str | None
    message: str


@dataclass(frozen=True)
class ScoreReport:
    organisation: str
    organisation_name: str
    standard: str
    standard_title: str
    as_of: date
    readiness: Readiness
    readiness_reason: str
    readiness_blockers: tuple[ReadinessBlocker, ...]
    scores: LayerScores
    engagements: tuple[EngagementReport, ...]
    gaps: tuple[GapReport, ...]

    @property
    def actions(self) -> list[ActionReport]:
        return [action for engagement in self.engagements for action in engagement.actions]

    def to_json(self) -> dict:
        """The `score --json` report (DESIGN.md): the one place the report becomes JSON."""
        return {
            "organisation": self.organisation,
            "organisation_name": self.organisation_name,
            "standard": self.standard,
            "standard_title": self.standard_title,
            "as_of": self.as_of.isoformat(),
            "readiness": str(self.readiness),
            "readiness_reason": self.readiness_reason,
            "readiness_blockers": [{"kind": b.kind.value, "action": b.action_id} for b in self.readiness_blockers],
            "scores": self.scores.to_json(),
            "engagements": [{
                "id": engagement.id,
                "title": engagement.title,
                "scores": engagement.scores.to_json(),
                "actions": [{
                    "id": action.id,
                    "title": action.title,
                    "rating": str(action.rating),
                    "justification": action.justification,
                    "ready": action.ready,
                    "scores": action.scores.to_json(),
                    "slots": [{
                        "evidence_type": slot.evidence_type,
                        "evidence_type_title": slot.evidence_type_title,
                        "state": str(slot.state),
                        "expiring_soon": slot.expiring_soon,
                        "valid_until": slot.valid_until.isoformat() if slot.valid_until else None,
                    } for slot in action.slots],
                } for action in engagement.actions],
            } for engagement in self.engagements],
            "gaps": [{"kind": g.kind, "severity": g.severity, "action": g.action, "evidence_type": g.evidence_type,
                      "message": g.message} for g in self.gaps],
        }

    @classmethod
    def from_json(cls, report: Mapping) -> ScoreReport:
        """A report stored as JSON (a closed cycle's frozen report, a bundle) as typed values again."""
        return cls(
            organisation=report.get("organisation") or "",
            organisation_name=report.get("organisation_name") or report.get("organisation") or "",
            standard=report.get("standard") or "",
            standard_title=report.get("standard_title") or report.get("standard") or "",
            as_of=_day(report.get("as_of")) or date.min,
            readiness=Readiness(report["readiness"]),
            readiness_reason=report.get("readiness_reason") or "",
            readiness_blockers=tuple(ReadinessBlocker(BlockerKind(b["kind"]), b["action"])
                                     for b in report.get("readiness_blockers") or ()),
            scores=LayerScores.from_json(report.get("scores")),
            engagements=tuple(EngagementReport(
                id=str(engagement.get("id", "")),
                title=engagement.get("title") or "",
                scores=LayerScores.from_json(engagement.get("scores")),
                actions=tuple(ActionReport(
                    id=str(action.get("id", "")),
                    title=action.get("title") or "",
                    rating=Rating(action.get("rating") or Rating.NOT_ASSESSED),
                    justification=action.get("justification") or "",
                    ready=bool(action.get("ready")),
                    scores=LayerScores.from_json(action.get("scores")),
                    slots=tuple(SlotReport(
                        evidence_type=slot["evidence_type"],
                        evidence_type_title=slot.get("evidence_type_title") or slot["evidence_type"],
                        state=slot.get("state") or "unknown",
                        expiring_soon=bool(slot.get("expiring_soon")),
                        valid_until=_day(slot.get("valid_until")),
                    ) for slot in action.get("slots") or ()),
                ) for action in engagement.get("actions") or ()),
            ) for engagement in report.get("engagements") or ()),
            gaps=tuple(GapReport(gap["kind"], gap.get("severity") or "", gap["action"], gap.get("evidence_type"),
                                 gap.get("message") or "") for gap in report.get("gaps") or ()),
        )


@dataclass(frozen=True)
class ReportSummary:
    """What the network compares of an organisation's report: its name, readiness, scores and high gaps."""

    organisation: str
    organisation_name: str
    readiness: Readiness
    scores: LayerScores
    high_gaps: int

    @classmethod
    def from_json(cls, report: Mapping) -> ReportSummary:
        return cls(
            organisation=report.get("organisation") or "",
            organisation_name=report.get("organisation_name") or report.get("organisation") or "?",
            readiness=Readiness(report["readiness"]),
            scores=LayerScores.from_json(report.get("scores")),
            high_gaps=sum(1 for gap in report.get("gaps") or () if gap.get("severity") == "high"),
        )


def _day(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def report_of(assessment: Assessment) -> ScoreReport:
    """The engine's assessment as the typed report: titles from the standard, scores rounded."""
    standard = assessment.standard
    type_titles = {t.id: t.title for t in standard.evidence_types}
    engagements = []
    for engagement_result, engagement in zip(assessment.engagements, standard.engagements, strict=True):
        actions = tuple(
            ActionReport(
                id=action.id,
                title=action.title,
                rating=Rating(action_result.rating.rating),
                justification=action_result.rating.justification,
                ready=action_result.ready,
                scores=_layer_scores(action_result.scores),
                slots=tuple(SlotReport(slot.evidence_type, type_titles[slot.evidence_type], slot.state,
                                       slot.expiring_soon, slot.valid_until) for slot in action_result.slots),
            )
            for action_result, action in zip(engagement_result.actions, engagement.actions, strict=True)
        )
        engagements.append(EngagementReport(engagement.id, engagement.title, _layer_scores(engagement_result.scores),
                                            actions))
    return ScoreReport(
        organisation=assessment.facts.slug,
        organisation_name=assessment.facts.name,
        standard=standard.id,
        standard_title=standard.title,
        as_of=assessment.as_of,
        readiness=Readiness(assessment.readiness),
        readiness_reason=assessment.readiness_reason,
        readiness_blockers=tuple(assessment.readiness_blockers),
        scores=_layer_scores(assessment.scores),
        engagements=tuple(engagements),
        gaps=tuple(GapReport(g.kind, g.severity, g.action_id, g.evidence_type, g.message) for g in assessment.gaps),
    )


def assessment_to_dict(assessment: Assessment) -> dict:
    """The `score --json` report of an assessment (command line, snapshots, bundles)."""
    return report_of(assessment).to_json()
