"""The administrator's organisation panels: the list, renaming or archiving one, and adding one."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from accounts.permissions import Principal
from reports.formatting import long_date
from services.organisations import (
    OrganisationSummary,
    create_organisation,
    rename_organisation,
    set_organisation_archived,
)
from ui.user_admin import Apply
from ui.widgets import markdown_text

ARCHIVED_WORDS = ("Archived: hidden from the organisation switchers and the network's scores. Its ratings, "
                  "evidence and audit entries are all kept.")
ARCHIVING_WORDS = ("Archiving hides the organisation from the organisation switchers and the network's scores; "
                   "nothing is deleted and it can be brought back.")


def organisations_table(organisations: list[OrganisationSummary]) -> None:
    st.table(pd.DataFrame([{
        "Id": o.slug, "Name": markdown_text(o.name), "Members": o.members, "Of whom network-wide": o.network_wide,
        "Added": long_date(o.added_on),
        "State": f"Archived on {long_date(o.archived_on)}" if o.archived_on else "Active",
    } for o in organisations]), hide_index=True)
    st.caption("Members counts the roles in the organisation, including the network-wide ones (a reviewer or "
               "board member of every organisation).")


def organisation_picker(organisations: list[OrganisationSummary]) -> OrganisationSummary:
    by_id = {o.id: o for o in organisations}
    chosen_id = st.selectbox("Organisation", list(by_id), key="organisation_to_change",
                             format_func=lambda i: by_id[i].name + (" (archived)" if by_id[i].archived_on else ""))
    return by_id[chosen_id]


def rename_form(apply: Apply, principal: Principal, chosen: OrganisationSummary) -> None:
    with st.form("rename_organisation"):
        new_name = st.text_input("New name", value=chosen.name, max_chars=200, key=f"organisation_name_{chosen.id}")
        st.caption("The id stays the same: the command line and bundles use it.")
        if st.form_submit_button("Rename", icon=":material/edit:"):
            apply(lambda s: rename_organisation(s, principal, organisation_id=chosen.id, name=new_name),
                  f"{markdown_text(chosen.name)} is now called {markdown_text(new_name)}.")


def archive_panel(apply: Apply, principal: Principal, chosen: OrganisationSummary) -> None:
    """Archives an active organisation, or brings an archived one back."""
    archived = chosen.archived_on is not None
    st.write(ARCHIVED_WORDS if archived else ARCHIVING_WORDS)
    label, icon, done = (("Bring back", ":material/unarchive:", "is active again") if archived
                         else ("Archive", ":material/archive:", "is archived"))
    if st.button(label, icon=icon):
        apply(lambda s: set_organisation_archived(s, principal, organisation_id=chosen.id, archived=not archived),
              f"{markdown_text(chosen.name)} {done}.")


def add_organisation_form(apply: Apply, principal: Principal) -> None:
    st.subheader("Add an organisation")
    with st.form("add_organisation", clear_on_submit=False):
        slug = st.text_input("Id", placeholder="e.g. northside-refuge",
                             help="Lower-case letters, digits and dashes; used on the command line and in bundles.")
        name = st.text_input("Name", placeholder="e.g. Northside Refuge")
        if st.form_submit_button("Add organisation", type="primary"):
            apply(lambda s: create_organisation(s, principal, slug=slug, name=name), f"{markdown_text(name)} is added.")
