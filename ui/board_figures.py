"""The board's two figures, drawn once per score revision and sent with no work left for the next run.

A figure depends only on the typed report (frozen, so it is its own key) or on the snapshot series. Plotly
takes tens of milliseconds to build and validate a figure, and `st.plotly_chart` copies it into a dict on
every run. So each figure is built once per report (or series) and kept, with its dict made once too: the
same report always draws the same figure, whoever reads it.
"""
from __future__ import annotations

from functools import lru_cache

import plotly.graph_objects as go
import streamlit as st

from reports.charts import score_layers_figure, score_trend_figure
from scoring.report import ScoreReport, TrendPoint

KEPT_FIGURES = 64


class KeptFigure(go.Figure):
    """A finished figure that is never changed again: its dict is made once and handed out as is."""

    def to_dict(self) -> dict:
        kept = getattr(self, "_kept_dict", None)
        if kept is None:
            kept = super().to_dict()
            self._kept_dict = kept
        return kept


@lru_cache(maxsize=KEPT_FIGURES)
def layers_figure(report: ScoreReport) -> KeptFigure:
    return KeptFigure(score_layers_figure(report).update_layout(title_text="The three layers", height=320))


@lru_cache(maxsize=KEPT_FIGURES)
def _trend_figure(series: tuple[TrendPoint, ...]) -> KeptFigure:
    return KeptFigure(score_trend_figure(list(series)).update_layout(height=320))


def trend_figure(series: list[TrendPoint]) -> KeptFigure:
    """The trend of a snapshot series (frozen points, so the series is its own key)."""
    return _trend_figure(tuple(series))


def show(figure: KeptFigure) -> None:
    st.plotly_chart(figure, width="stretch")
