"""The board's coloured tables: engagements and actions, evidence by action, and the evidence to renew.

Every coloured cell also writes its number, state or urgency in words, so colour is never the only signal."""
from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from reports.formatting import (
    RAG_RED,
    long_date,
    rag_colour,
    rag_word,
    slot_state_colour,
    slot_state_label,
    text_colour_on,
)
from reports.tables import engagement_rows, slot_rows
from scoring.report import ScoreReport
from services.board import ExpiringEvidence
from ui.widgets import markdown_text
from vocabulary import ScoreLayer, percent

RAG_LEGEND = ("Colours: **green** 80 % or more · **amber** 50 to 79 % · **red** below 50 % · **grey** not "
              "applicable. Every coloured cell also writes its number and its colour word.")


def coloured(fill: str) -> str:
    return f"background-color: {fill}; color: {text_colour_on(fill)}"


def rag_cell(value: float | None) -> str:
    return "Not applicable" if value is None else f"{percent(value)} {rag_word(value)}"


def rag_table(report: ScoreReport) -> Styler:
    """Engagements, each followed by its actions, against the three layers: "83% green" on a green cell."""
    rows = engagement_rows(report)
    frame = pd.DataFrame([{
        "": f"**{row.id}**" if row.is_engagement else row.id,
        "Engagement or action": (f"**{markdown_text(row.title)}**" if row.is_engagement
                                 else f"{markdown_text(row.title)} · {row.rating or 'Not rated'}"),
        **{key.label: rag_cell(row.scores[key]) for key in ScoreLayer},
    } for row in rows])
    colours = pd.DataFrame([{key.label: coloured(rag_colour(row.scores[key])) for key in ScoreLayer} for row in rows])
    return frame.style.apply(lambda _: colours, axis=None, subset=[key.label for key in ScoreLayer])


def slot_table(report: ScoreReport) -> Styler:
    """Every required piece of evidence of every action and its state, coloured by it."""
    rows = slot_rows(report)
    frame = pd.DataFrame([{
        "Action": row.action_id, "Evidence": row.evidence_type_title,
        "State": slot_state_label(row.state) + (" · expiring soon" if row.expiring_soon else ""),
    } for row in rows], columns=["Action", "Evidence", "State"])
    fills = [coloured(slot_state_colour(row.state)) for row in rows]
    return frame.style.apply(lambda _: fills, subset=["State"])


def renewal_words(days_left: int) -> str:
    if days_left < 0:
        return f"Expired {-days_left} day{'s' if days_left != -1 else ''} ago"
    if days_left == 0:
        return "Expires today"
    return f"In {days_left} day{'s' if days_left != 1 else ''}"


def urgency_style(words: str) -> str:
    return coloured(RAG_RED) if words.startswith("Expired") else ""


def renewal_table(expiring: list[ExpiringEvidence]) -> Styler:
    """What has expired and nothing has replaced, then what expires soon; restricted evidence by its type only."""
    return pd.DataFrame([{
        "When": renewal_words(row.days_left), "Valid until": long_date(row.valid_until),
        "Evidence": markdown_text(row.title or f"{row.evidence_type_title} (restricted)"),
        "Type": row.evidence_type_title, "Actions": ", ".join(row.actions),
    } for row in expiring]).style.map(urgency_style, subset=["When"])
