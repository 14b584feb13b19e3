"""Sign-in with an identity provider (Streamlit's st.login), offered when secrets carry an [auth] section."""
from __future__ import annotations

import streamlit as st


def oidc_configured() -> bool:
    """True when Streamlit secrets carry an [auth] section for st.login."""
    try:
        return st.secrets.load_if_toml_exists() and "auth" in st.secrets
    except Exception:
        return False


def oidc_signed_in() -> bool:
    """True when the browser brought an identity from the OIDC provider (st.user)."""
    return oidc_configured() and bool(st.user.get("is_logged_in"))
