"""Users and organisations: who may sign in, their roles per organisation, and the organisations themselves."""
import streamlit as st

from services.organisations import organisation_summaries
from services.users import list_users
from ui.database import get_haven
from ui.notices import attempt, show_notices
from ui.organisation import require_permission
from ui.organisation_admin import (
    add_organisation_form,
    archive_panel,
    organisation_picker,
    organisations_table,
    rename_form,
)
from ui.user_admin import account_panel, add_user_form, roles_panel, user_picker, users_table

EVERY_ORGANISATION = 0  # the organisation choice that stands for "every organisation" (a membership without one)

haven = get_haven()
principal, _ = require_permission("manage_users")


def apply(change, done: str) -> None:
    """Runs one service call in its own transaction; shows its refusal, or reruns with `done` as the notice."""
    if attempt(haven, change, done=done):
        st.rerun()


with haven.session() as session:
    users = list_users(session, principal)
    all_organisations = organisation_summaries(session, principal)
organisations = [o for o in all_organisations if o.archived_on is None]
organisation_names = {**{o.id: o.name for o in organisations}, EVERY_ORGANISATION: "Every organisation"}

st.title("Users and organisations")
show_notices()
users_tab, add_tab, organisations_tab = st.tabs(["Users", "Add a user", "Organisations"])

with users_tab:
    users_table(users)
    st.subheader("Change a user")
    chosen = user_picker(users)
    roles_column, account_column = st.columns(2, gap="large")
    with roles_column:
        roles_panel(apply, principal, chosen, organisation_names)
    with account_column:
        account_panel(apply, principal, chosen)

with add_tab:
    add_user_form(apply, principal, organisations, organisation_names)

with organisations_tab:
    if all_organisations:
        organisations_table(all_organisations)
        st.subheader("Rename or archive an organisation")
        chosen_organisation = organisation_picker(all_organisations)
        rename_column, archive_column = st.columns(2, gap="large")
        with rename_column:
            rename_form(apply, principal, chosen_organisation)
        with archive_column:
            archive_panel(apply, principal, chosen_organisation)
    else:
        st.info("There is no organisation yet.")
    add_organisation_form(apply, principal)
