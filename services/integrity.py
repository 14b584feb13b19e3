"""The integrity check behind `manage.py verify`: files against their hashes, orphans, the audit chain and its
anchor, and the rows that matter against the log (services.rows_vs_log)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import select

from accounts.permissions import Principal, require
from services.instance import Haven
from services.rows_vs_log import check_rows_against_log
from storage.audit import append_audit, check_audit_chain
from storage.blobs import BlobNotFound, BlobStoreError
from storage.models import EvidenceRevision, utc_now


@dataclass
class IntegrityReport:
    files_checked: int = 0
    audit_entries: int = 0
    faults: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.faults


def _referenced_keys(session) -> dict[str, str]:
    """Every stored file a row refers to, with where it is used."""
    referenced: dict[str, str] = {}
    for revision in session.exec(select(EvidenceRevision)):
        where = f"evidence {revision.evidence_id} revision {revision.number}"
        if revision.blob_key:
            referenced[revision.blob_key] = where
        if revision.thumbnail_key:
            referenced.setdefault(revision.thumbnail_key, f"thumbnail of {where}")
    return referenced


def check_integrity(haven: Haven, principal: Principal) -> IntegrityReport:
    require(principal, "verify")
    report = IntegrityReport()
    with haven.session() as session:
        referenced = _referenced_keys(session)
        chain_faults = check_audit_chain(session)
        row_faults = check_rows_against_log(session)
        from storage.models import AuditEntry

        report.audit_entries = len(session.exec(select(AuditEntry.id)).all())
    for key, where in sorted(referenced.items()):
        report.files_checked += 1
        try:
            content = haven.store.get(key)
        except BlobNotFound:
            report.faults.append(f"missing file: {where} ({key[:12]}…) is not in the evidence store")
            continue
        except BlobStoreError as error:
            report.faults.append(f"unreadable file: {where}: {error}")
            continue
        if hashlib.sha256(content).hexdigest() != key:
            report.faults.append(f"tampered file: {where} ({key[:12]}…) does not match its SHA-256")
    for key in sorted(set(haven.store.keys()) - set(referenced)):
        report.faults.append(f"orphan file: {key[:12]}… is in the evidence store but no evidence refers to it")
    for fault in chain_faults:
        report.faults.append(f"audit chain: entry {fault.entry_id} {fault.problem}")
    report.faults.extend(f"rows vs audit log: {fault}" for fault in row_faults)
    return report


@dataclass
class OrphanCleanup:
    removed: list[str] = field(default_factory=list)
    kept_recent: list[str] = field(default_factory=list)


def remove_orphans(haven: Haven, principal: Principal, *, older_than: timedelta = timedelta(hours=1),
                   now: datetime | None = None) -> OrphanCleanup:
    """Deletes stored files that no row refers to and that were last stored more than `older_than` ago.

    An upload stores its file a moment before its row commits (a crash in between leaves the orphan
    this cleans up), so younger orphans are kept: they may belong to an upload that is finishing.
    The store is listed before the rows are read, and the deletions happen inside one transaction,
    so a file whose row commits meanwhile is never taken.
    """
    require(principal, "verify")
    listed = sorted(haven.store.keys())
    cutoff = (now or utc_now()) - older_than
    cleanup = OrphanCleanup()
    with haven.session() as session:
        referenced = _referenced_keys(session)
        for key in listed:
            if key in referenced:
                continue
            try:
                stored_at = haven.store.modified_at(key)
            except BlobNotFound:
                continue
            if stored_at > cutoff:
                cleanup.kept_recent.append(key)
                continue
            haven.store.delete(key)
            cleanup.removed.append(key)
        if cleanup.removed:
            append_audit(session, actor=principal.username, action="verify.remove_orphans",
                         detail={"removed": len(cleanup.removed), "files": [k[:12] for k in cleanup.removed[:50]]})
    return cleanup
