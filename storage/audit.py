"""The audit log: every change appended as an entry chained to the previous one by a keyed hash.

Each entry's hash is HMAC-SHA256, under the audit key kept outside the database, of the entry and the hash
before it (storage.audit_secrets); the newest committed entry is anchored outside the database too.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from storage.audit_secrets import AuditKeyError, AuditSecrets, remember_head, secrets_for
from storage.db import NUL, lock_audit_chain
from storage.models import AuditEntry, utc_now

GENESIS_HASH = "0" * 64


def _payload(prev_hash: str, *, at, actor: str, action: str, organisation_id, target: str, detail: str) -> bytes:
    return json.dumps(
        [prev_hash, at.isoformat(timespec="microseconds"), actor, action, organisation_id, target, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


def text_digest(text: str) -> str:
    """A short fingerprint of free text for the log: enough to see a change, without copying the text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def entry_hash(secrets: AuditSecrets, prev_hash: str, **fields) -> str:
    """The keyed hash of an entry: without the audit key no one can compute it."""
    return secrets.mac("audit-entry", _payload(prev_hash, **fields))


def unkeyed_entry_hash(prev_hash: str, **fields) -> str:
    """How entries were hashed before the chain was keyed (plain SHA-256); used only to key an old chain."""
    return hashlib.sha256(_payload(prev_hash, **fields)).hexdigest()


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
    secrets = secrets_for(session.get_bind())
    entries = []
    for item in pending:
        at = utc_now()
        entry = AuditEntry(
            at=at, actor=item.actor, action=item.action, organisation_id=item.organisation_id, target=item.target,
            detail=item.detail, prev_hash=prev_hash,
            hash=entry_hash(secrets, prev_hash, at=at, actor=item.actor, action=item.action,
                            organisation_id=item.organisation_id, target=item.target, detail=item.detail),
        )
        session.add(entry)
        entries.append(entry)
        prev_hash = entry.hash
    session.flush()
    remember_head(session, entries[-1].id, entries[-1].hash)  # anchored once the transaction commits
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


def check_audit_chain(session: Session, *, anchored: bool = True) -> list[ChainFault]:
    """Finds edited, inserted or deleted entries: each entry must carry its keyed hash and point at the one
    before, and (with `anchored`) the entry the anchor names must still be there, unchanged."""
    secrets = secrets_for(session.get_bind())
    faults: list[ChainFault] = []
    prev_hash = GENESIS_HASH
    hashes: dict[int, str] = {}
    for entry in session.exec(select(AuditEntry).order_by(AuditEntry.id)):
        if entry.prev_hash != prev_hash:
            faults.append(ChainFault(entry.id, "does not follow the entry before it (an entry was deleted or inserted)"))
        expected = entry_hash(secrets, entry.prev_hash, at=entry.at, actor=entry.actor, action=entry.action,
                              organisation_id=entry.organisation_id, target=entry.target, detail=entry.detail)
        if not hmac.compare_digest(entry.hash, expected):
            faults.append(ChainFault(entry.id, "its content does not match its keyed hash (the entry was edited, "
                                               "or written without the audit key)"))
        prev_hash = entry.hash
        hashes[entry.id] = entry.hash
    if anchored:
        faults.extend(_anchor_faults(secrets, hashes))
    return faults


def _anchor_faults(secrets: AuditSecrets, hashes: dict[int, str]) -> list[ChainFault]:
    try:
        anchor = secrets.read_anchor()
    except AuditKeyError as error:
        return [ChainFault(0, f"has an anchor that cannot be trusted: {error}")]
    if anchor is None:
        if hashes:
            return [ChainFault(max(hashes), f"is not anchored: {secrets.anchor_path.name} is missing from the data "
                                            "folder, so cut-off newest entries could not be seen (`python manage.py "
                                            "init` anchors the log as it is now)")]
        return []
    if anchor.entry_id not in hashes:
        newest = max(hashes, default=0)
        return [ChainFault(anchor.entry_id, f"is missing: the anchor names it as committed, but the log ends at entry "
                                            f"{newest} (the newest entries were deleted)")]
    if not hmac.compare_digest(hashes[anchor.entry_id], anchor.hash):
        return [ChainFault(anchor.entry_id, "is not the entry the anchor names (the log was rewritten)")]
    return []


def anchor_existing_log(session: Session) -> str:
    """For `init`: anchors a log that has no anchor yet (a new data folder, or a Haven from before anchoring),
    keying it first when it was hashed without the key. Refuses a log that is not intact either way."""
    secrets = secrets_for(session.get_bind())
    if secrets.read_anchor() is not None:
        return ""
    entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    if not entries:
        return ""
    if check_audit_chain(session, anchored=False):
        if _unkeyed_chain_faults(entries):
            raise AuditKeyError("The audit log is not intact (run `python manage.py verify`), so it was not "
                                "anchored.")
        prev_hash = GENESIS_HASH
        for entry in entries:
            entry.prev_hash = prev_hash
            entry.hash = entry_hash(secrets, prev_hash, at=entry.at, actor=entry.actor, action=entry.action,
                                    organisation_id=entry.organisation_id, target=entry.target, detail=entry.detail)
            prev_hash = entry.hash
            session.add(entry)
        session.flush()
        append_audit(session, actor="init", action="audit.keyed", detail={"entries": len(entries)})
        return f"Keyed the {len(entries)} audit entries with the audit key and anchored the log."
    remember_head(session, entries[-1].id, entries[-1].hash)
    return f"Anchored the audit log at entry {entries[-1].id}."


def _unkeyed_chain_faults(entries: list[AuditEntry]) -> bool:
    prev_hash = GENESIS_HASH
    for entry in entries:
        expected = unkeyed_entry_hash(entry.prev_hash, at=entry.at, actor=entry.actor, action=entry.action,
                                      organisation_id=entry.organisation_id, target=entry.target, detail=entry.detail)
        if entry.prev_hash != prev_hash or entry.hash != expected:
            return True
        prev_hash = entry.hash
    return False
