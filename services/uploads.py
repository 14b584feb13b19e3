"""Uploads end to end: intake, the file into the store, then the rows in one transaction."""
from __future__ import annotations

import hashlib
from datetime import date

from sqlmodel import select

from accounts.permissions import Principal, require
from evidence.privacy_policy import DEFAULT_POLICY, PrivacyDecision
from evidence.privacy_step import UploadScan
from services.evidence import (
    NewEvidence,
    add_evidence,
    add_revision,
    check_new_evidence,
    get_evidence,
    intake_upload,
    standard_of_organisation,
)
from services.instance import Haven
from storage.models import EvidenceRevision


def upload_evidence(
    haven: Haven, principal: Principal, *, organisation_id: int, details: NewEvidence, data: bytes | None, filename: str = "",
    privacy: PrivacyDecision = DEFAULT_POLICY, upload_scan: UploadScan | None = None,
) -> int:
    """Stores a file (or, with no data, an on-site inspection record) and returns the evidence id.

    The file passes the privacy guard with `privacy` (the uploader's choices; by default faces and
    sensitive text are blurred); `upload_scan` is the scan the uploader was shown, if any.
    """
    with haven.session() as session:
        require(principal, "upload", organisation_id)
        check_new_evidence(standard_of_organisation(session, organisation_id), details, today=date.today())
    intake = intake_upload(haven.settings, data, filename, privacy=privacy,
                           upload_scan=upload_scan) if data is not None else None
    keys = _store_files(haven, intake)
    try:
        with haven.session() as session:
            evidence = add_evidence(session, principal, organisation_id=organisation_id, details=details, intake=intake,
                                    stored_key=keys[0], thumbnail_key=keys[1])
    except BaseException:
        _forget_unreferenced(haven, keys)
        raise
    _store_again_if_removed(haven, intake)
    return evidence.id


def upload_revision(
    haven: Haven, principal: Principal, *, evidence_id: int, issued_on: date, valid_until: date | None,
    data: bytes, filename: str, note: str = "", privacy: PrivacyDecision = DEFAULT_POLICY,
    upload_scan: UploadScan | None = None,
) -> int:
    with haven.session() as session:
        require(principal, "upload", get_evidence(session, evidence_id).organisation_id)
    intake = intake_upload(haven.settings, data, filename, privacy=privacy, upload_scan=upload_scan)
    keys = _store_files(haven, intake)
    try:
        with haven.session() as session:
            revision = add_revision(session, principal, evidence_id=evidence_id, issued_on=issued_on,
                                    valid_until=valid_until, intake=intake, stored_key=keys[0],
                                    thumbnail_key=keys[1], note=note)
    except BaseException:
        _forget_unreferenced(haven, keys)
        raise
    _store_again_if_removed(haven, intake)
    return revision.number


def _store_files(haven: Haven, intake) -> tuple[str | None, str | None]:
    if intake is None:
        return None, None
    content_key = haven.store.put(intake.content)
    thumbnail_key = haven.store.put(intake.thumbnail) if intake.thumbnail else None
    return content_key, thumbnail_key


def _store_again_if_removed(haven: Haven, intake) -> None:
    """After the rows commit: if a failed upload of the same file cleaned it away meanwhile, store it again.

    Once the row exists no cleanup removes the file, so this closes the window between the two steps."""
    if intake is None:
        return
    if not haven.store.exists(intake.sha256):
        haven.store.put(intake.content)
    if intake.thumbnail is not None and not haven.store.exists(hashlib.sha256(intake.thumbnail).hexdigest()):
        haven.store.put(intake.thumbnail)


def _forget_unreferenced(haven: Haven, keys: tuple[str | None, str | None]) -> None:
    """After a failed commit, removes stored files that no row refers to (verify reports any left behind)."""
    try:
        with haven.session() as session:
            for key in keys:
                if key is None:
                    continue
                used = session.exec(select(EvidenceRevision.id).where(
                    (EvidenceRevision.blob_key == key) | (EvidenceRevision.thumbnail_key == key))).first()
                if used is None:
                    haven.store.delete(key)
    except Exception:
        pass
