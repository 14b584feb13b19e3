"""Readiness and what it still needs, in steps a manager acts on (worded by services.gap_advice)."""
from __future__ import annotations

import streamlit as st

from scoring.report import ScoreReport
from services.gap_advice import still_needed_for_approaching, still_needed_for_ready
from services.plan import PlanRow
from ui.widgets import markdown_text, readiness_badge
from vocabulary import Readiness


def readiness_steps(report: ScoreReport, plan: list[PlanRow]) -> None:
    readiness_badge(report.readiness, report.readiness_reason)
    needed_for_approaching = still_needed_for_approaching(report, plan)
    if needed_for_approaching:
        st.markdown("**Still needed to reach Approaching**")
        st.markdown("\n".join(f"- {markdown_text(step)}" for step in needed_for_approaching))
    elif report.readiness == Readiness.APPROACHING:
        with st.expander("Still needed to be Ready"):
            st.markdown("\n".join(f"- {markdown_text(step)}" for step in still_needed_for_ready(report)))
