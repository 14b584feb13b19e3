"""The board's trend: the three layers over the cycle's snapshots, as a chart and as a table."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from reports.formatting import TABLE_DATE_FORMAT
from scoring.report import TrendPoint
from ui.board_figures import show, trend_figure
from vocabulary import ScoreLayer, percent

COLUMNS = ["Date", "Readiness", *(key.label for key in ScoreLayer)]


def trend_table(series: list[TrendPoint]) -> pd.DataFrame:
    """Newest snapshot first: its day, readiness and the three layers in words."""
    return pd.DataFrame([{
        "Date": snapshot.taken_on, "Readiness": snapshot.readiness.label if snapshot.readiness else "",
        **{key.label: percent(snapshot.scores[key]) for key in ScoreLayer},
    } for snapshot in reversed(series)], columns=COLUMNS)


def score_trend(series: list[TrendPoint]) -> None:
    show(trend_figure(series))
    table = st.expander(f"Scores over time as a table ({len(series)} snapshot{'s' if len(series) != 1 else ''} "
                        "in this cycle)", key="board_trend_table", on_change="rerun")
    with table:
        if table.open:  # drawn once opened
            st.dataframe(trend_table(series), hide_index=True, width="stretch",
                         column_config={"Date": st.column_config.DateColumn(format=TABLE_DATE_FORMAT)})
