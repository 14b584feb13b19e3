"""Assessment cycles: every cycle, a closed cycle's frozen report beside the current scores, and starting the
next cycle (ratings start again at not assessed; evidence and the action plan carry over)."""
from datetime import date

import pandas as pd
import streamlit as st

from reports.charts import cycle_comparison_figure
from reports.formatting import long_date
from reports.tables import cycle_comparison_table
from scoring.report import ScoreReport, report_of
from services.scores import assess_organisation
from services.snapshots import assessment_cycles, closed_cycle_report, start_next_cycle
from ui.notices import attempt
from ui.organisation import open_organisation_screen
from ui.widgets import markdown_text
from vocabulary import ScoreLayer, percent


def change(before, now, unit: str = "") -> str:
    """A value when the closed cycle ended and now, as "69% → 39%"."""
    def shown(value) -> str:
        if value is None or value == "" or pd.isna(value):
            return "—"
        return f"{value:.0f}{unit}" if unit else str(value)
    return shown(before) if shown(before) == shown(now) == "—" else f"{shown(before)} → {shown(now)}"


haven, principal, organisation = open_organisation_screen("Assessment cycles", "view_scores")
organisation_id, slug, name = organisation
today = date.today()

with haven.session() as session:
    cycles = assessment_cycles(session, principal, organisation_id=organisation_id)
    current = report_of(assess_organisation(session, principal, organisation_id=organisation_id, as_of=today))
open_cycle = next((c for c in cycles if c.open), None)
closed = [c for c in reversed(cycles) if not c.open]

st.caption(f"{markdown_text(name)} · {current.standard_title}")
st.dataframe([{
    "Cycle": cycle.name, "Started": long_date(cycle.started_on), "Closed": long_date(cycle.closed_on, empty="—"),
    "Status": "Current" if cycle.open else "Closed (read-only)", "Snapshots": cycle.snapshots,
} for cycle in cycles], hide_index=True, width="stretch")

st.subheader("Compare with a closed cycle")
if not closed:
    st.info("There is no closed cycle yet. When the next cycle starts, this one is kept read-only for comparison.")
else:
    names = {cycle.id: f"{cycle.name} (closed {long_date(cycle.closed_on)})" for cycle in closed}
    chosen = st.selectbox("Closed cycle", list(names), format_func=names.get)
    with haven.session() as session:
        stored = closed_cycle_report(session, principal, cycle_id=chosen)
    frozen = None if stored is None else ScoreReport.from_json(stored)
    if frozen is None:
        st.warning("This cycle was closed without a snapshot, so there is no frozen report to compare.")
    else:
        current_name = open_cycle.name if open_cycle else "Current cycle"
        before, now = st.columns(2)
        before.metric(f"Readiness when closed ({long_date(frozen.as_of)})", frozen.readiness.label)
        now.metric("Readiness now", current.readiness.label)
        for column, layer in zip(st.columns(3), ScoreLayer, strict=True):
            then, latest = frozen.scores[layer], current.scores[layer]
            points = None if then is None or latest is None else round((latest - then) * 100)
            column.metric(layer.label, percent(latest), help=f"{percent(then)} when the cycle closed.",
                          delta=None if points is None else f"{points:+d} points",
                          delta_color="normal" if points else "off")
        closed_name = next(c.name for c in closed if c.id == chosen)
        st.plotly_chart(cycle_comparison_figure(frozen, current, labels=(closed_name, current_name)), width="stretch")
        table = cycle_comparison_table(frozen, current)
        st.dataframe(pd.DataFrame({
            "Id": table["id"], "Engagement / action": table["title"],
            "Rating": [change(before, now) for before, now in zip(table["rating_before"], table["rating_now"], strict=True)],
            **{layer.label: [change(before, now, unit="%")
                             for before, now in zip(table[f"{layer}_before"], table[f"{layer}_now"], strict=True)]
               for layer in ScoreLayer},
        }), hide_index=True, width="stretch",
            column_config={"Engagement / action": st.column_config.TextColumn(width="medium")})
        st.caption("Each cell reads: when the cycle closed → now.")

if principal.can("start_cycle", organisation_id):
    st.subheader("Start the next cycle")
    st.write("The current cycle is closed with a final snapshot and stays read-only. In the new cycle every "
             "action starts again at not assessed; the evidence and the action plan carry over.")
    with st.form("next_cycle"):
        cycle_name = st.text_input("Name of the new cycle", placeholder=f"Cycle from {today.isoformat()}",
                                   max_chars=120)
        confirmed = st.checkbox("I understand that every rating starts again at not assessed")
        submitted = st.form_submit_button("Start the next cycle", type="primary")
    if submitted:
        if not confirmed:
            st.error("Tick the confirmation first: starting a cycle cannot be undone.")
        else:
            if attempt(haven, lambda session: start_next_cycle(session, principal, organisation_id=organisation_id,
                                                               name=cycle_name, today=today).name,
                    done=lambda started: f"{started} has started; the previous cycle is closed and read-only."):
                st.rerun()
