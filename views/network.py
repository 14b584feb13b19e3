"""Network: every organisation's readiness and scores compared, for network members and administrators.

Readable at 10 organisations and at 1,000: counts by readiness, a histogram of one score, and the table of
every organisation sorted with the furthest from ready first (sortable by any column)."""
from datetime import date

import streamlit as st

from reports.charts import network_distribution_figure
from reports.formatting import long_date
from reports.tables import NETWORK_TABLE_LABELS, network_table, score_band_counts
from services.board import network_scores
from ui.database import get_haven
from ui.organisation import require_permission
from vocabulary import ScoreLayer

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
count = len(network)
organisations, ready, approaching, not_ready = st.columns(4)
organisations.metric("Organisations", f"{count:,}")
for column, words in ((ready, "Ready"), (approaching, "Approaching"), (not_ready, "Not ready")):
    column.metric(words, f"{int((table['readiness'] == words).sum()):,} of {count:,}")

layer = st.segmented_control("Score shown", list(ScoreLayer), default=ScoreLayer.VERIFIED, required=True,
                             format_func=lambda chosen: chosen.label, key="network_layer")
layer = ScoreLayer(layer)
chart, numbers = st.columns([3, 2])
with chart:
    st.plotly_chart(network_distribution_figure(network, layer), width="stretch")
with numbers:
    st.markdown(f"**Organisations by {layer.label.lower()} score**")
    bands = score_band_counts(network, layer)
    st.table({"Score": [band.label for band in bands], "Organisations": [f"{band.count:,}" for band in bands]},
             hide_index=True)
    median = table[layer].median()
    st.caption(f"Median: {median:.0f}%." if table[layer].notna().any() else "No scores yet.")

st.subheader("All organisations")
st.caption("Furthest from ready first. Click a column heading to sort by it.")
ordered = table.sort_values([layer, "high_gaps", "name"], ascending=[True, False, True], na_position="last")
st.dataframe(
    ordered.drop(columns=["organisation"]),
    hide_index=True, width="stretch",
    column_config={
        "name": st.column_config.TextColumn(NETWORK_TABLE_LABELS["name"], width="medium"),
        "readiness": st.column_config.TextColumn(NETWORK_TABLE_LABELS["readiness"], width="small"),
        **{key: st.column_config.NumberColumn(NETWORK_TABLE_LABELS[key], format="%.0f%%", width="small")
           for key in ("self_assessment", "completeness", "verified")},
        "high_gaps": st.column_config.NumberColumn(NETWORK_TABLE_LABELS["high_gaps"], width="small"),
    },
)
