"""Board charts as pure functions: the typed score report (and the rows of reports/tables.py) in,
Plotly figures out.

Nothing here knows a standard: engagements, actions and evidence types are read from
the report, so a second standard draws with the same code. Every coloured mark also
carries its value or state as text, so colour is never the only signal.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from reports.formatting import (
    GRID_LINE,
    INK_MUTED,
    LAYER_KEYS,
    RAG_AMBER,
    RAG_GREEN,
    RAG_GREY,
    RAG_RED,
    SLOT_STATE_COLOURS,
    TEXT_DARK,
    as_date,
    percent,
    rag_colour,
    rag_word,
    readiness_colour,
    slot_state_colour,
    slot_state_label,
)
from reports.tables import (
    claimed_versus_proven,
    engagement_rows,
    rag_title_line,
    score_band_counts,
    short,
    slot_columns,
)
from scoring.report import ReportSummary, ScoreReport, TrendPoint
from vocabulary import ScoreLayer

if TYPE_CHECKING:
    from services.board import ExpiringEvidence

__all__ = [
    "RAG_AMBER",
    "RAG_GREEN",
    "RAG_GREY",
    "RAG_RED",
    "SLOT_STATE_ORDER",
    "LAYER_COLOURS",
    "EXPIRY_HORIZON_DAYS",
    "rag_colour",
    "slot_state_colour",
    "readiness_colour",
    "score_layers_figure",
    "engagement_rag_figure",
    "slot_heatmap_figure",
    "score_trend_figure",
    "expiry_timeline_figure",
    "network_comparison_figure",
    "network_distribution_figure",
    "cycle_comparison_figure",
]

FONT_FAMILY = "Source Sans Pro, DejaVu Sans, Arial, sans-serif"
# Line colours for the layers over time; each line also has its own dash and marker.
LAYER_COLOURS = {"self_assessment": "#7b9acc", "completeness": "#4f7cac", "verified": "#1d3f6e"}
LAYER_DASHES = {"self_assessment": "dot", "completeness": "dash", "verified": "solid"}
LAYER_SYMBOLS = {"self_assessment": "circle-open", "completeness": "square", "verified": "diamond"}
LAYER_PATTERNS = {"self_assessment": "/", "completeness": ".", "verified": ""}
LAYER_SHORT = {"self_assessment": "Claimed", "completeness": "Complete", "verified": "Verified"}

# Heatmap codes: a cell's z is the index of its state here. Unknown states are grey.
SLOT_STATE_ORDER = ("verified", "pending", "expired", "rejected", "missing", "not_applicable", "unknown")
EXPIRY_HORIZON_DAYS = 90


def _base_layout(figure: go.Figure, *, title: str, height: int | None = None) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "xref": "container", "pad": {"l": 16},
               "font": {"size": 18, "color": TEXT_DARK}},
        template="plotly_white",
        font={"family": FONT_FAMILY, "size": 13, "color": TEXT_DARK},
        margin={"l": 20, "r": 20, "t": 70, "b": 40},
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    if height:
        figure.update_layout(height=height)
    return figure


def _empty_note(figure: go.Figure, text: str) -> go.Figure:
    figure.add_annotation(
        text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
        font={"size": 15, "color": INK_MUTED},
    )
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure


def _percent_axis(axis_update, *, top: float = 1.0) -> None:
    axis_update(range=[0, top], tickformat=".0%", gridcolor=GRID_LINE, zeroline=True, zerolinecolor=GRID_LINE)


# --- one organisation -----------------------------------------------------------------

def score_layers_figure(report: ScoreReport) -> go.Figure:
    """Self-assessed, evidence complete and verified side by side; the title states the gap."""
    values = [report.scores[key] for key in LAYER_KEYS]
    labels = [layer.label for layer in ScoreLayer]
    colours = [rag_colour(value) for value in values]
    figure = go.Figure(go.Bar(
        x=labels,
        y=values,
        marker={"color": colours, "line": {"color": TEXT_DARK, "width": 0.5}},
        text=[percent(value) for value in values],
        textposition="outside",
        textfont={"size": 16, "color": TEXT_DARK},
        cliponaxis=False,
        hovertemplate="%{x}: %{text}<extra></extra>",
        showlegend=False,
    ))
    for label, value in zip(labels, values, strict=True):
        if value is None:
            figure.add_annotation(x=label, y=0.05, text="N/A", showarrow=False,
                                  font={"size": 16, "color": INK_MUTED})
    _base_layout(figure, title=claimed_versus_proven(report), height=380)
    _percent_axis(figure.update_yaxes, top=1.12)
    figure.update_xaxes(type="category", tickangle=0, tickvals=labels, ticktext=[_wrapped(label, 10) for label in labels])
    return figure


RAG_ORDER = (RAG_GREEN, RAG_AMBER, RAG_RED, RAG_GREY)  # heatmap codes of the RAG grid
RAG_ROW_PX = 60
RAG_CELL_GAP_PX = 24


def _stepped_colourscale(colours: tuple[str, ...] | list[str]) -> list[list]:
    """Code i (0 … n-1) gets exactly colours[i]; use with zmin=-0.5 and zmax=n-0.5."""
    count = len(colours)
    scale = []
    for code, colour in enumerate(colours):
        scale.append([code / count, colour])
        scale.append([(code + 1) / count, colour])
    return scale


def engagement_rag_figure(report: ScoreReport) -> go.Figure:
    """A RAG grid: engagements and their actions (rows) against the three layers, each cell coloured
    red, amber or green and showing its percentage.

    Every row's title and rating are written on a line of their own above its cells, so the
    cells keep the figure's width and the grid reads the same on a phone as on a wide screen.
    """
    rows = engagement_rows(report)
    figure = go.Figure()
    if not rows:
        return _empty_note(_base_layout(figure, title="Engagements"), "No engagements to show")

    layer_labels = [key.label for key in LAYER_KEYS]
    ids = [row.id for row in rows]
    z = [[RAG_ORDER.index(rag_colour(row.scores[key])) for key in LAYER_KEYS] for row in rows]
    text = [[percent(row.scores[key]) for key in LAYER_KEYS] for row in rows]
    hover = [[
        f"{_escape_markup(row.id)} {_escape_markup(short(row.title, 90))}"
        + (f"<br>Rating: {row.rating}" if row.rating else "")
        + f"<br>{key.label}: <b>{percent(row.scores[key])}</b> ({rag_word(row.scores[key])})"
        for key in LAYER_KEYS] for row in rows]
    figure.add_trace(go.Heatmap(
        z=z, x=layer_labels, y=ids, text=text, texttemplate="%{text}", textfont={"size": 14},
        customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        colorscale=_stepped_colourscale(RAG_ORDER), zmin=-0.5, zmax=len(RAG_ORDER) - 0.5, showscale=False,
        xgap=3, ygap=RAG_CELL_GAP_PX,
    ))
    lines = [_escape_markup(rag_title_line(row)) for row in rows]
    figure.update_layout(annotations=[*figure.layout.annotations, *(  # one update: add_annotation per row is quadratic
        {"x": 0, "xref": "paper", "xanchor": "left", "y": index, "yref": "y", "yshift": RAG_ROW_PX / 2 - 2,
         "yanchor": "middle", "showarrow": False,
         "text": f"<b>{line}</b>" if row.is_engagement else line, "font": {"size": 12, "color": TEXT_DARK}}
        for index, (row, line) in enumerate(zip(rows, lines, strict=True))  # y by position: an id such as "3.1" reads as a number
    )])
    _base_layout(figure, title="Engagements and actions", height=120 + RAG_ROW_PX * len(rows))
    figure.update_xaxes(type="category", side="top", tickangle=0, showgrid=False, tickvals=layer_labels,
                        ticktext=[_wrapped(label, 10) for label in layer_labels])
    figure.update_yaxes(type="category", autorange="reversed", showgrid=False, tickvals=ids,
                        ticktext=[f"<b>{_escape_markup(i)}</b>" if row.is_engagement else _escape_markup(i)
                                  for i, row in zip(ids, rows, strict=True)])
    figure.update_layout(margin={"l": 10, "r": 10, "t": 100, "b": 10})
    return figure


def _escape_markup(text: str) -> str:
    """Plotly renders a little HTML in labels; user and standard text must stay text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _wrapped(text: str, width: int = 14) -> str:
    """Break a label into lines of about `width` characters for a narrow axis."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _state_code(state: str) -> int:
    return SLOT_STATE_ORDER.index(state) if state in SLOT_STATE_ORDER else SLOT_STATE_ORDER.index("unknown")


def slot_state_colourscale() -> list[list]:
    """A stepped colour scale: code i (the index in SLOT_STATE_ORDER) gets exactly its colour."""
    return _stepped_colourscale([SLOT_STATE_COLOURS.get(state, RAG_GREY) for state in SLOT_STATE_ORDER])


def colour_of_code(code: int) -> str:
    return SLOT_STATE_COLOURS.get(SLOT_STATE_ORDER[code], RAG_GREY)


def slot_heatmap_figure(report: ScoreReport) -> go.Figure:
    """Evidence by action: one row per action, one cell per required slot, coloured by its state.

    Each cell names its evidence type and state, so the grid needs only as many columns as the
    action with most slots (three in Standard 3) and reads on a phone as on a wide screen. A
    `not_applicable` action's slots are grey and say N/A: scoring leaves them out.
    """
    columns = slot_columns(report)
    actions = report.actions
    figure = go.Figure()
    if not columns or not actions:
        return _empty_note(_base_layout(figure, title="Evidence by action"), "No evidence slots to show")

    type_titles = dict(columns)
    width = max(len(action.slots) for action in actions) or 1
    positions = [str(index + 1) for index in range(width)]
    z: list[list[int | None]] = []
    text: list[list[str]] = []
    hover: list[list[str]] = []
    for action in actions:
        z_row: list[int | None] = [None] * width
        text_row = [""] * width
        hover_row = [""] * width
        not_applicable = not action.applicable
        for index, slot in enumerate(action.slots):
            state = "not_applicable" if not_applicable else (slot.state or "unknown")
            label = slot_state_label(state)
            if slot.expiring_soon and not not_applicable:
                label += " · expiring"
            type_title = type_titles[slot.evidence_type]
            z_row[index] = _state_code(state)
            text_row[index] = f"{_wrapped(_escape_markup(type_title), 14)}<br><b>{_wrapped(label, 12)}</b>"
            valid_until = slot.valid_until
            hover_row[index] = (
                f"{_escape_markup(action.id)} "
                f"{_escape_markup(short(action.title, 70))}<br>"
                f"{_escape_markup(type_title)}: <b>{label}</b>"
                + (f"<br>Valid until {valid_until}" if valid_until else "")
            )
        z.append(z_row)
        text.append(text_row)
        hover.append(hover_row)

    figure.add_trace(go.Heatmap(
        z=z,
        x=positions,
        y=[action.id for action in actions],
        text=text,
        texttemplate="%{text}",
        textfont={"size": 12},
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
        colorscale=slot_state_colourscale(),
        zmin=-0.5,
        zmax=len(SLOT_STATE_ORDER) - 0.5,
        showscale=False,
        xgap=4,
        ygap=4,
        hoverongaps=False,
    ))
    _base_layout(figure, title="Evidence by action", height=110 + 64 * len(actions))
    figure.update_xaxes(type="category", visible=False)
    figure.update_yaxes(type="category", autorange="reversed", showgrid=False, title=None)
    figure.update_layout(margin={"l": 10, "r": 10, "t": 60, "b": 10})
    return figure


# --- over time ------------------------------------------------------------------------

def score_trend_figure(snapshots: list[TrendPoint]) -> go.Figure:
    """The three layers over time, 0–100 %, from snapshots oldest first."""
    figure = go.Figure()
    _base_layout(figure, title="Scores over time", height=360)
    if not snapshots:
        return _empty_note(figure, "No snapshots yet")

    ordered = sorted(snapshots, key=lambda snapshot: snapshot.taken_on)
    dates = [snapshot.taken_on for snapshot in ordered]
    mode = "markers" if len(ordered) == 1 else "lines+markers"
    for key in ScoreLayer:
        values = [snapshot.scores[key] for snapshot in ordered]
        figure.add_trace(go.Scatter(
            x=dates,
            y=values,
            name=key.label,
            mode=mode,
            line={"color": LAYER_COLOURS[key], "dash": LAYER_DASHES[key], "width": 2.5},
            marker={"symbol": LAYER_SYMBOLS[key], "size": 8, "color": LAYER_COLOURS[key]},
            text=[percent(value) for value in values],
            hovertemplate=f"{key.label} %{{x|%d %b %Y}}: %{{text}}<extra></extra>",
            connectgaps=False,
        ))
    _percent_axis(figure.update_yaxes, top=1.05)
    figure.update_xaxes(type="date", gridcolor=GRID_LINE, tickformat="%b %Y")
    if len(ordered) == 1:
        only = dates[0]
        figure.update_xaxes(range=[only - timedelta(days=30), only + timedelta(days=30)],
                            tickvals=[only], tickformat="%d %b %Y")
    figure.update_layout(legend={"orientation": "h", "y": -0.15, "x": 0})
    return figure


def expiring_label(item: ExpiringEvidence) -> str:
    """What an expiring item is called on the board: restricted items by their type only."""
    type_title = item.evidence_type_title or item.evidence_type or "Evidence"
    name = type_title if item.restricted or not item.title else item.title
    actions = ", ".join(item.actions)
    return f"{name} ({actions})" if actions else name


def expiry_urgency_colour(days_left: int) -> str:
    if days_left <= 30:
        return RAG_RED
    if days_left <= 60:
        return RAG_AMBER
    return RAG_GREEN


EXPIRY_ROW_HEIGHT = 54


def expiry_timeline_figure(expiring: list[ExpiringEvidence], as_of: date | str, *, horizon_days: int = EXPIRY_HORIZON_DAYS) -> go.Figure:
    """What expires between `as_of` and `horizon_days` later, one marker per item on its date.

    Each row is named above its line rather than on a side axis, so the timeline keeps its
    width on a phone; the days left are written beside each marker.
    """
    start = as_date(as_of)
    end = start + timedelta(days=horizon_days)
    items = []
    for item in expiring or []:
        valid_until = item.valid_until
        if start <= valid_until <= end:
            items.append((valid_until, expiring_label(item)))
    items.sort()
    labels = list(dict.fromkeys(_escape_markup(label) for _, label in items))

    figure = go.Figure()
    _base_layout(figure, title=f"Expiring in the next {horizon_days} days",
                 height=max(240, 150 + EXPIRY_ROW_HEIGHT * len(labels)))
    if not items:
        return _empty_note(figure, f"Nothing expires in the next {horizon_days} days")

    days_left = [(valid_until - start).days for valid_until, _ in items]
    figure.add_trace(go.Scatter(
        x=[valid_until for valid_until, _ in items],
        y=[_escape_markup(label) for _, label in items],
        mode="markers+text",
        marker={"size": 14, "symbol": "diamond", "color": [expiry_urgency_colour(d) for d in days_left],
                "line": {"color": TEXT_DARK, "width": 0.5}},
        text=[f"in {d} days" if d != 1 else "in 1 day" for d in days_left],
        textposition=["middle right" if d <= horizon_days * 0.6 else "middle left" for d in days_left],
        hovertemplate="%{y}<br>Valid until %{x|%d %b %Y} (%{text})<extra></extra>",
        showlegend=False,
    ))
    figure.update_layout(annotations=[*figure.layout.annotations, *(  # one update: add_annotation per row is quadratic
        {"x": start, "xref": "x", "xanchor": "left", "xshift": 4, "y": index, "yref": "y", "yshift": 17,
         "showarrow": False, "text": label, "font": {"size": 13, "color": TEXT_DARK}}
        for index, label in enumerate(labels)
    )])
    figure.add_vline(x=start, line={"color": INK_MUTED, "dash": "dot"})
    figure.add_annotation(x=start, y=1, yref="paper", text="As of", showarrow=False,
                          yanchor="bottom", xanchor="left", font={"color": INK_MUTED})
    figure.update_xaxes(type="date", range=[start - timedelta(days=2), end + timedelta(days=4)],
                        gridcolor=GRID_LINE, tickformat="%d %b", nticks=6)
    figure.update_yaxes(type="category", autorange="reversed", showgrid=True, gridcolor="#f0f4f8",
                        showticklabels=False, range=[len(labels) - 0.4, -0.75])
    figure.update_layout(margin={"l": 12, "r": 12, "t": 70, "b": 40})
    return figure


# --- the network ----------------------------------------------------------------------

NETWORK_BARGAP = 0.45


def network_comparison_figure(network: list[ReportSummary]) -> go.Figure:
    """Organisations side by side on the three layers; bars coloured by each one's readiness.

    Layers are told apart by pattern and by the text on each bar; each organisation's name and
    readiness are written above its bars, so the bars keep the figure's width on a phone.
    """
    figure = go.Figure()
    ordered = sorted(network or [], key=lambda summary: summary.organisation_name.lower())
    height = max(320, 170 + 120 * len(ordered))
    _base_layout(figure, title="Organisations compared", height=height)
    if not ordered:
        return _empty_note(figure, "No organisations to compare")

    names = [f"{_escape_markup(summary.organisation_name)}<br>{summary.readiness.label}" for summary in ordered]
    colours = [readiness_colour(summary.readiness) for summary in ordered]
    for key in ScoreLayer:
        values = [summary.scores[key] for summary in ordered]
        figure.add_trace(go.Bar(
            y=names,
            x=values,
            name=key.label,
            orientation="h",
            marker={"color": colours, "pattern": {"shape": LAYER_PATTERNS[key], "fgcolor": "white",
                                                   "solidity": 0.25},
                    "line": {"color": TEXT_DARK, "width": 0.5}},
            text=[f"{LAYER_SHORT[key]} {percent(value)}" for value in values],
            textposition="outside",
            textfont={"size": 12},
            cliponaxis=False,
            hovertemplate=f"%{{y}}<br>{key.label}: %{{text}}<extra></extra>",
        ))
    band = (height - 140) / len(ordered)  # the plot's height (less the margins) per organisation
    above_bars = band * (1 - NETWORK_BARGAP) / 2 + 11
    # One layout update for all labels: add_annotation per organisation copies every label before it.
    figure.update_layout(annotations=[*figure.layout.annotations, *(
        {"x": 0, "xref": "paper", "xanchor": "left", "y": index, "yref": "y", "yshift": above_bars, "showarrow": False,
         "text": f"<b>{_escape_markup(summary.organisation_name)}</b> · {summary.readiness.label}",
         "font": {"size": 13, "color": TEXT_DARK}}
        for index, summary in enumerate(ordered)
    )])
    figure.update_layout(barmode="group", bargap=NETWORK_BARGAP,
                         legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"})
    _percent_axis(figure.update_xaxes, top=1.38)
    figure.update_xaxes(tickvals=[0, 0.25, 0.5, 0.75, 1.0])
    figure.update_yaxes(type="category", autorange="reversed", showticklabels=False)
    figure.update_layout(margin={"l": 12, "r": 12, "t": 100, "b": 40})
    return figure


def whole_number_step(top: int, *, most_ticks: int = 8) -> int:
    """A tick step for a count axis (1, 2, 5, 10, 20, 50, …) that never falls between two whole numbers
    (no "0, 1, 1, 2, 2") and gives at most `most_ticks` steps up to `top`."""
    scale = 1
    while True:
        for step in (scale, 2 * scale, 5 * scale):
            if top / step <= most_ticks:
                return step
        scale *= 10


def network_distribution_figure(network: list[ReportSummary], layer: str = "verified") -> go.Figure:
    """How many organisations reach each band of one layer's score: a histogram that reads the same for
    10 organisations as for 1,000. Each bar is coloured by its band (red, amber, green, as everywhere)
    and carries its count, so colour is never the only signal."""
    bands = score_band_counts(network, layer)
    figure = go.Figure()
    _base_layout(figure, title=f"Organisations by {ScoreLayer(layer).label.lower()} score", height=340)
    if not any(count for _, count, _ in bands):
        return _empty_note(figure, "No organisation has a score yet")
    figure.add_trace(go.Bar(
        x=[label for label, _, _ in bands], y=[count for _, count, _ in bands],
        marker={"color": [rag_colour(low + 0.05) for _, _, low in bands],
                "line": {"color": TEXT_DARK, "width": 0.5}},
        text=[str(count) if count else "" for _, count, _ in bands], textposition="outside", cliponaxis=False,
        hovertemplate="%{x}: %{y} organisations<extra></extra>", showlegend=False,
    ))
    top = max(count for _, count, _ in bands)
    figure.update_yaxes(title="Organisations", rangemode="tozero", range=[0, top * 1.18 + 1], gridcolor=GRID_LINE,
                        tickformat=",d", dtick=whole_number_step(top))
    figure.update_xaxes(title=f"{ScoreLayer(layer).label} score", type="category", tickangle=-45)
    figure.update_layout(margin={"l": 56, "r": 12, "t": 60, "b": 56}, bargap=0.12)
    return figure


# --- two assessment cycles --------------------------------------------------------------

CYCLE_COLOURS = ("#9fb3c8", "#1d3f6e")
CYCLE_PATTERNS = ("/", "")


def cycle_comparison_figure(previous: ScoreReport, current: ScoreReport, *,
                            labels: tuple[str, str] = ("Closed cycle", "Current cycle")) -> go.Figure:
    """The three layers of a closed cycle's frozen report beside the current cycle's scores."""
    figure = go.Figure()
    layer_labels = [layer.label for layer in ScoreLayer]
    for position, (report, name) in enumerate(zip((previous, current), labels, strict=True)):
        values = [report.scores[key] for key in LAYER_KEYS]
        figure.add_trace(go.Bar(
            x=layer_labels,
            y=values,
            name=_escape_markup(name),
            marker={"color": CYCLE_COLOURS[position], "pattern": {"shape": CYCLE_PATTERNS[position]},
                    "line": {"color": TEXT_DARK, "width": 0.5}},
            text=[percent(value) for value in values],
            textposition="outside",
            cliponaxis=False,
            hovertemplate=f"{_escape_markup(name)}<br>%{{x}}: %{{text}}<extra></extra>",
        ))
    _base_layout(figure, title="Closed cycle against the current one", height=380)
    _percent_axis(figure.update_yaxes, top=1.15)
    figure.update_xaxes(type="category", tickangle=0, tickvals=layer_labels,
                        ticktext=[_wrapped(label, 10) for label in layer_labels])
    figure.update_layout(barmode="group", legend={"orientation": "h", "y": -0.22, "yanchor": "top", "x": 0},
                         margin={"b": 90})
    return figure
