"""Overview: the organisation's readiness, its three scores and every gap."""
import pandas as pd
import streamlit as st

from services.scores import score_organisation
from ui.database import get_haven
from ui.notices import show_notices
from ui.organisation import require_permission
from ui.widgets import readiness_badge
from vocabulary import percent

READINESS_WORDS = {"ready": "Ready", "approaching": "Approaching", "not_ready": "Not ready"}

haven = get_haven()
principal, organisation = require_permission("view_scores")
show_notices()

if organisation is None:
    st.title("Overview")
    st.info("There is no organisation yet.")
    if principal.is_admin:
        st.write("Load the demo organisation to explore Haven, or add your organisation on the Users and organisations page.")
        if st.button("Load the demo organisation", type="primary"):
            from datetime import date

            from services.demo import load_demo

            with st.spinner("Generating the demo organisation…"):
                load_demo(haven, principal, today=date.today())
            st.rerun()
    st.stop()

organisation_id, slug, name = organisation
with haven.session() as session:
    report = score_organisation(session, principal, slug=slug)

st.title(name)
st.caption(f"{report['standard_title']} · scores on {report['as_of']}")

readiness_badge(report["readiness"], report["readiness_reason"])

scores = report["scores"]
self_assessed, complete, verified = st.columns(3)
self_assessed.metric("Self-assessed", percent(scores["self_assessment"]), help="Points from the ratings: met 2, partially met 1.")
complete.metric("Evidence complete", percent(scores["completeness"]), help="Required evidence that is current and not rejected.")
verified.metric("Verified", percent(scores["verified"]), help="Required evidence accepted by a quality reviewer.")

st.subheader("Engagements")
engagement_rows = [
    {"Engagement": e["id"], "Title": e["title"], "Self-assessed": percent(e["scores"]["self_assessment"]),
     "Evidence complete": percent(e["scores"]["completeness"]), "Verified": percent(e["scores"]["verified"])}
    for e in report["engagements"]
]
st.dataframe(
    pd.DataFrame(engagement_rows), hide_index=True, width="stretch",
    column_config={"Engagement": st.column_config.TextColumn(width="small"),
                   "Title": st.column_config.TextColumn(width="large")},
)

gaps = report["gaps"]
st.subheader(f"Gaps ({len(gaps)})")
if gaps:
    counts = pd.Series([g["severity"] for g in gaps]).value_counts()
    st.caption(" · ".join(f"{counts.get(level, 0)} {level}" for level in ("high", "medium", "low")))
    st.dataframe(
        pd.DataFrame([{"Severity": g["severity"], "Action": g["action"], "Finding": g["message"]} for g in gaps]),
        hide_index=True, width="stretch",
    )
else:
    st.success("No gaps: every applicable action is met and verified.")
