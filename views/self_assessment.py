"""Self-assessment: engagement by engagement, each action's guidance, its rating and the evidence in its slots."""
import streamlit as st

from reports.formatting import long_date
from scoring.report import ActionReport, LayerScores, SlotReport, report_of
from services.evidence import evidence_register, standard_of_organisation
from services.ratings import ratings_of_organisation, set_rating
from services.reviews import rejections
from services.scores import assess_organisation
from ui.evidence_forms import evidence_summary, link_existing_form, upload_form
from ui.notices import attempt, show_notices
from ui.organisation import open_organisation_screen
from ui.session import live_session
from ui.widgets import ACTION_PARAMETER, markdown_text, slot_state_badge
from vocabulary import Rating, percent

haven, principal, organisation = open_organisation_screen("Self-assessment", "view_evidence")

organisation_id, slug, name = organisation
can_rate = principal.can("rate", organisation_id)
can_add = principal.can("upload", organisation_id)
can_link = principal.can("link", organisation_id)

with haven.session() as session:
    report = report_of(assess_organisation(session, principal, organisation_id=organisation_id))
    ratings = ratings_of_organisation(session, principal, organisation_id=organisation_id)
    register = evidence_register(session, principal, organisation_id=organisation_id)
    rejected = {r["evidence_id"]: r for r in rejections(session, principal, organisation_id=organisation_id)}
    standard = standard_of_organisation(session, organisation_id)

st.caption(f"{markdown_text(name)} · {report.standard_title} · evidence and scores on {long_date(report.as_of)}")
if not can_rate:
    st.info("You see the self-assessment as it stands; only the organisation's managers change it.",
            icon=":material/visibility:")


@live_session
def save_rating(action_id: str, key: str) -> None:
    state = st.session_state
    attempt(haven, lambda session: set_rating(
        session, principal, organisation_id=organisation_id, action_id=action_id, rating=state[f"{key}:rating"],
        justification=state.get(f"{key}:justification") or "", owner=state.get(f"{key}:owner") or ""),
        done=f"The rating of {action_id} is saved.", where=key, in_callback=True)


def rating_form(action: ActionReport) -> None:
    saved = ratings.get(action.id, {})
    key = f"rating:{organisation_id}:{action.id}"
    with st.form(key=f"{key}:form", border=False):
        st.selectbox("Rating", list(Rating), index=list(Rating).index(saved.get("rating", Rating.NOT_ASSESSED)),
                     format_func=Rating.label_of, key=f"{key}:rating")
        st.text_area("Justification", value=saved.get("justification", ""), key=f"{key}:justification",
                     max_chars=4000, height=120, help="Required when the action is not applicable: say why.")
        st.text_input("Owner", value=saved.get("owner", ""), key=f"{key}:owner", max_chars=200)
        st.form_submit_button("Save rating", type="primary", key=f"{key}:save", on_click=save_rating,
                              args=(action.id, key))
    show_notices(key)


def rating_as_it_stands(action: ActionReport) -> None:
    saved = ratings.get(action.id, {})
    st.markdown(f"**Rating:** {action.rating.label}")
    if saved.get("justification"):
        st.caption("Justification")
        st.text(saved["justification"])
    st.caption("Owner")
    st.text(saved.get("owner") or "No owner named")


def evidence_slot(action: ActionReport, slot: SlotReport) -> None:
    type_id = slot.evidence_type
    linked = [r for r in register if r["evidence_type"] == type_id and action.id in r["actions"]]
    with st.container(border=True):
        st.markdown(f"**{slot.evidence_type_title}**")
        slot_state_badge(slot.state, slot.expiring_soon)
        for row in linked:
            evidence_summary(row, rejected.get(row["id"]))
        if not linked:
            st.caption("No evidence is linked yet.")
        if can_link or can_add:
            key = f"slot:{organisation_id}:{action.id}:{type_id}"
            panel = st.expander("Link or upload evidence", key=f"{key}:panel", on_change="rerun")
            with panel:
                if panel.open:  # drawn once opened: two forms for each of a standard's slots weigh on every run
                    slot_forms(action.id, type_id, key)


def slot_forms(action_id: str, type_id: str, key: str) -> None:
    if can_link:
        st.markdown("**Link evidence already in the library**")
        others = [r for r in register if r["evidence_type"] == type_id and action_id not in r["actions"]]
        link_existing_form(haven, principal, others, action_id=action_id, key=f"{key}:link")
    if can_add:
        st.markdown("**Or upload new evidence**")
        upload_form(haven, principal, organisation_id, standard, key=f"{key}:upload", evidence_type=type_id,
                    action_id=action_id)


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
                rating_form(action)
            else:
                rating_as_it_stands(action)
        with evidence:
            for slot in action.slots:
                evidence_slot(action, slot)


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
tabs = st.tabs(labels, key=tabs_key)
for tab, engagement in zip(tabs, engagements, strict=True):
    with tab:
        st.header(f"{engagement.id} {engagement.title}", divider="gray")
        st.caption(layer_words(engagement.scores))
        for action in engagement.actions:
            action_panel(action)
