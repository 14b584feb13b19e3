"""An action's rating on the Self-assessment page: the form a manager saves, or the rating as it stands."""
from __future__ import annotations

import streamlit as st

from accounts.permissions import Principal
from scoring.report import ActionReport
from services.instance import Haven
from services.ratings import set_rating
from ui.notices import attempt, show_notices
from ui.session import live_session
from vocabulary import Rating


@live_session
def save_rating(haven: Haven, principal: Principal, organisation_id: int, action_id: str, key: str) -> None:
    state = st.session_state
    attempt(haven, lambda session: set_rating(
        session, principal, organisation_id=organisation_id, action_id=action_id, rating=state[f"{key}:rating"],
        justification=state.get(f"{key}:justification") or "", owner=state.get(f"{key}:owner") or ""),
        done=f"The rating of {action_id} is saved.", where=key, in_callback=True)


def rating_form(haven: Haven, principal: Principal, organisation_id: int, action: ActionReport, saved: dict) -> None:
    """`saved` is the action's stored rating (services.ratings.ratings_of_organisation), empty when none."""
    key = f"rating:{organisation_id}:{action.id}"
    with st.form(key=f"{key}:form", border=False):
        st.selectbox("Rating", list(Rating), index=list(Rating).index(saved.get("rating", Rating.NOT_ASSESSED)),
                     format_func=Rating.label_of, key=f"{key}:rating")
        st.text_area("Justification", value=saved.get("justification", ""), key=f"{key}:justification",
                     max_chars=4000, height=120, help="Required when the action is not applicable: say why.")
        st.text_input("Owner", value=saved.get("owner", ""), key=f"{key}:owner", max_chars=200)
        st.form_submit_button("Save rating", type="primary", key=f"{key}:save", on_click=save_rating,
                              args=(haven, principal, organisation_id, action.id, key))
    show_notices(key)


def rating_as_it_stands(action: ActionReport, saved: dict) -> None:
    st.markdown(f"**Rating:** {action.rating.label}")
    if saved.get("justification"):
        st.caption("Justification")
        st.text(saved["justification"])
    st.caption("Owner")
    st.text(saved.get("owner") or "No owner named")
