"""Board dashboard: readiness and why, claimed against proven, engagements, evidence by action, the trend
and what expires in the next 90 days. Restricted evidence appears by its type only."""
from datetime import date

import pandas as pd
import streamlit as st

from accounts.permissions import PermissionDenied
from reports.board_pdf import board_report_pdf, chart_images_available, render_chart_images
from reports.charts import (
    claimed_versus_proven,
    engagement_rag_figure,
    expiry_timeline_figure,
    score_layers_figure,
    score_trend_figure,
    slot_heatmap_figure,
)
from reports.formatting import long_date
from reports.watermarks import watermark_pdf
from services.board import EXPIRY_WINDOW_DAYS, expiring_by_type, expiring_evidence
from services.errors import ServiceError
from services.file_access import Admission, ReadRequest, read_as
from services.scores import score_organisation
from services.snapshots import snapshot_series, take_snapshot
from ui.context import NOTICE_KEY, current_reader, open_organisation_screen, percent
from ui.widgets import markdown_text, readiness_badge

haven, principal, organisation = open_organisation_screen("Board dashboard", "view_scores")
organisation_id, slug, name = organisation
today = date.today()

with haven.session() as session:
    report = score_organisation(session, principal, slug=slug, as_of=today)
    series = snapshot_series(session, principal, slug=slug)
    expiring = expiring_evidence(session, principal, organisation_id=organisation_id, as_of=today)


@st.cache_data(show_spinner=False, max_entries=64)
def trend_chart_images(score: dict, snapshots: list[dict]) -> dict[str, bytes]:
    """The PDF's trend chart, drawn once per score and trend (Kaleido takes seconds)."""
    return render_chart_images(score, snapshots) if snapshots else {}


reader = current_reader()
REPORT_REQUEST = ReadRequest(permission="view_scores", organisation_id=organisation_id, action="report.download",
                             target=slug, watermark=True)


def board_report() -> bytes:
    """Made on click, in a thread of its own: the read checks the session and the user as they are then, and the
    PDF is marked for them."""
    def make(admission: Admission) -> bytes:
        with haven.session() as session:
            fresh = score_organisation(session, admission.principal, slug=slug, as_of=today)
            trend = snapshot_series(session, admission.principal, slug=slug)
        images = trend_chart_images(fresh, trend) if chart_images_available() else {}
        return watermark_pdf(board_report_pdf(fresh, trend, generated_on=today, chart_images=images),
                             admission.watermark)
    return read_as(haven, reader, REPORT_REQUEST, make)


st.caption(f"{markdown_text(name)} · {report['standard_title']} · scores on {long_date(report['as_of'])}")
readiness_badge(report["readiness"], report["readiness_reason"])

st.subheader(claimed_versus_proven(report))
scores = report["scores"]
claimed, complete, proven = st.columns(3)
claimed.metric("Claimed (self-assessed)", percent(scores["self_assessment"]),
               help="What the ratings claim: met counts 2 points, partially met 1.")
complete.metric("Evidence complete", percent(scores["completeness"]),
                help="Required evidence that is current and not rejected.")
proven.metric("Proven (verified)", percent(scores["verified"]),
              help="Required evidence a quality reviewer has accepted.")

layers, trend = st.columns(2)
with layers:
    st.plotly_chart(score_layers_figure(report).update_layout(title_text="The three layers"), width="stretch")
with trend:
    st.plotly_chart(score_trend_figure(series), width="stretch")
    st.caption(f"{len(series)} snapshots in the current assessment cycle.")

st.plotly_chart(engagement_rag_figure(report), width="stretch")
st.plotly_chart(slot_heatmap_figure(report), width="stretch")

st.subheader("Evidence to renew")
st.plotly_chart(expiry_timeline_figure(expiring, today, horizon_days=EXPIRY_WINDOW_DAYS), width="stretch")
if expiring:
    by_type = expiring_by_type(expiring)
    st.dataframe(pd.DataFrame([{
        "Evidence type": entry["evidence_type_title"], "Items": entry["count"],
        "Restricted": entry["restricted"], "First expiry": entry["first_expiry"],
    } for entry in by_type]), hide_index=True, width="stretch")
    st.dataframe(pd.DataFrame([{
        "Evidence": row["title"] or f"{row['evidence_type_title']} (restricted)",
        "Type": row["evidence_type_title"], "Actions": ", ".join(row["actions"]),
        "Valid until": row["valid_until"], "Days left": row["days_left"],
    } for row in expiring]), hide_index=True, width="stretch")
else:
    st.caption(f"No current evidence expires in the next {EXPIRY_WINDOW_DAYS} days.")

st.divider()
download, snapshot = st.columns(2)
with download:
    st.download_button("Download the board report (PDF)", data=board_report,
                       file_name=f"{slug}-board-report-{today.isoformat()}.pdf", mime="application/pdf",
                       icon=":material/picture_as_pdf:", on_click="ignore", type="primary")
    st.caption("One A4 page: readiness, the three scores, engagements, the trend and the top gaps.")
if principal.can("snapshot", organisation_id):
    with snapshot:
        if st.button("Take a snapshot now", icon=":material/photo_camera:"):
            try:
                with haven.session() as session:
                    take_snapshot(session, principal, slug=slug, as_of=today)
            except (ServiceError, PermissionDenied) as error:
                st.error(str(error))
            else:
                st.session_state[NOTICE_KEY] = f"Snapshot of {long_date(today)} saved: the trend now includes today."
                st.rerun()
        st.caption("Haven also keeps one snapshot a day by itself whenever the scores change.")
