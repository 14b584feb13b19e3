"""The administrator's user panels: the list of accounts, one user's roles and account, and a new user."""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st
from sqlmodel import Session

from accounts.passwords import MIN_PASSWORD_LENGTH
from accounts.permissions import ROLES, Principal
from services.organisations import OrganisationSummary
from services.users import (
    UserRow,
    create_user,
    remove_membership,
    reset_password,
    set_membership,
    set_user_active,
    set_user_admin,
    unlock_user,
)
from ui.oidc import oidc_configured
from ui.widgets import markdown_text

NO_ROLE = ""
ROLE_WORDS = {"manager": "Manager", "reviewer": "Reviewer", "board": "Board", NO_ROLE: "No role yet"}

# Runs one service call in its own transaction: shows its refusal, or reruns with the text as the notice.
Apply = Callable[[Callable[[Session], object], str], None]


def memberships_text(user: UserRow) -> str:
    return "; ".join(f"{m.organisation_name}: {ROLE_WORDS[m.role]}" for m in user.memberships) or "—"


def users_table(users: list[UserRow]) -> None:
    st.dataframe(
        pd.DataFrame([{
            "User name": u.username, "Display name": u.display_name, "E-mail": u.email, "Admin": u.admin,
            "Active": u.active, "Locked": u.locked, "Password": u.password, "Roles": memberships_text(u),
        } for u in users]),
        hide_index=True, width="stretch",
        column_config={"Password": st.column_config.CheckboxColumn(
            help="Has a Haven password (else only single sign-on)")},
    )


def user_picker(users: list[UserRow]) -> UserRow:
    by_id = {u.id: u for u in users}
    return by_id[st.selectbox("User", list(by_id), key="chosen_user", format_func=lambda i: by_id[i].label)]


def roles_panel(apply: Apply, principal: Principal, chosen: UserRow, organisation_names: dict[int, str]) -> None:
    """The user's roles, a form to give one (per organisation, or 0 for every organisation) and to remove one."""
    st.markdown("**Roles**")
    if chosen.memberships:
        st.dataframe(pd.DataFrame([{"Organisation": m.organisation_name, "Role": ROLE_WORDS[m.role]}
                                   for m in chosen.memberships]), hide_index=True, width="stretch")
    else:
        st.caption("No role yet: this user sees no organisation.")
    with st.form("give_role"):
        organisation_id = st.selectbox("Organisation", list(organisation_names), format_func=organisation_names.get,
                                       key="role_organisation")
        role = st.selectbox("Role", ROLES, format_func=ROLE_WORDS.get, key="role_to_give")
        st.caption("A user has one role per organisation: giving another role there replaces the first.")
        if st.form_submit_button("Give this role"):
            apply(lambda s: set_membership(s, principal, user_id=chosen.id, role=role,
                                           organisation_id=organisation_id or None),
                  f"{chosen.username} is now {ROLE_WORDS[role].lower()} in "
                  f"{markdown_text(organisation_names[organisation_id])}.")
    if chosen.memberships:
        memberships = {m.id: m for m in chosen.memberships}
        removed = st.selectbox("Remove a role", list(memberships), key="removed_role",
                               format_func=lambda i: f"{ROLE_WORDS[memberships[i].role]} in "
                                                     f"{memberships[i].organisation_name}")
        if st.button("Remove this role", icon=":material/person_remove:"):
            apply(lambda s: remove_membership(s, principal, membership_id=removed),
                  f"{chosen.username} no longer has that role.")


def account_panel(apply: Apply, principal: Principal, chosen: UserRow) -> None:
    """Whether the account can sign in, and the buttons that change that, its rights and its password."""
    myself = chosen.id == principal.user_id
    st.markdown("**Account**")
    if not chosen.active:
        st.warning("Deactivated: this user cannot sign in.")
    elif chosen.locked:
        st.warning(f"Locked after too many failed sign-ins, until {chosen.locked_until:%H:%M} UTC.")
        if st.button("Unlock now", icon=":material/lock_open:"):
            apply(lambda s: unlock_user(s, principal, user_id=chosen.id), f"{chosen.username} is unlocked.")
    else:
        st.success("Active: this user can sign in.")

    if chosen.active:
        if st.button("Deactivate", icon=":material/block:", disabled=myself,
                     help="You cannot deactivate your own account." if myself else "Stops every sign-in at once."):
            apply(lambda s: set_user_active(s, principal, user_id=chosen.id, active=False),
                  f"{chosen.username} is deactivated.")
    elif st.button("Reactivate", icon=":material/check_circle:"):
        apply(lambda s: set_user_active(s, principal, user_id=chosen.id, active=True),
              f"{chosen.username} is active again.")

    if chosen.admin:
        if st.button("Remove administrator rights", disabled=myself,
                     help="Another administrator must do this." if myself else None):
            apply(lambda s: set_user_admin(s, principal, user_id=chosen.id, admin=False),
                  f"{chosen.username} is no longer an administrator.")
    elif st.button("Make administrator", icon=":material/admin_panel_settings:"):
        apply(lambda s: set_user_admin(s, principal, user_id=chosen.id, admin=True),
              f"{chosen.username} is now an administrator.")
    password_form(apply, principal, chosen)


def password_form(apply: Apply, principal: Principal, chosen: UserRow) -> None:
    with st.form("reset_password", clear_on_submit=True):
        new_password = st.text_input(f"New password (at least {MIN_PASSWORD_LENGTH} characters)", type="password")
        repeated = st.text_input("Repeat the new password", type="password")
        if st.form_submit_button("Set the new password"):
            if new_password != repeated:
                st.error("The two passwords differ.")
            else:
                apply(lambda s: reset_password(s, principal, user_id=chosen.id, password=new_password),
                      f"{chosen.username} has a new password. Tell them in person or by phone, not by e-mail.")


def add_user_form(apply: Apply, principal: Principal, organisations: list[OrganisationSummary],
                  organisation_names: dict[int, str]) -> None:
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
            if not single_sign_on_only and password != repeated:
                st.error("The two passwords differ.")
            elif single_sign_on_only and not email.strip():
                st.error("A user without a password needs the e-mail address their organisation account uses.")
            else:
                apply(lambda s: create_user(s, principal, username=username, display_name=display_name, email=email,
                                            password=None if single_sign_on_only else password, role=role or None,
                                            organisation_id=organisation_id if role else None, is_admin=is_admin),
                      f"{username.strip()} is added.")
