"""Keeps a browser signed in across reloads, bookmarks and tabs (services.browser_sessions, serving/).

After a sign-in the page exchanges a one-time hand-off code for an HttpOnly cookie, with one same-origin
request made by a tiny component; after a sign-out it asks the server to drop the cookie. A new tab or a
reload brings the cookie with it (Streamlit reads it from the connection's request), and the signed-in
user is found again from it. Each page run checks that the browser session is still there, so a sign-out
in one tab, or a deactivation, ends the others at their next click.
"""
from __future__ import annotations

import hashlib
import secrets

import streamlit as st

from services import browser_sessions
from services.instance import Haven
from serving.session_routes import BEGIN_PATH, END_PATH

BROWSER_SESSION_KEY = "haven_browser_session"
HANDOFF_KEY = "haven_cookie_handoff"
FORGET_KEY = "haven_cookie_forget"
REFUSED_KEY = "haven_cookie_refused"
STEP_KEY = "haven_cookie_step"

_KEEPER_JS = """
export default function(component) {
    const { data, setTriggerValue } = component;
    if (!data || !data.path) { return; }
    fetch(data.path, {method: "POST", body: data.code || "", credentials: "same-origin", cache: "no-store",
                      headers: {"Content-Type": "text/plain"}})
        .then((answer) => setTriggerValue("done", answer.status))
        .catch(() => setTriggerValue("done", 0));
}
"""
_keeper = st.components.v2.component("haven_cookie_keeper", js=_KEEPER_JS)


def browser_cookie() -> browser_sessions.PresentedCookie | None:
    try:
        cookies = st.context.cookies
    except Exception:  # no browser behind this run
        return None
    return browser_sessions.presented_cookie(cookies)


def begin_for(haven: Haven, principal) -> int:
    """A browser session for a fresh sign-in; the next page run hands its cookie to the browser."""
    session_id, code = browser_sessions.begin(haven, principal)
    st.session_state[HANDOFF_KEY] = code
    st.session_state.pop(FORGET_KEY, None)
    return session_id


def end_for(haven: Haven, session_id: int | None) -> None:
    """Ends this browser's session on the server (every tab) and, when it was still going, has the page drop the
    cookie. (A session ended elsewhere leaves the cookie alone: it may by now be a newer sign-in's.)"""
    st.session_state.pop(HANDOFF_KEY, None)
    if session_id is not None and browser_sessions.end(haven, session_id):
        st.session_state[FORGET_KEY] = secrets.token_hex(4)


def resumable(haven: Haven) -> browser_sessions.Resumed | None:
    """The user the browser's cookie signs in, once per cookie value and tab (a refused one is not tried again)."""
    cookie = browser_cookie()
    if not cookie:
        return None
    fingerprint = hashlib.sha256(cookie.value.encode("utf-8", "replace")).hexdigest()
    if st.session_state.get(REFUSED_KEY) == fingerprint:
        return None
    resumed = browser_sessions.resume(haven, cookie.value, secure_name=cookie.secure_name)
    if resumed is None:
        st.session_state[REFUSED_KEY] = fingerprint
    return resumed


def _settled() -> None:
    step = st.session_state.pop(STEP_KEY, None)
    st.session_state.pop(HANDOFF_KEY if step == "begin" else FORGET_KEY, None)


def cookie_keeper() -> None:
    """Draws nothing; sends the pending cookie request (set after a sign-in, clear after a sign-out), if any."""
    if HANDOFF_KEY in st.session_state:
        code = st.session_state[HANDOFF_KEY]
        step, data, nonce = "begin", {"path": BEGIN_PATH, "code": code}, hashlib.sha256(code.encode()).hexdigest()[:8]
    elif st.session_state.get(FORGET_KEY):
        step, data, nonce = "end", {"path": END_PATH}, st.session_state[FORGET_KEY]
    else:
        return
    st.session_state[STEP_KEY] = step
    _keeper(data=data, key=f"haven_cookie_keeper_{step}_{nonce}", on_done_change=_settled, height=0)
