"""The one door every read of an evidence file (and of a report made from evidence) goes through.

A download button whose data is a function runs that function later, in a thread of its own, without app.py:
nothing of the page run that drew the button is checked again by itself. So `read_as` checks, at the moment it
reads, that the session is still signed in and not idle past the limit (its `SessionClock`), and that the account
is active and still allowed, from a fresh read of the user in the database; it records the read (or the refusal)
in the audit log, and hands a watermark for the recipient to the reader when the copy is to be marked.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from sqlmodel import Session, select

from accounts.permissions import PermissionDenied, Principal, require
from reports.watermarks import Watermark, new_watermark, normalise_code, printable_line
from services import browser_sessions
from services.instance import Haven
from services.users import refreshed_principal
from storage.audit import append_audit
from storage.models import AuditEntry, utc_now

T = TypeVar("T")
WATERMARK_ACTION = "watermark.issue"


class ReadRefused(PermissionDenied):
    """The session or the account no longer allows this read; the message says why."""


@dataclass
class SessionClock:
    """A browser session's sign-in and last activity, shared with the threads that make its downloads.

    The page run touches it; signing out ends it. It is the one piece of a session a download thread can see.
    """

    user_id: int | None
    last_seen: datetime
    ended: bool = False
    browser_session_id: int | None = None  # the browser's session (services.browser_sessions), ended by any tab

    def touch(self, at: datetime) -> None:
        self.last_seen = at

    def end(self) -> None:
        self.ended = True


@dataclass(frozen=True)
class Reader:
    """Who asks for a file: the principal the page was drawn for and, in the app, the session's clock."""

    principal: Principal
    clock: SessionClock | None = None  # None: the command line or a service, with no session to go idle
    idle_minutes: int = 30


@dataclass(frozen=True)
class ReadRequest:
    permission: str
    organisation_id: int | None
    action: str  # the audit action: evidence.download, evidence.preview, pack.download …
    target: str = ""
    detail: dict = field(default_factory=dict)
    evidence_ids: tuple[int, ...] = ()
    watermark: bool = False  # a marked copy leaves: issue a code for it


@dataclass(frozen=True)
class Admission:
    principal: Principal  # as the database has the user now
    watermark: Watermark | None


@dataclass(frozen=True)
class Trace:
    code: str
    recipient: str
    issued_at: datetime
    issued_by: str
    purpose: str
    organisation_id: int | None
    evidence_ids: tuple[int, ...]


def as_reader(who: Reader | Principal) -> Reader:
    return who if isinstance(who, Reader) else Reader(principal=who)


def read_as(haven: Haven, who: Reader | Principal, request: ReadRequest, read: Callable[[Admission], T]) -> T:
    """Checks the reader now, audits, then reads with the user as they are now; a refusal reads nothing."""
    admission = admit(haven, as_reader(who), request)
    return read(admission)


def admit(haven: Haven, reader: Reader, request: ReadRequest, *, now: datetime | None = None) -> Admission:
    """The check and its audit entry (with the watermark's, when the copy is to be marked), in one transaction.

    A refusal writes nothing: like every other refused call, it leaves the database as it was."""
    now = now or utc_now()
    with haven.session() as session:
        principal = _checked(session, reader, request, now)
        mark = None
        if request.watermark:
            mark = issue_watermark(session, actor=principal.username, recipient=principal.username,
                                   purpose=request.action, organisation_id=request.organisation_id,
                                   evidence_ids=request.evidence_ids, issued_at=now)
        append_audit(session, actor=principal.username, action=request.action, organisation_id=request.organisation_id,
                     target=request.target, detail={**request.detail, **({"watermark": mark.code} if mark else {})})
    return Admission(principal=principal, watermark=mark)


def _checked(session: Session, reader: Reader, request: ReadRequest, now: datetime) -> Principal:
    clock = reader.clock
    if clock is not None:
        if clock.ended or clock.user_id != reader.principal.user_id:
            raise ReadRefused("You have signed out: sign in again to open this file.")
        if clock.browser_session_id is not None and not browser_sessions.exists(session, clock.browser_session_id,
                                                                                now=now):
            raise ReadRefused("You have signed out: sign in again to open this file.")
        if now - clock.last_seen > timedelta(minutes=reader.idle_minutes):
            raise ReadRefused(f"You were signed out after {reader.idle_minutes} minutes without activity: "
                              "sign in again to open this file.")
    principal = refreshed_principal(session, reader.principal)
    if principal is None:
        raise ReadRefused("Your account is no longer active. Ask your Haven administrator.")
    require(principal, request.permission, request.organisation_id)
    return principal


# --- watermarks and tracing ------------------------------------------------------------------------------------

def issue_watermark(session: Session, *, actor: str, recipient: str, purpose: str, organisation_id: int | None,
                    evidence_ids: tuple[int, ...] | list[int], issued_at: datetime | None = None) -> Watermark:
    """A new mark for a copy that leaves, recorded in the audit log under its code."""
    issued_at = issued_at or utc_now()
    mark = new_watermark(recipient, issued_at.date())
    while _issued(session, mark.code):  # 40 random bits rarely meet, but a code must name one copy only
        mark = new_watermark(recipient, issued_at.date())
    append_audit(session, actor=actor, action=WATERMARK_ACTION, organisation_id=organisation_id,
                 target=f"watermark:{mark.code}",
                 detail={"recipient": mark.recipient, "purpose": purpose, "evidence": sorted(set(evidence_ids))})
    return mark


def _issued(session: Session, code: str) -> bool:
    return session.exec(select(AuditEntry.id).where(AuditEntry.action == WATERMARK_ACTION,
                                                    AuditEntry.target == f"watermark:{code}")).first() is not None


def trace(session: Session, code: str) -> Trace | None:
    """Who received the copy marked with `code`, when, and which evidence; None for a code Haven never issued."""
    code = normalise_code(code)
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == WATERMARK_ACTION,
                                                  AuditEntry.target == f"watermark:{code}")).first()
    if entry is None:
        return None
    detail = json.loads(entry.detail or "{}")
    return Trace(code=code, recipient=detail.get("recipient", ""), issued_at=entry.at, issued_by=entry.actor,
                 purpose=detail.get("purpose", ""), organisation_id=entry.organisation_id,
                 evidence_ids=tuple(detail.get("evidence", ())))


PURPOSES = {"evidence.download": "a download in the app", "evidence.preview": "a preview in the review queue",
            "report.download": "the board report", "export": "an accreditation pack"}


def describe_trace(session: Session, found: Trace) -> str:
    """What `trace` prints: who, when, by whom, what for, and each evidence item by id and title."""
    from storage.models import Evidence, Organisation

    organisation = session.get(Organisation, found.organisation_id) if found.organisation_id else None
    lines = [f"{found.code}: issued to {printable_line(found.recipient)} on {found.issued_at:%Y-%m-%d %H:%M} UTC"
             f" by {printable_line(found.issued_by)}, {PURPOSES.get(found.purpose, found.purpose)}"
             + (f", organisation {organisation.slug}" if organisation else "")]
    for evidence_id in found.evidence_ids:
        evidence = session.get(Evidence, evidence_id)
        lines.append(f"  evidence {evidence_id}: {printable_line(evidence.title) if evidence else '(deleted)'}")
    if not found.evidence_ids:
        lines.append("  no evidence file (a report only)")
    return "\n".join(lines)
