"""Who is signed in: the Principal in server-side session state, the idle limit and account changes.

Only plain data lives in st.session_state: the Principal (a frozen dataclass of ids and roles),
the organisation id and the time of the last activity.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import streamlit as st

from accounts.permissions import Principal
from services import browser_sessions
from services.file_access import Reader, SessionClock
from services.users import refreshed_principal
from ui import browser_session
from ui.database import DATABASE_ERRORS, DATABASE_UNAVAILABLE_CHANGE, get_haven, log_database_error
from ui.notices import Notice, forget_notices, tell
from ui.oidc import oidc_signed_in

PRINCIPAL_KEY = "haven_principal"
ORGANISATION_KEY = "haven_organisation_id"
LAST_SEEN_KEY = "haven_last_seen"
CLOCK_KEY = "haven_session_clock"


def now() -> datetime:
    return datetime.now(UTC)


def current_principal() -> Principal | None:
    return st.session_state.get(PRINCIPAL_KEY)


def sign_in_as(principal: Principal, *, browser_session_id: int | None = None) -> None:
    """Signs this tab in; a fresh sign-in (no `browser_session_id`) also keeps the browser signed in for the
    idle limit (ui.browser_session), a resumed one joins the browser's session."""
    forget_notices()  # what the sign-in screen kept showing ("You have signed out.") ends here
    if browser_session_id is None and not principal.is_system:
        browser_session_id = browser_session.begin_for(get_haven(), principal)
    st.session_state[PRINCIPAL_KEY] = principal
    st.session_state[LAST_SEEN_KEY] = now()
    st.session_state[browser_session.BROWSER_SESSION_KEY] = browser_session_id
    _end_clock()
    st.session_state[CLOCK_KEY] = SessionClock(user_id=principal.user_id, last_seen=st.session_state[LAST_SEEN_KEY],
                                               browser_session_id=browser_session_id)
    st.session_state.pop(ORGANISATION_KEY, None)


def sign_out(notice: str | None = None) -> None:
    """Forgets the user; with OIDC it also drops the identity cookie, which would otherwise sign them in again."""
    _end_clock()
    if current_principal() is not None:
        browser_session.end_for(get_haven(), st.session_state.get(browser_session.BROWSER_SESSION_KEY))
    for key in (PRINCIPAL_KEY, ORGANISATION_KEY, LAST_SEEN_KEY, browser_session.BROWSER_SESSION_KEY):
        st.session_state.pop(key, None)
    if notice:
        tell(notice, Notice.INFO)
    if oidc_signed_in():
        st.logout()


def refresh_principal() -> None:
    """Applies account changes at once: a deactivated user is signed out, changed memberships take effect."""
    principal = current_principal()
    if principal is None:
        return
    with get_haven().session() as session:
        fresh = refreshed_principal(session, principal)
    if fresh is None:
        sign_out("Your account is no longer active. Ask your Haven administrator.")
    elif fresh != principal:
        st.session_state[PRINCIPAL_KEY] = fresh


def _idle_too_long(idle_minutes: int) -> bool:
    """This tab has been idle past the limit, and so has the browser (another tab in use keeps it signed in)."""
    last_seen = st.session_state.get(LAST_SEEN_KEY)
    if last_seen is None or now() - last_seen <= timedelta(minutes=idle_minutes):
        return False
    session_id = st.session_state.get(browser_session.BROWSER_SESSION_KEY)
    return session_id is None or browser_sessions.state(get_haven(), session_id, touch=False) != browser_sessions.ACTIVE


def resume_browser_session() -> None:
    """A new tab, a reload, a bookmark or a calendar link: the browser's cookie signs its user in again."""
    if current_principal() is not None:
        return
    resumed = browser_session.resumable(get_haven())
    if resumed is not None:
        sign_in_as(resumed.principal, browser_session_id=resumed.session_id)


def check_browser_session() -> None:
    """Ends this tab when its browser session was ended elsewhere (a sign-out in another tab, a deactivation, a
    new password) or expired; otherwise the session's expiry moves on with this activity."""
    session_id = st.session_state.get(browser_session.BROWSER_SESSION_KEY)
    if current_principal() is None or session_id is None:
        return
    haven = get_haven()
    state = browser_sessions.state(haven, session_id)
    if state == browser_sessions.ENDED:
        sign_out("You were signed out: in another tab or window, or by your Haven administrator.")
    elif state == browser_sessions.EXPIRED:
        sign_out(f"You were signed out after {haven.settings.idle_timeout_minutes} minutes without activity.")


def enforce_idle_timeout(idle_minutes: int) -> None:
    """Ends a session that has been idle too long; otherwise records this run as activity."""
    if current_principal() is None:
        return
    if _idle_too_long(idle_minutes):
        sign_out(f"You were signed out after {idle_minutes} minutes without activity.")
        return
    st.session_state[LAST_SEEN_KEY] = now()
    _session_clock().touch(st.session_state[LAST_SEEN_KEY])


def _end_clock() -> None:
    """Ends the clock the session's download buttons hold: a download drawn before is refused from now on."""
    clock = st.session_state.pop(CLOCK_KEY, None)
    if clock is not None:
        clock.end()


def _session_clock() -> SessionClock:
    """The signed-in session's clock (made on first use for a session signed in without sign_in_as)."""
    principal = current_principal()
    clock = st.session_state.get(CLOCK_KEY)
    if clock is None or clock.ended or clock.user_id != principal.user_id:
        clock = SessionClock(user_id=principal.user_id, last_seen=st.session_state.get(LAST_SEEN_KEY) or now(),
                             browser_session_id=st.session_state.get(browser_session.BROWSER_SESSION_KEY))
        st.session_state[CLOCK_KEY] = clock
    return clock


def current_reader() -> Reader:
    """The signed-in user as a file read sees them, with the clock that lets a download thread (which runs
    without app.py) find out whether the session has ended or gone idle since the page was drawn."""
    return Reader(principal=current_principal(), clock=_session_clock(),
                  idle_minutes=get_haven().settings.idle_timeout_minutes)


def live_session(callback: Callable) -> Callable:
    """For the callbacks of buttons and forms that change something.

    Streamlit runs a callback before app.py, so before the idle time-out and the account check: a form
    left open past the idle time, or drawn for a user deactivated or given another role since, would
    still save. The wrapped callback first checks the session as app.py does and drops the click when
    it has ended (signing it out) or its user's roles changed; the run that follows shows why. A database
    that went away is told in plain words too, as app.py would (a callback's error would be a traceback).
    """
    @functools.wraps(callback)
    def guarded(*args, **kwargs):
        principal = current_principal()
        if principal is None:
            return None
        try:
            haven = get_haven()
            if _idle_too_long(haven.settings.idle_timeout_minutes):
                sign_out(f"You were signed out after {haven.settings.idle_timeout_minutes} minutes without activity.")
                return None
            with haven.session() as session:
                if refreshed_principal(session, principal) != principal:
                    return None
            return callback(*args, **kwargs)
        except DATABASE_ERRORS as error:
            log_database_error(error)
            tell(DATABASE_UNAVAILABLE_CHANGE, Notice.ERROR)
            return None
    return guarded


def client_address() -> str | None:
    """The address the browser connects from, for slowing password guessers; None on this machine or in tests.

    Streamlit's server takes it from the connection (uvicorn believes X-Forwarded-For only from a proxy on this
    machine); behind another proxy every browser shares its address and the per-address limit counts them
    together."""
    try:
        return st.context.ip_address
    except Exception:
        return None
