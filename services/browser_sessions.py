"""Staying signed in across reloads, bookmarks and tabs, for the idle limit and no longer.

What the browser holds is a cookie with a random token (32 bytes from `secrets`) and an HMAC of it under the
instance's secret key: never the user id, never a password. The database keeps only the token's SHA-256, in a
`browser_session` row with the user and an expiry that slides with activity (the idle limit) under an absolute
cap. So:

- a token someone makes up, or changes by one character, fails the HMAC and is refused before any query;
- a copy of the database signs nobody in (it holds hashes, and the HMAC needs the key outside it);
- signing out deletes the row, so every tab and every copy of the cookie stops working at its next request;
  deactivating an account deletes all its rows;
- a row past its expiry is refused and removed.

The cookie is set by an HTTP response (HttpOnly, SameSite=Strict, Secure over HTTPS; see serving/), which
Streamlit's Python cannot send: right after signing in, the page gets a one-time hand-off code (valid two
minutes, kept only as a hash) and exchanges it for the cookie with one same-origin request.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, select

from accounts.permissions import Principal
from services.instance import Haven
from services.users import principal_for
from storage.models import BrowserSession, User, utc_now

COOKIE_NAME = "haven_session"
SECURE_COOKIE_NAME = "__Host-haven_session"  # over HTTPS: the browser refuses it without Secure, or from a subdomain
PURPOSE = "browser session"
HANDOFF_SECONDS = 120
ABSOLUTE_HOURS = 12  # however active, a browser signs in again after this
TOUCH_EVERY_SECONDS = 30  # a page run moves the expiry on at most this often (one write, not one per click)


@dataclass(frozen=True)
class Resumed:
    session_id: int
    principal: Principal


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("ascii")).hexdigest()


def _signature(haven: Haven, token: str, secure: bool = False) -> str:
    """The HMAC of the token; a cookie set over HTTPS (under the `__Host-` name) is signed as such."""
    signed = token + ("\x00https" if secure else "")
    return hmac.new(haven.key(PURPOSE), signed.encode("ascii"), hashlib.sha256).hexdigest()


def cookie_value(haven: Haven, token: str, secure: bool = False) -> str:
    return f"{token}.{_signature(haven, token, secure)}"


def _token_from_cookie(haven: Haven, value: str | None, secure_name: bool | None = None) -> str | None:
    """The token when the cookie carries Haven's signature of it, else None (nothing is looked up).

    `secure_name` says which name the browser sent the value under. A value issued over HTTPS is refused under the
    plain name: a network attacker (any plain-HTTP request to the host) or a sibling subdomain can set a plain
    `haven_session` cookie, never a `__Host-` one, so a signed-in attacker's own cookie tossed into a victim's
    browser under the plain name does not sign the victim in as the attacker. None: the caller does not say.
    """
    if not value or value.count(".") != 1 or len(value) > 200:
        return None
    token, signature = value.split(".")
    try:
        token.encode("ascii")
    except UnicodeEncodeError:
        return None
    allowed = (False, True) if secure_name is None else ((False, True) if secure_name else (False,))
    if any(hmac.compare_digest(signature, _signature(haven, token, secure)) for secure in allowed):
        return token
    return None


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _idle(haven: Haven) -> timedelta:
    return timedelta(minutes=haven.settings.idle_timeout_minutes)


def begin(haven: Haven, principal: Principal, *, now: datetime | None = None) -> tuple[int, str]:
    """A new browser session for a user who just signed in: (its id, the one-time hand-off code for the cookie)."""
    now = now or utc_now()
    code = secrets.token_urlsafe(32)
    with haven.session() as session:
        row = BrowserSession(user_id=principal.user_id, handoff_hash=_digest(code),
                             handoff_until=now + timedelta(seconds=HANDOFF_SECONDS),
                             created_at=now, last_seen_at=now, expires_at=now + _idle(haven))
        session.add(row)
        session.flush()
        return row.id, code


def redeem(haven: Haven, code: str, *, now: datetime | None = None, secure: bool = False) -> str | None:
    """The cookie value for a hand-off code, once: None for an unknown, used or stale code, or an ended session."""
    now = now or utc_now()
    if not code or len(code) > 100:
        return None
    token = secrets.token_urlsafe(32)
    with haven.session() as session:
        taken = session.exec(
            update(BrowserSession)
            .where(BrowserSession.handoff_hash == _digest(code), BrowserSession.handoff_until > now,
                   BrowserSession.expires_at > now)
            .values(handoff_hash=None, handoff_until=None, token_hash=_digest(token))
        ).rowcount
    return cookie_value(haven, token, secure) if taken == 1 else None


@dataclass(frozen=True)
class PresentedCookie:
    """The session cookie a browser sent, and whether it came under the `__Host-` name."""
    value: str
    secure_name: bool


def presented_cookie(cookies: Mapping[str, object]) -> PresentedCookie | None:
    """The cookie to resume from a request's cookies: the `__Host-` one when present, else the plain one."""
    for name, secure_name in ((SECURE_COOKIE_NAME, True), (COOKIE_NAME, False)):
        value = cookies.get(name)
        if isinstance(value, str) and value:
            return PresentedCookie(value, secure_name)
    return None


def resume(haven: Haven, cookie: str | None, *, now: datetime | None = None,
           secure_name: bool | None = None) -> Resumed | None:
    """Who a browser's cookie signs in, or None: forged, altered, signed out, deactivated, expired or too old.

    `secure_name`: whether the value came under the `__Host-` name (False: the plain name; see _token_from_cookie)."""
    now = now or utc_now()
    token = _token_from_cookie(haven, cookie, secure_name)
    if token is None:
        return None
    with haven.session() as session:
        row = session.exec(select(BrowserSession).where(BrowserSession.token_hash == _digest(token))).first()
        if row is None:
            return None
        user = session.get(User, row.user_id)
        if not _alive(row, now) or user is None or not user.active:
            session.delete(row)
            return None
        _slide(row, now, haven)
        session.add(row)
        return Resumed(session_id=row.id, principal=principal_for(session, user))


ACTIVE, ENDED, EXPIRED = "active", "ended", "expired"


def state(haven: Haven, session_id: int, *, now: datetime | None = None, touch: bool = True) -> str:
    """ENDED once the browser session was ended (signed out anywhere, account deactivated, password reset),
    EXPIRED past its expiry (then removed); else ACTIVE, and its expiry moves on (when `touch`)."""
    now = now or utc_now()
    with haven.session() as session:
        row = session.get(BrowserSession, session_id)
        if row is None:
            return ENDED
        if not _alive(row, now):
            session.delete(row)
            return EXPIRED
        if touch and now - _as_utc(row.last_seen_at) >= timedelta(seconds=TOUCH_EVERY_SECONDS):
            _slide(row, now, haven)
            session.add(row)
        return ACTIVE


def exists(session: Session, session_id: int, *, now: datetime | None = None) -> bool:
    """A read-only check inside the caller's transaction, for file reads made by a download thread."""
    row = session.get(BrowserSession, session_id)
    return row is not None and _alive(row, now or utc_now())


def end(haven: Haven, session_id: int) -> bool:
    """Ends a browser session for every tab; False when it had ended already."""
    with haven.session() as session:
        return session.exec(delete(BrowserSession).where(BrowserSession.id == session_id)).rowcount == 1


def end_by_cookie(haven: Haven, cookie: str | None) -> None:
    token = _token_from_cookie(haven, cookie)
    if token is not None:
        with haven.session() as session:
            session.exec(delete(BrowserSession).where(BrowserSession.token_hash == _digest(token)))


def _alive(row: BrowserSession, now: datetime) -> bool:
    return (_as_utc(row.expires_at) > now
            and _as_utc(row.created_at) + timedelta(hours=ABSOLUTE_HOURS) > now)


def _slide(row: BrowserSession, now: datetime, haven: Haven) -> None:
    row.last_seen_at = now
    row.expires_at = min(now + _idle(haven), _as_utc(row.created_at) + timedelta(hours=ABSOLUTE_HOURS))
