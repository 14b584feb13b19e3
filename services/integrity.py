"""The integrity check behind `manage.py verify`: files against their hashes, orphans, the audit chain."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlmodel import select

from accounts.permissions import Principal, require
from services.instance import Haven
from storage.audit import check_audit_chain
from storage.blobs import BlobNotFound, BlobStoreError
from storage.models import EvidenceRevision


@dataclass
class IntegrityReport:
    files_checked: int = 0
    audit_entries: int = 0
    faults: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.faults


def check_integrity(haven: Haven, principal: Principal) -> IntegrityReport:
    require(principal, "verify")
    report = IntegrityReport()
    with haven.session() as session:
        referenced: dict[str, str] = {}
        for revision in session.exec(select(EvidenceRevision)):
            where = f"evidence {revision.evidence_id} revision {revision.number}"
            if revision.blob_key:
                referenced[revision.blob_key] = where
            if revision.thumbnail_key:
                referenced.setdefault(revision.thumbnail_key, f"thumbnail of {where}")
        chain_faults = check_audit_chain(session)
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
    return report
