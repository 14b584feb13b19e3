"""Users and organisations: who may sign in, their roles per organisation, and the organisations themselves."""
import pandas as pd
import streamlit as st

from accounts.passwords import MIN_PASSWORD_LENGTH
from accounts.permissions import ROLES
from reports.formatting import long_date
from services.organisations import (
    create_organisation,
    organisation_summaries,
    rename_organisation,
    set_organisation_archived,
)
from services.users import (
    create_user,
    list_users,
    remove_membership,
    reset_password,
    set_membership,
    set_user_active,
    set_user_admin,
    unlock_user,
)
from ui.database import get_haven
from ui.notices import attempt, show_notices
from ui.oidc import oidc_configured
from ui.organisation import require_permission
from ui.widgets import markdown_text

EVERY_ORGANISATION = 0  # the organisation choice that stands for "every organisation" (a membership without one)
NO_ROLE = ""
ROLE_WORDS = {"manager": "Manager", "reviewer": "Reviewer", "board": "Board", NO_ROLE: "No role yet"}

haven = get_haven()
principal, _ = require_permission("manage_users")


def apply(change, done: str) -> None:
    """Runs one service call in its own transaction; shows its refusal, or reruns with `done` as the notice."""
    if attempt(haven, change, done=done):
        st.rerun()


def user_label(user: dict) -> str:
    name = user["username"] if user["display_name"] in ("", user["username"]) else \
        f"{user['username']} ({user['display_name']})"
    return name if user["active"] else f"{name}, deactivated"


def memberships_text(user: dict) -> str:
    return "; ".join(f"{m['organisation_name']}: {ROLE_WORDS[m['role']]}" for m in user["memberships"]) or "—"


with haven.session() as session:
    users = list_users(session, principal)
    all_organisations = organisation_summaries(session, principal)
organisations = [o for o in all_organisations if o.archived_on is None]
organisation_names = {**{o.id: o.name for o in organisations}, EVERY_ORGANISATION: "Every organisation"}

st.title("Users and organisations")
show_notices()
users_tab, add_tab, organisations_tab = st.tabs(["Users", "Add a user", "Organisations"])

with users_tab:
    st.dataframe(
        pd.DataFrame([{
            "User name": u["username"], "Display name": u["display_name"], "E-mail": u["email"],
            "Admin": u["admin"], "Active": u["active"], "Locked": u["locked"],
            "Password": u["password"], "Roles": memberships_text(u),
        } for u in users]),
        hide_index=True, width="stretch",
        column_config={"Password": st.column_config.CheckboxColumn(
            help="Has a Haven password (else only single sign-on)")},
    )

    st.subheader("Change a user")
    by_id = {u["id"]: u for u in users}
    chosen = by_id[st.selectbox("User", list(by_id), key="chosen_user", format_func=lambda i: user_label(by_id[i]))]
    myself = chosen["id"] == principal.user_id
    roles_column, account_column = st.columns(2, gap="large")

    with roles_column:
        st.markdown("**Roles**")
        if chosen["memberships"]:
            st.dataframe(pd.DataFrame([{"Organisation": m["organisation_name"], "Role": ROLE_WORDS[m["role"]]}
                                       for m in chosen["memberships"]]), hide_index=True, width="stretch")
        else:
            st.caption("No role yet: this user sees no organisation.")
        with st.form("give_role"):
            organisation_id = st.selectbox("Organisation", list(organisation_names), format_func=organisation_names.get,
                                           key="role_organisation")
            role = st.selectbox("Role", ROLES, format_func=ROLE_WORDS.get, key="role_to_give")
            st.caption("A user has one role per organisation: giving another role there replaces the first.")
            if st.form_submit_button("Give this role"):
                apply(lambda s: set_membership(s, principal, user_id=chosen["id"], role=role,
                                               organisation_id=organisation_id or None),
                      f"{chosen['username']} is now {ROLE_WORDS[role].lower()} in "
                      f"{organisation_names[organisation_id]}.")
        if chosen["memberships"]:
            memberships = {m["id"]: m for m in chosen["memberships"]}
            removed = st.selectbox("Remove a role", list(memberships), key="removed_role",
                                   format_func=lambda i: f"{ROLE_WORDS[memberships[i]['role']]} in "
                                                         f"{memberships[i]['organisation_name']}")
            if st.button("Remove this role", icon=":material/person_remove:"):
                apply(lambda s: remove_membership(s, principal, membership_id=removed),
                      f"{chosen['username']} no longer has that role.")

    with account_column:
        st.markdown("**Account**")
        if not chosen["active"]:
            st.warning("Deactivated: this user cannot sign in.")
        elif chosen["locked"]:
            st.warning(f"Locked after too many failed sign-ins, until {chosen['locked_until']:%H:%M} UTC.")
            if st.button("Unlock now", icon=":material/lock_open:"):
                apply(lambda s: unlock_user(s, principal, user_id=chosen["id"]), f"{chosen['username']} is unlocked.")
        else:
            st.success("Active: this user can sign in.")

        if chosen["active"]:
            if st.button("Deactivate", icon=":material/block:", disabled=myself,
                         help="You cannot deactivate your own account." if myself else "Stops every sign-in at once."):
                apply(lambda s: set_user_active(s, principal, user_id=chosen["id"], active=False),
                      f"{chosen['username']} is deactivated.")
        elif st.button("Reactivate", icon=":material/check_circle:"):
            apply(lambda s: set_user_active(s, principal, user_id=chosen["id"], active=True),
                  f"{chosen['username']} is active again.")

        if chosen["admin"]:
            if st.button("Remove administrator rights", disabled=myself,
                         help="Another administrator must do this." if myself else None):
                apply(lambda s: set_user_admin(s, principal, user_id=chosen["id"], admin=False),
                      f"{chosen['username']} is no longer an administrator.")
        elif st.button("Make administrator", icon=":material/admin_panel_settings:"):
            apply(lambda s: set_user_admin(s, principal, user_id=chosen["id"], admin=True),
                  f"{chosen['username']} is now an administrator.")

        with st.form("reset_password", clear_on_submit=True):
            new_password = st.text_input(f"New password (at least {MIN_PASSWORD_LENGTH} characters)", type="password")
            repeated = st.text_input("Repeat the new password", type="password")
            if st.form_submit_button("Set the new password"):
                if new_password != repeated:
                    st.error("The two passwords differ.")
                else:
                    apply(lambda s: reset_password(s, principal, user_id=chosen["id"], password=new_password),
                          f"{chosen['username']} has a new password. Tell them in person or by phone, not by e-mail.")

with add_tab:
    with st.form("add_user"):
        name_column, display_column = st.columns(2)
        username = name_column.text_input("User name", help="2 to 80 letters, digits, dots, dashes, @ or underscores.")
        display_name = display_column.text_input("Display name")
        email = st.text_input("E-mail",
                              help="Optional; needed to log in with an organisation account (single sign-on).")
        password_column, repeat_column = st.columns(2)
        password = password_column.text_input(f"Password (at least {MIN_PASSWORD_LENGTH} characters)", type="password")
        repeated = repeat_column.text_input("Repeat the password", type="password")
        single_sign_on_only = oidc_configured() and st.checkbox(
            "No password: this user logs in with their organisation account only")
        role_column, organisation_column = st.columns(2)
        role = role_column.selectbox("Role", [*ROLES, NO_ROLE], format_func=ROLE_WORDS.get, key="new_user_role")
        organisation_id = organisation_column.selectbox("In", list(organisation_names),
                                                        format_func=organisation_names.get,
                                                        help="Every organisation suits a network reviewer or board.",
                                                        key="new_user_organisation")
        is_admin = st.checkbox("Administrator (users, organisations, audit log)")
        if st.form_submit_button("Add user", type="primary"):
            slug = next((o.slug for o in organisations if o.id == organisation_id), None)
            if not single_sign_on_only and password != repeated:
                st.error("The two passwords differ.")
            elif single_sign_on_only and not email.strip():
                st.error("A user without a password needs the e-mail address their organisation account uses.")
            else:
                apply(lambda s: create_user(s, principal, username=username, display_name=display_name, email=email,
                                            password=None if single_sign_on_only else password, role=role or None,
                                            organisation_slug=slug if role else None, is_admin=is_admin),
                      f"{username.strip()} is added.")

with organisations_tab:
    if all_organisations:
        st.table(pd.DataFrame([{
            "Id": o.slug, "Name": markdown_text(o.name), "Members": o.members,
            "Of whom network-wide": o.network_wide,
            "Added": long_date(o.added_on),
            "State": f"Archived on {long_date(o.archived_on)}" if o.archived_on else "Active",
        } for o in all_organisations]), hide_index=True)
        st.caption("Members counts the roles in the organisation, including the network-wide ones (a reviewer or "
                   "board member of every organisation).")

        st.subheader("Rename or archive an organisation")
        by_organisation = {o.id: o for o in all_organisations}
        chosen_id = st.selectbox("Organisation", list(by_organisation), key="organisation_to_change",
                                 format_func=lambda i: by_organisation[i].name + (
                                     " (archived)" if by_organisation[i].archived_on else ""))
        chosen_organisation = by_organisation[chosen_id]
        rename_column, archive_column = st.columns(2, gap="large")
        with rename_column, st.form("rename_organisation"):
            new_name = st.text_input("New name", value=chosen_organisation.name, max_chars=200,
                                     key=f"organisation_name_{chosen_id}")
            st.caption("The id stays the same: the command line and bundles use it.")
            if st.form_submit_button("Rename", icon=":material/edit:"):
                apply(lambda s: rename_organisation(s, principal, organisation_id=chosen_id, name=new_name),
                      f"{chosen_organisation.name} is now called {' '.join(new_name.split())}.")
        with archive_column:
            if chosen_organisation.archived_on:
                st.write("Archived: hidden from the organisation switchers and the network's scores. Its ratings, "
                         "evidence and audit entries are all kept.")
                if st.button("Bring back", icon=":material/unarchive:"):
                    apply(lambda s: set_organisation_archived(s, principal, organisation_id=chosen_id, archived=False),
                          f"{chosen_organisation.name} is active again.")
            else:
                st.write("Archiving hides the organisation from the organisation switchers and the network's scores; "
                         "nothing is deleted and it can be brought back.")
                if st.button("Archive", icon=":material/archive:"):
                    apply(lambda s: set_organisation_archived(s, principal, organisation_id=chosen_id, archived=True),
                          f"{chosen_organisation.name} is archived.")
    else:
        st.info("There is no organisation yet.")
    st.subheader("Add an organisation")
    with st.form("add_organisation", clear_on_submit=False):
        slug = st.text_input("Id", placeholder="e.g. northside-refuge",
                             help="Lower-case letters, digits and dashes; used on the command line and in bundles.")
        name = st.text_input("Name", placeholder="e.g. Northside Refuge")
        if st.form_submit_button("Add organisation", type="primary"):
            apply(lambda s: create_organisation(s, principal, slug=slug, name=name), f"{name.strip()} is added.")
