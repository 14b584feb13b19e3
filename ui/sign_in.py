"""The sign-in screen; on a new instance, the first administrator is created here instead.

A function page rather than a file under views/, so that signing in leads straight on to the
user's first page."""
import streamlit as st

from accounts.passwords import MIN_PASSWORD_LENGTH
from services.errors import ServiceError
from services.sign_in import sign_in
from services.users import BrowserRequest, count_users, create_first_admin, first_admin_elsewhere, sign_in_by_email
from ui.database import get_haven
from ui.notices import show_notices
from ui.oidc import oidc_configured, oidc_signed_in
from ui.session import client_address, sign_in_as

OIDC_REFUSAL_KEY = "haven_oidc_refusal"


def sign_in_screen() -> None:
    haven = get_haven()
    with haven.session() as session:
        first_run = count_users(session) == 0

    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title(":material/shield: Haven")
        st.caption("Self-assessment for victim-support services preparing for accreditation.")
        show_notices(keep=True)
        if first_run:
            first_administrator_form(haven)
        else:
            password_form(haven)
            if oidc_configured():
                single_sign_on(haven)


def first_administrator_form(haven) -> None:
    st.subheader("Create the first administrator")
    st.write("This Haven has no accounts yet. The first account administers users, organisations and the audit log; "
             "it adds everyone else on the Users and organisations page.")
    browser = browser_request()
    if browser is not None and not browser.on_this_machine:
        st.info(first_admin_elsewhere(st.get_option("server.port")), icon=":material/lock:")
        return
    with st.form("first_admin"):
        username = st.text_input("User name", help="2 to 80 letters, digits, dots, dashes, @ or underscores.")
        email = st.text_input("E-mail (optional)", help="Needed only to log in with an organisation account (OIDC).")
        password = st.text_input(f"Password (at least {MIN_PASSWORD_LENGTH} characters)", type="password")
        repeated = st.text_input("Repeat the password", type="password")
        submitted = st.form_submit_button("Create administrator", type="primary")
    if not submitted:
        return
    if password != repeated:
        st.error("The two passwords differ.")
        return
    try:
        with haven.session() as session:
            principal = create_first_admin(session, username=username, password=password, email=email or None,
                                           browser=browser, port=st.get_option("server.port"))
    except ServiceError as error:
        st.error(str(error))
        return
    sign_in_as(principal)
    st.rerun()


LOOPBACK_PEER = "127.0.0.1"


def browser_request() -> BrowserRequest | None:
    """Where the browser's request came from; None when no browser is behind this run (a test's AppTest)."""
    try:
        headers = st.context.headers
        peer = st.context.ip_address
    except Exception:
        return None
    if not headers:
        return None
    # Streamlit gives the address of the browser's connection, and None for a connection from 127.0.0.1 or ::1
    return BrowserRequest.from_headers(headers, peer=LOOPBACK_PEER if peer is None else peer)


def password_form(haven) -> None:
    with st.form("sign_in"):
        username = st.text_input("User name", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    result = sign_in(haven, username=username, password=password, client=client_address())
    if result.principal is None:
        st.error(result.message)
        return
    sign_in_as(result.principal)
    st.rerun()


def single_sign_on(haven) -> None:
    """OIDC via st.login; the provider's e-mail address picks the Haven account."""
    st.divider()
    if not oidc_signed_in():
        st.session_state.pop(OIDC_REFUSAL_KEY, None)
        st.button("Log in with your organisation's account", icon=":material/key:", on_click=st.login)
        return
    email = str(st.user.get("email") or "")
    refusal = st.session_state.get(OIDC_REFUSAL_KEY)
    if refusal is None or refusal[0] != email:
        with haven.session() as session:
            result = sign_in_by_email(session, email=email, email_verified=st.user.get("email_verified"))
        if result.principal is not None:
            sign_in_as(result.principal)
            st.rerun()
        refusal = (email, result.message)
        st.session_state[OIDC_REFUSAL_KEY] = refusal  # one audit entry per refusal, not one per rerun
    st.error(refusal[1])
    st.button("Log in with another account", icon=":material/switch_account:", on_click=st.logout)
