"""Small display pieces shared by pages. User text is always shown as text, never as HTML."""
from __future__ import annotations

import streamlit as st

READINESS = {
    "ready": ("Ready", "green", ":material/verified:"),
    "approaching": ("Approaching", "orange", ":material/trending_up:"),
    "not_ready": ("Not ready", "red", ":material/error:"),
}
SLOT_STATES = {
    "verified": ("Verified", "green"),
    "pending": ("Pending review", "blue"),
    "expired": ("Expired", "orange"),
    "rejected": ("Rejected", "red"),
    "missing": ("Missing", "red"),
}


def readiness_badge(readiness: str, reason: str) -> None:
    label, colour, icon = READINESS[readiness]
    st.badge(label, icon=icon, color=colour)
    st.write(reason)


def slot_state_badge(state: str, expiring_soon: bool = False) -> None:
    label, colour = SLOT_STATES[state]
    st.badge(label, color=colour)
    if expiring_soon:
        st.badge("Expiring soon", color="orange", icon=":material/schedule:")
