"""The board report: one A4 page built with fpdf2 from the typed score report and its snapshots.

The page always fits on one sheet: long titles are shortened to their cell, and when a
standard has more engagements or gaps than the page holds, the rest is counted in a
"and N more" line. Text stays text (no HTML or markdown), so user input is printed as
typed and the PDF's text can be extracted.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import importlib.util
import io
import logging
import os
import shutil
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from reports import charts
from reports.formatting import (
    INK_MUTED,
    LAYER_KEYS,
    RAG_AMBER,
    RAG_GREY,
    RAG_RED,
    TEXT_DARK,
    gaps_by_severity,
    hex_to_rgb,
    long_date,
    percent,
    rag_colour,
    rag_word,
    readiness_colour,
    text_colour_on,
)
from reports.tables import claimed_versus_proven
from scoring.report import GapReport, ScoreReport, TrendPoint

logger = logging.getLogger(__name__)

MAX_GAPS = 8
MAX_TREND_ROWS = 6
CHART_WIDTH_PX = 900
CHART_HEIGHT_PX = 330
RENDER_TIMEOUT_SECONDS = 45.0

# Where Debian, Fedora, Arch and macOS put DejaVu Sans; the first that exists wins.
FONT_DIRECTORIES = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/dejavu-sans-fonts",
    "/usr/share/fonts/TTF",
    "/usr/local/share/fonts",
    "/Library/Fonts",
    "~/Library/Fonts",
    "~/.local/share/fonts",
)
REGULAR_FONT = "DejaVuSans.ttf"
BOLD_FONT = "DejaVuSans-Bold.ttf"

SEVERITY_COLOURS = {"high": RAG_RED, "medium": RAG_AMBER, "low": RAG_GREY}

PAGE_MARGIN = 14.0
LINE = 5.5


@dataclass(frozen=True)
class FontFiles:
    regular: Path
    bold: Path


@lru_cache(maxsize=1)
def find_unicode_font() -> FontFiles | None:
    """DejaVu Sans from the usual system font folders, or None (the PDF then uses Helvetica)."""
    for folder in FONT_DIRECTORIES:
        base = Path(folder).expanduser()
        regular = base / REGULAR_FONT
        if regular.is_file():
            bold = base / BOLD_FONT
            return FontFiles(regular=regular, bold=bold if bold.is_file() else regular)
    return None


_LATIN1_STAND_INS = str.maketrans({
    "…": "...", "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "•": "*",
    "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ø": "O", "ø": "o", "ß": "ss", "€": "EUR",
})


def latin1_text(text: str) -> str:
    """What the core Helvetica font can print: accents kept where latin-1 has them."""
    text = text.translate(_LATIN1_STAND_INS)
    out = []
    for char in text:
        try:
            char.encode("latin-1")
            out.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
            base = "".join(c for c in base if not unicodedata.combining(c))
            out.append(base or "?")
    return "".join(out)


class BoardPage:
    """A thin layer over FPDF: fonts, colours and text that always fits its cell."""

    def __init__(self) -> None:
        self.pdf = FPDF(orientation="portrait", unit="mm", format="A4")
        self.pdf.set_margins(PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN)
        self.pdf.set_auto_page_break(False)
        self.pdf.c_margin = 1.5
        fonts = find_unicode_font()
        if fonts:
            self.pdf.add_font("DejaVu", "", str(fonts.regular))
            self.pdf.add_font("DejaVu", "B", str(fonts.bold))
            self.family = "DejaVu"
            self.unicode = True
        else:
            logger.warning("No DejaVu Sans font found; the board report falls back to Helvetica (latin-1 only)")
            self.family = "Helvetica"
            self.unicode = False
        self.pdf.add_page()

    @property
    def width(self) -> float:
        return self.pdf.epw

    @property
    def bottom(self) -> float:
        return self.pdf.h - PAGE_MARGIN

    @property
    def y(self) -> float:
        return self.pdf.get_y()

    def clean(self, text: object) -> str:
        text = "" if text is None else str(text)
        text = " ".join(text.split())
        return text if self.unicode else latin1_text(text)

    def font(self, size: float, *, bold: bool = False, colour: str = TEXT_DARK) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.set_text_color(*hex_to_rgb(colour))

    def fitted(self, text: object, width: float) -> str:
        """`text` shortened with an ellipsis so it fits `width` mm in the current font."""
        text = self.clean(text)
        room = width - 2 * self.pdf.c_margin
        if not text or self.pdf.get_string_width(text) <= room:
            return text
        ellipsis = "…" if self.unicode else "..."
        while text and self.pdf.get_string_width(text + ellipsis) > room:
            text = text[:-1]
        return text.rstrip() + ellipsis

    def cell(self, width: float, height: float, text: object = "", *, fill: str | None = None,
             align: str = "L", border: int | str = 0, last: bool = False) -> None:
        if fill:
            self.pdf.set_fill_color(*hex_to_rgb(fill))
        self.pdf.cell(
            width, height, self.fitted(text, width), border=border, align=align, fill=bool(fill),
            new_x=XPos.LMARGIN if last else XPos.RIGHT, new_y=YPos.NEXT if last else YPos.TOP,
        )

    def lines_cell(self, width: float, height: float, text: object, *, max_lines: int = 2,
                   fill: str | None = None) -> None:
        """A cell of fixed `height` holding `text` over up to `max_lines` lines; x moves right."""
        x, y = self.pdf.get_x(), self.y
        if fill:
            self.pdf.set_fill_color(*hex_to_rgb(fill))
            self.pdf.rect(x, y, width, height, style="F")
        text = self.clean(text)
        lines = self.pdf.multi_cell(width, TITLE_LINE, text, dry_run=True, output="LINES") if text else []
        if len(lines) > max_lines:
            lines = lines[: max_lines - 1] + [self.fitted(" ".join(lines[max_lines - 1:]) + " …", width)]
        line_height = min(TITLE_LINE, height / max(len(lines), 1))
        top = y + (height - line_height * len(lines)) / 2
        for index, line in enumerate(lines):
            self.pdf.set_xy(x, top + index * line_height)
            self.cell(width, line_height, line)
        self.pdf.set_xy(x + width, y)

    def line_of_text(self, text: object, *, size: float = 10, bold: bool = False,
                     colour: str = TEXT_DARK, height: float = LINE) -> None:
        self.font(size, bold=bold, colour=colour)
        self.cell(self.width, height, text, last=True)

    def wrapped_text(self, text: object, *, size: float, max_lines: int, colour: str = TEXT_DARK,
                     height: float = LINE) -> None:
        """Text over at most `max_lines` lines; the last one ends in an ellipsis when cut."""
        self.font(size, colour=colour)
        lines = self.pdf.multi_cell(self.width, height, self.clean(text), dry_run=True, output="LINES")
        if len(lines) > max_lines:
            lines = lines[: max_lines - 1] + [self.fitted(" ".join(lines[max_lines - 1:]) + " …", self.width)]
        for line in lines:
            self.cell(self.width, height, line, last=True)

    def heading(self, text: str) -> None:
        self.gap(3)
        self.line_of_text(text, size=12, bold=True, height=7)
        self.pdf.set_draw_color(*hex_to_rgb("#243b53"))
        self.pdf.line(self.pdf.l_margin, self.y, self.pdf.l_margin + self.width, self.y)
        self.gap(1.5)

    def gap(self, height: float) -> None:
        self.pdf.set_y(self.y + height)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


# --- sections -------------------------------------------------------------------------

def _title_block(page: BoardPage, score: ScoreReport, generated_on: date) -> None:
    name = score.organisation_name or score.organisation or "Organisation"
    standard = score.standard_title or score.standard
    page.line_of_text("Board report", size=9, colour=INK_MUTED, height=4.5)
    page.line_of_text(name, size=18, bold=True, height=9)
    page.line_of_text(standard, size=11, height=6)
    as_of = score.as_of if score.as_of != date.min else None
    dated = f"Scores on {long_date(as_of)} · " if as_of else ""
    page.line_of_text(f"{dated}Generated on {long_date(generated_on)}", size=9, colour=INK_MUTED)
    page.gap(2)


def _readiness_block(page: BoardPage, score: ScoreReport) -> None:
    readiness = score.readiness
    fill = readiness_colour(readiness)
    page.font(20, bold=True, colour=text_colour_on(fill))
    page.cell(page.width, 13, f"Readiness: {readiness.label}", fill=fill, last=True)
    reason = score.readiness_reason
    if reason:
        page.gap(1)
        page.wrapped_text(reason, size=10, max_lines=2)


def _scores_block(page: BoardPage, score: ScoreReport) -> None:
    scores = score.scores
    page.gap(3)
    box = (page.width - 2 * 4) / 3
    top = page.y
    for index, key in enumerate(LAYER_KEYS):
        value = scores[key]
        fill = rag_colour(value)
        ink = text_colour_on(fill)
        x = page.pdf.l_margin + index * (box + 4)
        page.pdf.set_xy(x, top)
        page.font(9, colour=ink)
        page.cell(box, 6, key.label, fill=fill)
        page.pdf.set_xy(x, top + 6)
        page.font(20, bold=True, colour=ink)
        page.cell(box, 10, percent(value), fill=fill)
        page.pdf.set_xy(x, top + 16)
        page.font(8, colour=ink)
        page.cell(box, 4.5, rag_word(value).upper(), fill=fill)
    page.pdf.set_xy(page.pdf.l_margin, top + 20.5 + 1.5)
    page.line_of_text(claimed_versus_proven(score), size=10, bold=True)


ID_COLUMN = 11.0
SCORE_COLUMN = 25.0
TITLE_LINE = 3.9
TITLE_MAX_LINES = 4


def plural(count: int, word: str, words: str | None = None) -> str:
    """"1 more gap", "2 more gaps": the count and the word that goes with it."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


def _title_lines(page: BoardPage, text: object, width: float) -> list[str]:
    text = page.clean(text)
    return page.pdf.multi_cell(width, TITLE_LINE, text, dry_run=True, output="LINES") if text else []


def _engagement_table(page: BoardPage, score: ScoreReport, *, room: float) -> None:
    """Engagements with their three scores; `room` is the height (mm) the table may use."""
    engagements = score.engagements
    page.heading("Engagements")
    title_width = page.width - ID_COLUMN - 3 * SCORE_COLUMN
    page.font(7.5, bold=True, colour="#ffffff")
    header = "#243b53"
    page.cell(ID_COLUMN, 8, "Id", fill=header)
    page.cell(title_width, 8, "Engagement", fill=header)
    for key in LAYER_KEYS:
        page.lines_cell(SCORE_COLUMN, 8, key.label, fill=header)
    page.pdf.set_xy(page.pdf.l_margin, page.y + 8)
    if not engagements:
        page.line_of_text("No engagements in this report.", size=9, colour=INK_MUTED)
        return

    room -= 8 + 12  # header and heading already placed
    page.font(8.5)
    heights = [max(9.0, TITLE_LINE * min(len(_title_lines(page, e.title, title_width)), TITLE_MAX_LINES)
                   + 2.0) for e in engagements]
    count = len(engagements)
    while count > 1 and sum(heights[:count]) + (LINE if count < len(engagements) else 0) > room:
        count -= 1  # keep a line for "and N more"
    shown = engagements[:count]
    for index, engagement in enumerate(shown):
        band = "#eef2f7" if index % 2 else "#ffffff"
        row_height = heights[index]
        page.font(9, bold=True)
        page.cell(ID_COLUMN, row_height, engagement.id, fill=band)
        page.font(8.5)
        page.lines_cell(title_width, row_height, engagement.title, max_lines=TITLE_MAX_LINES, fill=band)
        scores = engagement.scores
        for position, key in enumerate(LAYER_KEYS):
            fill = rag_colour(scores[key])
            page.font(9, bold=True, colour=text_colour_on(fill))
            words = percent(scores[key]) if scores[key] is None else f"{percent(scores[key])} {rag_word(scores[key])}"
            page.cell(SCORE_COLUMN, row_height, words, fill=fill,
                      align="C", last=position == 2)
    if len(shown) < len(engagements):
        page.line_of_text(f"… and {plural(len(engagements) - len(shown), 'more engagement')} (see the app)",
                          size=8.5, colour=INK_MUTED)


def _trend_section(page: BoardPage, snapshots: list[TrendPoint], image: bytes | None, *, height: float) -> None:
    page.heading("Trend")
    if image:
        try:
            page.pdf.image(io.BytesIO(image), x=page.pdf.l_margin, y=page.y, w=page.width, h=height,
                           keep_aspect_ratio=True, alt_text="Scores over time")
            page.gap(height)
            return
        except Exception:  # a broken image must not cost the board its report
            logger.warning("The trend chart image could not be placed; using a table", exc_info=True)
    ordered = sorted(snapshots or [], key=lambda s: s.taken_on)
    recent = ordered[-MAX_TREND_ROWS:]
    if not recent:
        page.line_of_text("No snapshots yet: the trend starts with the first snapshot.", size=9, colour=INK_MUTED)
        return
    date_width = 40.0
    column = (page.width - date_width) / 3
    page.font(8.5, bold=True, colour="#ffffff")
    page.cell(date_width, 5.5, "Snapshot", fill="#243b53")
    for position, key in enumerate(LAYER_KEYS):
        page.cell(column, 5.5, key.label, fill="#243b53", align="C", last=position == 2)
    for index, snapshot in enumerate(recent):
        band = "#eef2f7" if index % 2 else "#ffffff"
        page.font(9)
        page.cell(date_width, 5.5, long_date(snapshot.taken_on), fill=band)
        for position, key in enumerate(LAYER_KEYS):
            page.cell(column, 5.5, percent(snapshot.scores[key]), fill=band, align="C", last=position == 2)


def _gaps_section(page: BoardPage, gaps: tuple[GapReport, ...]) -> None:
    ordered = gaps_by_severity(gaps)
    page.heading("Top gaps")
    if not ordered:
        page.line_of_text("No gaps found.", size=9, colour=INK_MUTED)
        return
    room = page.bottom - page.y - 10
    fits = max(1, min(MAX_GAPS, int(room // LINE)))
    for gap in ordered[:fits]:
        severity = gap.severity
        fill = SEVERITY_COLOURS.get(severity, RAG_GREY)
        page.font(8, bold=True, colour=text_colour_on(fill))
        page.cell(18, LINE - 0.8, severity.capitalize(), fill=fill, align="C")
        page.cell(1.5, LINE - 0.8)
        page.font(9, bold=True)
        page.cell(16, LINE - 0.8, gap.action)
        page.font(9)
        page.cell(page.width - 35.5, LINE - 0.8, gap.message or gap.kind, last=True)
        page.gap(0.8)
    if len(ordered) > fits:
        page.line_of_text(f"… and {plural(len(ordered) - fits, 'more gap')} in the app", size=8.5, colour=INK_MUTED)


def _footer(page: BoardPage, generated_on: date) -> None:
    page.pdf.set_y(page.bottom - 4)
    page.line_of_text(f"Haven · board report · {long_date(generated_on)} · page 1 of 1",
                      size=7.5, colour=INK_MUTED, height=4)


def board_report_pdf(score: ScoreReport, snapshots: list[TrendPoint], *, generated_on: date,
                     chart_images: dict[str, bytes] | None = None) -> bytes:
    """One A4 page for the board: readiness, the three scores, engagements, trend and top gaps.

    `chart_images` may hold a "trend" PNG (see `render_chart_images`); without it the
    trend is a small table of the last six snapshots.
    """
    page = BoardPage()
    page.pdf.set_title(page.clean(f"Board report: {score.organisation_name or score.organisation}"))
    page.pdf.set_creator("Haven")
    _title_block(page, score, generated_on)
    _readiness_block(page, score)
    _scores_block(page, score)

    trend_image = (chart_images or {}).get("trend")
    trend_height = 58.0 if trend_image else 8.0 + 5.5 * (min(len(snapshots or []), MAX_TREND_ROWS) + 1)
    gaps_height = 12.0 + LINE * min(len(score.gaps) + 1, MAX_GAPS + 1)
    room = page.bottom - page.y - (12 + trend_height) - gaps_height - 6
    _engagement_table(page, score, room=max(room, 25.0))
    _trend_section(page, snapshots, trend_image, height=trend_height)
    _gaps_section(page, score.gaps)
    _footer(page, generated_on)
    return page.output()


# --- chart images ---------------------------------------------------------------------

CHART_BUILDERS = {
    "trend": lambda score, snapshots: charts.score_trend_figure(snapshots),
    "layers": lambda score, snapshots: charts.score_layers_figure(score),
    "engagements": lambda score, snapshots: charts.engagement_rag_figure(score),
    "slots": lambda score, snapshots: charts.slot_heatmap_figure(score),
}


def chart_images_available() -> bool:
    """Kaleido is installed and a Chromium-family browser can be found (BROWSER_PATH or PATH)."""
    if importlib.util.find_spec("kaleido") is None:
        return False
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        return Path(configured).is_file()
    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
    return any(shutil.which(name) for name in names)


async def _render_pngs(figures: dict, *, timeout: float) -> dict[str, bytes]:
    import kaleido  # imported here: optional, and slow to import

    images = {}
    # One browser for all charts; MathJax off, so nothing is fetched from the network.
    async with kaleido.Kaleido(n=1, timeout=timeout, mathjax=False) as renderer:
        for name, figure in figures.items():
            height = figure.layout.height or CHART_HEIGHT_PX
            images[name] = await renderer.calc_fig(
                figure, opts={"format": "png", "width": CHART_WIDTH_PX, "height": height, "scale": 2},
            )
    return images


def render_chart_images(score: ScoreReport, snapshots: list[TrendPoint], *, charts_wanted: tuple[str, ...] = ("trend",),
                        timeout: float = RENDER_TIMEOUT_SECONDS) -> dict[str, bytes]:
    """PNGs of the named charts via Kaleido, or {} when Kaleido or its browser is unavailable.

    Kaleido drives a headless Chromium; set BROWSER_PATH to choose one. Any failure is
    logged and answered with {}, so callers fall back to tables and never crash.
    """
    unknown = set(charts_wanted) - set(CHART_BUILDERS)
    if unknown:
        raise ValueError(f"Unknown charts: {', '.join(sorted(unknown))}")
    if not chart_images_available():
        logger.info("Chart images skipped: Kaleido or a Chromium browser is not available")
        return {}
    figures = {name: CHART_BUILDERS[name](score, snapshots) for name in charts_wanted}
    # Its own thread and event loop: works the same from scripts, tests and Streamlit.
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="haven-kaleido")
    try:
        future = pool.submit(lambda: asyncio.run(_render_pngs(figures, timeout=timeout)))
        return future.result(timeout=timeout * (len(figures) + 1))
    except Exception:
        logger.warning("Chart images could not be rendered; the report uses tables instead", exc_info=True)
        return {}
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
