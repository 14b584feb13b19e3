"""Small shared helpers for the reports: percentages, labels, dates, colours.

Everything here works on plain values so the charts, the PDF, the spreadsheets and the
calendar agree on how a score, a readiness or a date is written.
"""
from __future__ import annotations

from datetime import date, datetime

from scoring.dates import day_in_words
from vocabulary import Readiness, ScoreLayer, Severity, SlotState, percent

# The three score layers of DESIGN.md, in the order the board reads them.
LAYER_KEYS = tuple(ScoreLayer)

# RAG colours: calm tones with enough contrast for the text drawn on them.
RAG_GREEN = "#2e7d4f"
RAG_AMBER = "#e9a23b"
RAG_RED = "#c0392b"
RAG_GREY = "#aeb6bf"
TEXT_DARK = "#1f2933"
TEXT_LIGHT = "#ffffff"
INK_MUTED = "#52606d"
GRID_LINE = "#d9e2ec"

GREEN_FROM = 0.8
AMBER_FROM = 0.5

READINESS_COLOURS = {Readiness.READY: RAG_GREEN, Readiness.APPROACHING: RAG_AMBER, Readiness.NOT_READY: RAG_RED}

SLOT_STATE_COLOURS = {
    "verified": RAG_GREEN,
    "pending": RAG_AMBER,
    "expired": RAG_RED,
    "rejected": RAG_RED,
    "missing": RAG_RED,
    "not_applicable": RAG_GREY,
}

__all__ = ["percent"]  # re-exported: the reports write scores the way the screens do

# Haven's one date style, "1 Dec 2026": for text (long_date), Excel cells and Streamlit's table columns.
EXCEL_DATE_FORMAT = "d mmm yyyy"
TABLE_DATE_FORMAT = "D MMM YYYY"  # Streamlit's DateColumn / DatetimeColumn (moment.js tokens)
TABLE_DATETIME_FORMAT = "D MMM YYYY, HH:mm"


def rag_colour(value: float | None) -> str:
    """Green from 80 %, amber from 50 %, red below, grey when there is no score."""
    if value is None:
        return RAG_GREY
    if value >= GREEN_FROM:
        return RAG_GREEN
    if value >= AMBER_FROM:
        return RAG_AMBER
    return RAG_RED


def rag_word(value: float | None) -> str:
    """The word that goes with `rag_colour`, so colour is never the only signal."""
    return {RAG_GREEN: "green", RAG_AMBER: "amber", RAG_RED: "red", RAG_GREY: "n/a"}[rag_colour(value)]


def slot_state_colour(state: str | None) -> str:
    return SLOT_STATE_COLOURS.get(state or "", RAG_GREY)


def slot_state_label(state: str | None) -> str:
    return "N/A" if state == "not_applicable" else SlotState.label_of(state, unknown="Unknown")


def readiness_colour(readiness: str | None) -> str:
    return READINESS_COLOURS.get(readiness or "", RAG_GREY)


def text_colour_on(fill: str) -> str:
    """Dark or light text, whichever reads better on `fill` (a #rrggbb colour)."""
    red, green, blue = hex_to_rgb(fill)
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    return TEXT_DARK if luminance > 150 else TEXT_LIGHT


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    digits = colour.lstrip("#")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def as_date(value: date | datetime | str | None) -> date | None:
    """Dates arrive as `date` objects or ISO strings; both become a `date`."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def long_date(value: date | datetime | str | None, *, empty: str = "") -> str:
    """Every date Haven writes for people: "1 Dec 2026" (day without a leading zero, short month, year)."""
    day = as_date(value)
    if day is None:
        return empty
    return day_in_words(day)


def long_date_time(moment: datetime | None) -> str:
    """A moment as "1 Dec 2026, 14:05" (in the time zone it carries)."""
    if moment is None:
        return ""
    return f"{long_date(moment)}, {moment:%H:%M}"


def gaps_by_severity(gaps):
    """High before medium before low (gaps of the typed report), keeping the report's own order within one."""
    ranks = {severity.value: severity.rank for severity in Severity}
    return sorted(gaps or (), key=lambda gap: ranks.get(gap.severity, len(ranks)))
