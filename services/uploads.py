"""Uploads end to end: intake, the file into the store, then the rows in one transaction (services.stored_files)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
from services.stored_files import files_then_rows


@dataclass(frozen=True)
class NewRevision:
    """What a manager says about a new revision of evidence already in the library."""

    evidence_id: int
    issued_on: date
    valid_until: date | None = None
    note: str = ""


def upload_evidence(
    haven: Haven, principal: Principal, *, organisation_id: int, details: NewEvidence, data: bytes | None,
    filename: str = "", privacy: PrivacyDecision = DEFAULT_POLICY, upload_scan: UploadScan | None = None,
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
    with files_then_rows(haven) as files:
        content_key, thumbnail_key = files.put(intake)
        with haven.session() as session:
            evidence = add_evidence(session, principal, organisation_id=organisation_id, details=details, intake=intake,
                                    stored_key=content_key, thumbnail_key=thumbnail_key)
    return evidence.id


def upload_revision(
    haven: Haven, principal: Principal, *, evidence_id: int, issued_on: date, valid_until: date | None,
    data: bytes, filename: str, note: str = "", privacy: PrivacyDecision = DEFAULT_POLICY,
    upload_scan: UploadScan | None = None,
) -> int:
    """Stores a new revision's file through the same privacy guard as a new upload (a case file is refused
    unless `privacy` gives a reason) and returns the revision's number."""
    with haven.session() as session:
        require(principal, "upload", get_evidence(session, evidence_id).organisation_id)
    intake = intake_upload(haven.settings, data, filename, privacy=privacy, upload_scan=upload_scan)
    with files_then_rows(haven) as files:
        content_key, thumbnail_key = files.put(intake)
        with haven.session() as session:
            revision = add_revision(session, principal, evidence_id=evidence_id, issued_on=issued_on,
                                    valid_until=valid_until, intake=intake, stored_key=content_key,
                                    thumbnail_key=thumbnail_key, note=note)
    return revision.number

