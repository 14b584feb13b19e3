"""Signing in with a password, slowed for guessers and silent about which accounts exist.

argon2 is slow on purpose, so it runs between two short transactions and never inside one: a flood of
guesses keeps a core busy but holds no database lock, and every other page goes on reading and writing.

1. The first transaction counts the attempt against the account before the password is checked (so
   guesses sent at once cannot slip past the lock-out) and refuses at once when the account, or the
   client address, is locked.
2. The password is checked outside any transaction; names without an account and accounts without a
   password (single sign-on only) are checked against a dummy hash, so every answer takes as long.
3. The second transaction records the outcome: success clears the count, a failure keeps it and the
   client address's count grows.

Names that belong to no account are counted like accounts (in `sign_in_throttle`, under a keyed hash),
so they lock after as many failures, with the same words: a guesser cannot tell which names exist by
the answers, by their timing or by the lock-out. The audit log never holds a typed name that belongs
to no account (it may be a password typed into the wrong field): only "(unknown account)" and a keyed
hash, which tells repeated attempts on one name apart without revealing it.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from accounts.passwords import password_matches
from services.instance import Haven
from services.users import SignInResult, principal_for
from storage.audit import append_audit
from storage.models import SignInThrottle, User, utc_now

WRONG = "The user name or password is wrong."
UNKNOWN_ACCOUNT = "(unknown account)"
THROTTLE_PURPOSE = "sign-in throttle"
# argon2 checks at once in this process: a flood of guesses queues here instead of taking every core from the pages
_ARGON2_SLOTS = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) // 2))


def locked_message(minutes: int, *, more: bool) -> str:
    return f"Too many failed attempts: this account is locked for {minutes} {'more ' if more else ''}minutes."


def client_locked_message(minutes: int) -> str:
    return (f"Too many failed sign-ins from your network: wait {minutes} minutes and try again, "
            "or ask your Haven administrator.")


@dataclass(frozen=True)
class _Attempt:
    """What the first transaction found: whose hash to check, the attempt's number, or a refusal."""

    user_id: int | None
    username: str
    password_hash: str | None
    active: bool
    failures: int
    locks: bool
    refusal: str | None = None
    refusal_reason: str = "locked"


def keyed_name(haven: Haven, kind: str, value: str) -> str:
    """A keyed hash of a typed name or client address: the same value gives the same key, nothing gives it back."""
    return hmac.new(haven.key(THROTTLE_PURPOSE), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def sign_in(haven: Haven, *, username: str, password: str, client: str | None = None,
            now: datetime | None = None) -> SignInResult:
    """Checks a password; five failures on one name lock it, many from one client address lock that address."""
    now = now or utc_now()
    name = username.strip()
    name_key = keyed_name(haven, "name", name)
    client_key = keyed_name(haven, "client", client) if client else None
    settings = haven.settings
    with haven.session() as session:
        attempt = _count_attempt(session, name=name, name_key=name_key, client_key=client_key, now=now,
                                 failures_to_lock=settings.lockout_failures, lock_minutes=settings.lockout_minutes)
        if attempt.refusal is not None:
            _audit_failure(session, attempt, name_key, client, {"reason": attempt.refusal_reason})
            return SignInResult(None, attempt.refusal)

    with _ARGON2_SLOTS:  # outside any transaction: no database lock is held while argon2 works
        matched = password_matches(attempt.password_hash, password)

    with haven.session() as session:
        if matched and attempt.active and attempt.user_id is not None:
            return _succeed(session, attempt, client)
        return _fail(session, attempt, name_key=name_key, client=client, client_key=client_key, now=now,
                     lock_minutes=settings.lockout_minutes, client_failures_to_lock=settings.client_lockout_failures)


def _count_attempt(session: Session, *, name: str, name_key: str, client_key: str | None, now: datetime,
                   failures_to_lock: int, lock_minutes: int) -> _Attempt:
    if client_key is not None:
        client_row = session.get(SignInThrottle, client_key)
        if client_row is not None and _still_locked(client_row.locked_until, now):
            return _Attempt(None, name, None, False, 0, False,
                            client_locked_message(_minutes_left(client_row.locked_until, now)), "client locked")
    user = session.exec(select(User).where(User.username == name).with_for_update()).first()
    counter = user if user is not None else _throttle_row(session, name_key, now, lock_minutes)
    if _still_locked(counter.locked_until, now):
        refusal = locked_message(_minutes_left(counter.locked_until, now), more=True)
        return _Attempt(getattr(user, "id", None), name, None, False, counter.failed_logins, False, refusal)
    counter.failed_logins += 1
    locks = counter.failed_logins >= failures_to_lock
    if locks:  # provisional: lifted again if this very attempt turns out to be right
        counter.locked_until = now + timedelta(minutes=lock_minutes)
    session.add(counter)
    session.flush()
    if user is None:
        return _Attempt(None, name, None, False, counter.failed_logins, locks)
    return _Attempt(user.id, user.username, user.password_hash, user.active, counter.failed_logins, locks)


def _throttle_row(session: Session, key: str, now: datetime, window_minutes: int) -> SignInThrottle:
    """The counter of a name or client address, made if missing and locked until commit; a quiet one starts over."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.exec(insert(SignInThrottle).values(key=key, failed_logins=0, window_started=now)
                 .on_conflict_do_nothing(index_elements=["key"]))
    row = session.exec(select(SignInThrottle).where(SignInThrottle.key == key).with_for_update()
                       .execution_options(populate_existing=True)).one()
    quiet_since = _as_utc(row.window_started) + timedelta(minutes=window_minutes)
    if not _still_locked(row.locked_until, now) and quiet_since < now:
        row.failed_logins, row.window_started, row.locked_until = 0, now, None
    return row


def _succeed(session: Session, attempt: _Attempt, client: str | None) -> SignInResult:
    user = session.exec(select(User).where(User.id == attempt.user_id).with_for_update()).one()
    user.failed_logins, user.locked_until = 0, None
    session.add(user)
    append_audit(session, actor=user.username, action="login.success", detail=_with_client({}, client))
    return SignInResult(principal_for(session, user), "Signed in.")


def _fail(session: Session, attempt: _Attempt, *, name_key: str, client: str | None, client_key: str | None,
          now: datetime, lock_minutes: int, client_failures_to_lock: int) -> SignInResult:
    if attempt.user_id is None:
        reason = "unknown user"
    elif not attempt.active:
        reason = "deactivated account"
    elif attempt.password_hash is None:
        reason = "no password (single sign-on only)"
    else:
        reason = "wrong password"
    detail: dict = {"reason": reason, "failures": attempt.failures}
    if attempt.locks:
        counter = (session.exec(select(User).where(User.id == attempt.user_id).with_for_update()).one()
                   if attempt.user_id is not None else session.get(SignInThrottle, name_key))
        counter.failed_logins = 0
        session.add(counter)
        detail["locked_until"] = counter.locked_until.isoformat() if counter.locked_until else None
    if client_key is not None:
        _count_client_failure(session, client_key, now, lock_minutes, client_failures_to_lock)
    _forget_quiet_names(session, now, lock_minutes)
    _audit_failure(session, attempt, name_key, client, detail)
    return SignInResult(None, locked_message(lock_minutes, more=False) if attempt.locks else WRONG)


def _count_client_failure(session: Session, key: str, now: datetime, lock_minutes: int, failures_to_lock: int) -> None:
    row = _throttle_row(session, key, now, lock_minutes)
    row.failed_logins += 1
    if row.failed_logins >= failures_to_lock:
        row.failed_logins, row.locked_until = 0, now + timedelta(minutes=lock_minutes)
    session.add(row)


def _forget_quiet_names(session: Session, now: datetime, lock_minutes: int) -> None:
    """Counters left alone for a day are of no use any more."""
    day_ago = now - timedelta(days=1)
    session.exec(delete(SignInThrottle).where(
        SignInThrottle.window_started < day_ago,
        or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until < now)))


def _audit_failure(session: Session, attempt: _Attempt, name_key: str, client: str | None, detail: dict) -> None:
    if attempt.user_id is None:
        actor = UNKNOWN_ACCOUNT
        detail = {**detail, "name_key": name_key[:16]}
    else:
        actor = attempt.username
    append_audit(session, actor=actor, action="login.failure", detail=_with_client(detail, client))


def _with_client(detail: dict, client: str | None) -> dict:
    return {**detail, "client": client} if client else detail


def _still_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and _as_utc(locked_until) > now


def _minutes_left(locked_until: datetime | None, now: datetime) -> int:
    return max(1, int((_as_utc(locked_until) - now).total_seconds() // 60) + 1)


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


