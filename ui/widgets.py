"""Small display pieces shared by pages. User text is always shown as text, never as HTML."""
from __future__ import annotations

import re

import streamlit as st

from vocabulary import Readiness, SlotState

ACTION_PARAMETER = "action"  # ?action=3.2.1 opens the self-assessment on that action's engagement
# Streamlit's tables wrap a cell's text only when a row is taller than 4rem (64 px); below that they clip it.
WRAPPING_ROW_HEIGHT = 70

READINESS_BADGES = {
    Readiness.READY: ("green", ":material/verified:"),
    Readiness.APPROACHING: ("orange", ":material/trending_up:"),
    Readiness.NOT_READY: ("red", ":material/error:"),
}
SLOT_STATE_BADGES = {
    SlotState.VERIFIED: "green",
    SlotState.PENDING: "blue",
    SlotState.EXPIRED: "orange",
    SlotState.REJECTED: "red",
    SlotState.MISSING: "red",
}


def readiness_badge(readiness: str, reason: str) -> None:
    colour, icon = READINESS_BADGES[readiness]
    st.badge(Readiness.label_of(readiness), icon=icon, color=colour)
    st.write(reason)


def slot_state_badge(state: str, expiring_soon: bool = False) -> None:
    st.badge(SlotState.label_of(state), color=SLOT_STATE_BADGES[state])
    if expiring_soon:
        st.badge("Expiring soon", color="orange", icon=":material/schedule:")


_MARKDOWN_SPECIALS = set("\\`*_[](){}<>#!|~$:=^&")
# GitHub-flavoured Markdown links a web address written in plain text, escapes or not (the address is found in the
# text once the escapes are read), and an e-mail address as a mailto: link: a word joiner (U+2060, not drawn) after
# "http(s):", "www" and an "@" followed by a name keeps each one text.
_WEB_ADDRESS_STARTS = re.compile(r"(?i)(?<=https:)(?=//)|(?<=http:)(?=//)|(?<=www)(?=\.)|(?<=@)(?=[a-z0-9])")
WORD_JOINER = "\u2060"


def markdown_text(text: str) -> str:
    """`text` escaped for the places Streamlit reads as Markdown (labels, captions, alerts): shown as typed, a web
    or e-mail address in it too (as text, not a link another person's text put on the screen)."""
    flat = _WEB_ADDRESS_STARTS.sub(WORD_JOINER, " ".join(str(text).split()))
    escaped = "".join(f"\\{character}" if character in _MARKDOWN_SPECIALS else character for character in flat)
    marker = re.match(r"^(\d+)([.)])|^([-+])", escaped)
    if marker:  # "1. Policy" or "- Plan" would start a list
        cut = marker.end() - 1
        escaped = f"{escaped[:cut]}\\{escaped[cut:]}"
    return escaped
