"""Small shared helpers for the reports: percentages, labels, dates, colours.

Everything here works on plain values so the charts, the PDF, the spreadsheets and the
calendar agree on how a score, a readiness or a date is written.
"""
from __future__ import annotations

from datetime import date, datetime

# The three score layers of DESIGN.md, in the order the board reads them.
LAYERS: tuple[tuple[str, str], ...] = (
    ("self_assessment", "Self-assessed"),
    ("completeness", "Evidence complete"),
    ("verified", "Verified"),
)
LAYER_KEYS = tuple(key for key, _ in LAYERS)
LAYER_LABELS = dict(LAYERS)

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

READINESS_LABELS = {"ready": "Ready", "approaching": "Approaching", "not_ready": "Not ready"}
READINESS_COLOURS = {"ready": RAG_GREEN, "approaching": RAG_AMBER, "not_ready": RAG_RED}

RATING_LABELS = {
    "met": "Met",
    "partially_met": "Partially met",
    "not_met": "Not met",
    "not_assessed": "Not assessed",
    "not_applicable": "Not applicable",
}

SLOT_STATE_LABELS = {
    "verified": "Verified",
    "pending": "Pending review",
    "expired": "Expired",
    "rejected": "Rejected",
    "missing": "Missing",
    "not_applicable": "N/A",
}
SLOT_STATE_COLOURS = {
    "verified": RAG_GREEN,
    "pending": RAG_AMBER,
    "expired": RAG_RED,
    "rejected": RAG_RED,
    "missing": RAG_RED,
    "not_applicable": RAG_GREY,
}

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
SEVERITY_LABELS = {"high": "High", "medium": "Medium", "low": "Low"}
REVIEW_LABELS = {"pending": "Pending review", "accepted": "Accepted", "rejected": "Rejected"}
CLASSIFICATION_LABELS = {"internal": "Internal", "restricted": "Restricted"}

# Haven's one date style, "1 Dec 2026": for text (long_date), Excel cells and Streamlit's table columns.
EXCEL_DATE_FORMAT = "d mmm yyyy"
TABLE_DATE_FORMAT = "D MMM YYYY"  # Streamlit's DateColumn / DatetimeColumn (moment.js tokens)
TABLE_DATETIME_FORMAT = "D MMM YYYY, HH:mm"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # not the locale's


def percent(value: float | None) -> str:
    """A score fraction as the UI shows it: 0.8333 -> "83%"; None -> "N/A"."""
    if value is None:
        return "N/A"
    return f"{value * 100:.0f}%"


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
    if not state:
        return "Unknown"
    return SLOT_STATE_LABELS.get(state, state.replace("_", " ").capitalize())


def readiness_label(readiness: str | None) -> str:
    if not readiness:
        return "Unknown"
    return READINESS_LABELS.get(readiness, readiness.replace("_", " ").capitalize())


def readiness_colour(readiness: str | None) -> str:
    return READINESS_COLOURS.get(readiness or "", RAG_GREY)


def rating_label(rating: str | None) -> str:
    if not rating:
        return ""
    return RATING_LABELS.get(rating, rating.replace("_", " ").capitalize())


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
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def long_date_time(moment: datetime | None) -> str:
    """A moment as "1 Dec 2026, 14:05" (in the time zone it carries)."""
    if moment is None:
        return ""
    return f"{long_date(moment)}, {moment:%H:%M}"


def review_label(status: str | None) -> str:
    return REVIEW_LABELS.get(status or "", (status or "").replace("_", " ").capitalize())


def classification_label(classification: str | None) -> str:
    return CLASSIFICATION_LABELS.get(classification or "", (classification or "").capitalize())


def layer_scores(scores: dict | None) -> dict[str, float | None]:
    """The three layers of a `scores` dict, None where absent."""
    scores = scores or {}
    return {key: scores.get(key) for key in LAYER_KEYS}


def gaps_by_severity(gaps: list[dict] | None) -> list[dict]:
    """High before medium before low, keeping the report's own order within a severity."""
    return sorted(gaps or [], key=lambda gap: SEVERITY_ORDER.get(gap.get("severity", ""), 3))
