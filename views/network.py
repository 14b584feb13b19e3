"""Network: every organisation's readiness and scores compared, for network members and administrators."""
from datetime import date

import streamlit as st

from reports.charts import NETWORK_TABLE_LABELS, network_comparison_figure, network_table
from reports.formatting import long_date
from services.board import network_scores
from ui.context import get_haven, require_permission

haven = get_haven()
principal, _ = require_permission("view_network")
today = date.today()
st.title("Network")
st.caption(f"Every organisation in its current assessment cycle · scores on {long_date(today)}")

with haven.session() as session:
    network = network_scores(session, principal, as_of=today)
if not network:
    st.info("There is no organisation yet.")
    st.stop()

table = network_table(network)
ready = int((table["readiness"] == "Ready").sum())
organisations, ready_now, median_verified = st.columns(3)
organisations.metric("Organisations", len(network))
ready_now.metric("Ready", f"{ready} of {len(network)}")
median_verified.metric("Median verified", f"{table['verified'].median():.0f}%" if table["verified"].notna().any() else "n/a")

st.plotly_chart(network_comparison_figure(network), width="stretch")

st.subheader("All organisations")
st.caption("Click a column heading to sort.")
st.dataframe(
    table.drop(columns=["organisation"]),
    hide_index=True, width="stretch",
    column_config={
        "name": st.column_config.TextColumn(NETWORK_TABLE_LABELS["name"]),
        "readiness": st.column_config.TextColumn(NETWORK_TABLE_LABELS["readiness"]),
        **{key: st.column_config.NumberColumn(NETWORK_TABLE_LABELS[key], format="%.0f%%")
           for key in ("self_assessment", "completeness", "verified")},
        "high_gaps": st.column_config.NumberColumn(NETWORK_TABLE_LABELS["high_gaps"]),
    },
)
