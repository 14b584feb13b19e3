"""The audit log: every change appended as an entry chained to the previous one by SHA-256."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, select

from storage.db import NUL, TRANSACTION_LOCK_KEY
from storage.models import AuditEntry, utc_now

GENESIS_HASH = "0" * 64
_CHAIN_LOCK_KEY = TRANSACTION_LOCK_KEY  # already held by every transaction (storage.db); taken again for clarity


def entry_hash(prev_hash: str, *, at, actor: str, action: str, organisation_id, target: str, detail: str) -> str:
    payload = json.dumps(
        [prev_hash, at.isoformat(timespec="microseconds"), actor, action, organisation_id, target, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append_audit(
    session: Session, *, actor: str, action: str, organisation_id: int | None = None, target: str = "", detail: dict | None = None
) -> AuditEntry:
    """Adds an entry in the caller's transaction, so it commits or rolls back with the change it records."""
    if session.get_bind().dialect.name == "postgresql":
        session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=_CHAIN_LOCK_KEY))
    last = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).first()
    prev_hash = last.hash if last else GENESIS_HASH
    detail_text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    actor, action, target = (text.replace(NUL, "") for text in (actor[:120], action, target[:200]))  # see storage.db
    at = utc_now()
    entry = AuditEntry(
        at=at, actor=actor, action=action, organisation_id=organisation_id, target=target, detail=detail_text,
        prev_hash=prev_hash,
        hash=entry_hash(prev_hash, at=at, actor=actor, action=action, organisation_id=organisation_id,
                        target=target, detail=detail_text),
    )
    session.add(entry)
    session.flush()
    return entry


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
