"""The audit log: every change appended as an entry chained to the previous one by SHA-256."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from storage.db import NUL, lock_audit_chain
from storage.models import AuditEntry, utc_now

GENESIS_HASH = "0" * 64


def entry_hash(prev_hash: str, *, at, actor: str, action: str, organisation_id, target: str, detail: str) -> str:
    payload = json.dumps(
        [prev_hash, at.isoformat(timespec="microseconds"), actor, action, organisation_id, target, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


_PENDING = "haven_audit_pending"  # in Session.info: entries waiting for the commit of the change they record


@dataclass(frozen=True)
class _PendingEntry:
    actor: str
    action: str
    organisation_id: int | None
    target: str
    detail: str


def append_audit(
    session: Session, *, actor: str, action: str, organisation_id: int | None = None, target: str = "",
    detail: dict | None = None,
) -> None:
    """Records a change in the caller's transaction, so the entry commits or rolls back with the change.

    The entry is chained when the transaction commits (see write_pending_audit): the audit chain is the one
    step that every write takes in turn, so it is taken last, after every row lock the change needed, and
    held only from there to the commit."""
    detail_text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    actor, action, target = (text.replace(NUL, "") for text in (actor[:120], action, target[:200]))  # see storage.db
    session.info.setdefault(_PENDING, []).append(_PendingEntry(actor, action, organisation_id, target, detail_text))


def write_pending_audit(session: Session) -> list[AuditEntry]:
    """Chains the transaction's entries onto the newest one, under the audit chain's lock (held until commit).
    Called just before each commit; a caller that manages its own transaction calls it before committing."""
    pending = session.info.pop(_PENDING, [])
    if not pending:
        return []
    session.flush()
    lock_audit_chain(session)
    last = session.exec(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    prev_hash = last or GENESIS_HASH
    entries = []
    for item in pending:
        at = utc_now()
        entry = AuditEntry(
            at=at, actor=item.actor, action=item.action, organisation_id=item.organisation_id, target=item.target,
            detail=item.detail, prev_hash=prev_hash,
            hash=entry_hash(prev_hash, at=at, actor=item.actor, action=item.action,
                            organisation_id=item.organisation_id, target=item.target, detail=item.detail),
        )
        session.add(entry)
        entries.append(entry)
        prev_hash = entry.hash
    session.flush()
    return entries


def _write_before_commit(session) -> None:
    write_pending_audit(session)


def _forget_after_rollback(session) -> None:
    session.info.pop(_PENDING, None)


event.listen(OrmSession, "before_commit", _write_before_commit)
event.listen(OrmSession, "after_rollback", _forget_after_rollback)


@dataclass(frozen=True)
class ChainFault:
    entry_id: int
    problem: str


def check_audit_chain(session: Session) -> list[ChainFault]:
    """Finds edited, inserted or deleted entries: each entry must hash to itself and point at the one before."""
    faults: list[ChainFault] = []
    prev_hash = GENESIS_HASH
    for entry in session.exec(select(AuditEntry).order_by(AuditEntry.id)):
        if entry.prev_hash != prev_hash:
            faults.append(ChainFault(entry.id, "does not follow the entry before it (an entry was deleted or inserted)"))
        expected = entry_hash(entry.prev_hash, at=entry.at, actor=entry.actor, action=entry.action,
                              organisation_id=entry.organisation_id, target=entry.target, detail=entry.detail)
        if entry.hash != expected:
            faults.append(ChainFault(entry.id, "its content does not match its hash (the entry was edited)"))
        prev_hash = entry.hash
    return faults
