"""Overview: the organisation's readiness, its three scores and every gap."""
import pandas as pd
import streamlit as st

from reports.formatting import long_date
from scoring.report import GapReport, report_of
from services.reviews import Rejection, rejections
from services.scores import assess_organisation
from ui.database import get_haven
from ui.notices import show_notices, tell
from ui.organisation import require_permission
from ui.widgets import ACTION_PARAMETER, WRAPPING_ROW_HEIGHT, markdown_text, readiness_badge
from vocabulary import Severity, percent

SEVERITY_COLOURS = {"high": "red", "medium": "orange", "low": "blue"}


def gaps_by_action(gaps: tuple[GapReport, ...]) -> list[tuple[str, list[GapReport]]]:
    """The gaps grouped by action, the actions in the order their first (most severe) gap comes."""
    grouped: dict[str, list[GapReport]] = {}
    for gap in gaps:
        grouped.setdefault(gap.action, []).append(gap)
    return list(grouped.items())


def rejection_line(item: Rejection) -> None:
    reviewer = markdown_text(item.reviewer) or "the reviewer"
    linked = f" ({', '.join(item.actions)})" if item.actions else ""
    st.markdown(f":red[:material/block:] **{markdown_text(item.title)}**{linked}: rejected by {reviewer} on "
                f"{long_date(item.decided_on)}: {markdown_text(item.reason) or 'no reason given'}")

haven = get_haven()
principal, organisation = require_permission("view_scores")
show_notices()

if organisation is None:
    st.title("Overview")
    st.info("There is no organisation yet.")
    if principal.is_admin:
        st.write("Load the demo organisation to explore Haven, or add your organisation on the "
                 "Users and organisations page.")
        if st.button("Load the demo organisation", type="primary"):
            from datetime import date

            from services.demo import load_demo

            with st.spinner("Generating the demo organisation…"):
                loaded = load_demo(haven, principal, today=date.today())
            tell(loaded.describe())
            st.rerun()
    st.stop()

organisation_id, slug, name = organisation
with haven.session() as session:
    report = report_of(assess_organisation(session, principal, organisation_id=organisation_id))

st.title(markdown_text(name))
st.caption(f"{report.standard_title} · scores on {long_date(report.as_of)}")

readiness_badge(report.readiness, report.readiness_reason)

scores = report.scores
self_assessed, complete, verified = st.columns(3)
self_assessed.metric("Self-assessed", percent(scores.self_assessment),
                     help="Points from the ratings: met 2, partially met 1.")
complete.metric("Evidence complete", percent(scores.completeness),
                help="Required evidence that is current and not rejected.")
verified.metric("Verified", percent(scores.verified), help="Required evidence accepted by a quality reviewer.")

st.subheader("Engagements")
engagement_rows = [
    {"Engagement": e.id, "Title": e.title, "Self-assessed": percent(e.scores.self_assessment),
     "Evidence complete": percent(e.scores.completeness), "Verified": percent(e.scores.verified)}
    for e in report.engagements
]
st.dataframe(pd.DataFrame(engagement_rows), hide_index=True, width="stretch", row_height=WRAPPING_ROW_HEIGHT,
             column_config={"Engagement": st.column_config.TextColumn(width="small"),
                            "Title": st.column_config.TextColumn(width="large")})

can_see_evidence = principal.can("view_evidence", organisation_id)
if can_see_evidence:
    with haven.session() as session:
        rejected = rejections(session, principal, organisation_id=organisation_id)
    if rejected:
        st.subheader(f"Rejected by the reviewer ({len(rejected)})")
        with st.container(border=True):
            for item in rejected:
                rejection_line(item)
            st.page_link("views/evidence_library.py", label="Replace them in the Evidence library",
                         icon=":material/upload_file:")

gaps = report.gaps
st.subheader(f"Gaps ({len(gaps)})")
if not gaps:
    st.success("No gaps: every applicable action is met and verified.")
else:
    counts = {level: sum(g.severity == level for g in gaps) for level in Severity}
    st.caption(" · ".join(f"{counts[level]} {level.label.lower()}" for level in Severity))
    titles = {action.id: action.title for action in report.actions}
    for action_id, action_gaps in gaps_by_action(gaps):
        with st.container(border=True):
            st.markdown(f"**{action_id} {markdown_text(titles.get(action_id, ''))}**")
            st.markdown("\n".join(f"- :{SEVERITY_COLOURS[g.severity]}[{Severity.label_of(g.severity)}] "
                                   f"{markdown_text(g.message)}" for g in action_gaps))
            if can_see_evidence:
                st.page_link("views/self_assessment.py", label=f"Work on {action_id} in the self-assessment",
                             icon=":material/arrow_forward:", query_params={ACTION_PARAMETER: action_id})
    if can_see_evidence:
        st.page_link("views/gaps_plan.py", label="Plan the work on the Gaps and action plan page",
                     icon=":material/checklist:")
