"""Board dashboard: readiness and why, claimed against proven, engagements, evidence by action, the trend
and what expires in the next 90 days. Restricted evidence appears by its type only."""
from datetime import date

import streamlit as st

from reports.formatting import long_date
from reports.tables import claimed_versus_proven
from scoring.report import report_of
from services.board import EXPIRY_WINDOW_DAYS, expiring_evidence
from services.scores import assess_organisation
from services.snapshots import snapshot_series
from ui.board_figures import layers_figure, show
from ui.board_report import board_actions
from ui.board_tables import RAG_LEGEND, rag_table, renewal_table, slot_table
from ui.board_trend import score_trend
from ui.organisation import open_organisation_screen
from ui.widgets import markdown_text, readiness_badge
from vocabulary import percent

haven, principal, organisation = open_organisation_screen("Board dashboard", "view_scores")
organisation_id, slug, name = organisation
today = date.today()

with haven.session() as session:
    report = report_of(assess_organisation(session, principal, organisation_id=organisation_id, as_of=today))
    series = snapshot_series(session, principal, organisation_id=organisation_id)
    expiring = expiring_evidence(session, principal, organisation_id=organisation_id, as_of=today,
                                 include_expired=True)

st.caption(f"{markdown_text(name)} · {report.standard_title} · scores on {long_date(report.as_of)}")
readiness_badge(report.readiness, report.readiness_reason)

st.subheader(claimed_versus_proven(report))
claimed, complete, proven = st.columns(3)
claimed.metric("Claimed (self-assessed)", percent(report.scores.self_assessment),
               help="What the ratings claim: met counts 2 points, partially met 1.")
complete.metric("Evidence complete", percent(report.scores.completeness),
                help="Required evidence that is current and not rejected.")
proven.metric("Proven (verified)", percent(report.scores.verified),
              help="Required evidence a quality reviewer has accepted.")
st.caption(RAG_LEGEND)

layers, trend = st.columns(2)
with layers:
    show(layers_figure(report))
    st.caption("The same three figures as above.")
with trend:
    score_trend(series)

by_engagement, by_action = st.columns([3, 2])
with by_engagement:
    st.subheader("Engagements and actions")
    st.table(rag_table(report), hide_index=True)
with by_action:
    st.subheader("Evidence by action")
    st.table(slot_table(report), hide_index=True)

st.subheader("Evidence to renew")
if expiring:
    st.table(renewal_table(expiring), hide_index=True)
    st.caption(f"Expired evidence that nothing current has replaced, then what expires in the next "
               f"{EXPIRY_WINDOW_DAYS} days. Restricted evidence is named by its type only.")
else:
    st.caption(f"Nothing has expired and nothing expires in the next {EXPIRY_WINDOW_DAYS} days.")

st.divider()
board_actions(haven, principal, organisation_id=organisation_id, slug=slug, today=today)
