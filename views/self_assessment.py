"""Self-assessment: engagement by engagement, each action's guidance, its rating and the evidence in its slots."""
import streamlit as st

from reports.formatting import long_date
from scoring.report import ActionReport, LayerScores, report_of
from services.evidence import evidence_register, standard_of_organisation
from services.ratings import ratings_of_organisation
from services.reviews import rejections
from services.scores import assess_organisation
from ui.evidence_slot import SlotPlace, evidence_slot
from ui.organisation import open_organisation_screen
from ui.rating_form import rating_as_it_stands, rating_form
from ui.widgets import ACTION_PARAMETER, markdown_text
from vocabulary import percent

haven, principal, organisation = open_organisation_screen("Self-assessment", "view_evidence")

organisation_id, slug, name = organisation
can_rate = principal.can("rate", organisation_id)
can_add = principal.can("upload", organisation_id)
can_link = principal.can("link", organisation_id)

with haven.session() as session:
    report = report_of(assess_organisation(session, principal, organisation_id=organisation_id))
    ratings = ratings_of_organisation(session, principal, organisation_id=organisation_id)
    register = evidence_register(session, principal, organisation_id=organisation_id)
    rejected = {r.evidence_id: r for r in rejections(session, principal, organisation_id=organisation_id)}
    standard = standard_of_organisation(session, organisation_id)

place = SlotPlace(haven, principal, organisation_id, standard, register, rejected, can_link=can_link, can_add=can_add)
st.caption(f"{markdown_text(name)} · {report.standard_title} · evidence and scores on {long_date(report.as_of)}")
if not can_rate:
    st.info("You see the self-assessment as it stands; only the organisation's managers change it.",
            icon=":material/visibility:")


def layer_words(scores: LayerScores) -> str:
    return (f"Self-assessed {percent(scores.self_assessment)} · evidence complete {percent(scores.completeness)} · "
            f"verified {percent(scores.verified)}")


def shortened(title: str, limit: int = 32) -> str:
    """A tab label that stays the same whatever the scores, so the chosen tab survives a save."""
    return title if len(title) <= limit else title[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def action_panel(action: ActionReport) -> None:
    with st.container(border=True):
        st.subheader(f"{action.id} {action.title}")
        if not action.applicable:
            st.caption("Not applicable: left out of the scores.")
        else:
            st.caption(layer_words(action.scores))
        assessment, evidence = st.columns([5, 6], gap="large")
        with assessment:
            st.caption("Guidance from the standard")
            st.text(standard.action(action.id).guidance)
            if can_rate:
                rating_form(haven, principal, organisation_id, action, ratings.get(action.id, {}))
            else:
                rating_as_it_stands(action, ratings.get(action.id, {}))
        with evidence:
            for slot in action.slots:
                evidence_slot(place, action, slot)


engagements = report.engagements
labels = [f"{e.id} {shortened(e.title)}" for e in engagements]
tabs_key = f"engagements:{organisation_id}"
asked_for = st.query_params.get(ACTION_PARAMETER)
if asked_for:  # from a gap on the Overview: open the engagement of that action and say where to look
    del st.query_params[ACTION_PARAMETER]
    for engagement, label in zip(engagements, labels, strict=True):
        if any(action.id == asked_for for action in engagement.actions):
            st.session_state[tabs_key] = label
            st.info(f"{markdown_text(asked_for)} is in the tab {markdown_text(label)} below.",
                    icon=":material/arrow_downward:")
tabs = st.tabs(labels, key=tabs_key, on_change="rerun")  # only the open tab is drawn: a switch reruns the page
for tab, engagement in zip(tabs, engagements, strict=True):
    with tab:
        if not tab.open:
            continue
        st.header(f"{engagement.id} {engagement.title}", divider="gray")
        st.caption(layer_words(engagement.scores))
        for action in engagement.actions:
            action_panel(action)
