"""Haven: self-assessment against victim-support quality standards.

Entry point: settings, the sign-in gate and the navigation built from the user's roles.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from services.snapshots import refresh_daily_snapshot
from ui.database import DATABASE_ERRORS, get_haven, stop_for_database_error
from ui.navigation import pages_for
from ui.organisation import current_organisation, organisation_switcher
from ui.session import current_principal, enforce_idle_timeout, refresh_principal, sign_out
from ui.sign_in import sign_in_screen

# The icon ships with Haven: a Material icon here would make every page fetch it from an outside font server.
PAGE_ICON = Path(__file__).parent / "ui" / "assets" / "haven-icon.png"
st.set_page_config(page_title="Haven", page_icon=str(PAGE_ICON), layout="wide")

try:
    haven = get_haven()
    enforce_idle_timeout(haven.settings.idle_timeout_minutes)
    refresh_principal()
    principal = current_principal()

    if principal is None:
        navigation = st.navigation([st.Page(sign_in_screen, title="Sign in", icon=":material/login:", default=True)],
                                   position="hidden")
    else:
        organisation = current_organisation()
        entries = pages_for(principal, organisation.id if organisation else None)
        sections: dict[str, list] = {}
        for index, entry in enumerate(entries):
            sections.setdefault(entry.section, []).append(
                st.Page(entry.path, title=entry.title, icon=entry.icon, default=index == 0))
        if not sections:
            sections["Haven"] = [st.Page("views/no_access.py", title="No access", icon=":material/block:",
                                         default=True)]
        navigation = st.navigation(sections)
        with st.sidebar:
            organisation_switcher()
            st.caption(f"Signed in as **{principal.username}**")
            if st.button("Sign out", icon=":material/logout:"):
                sign_out("You have signed out.")
                st.rerun()

    navigation.run()

    if principal is not None and organisation:
        refresh_daily_snapshot(haven, principal, organisation_id=organisation.id)  # cheap unless something changed
except DATABASE_ERRORS as error:
    stop_for_database_error(error)
