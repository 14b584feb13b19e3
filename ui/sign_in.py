"""The sign-in screen; on a new instance, the first administrator is created here instead.

A function page rather than a file under pages/, so that signing in leads straight on to the
user's first page."""
import streamlit as st

from accounts.passwords import WeakPassword
from accounts.permissions import Principal
from services.errors import ServiceError
from services.users import count_users, create_user, principal_for, sign_in, sign_in_by_email
from ui.context import get_haven, oidc_configured, show_notice, sign_in_as


def sign_in_screen() -> None:
    haven = get_haven()
    with haven.session() as session:
        first_run = count_users(session) == 0

    st.title("Haven")
    st.caption("Self-assessment for victim-support services preparing for accreditation.")
    show_notice()

    if first_run:
        st.subheader("Create the first administrator")
        st.write("This Haven has no accounts yet. The first account administers users and organisations.")
        with st.form("first_admin"):
            username = st.text_input("User name")
            email = st.text_input("E-mail (optional)")
            password = st.text_input("Password (at least 12 characters)", type="password")
            repeated = st.text_input("Repeat the password", type="password")
            if st.form_submit_button("Create administrator", type="primary"):
                if password != repeated:
                    st.error("The two passwords differ.")
                else:
                    try:
                        with haven.session() as session:
                            user = create_user(session, Principal.system("first-run"), username=username, password=password,
                                               is_admin=True, email=email or None)
                            sign_in_as(principal_for(session, user))
                        st.rerun()
                    except (ServiceError, WeakPassword) as error:
                        st.error(str(error))
    else:
        with st.form("sign_in"):
            username = st.text_input("User name")
            password = st.text_input("Password", type="password")
            submitted = st.form_submit_button("Sign in", type="primary")
        if submitted:
            with haven.session() as session:
                result = sign_in(session, username=username, password=password)
            if result.principal:
                sign_in_as(result.principal)
                st.rerun()
            st.error(result.message)
        if oidc_configured():
            st.divider()
            if not st.user.is_logged_in:
                st.button("Log in with your organisation's account", on_click=st.login)
            else:
                with haven.session() as session:
                    result = sign_in_by_email(session, email=st.user.get("email") or "")
                if result.principal:
                    sign_in_as(result.principal)
                    st.rerun()
                st.error(result.message)
