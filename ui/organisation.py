"""The organisation a page works on: the choices a user has, the sidebar switcher and how a screen opens."""
from __future__ import annotations

import streamlit as st

from accounts.permissions import Principal
from services.instance import Haven
from services.organisations import OrganisationChoice
from services.organisations import organisation_choices as choices_of
from ui.database import get_haven
from ui.notices import TOAST, show_notices
from ui.session import ORGANISATION_KEY, current_principal


def organisation_choices(haven: Haven, principal: Principal) -> list[OrganisationChoice]:
    with haven.session() as session:
        return choices_of(session, principal)


def current_organisation() -> OrganisationChoice | None:
    """The organisation chosen in the sidebar (the first one the user may see until they choose)."""
    haven, principal = get_haven(), current_principal()
    if principal is None:
        return None
    choices = organisation_choices(haven, principal)
    if not choices:
        return None
    chosen = st.session_state.get(ORGANISATION_KEY)
    for choice in choices:
        if choice.id == chosen:
            return choice
    st.session_state[ORGANISATION_KEY] = choices[0].id
    return choices[0]


def organisation_switcher() -> None:
    haven, principal = get_haven(), current_principal()
    choices = organisation_choices(haven, principal)
    if len(choices) < 2:
        return
    ids = [c.id for c in choices]
    names = {c.id: c.name for c in choices}
    current = current_organisation()
    st.sidebar.selectbox("Organisation", ids, index=ids.index(current.id) if current else 0,
                         format_func=lambda i: names[i], key="organisation_picker",
                         on_change=lambda: st.session_state.__setitem__(ORGANISATION_KEY,
                                                                        st.session_state["organisation_picker"]))


def require_permission(permission: str) -> tuple[Principal, OrganisationChoice | None]:
    """Stops the page unless the signed-in user has `permission` in the current organisation."""
    principal = current_principal()
    if principal is None:
        st.warning("Please sign in.")
        st.stop()
    organisation = current_organisation()
    organisation_id = organisation.id if organisation else None
    if not principal.can(permission, organisation_id):
        st.error("This page is not available to your role.")
        st.stop()
    return principal, organisation


def open_organisation_screen(title: str, permission: str) -> tuple[Haven, Principal, OrganisationChoice]:
    """How every organisation screen starts: the permission check, the title, the notices kept across a
    rerun, and a stop with a word when there is no organisation yet. Returns (haven, principal, organisation)."""
    principal, organisation = require_permission(permission)
    st.title(title)
    show_notices()
    show_notices(TOAST)
    if organisation is None:
        st.info("There is no organisation yet.")
        st.stop()
    return get_haven(), principal, organisation
