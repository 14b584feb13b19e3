"""The board's tables and headlines as typed rows, from the typed score report.

Charts (reports/charts.py) and screens read these rows; nothing here draws. Nothing here knows a
standard either: engagements, actions and evidence types are read from the report.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd

from reports.formatting import LAYER_KEYS
from scoring.report import LayerScores, ReportSummary, ScoreReport
from vocabulary import Rating, ScoreLayer, percent

RAG_LINE_LIMIT = 46  # characters of a row's title line that fit a phone-width figure


def claimed_versus_proven(report: ScoreReport) -> str:
    """The headline of the board view: how much is claimed against how much is proven."""
    return f"Claimed {percent(report.scores.self_assessment)} · proven {percent(report.scores.verified)}"


@dataclass(frozen=True)
class RagRow:
    """One row of the RAG grid: an engagement, or one of its actions with its rating's label."""

    kind: str  # "engagement" or "action"
    id: str
    title: str
    rating: str
    scores: LayerScores

    @property
    def is_engagement(self) -> bool:
        return self.kind == "engagement"


def engagement_rows(report: ScoreReport) -> list[RagRow]:
    """Engagements, each followed by its actions: the rows of the RAG grid."""
    rows = []
    for engagement in report.engagements:
        rows.append(RagRow("engagement", engagement.id, engagement.title, "", engagement.scores))
        rows.extend(RagRow("action", action.id, action.title, Rating.label_of(action.rating), action.scores)
                    for action in engagement.actions)
    return rows


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def rag_title_line(row: RagRow) -> str:
    """The line above a row of the RAG grid: the title, shortened to fit a phone, and the action's rating."""
    if row.is_engagement or not row.rating:
        return short(row.title, RAG_LINE_LIMIT - 4)  # engagements are set in bold
    return f"{short(row.title, RAG_LINE_LIMIT - len(row.rating) - 3)} · {row.rating}"


@dataclass(frozen=True)
class SlotRow:
    """One required piece of evidence of one action; `state` is "not_applicable" when the action is."""

    action_id: str
    action_title: str
    evidence_type: str
    evidence_type_title: str
    state: str
    expiring_soon: bool
    valid_until: object  # date | None


def slot_rows(report: ScoreReport) -> list[SlotRow]:
    """Every slot of every action, in the standard's order."""
    return [
        SlotRow(action.id, action.title, slot.evidence_type, slot.evidence_type_title,
                "not_applicable" if not action.applicable else slot.state,
                slot.expiring_soon and action.applicable, slot.valid_until)
        for action in report.actions for slot in action.slots
    ]


def slot_columns(report: ScoreReport) -> list[tuple[str, str]]:
    """Evidence types in the order the standard first asks for them, as (id, title); a title two types share
    is told apart by the type's id."""
    seen: dict[str, str] = {}
    for action in report.actions:
        for slot in action.slots:
            seen.setdefault(slot.evidence_type, slot.evidence_type_title or slot.evidence_type)
    titles = list(seen.values())
    return [(type_id, title if titles.count(title) == 1 else f"{title} ({type_id})") for type_id, title in seen.items()]


# --- the network ----------------------------------------------------------------------

NETWORK_TABLE_LABELS = {
    "organisation": "Organisation",
    "name": "Name",
    "readiness": "Readiness",
    "self_assessment": "Self-assessed %",
    "completeness": "Evidence complete %",
    "verified": "Verified %",
    "high_gaps": "High gaps",
}
SCORE_BANDS = tuple((low / 100, (low + 10) / 100) for low in range(0, 100, 10))  # 0–10 % … 90–100 %


class ScoreBand(NamedTuple):
    label: str
    count: int
    low: float


def as_percentage(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def score_band_counts(network: list[ReportSummary], layer: str) -> list[ScoreBand]:
    """Organisations in each of ten bands of one layer's score; organisations without a score (every action
    not applicable) are left out."""
    counts = [0] * len(SCORE_BANDS)
    for summary in network or []:
        value = summary.scores[layer]
        if value is not None:
            counts[min(int(value * 10 + 1e-9), len(SCORE_BANDS) - 1)] += 1
    return [ScoreBand(f"{low * 100:.0f}–{high * 100:.0f}%", count, low)
            for (low, high), count in zip(SCORE_BANDS, counts, strict=True)]


def network_table(network: list[ReportSummary]) -> pd.DataFrame:
    """One row per organisation: readiness, the layers as percentages (0–100) and high gaps.

    Scores are numbers (nullable), so the table sorts; `NETWORK_TABLE_LABELS` gives display names."""
    records = [{
        "organisation": summary.organisation,
        "name": summary.organisation_name,
        "readiness": summary.readiness.label,
        **{key: as_percentage(summary.scores[key]) for key in LAYER_KEYS},
        "high_gaps": summary.high_gaps,
    } for summary in network or []]
    frame = pd.DataFrame.from_records(records, columns=list(NETWORK_TABLE_LABELS))
    frame = frame.astype({key: "Float64" for key in LAYER_KEYS} | {"high_gaps": "int64"})
    return frame.sort_values("name", key=lambda names: names.str.lower(), ignore_index=True)


# --- two assessment cycles --------------------------------------------------------------

CYCLE_TABLE_LABELS = {
    "id": "Id", "title": "Engagement / action", "rating_before": "Rating before", "rating_now": "Rating now",
    **{f"{key}_{when}": f"{key.label} {when} %" for key in ScoreLayer for when in ("before", "now")},
}


@dataclass(frozen=True)
class _Item:
    title: str
    rating: str
    scores: LayerScores


def _comparison_items(report: ScoreReport) -> dict[str, _Item]:
    items = {"": _Item("Whole standard", "", report.scores)}
    for engagement in report.engagements:
        items[engagement.id] = _Item(engagement.title, "", engagement.scores)
        for action in engagement.actions:
            items[action.id] = _Item(action.title, Rating.label_of(action.rating), action.scores)
    return items


def cycle_comparison_table(previous: ScoreReport, current: ScoreReport) -> pd.DataFrame:
    """Whole standard, engagements and actions with each layer before and now, as percentages (0–100).

    Rows follow the current report; an id only the closed cycle has (the standard changed) comes last."""
    before, now = _comparison_items(previous), _comparison_items(current)
    nothing = _Item("", "", LayerScores())
    records = []
    for key in list(now) + [key for key in before if key not in now]:
        old, new = before.get(key, nothing), now.get(key, nothing)
        record = {"id": key, "title": (new if key in now else old).title,
                  "rating_before": old.rating, "rating_now": new.rating}
        for layer in LAYER_KEYS:
            record[f"{layer}_before"] = as_percentage(old.scores[layer])
            record[f"{layer}_now"] = as_percentage(new.scores[layer])
        records.append(record)
    columns = ["id", "title", "rating_before", "rating_now"] + [
        f"{layer}_{when}" for layer in LAYER_KEYS for when in ("before", "now")]
    frame = pd.DataFrame.from_records(records, columns=columns)
    return frame.astype({column: "Float64" for column in columns[4:]})
