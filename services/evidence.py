"""The evidence register: intake, revisions, links to the standard, classification and file access."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TypedDict

from sqlmodel import Session, select

from accounts.permissions import Principal, require
from evidence.intake import IntakeResult, run_intake, scan_upload
from evidence.previews import Preview, PreviewKind, render_preview
from evidence.privacy_policy import DEFAULT_POLICY, PrivacyDecision, PrivacyRecord
from evidence.privacy_step import UploadScan
from privacy.model import RegionKind
from reports.watermarks import can_mark, mark_file, watermark_image
from services.errors import NotFound, ServiceError
from services.facts import latest_reviews, latest_revisions, valid_until_of
from services.file_access import Admission, Reader, ReadRequest, read_as
from services.instance import Haven
from services.stored_files import lock_files
from standards.loader import get_standard
from standards.schema import Standard
from storage.audit import append_audit
from storage.db import insert_statement, lock_row
from storage.models import Evidence, EvidenceLink, EvidenceRevision, PrivacyCheck
from vocabulary import Classification, ReviewStatus

CLASSIFICATIONS = tuple(Classification)
MAX_TITLE = 200
VALIDITY_STATES = ("current", "expired")
REVIEW_STATES = tuple(ReviewStatus)


@dataclass(frozen=True)
class NewEvidence:
    """What a manager says about a new piece of evidence."""

    evidence_type: str
    actions: tuple[str, ...]
    issued_on: date
    title: str = ""
    valid_until: date | None = None
    classification: str | None = None
    note: str = ""


def standard_of_organisation(session: Session, organisation_id: int) -> Standard:
    from services.organisations import current_cycle

    return get_standard(current_cycle(session, organisation_id).standard_id)


def check_new_evidence(standard: Standard, details: NewEvidence, *, today: date | None = None) -> None:
    """Refuses details that cannot be stored, with the reason."""
    if not standard.has_evidence_type(details.evidence_type):
        raise ServiceError(f"Unknown evidence type '{details.evidence_type}' in {standard.id}.")
    if not details.actions:
        raise ServiceError("Link the evidence to at least one action.")
    for action_id in details.actions:
        check_link(standard, details.evidence_type, action_id)
    if details.classification is not None and details.classification not in CLASSIFICATIONS:
        raise ServiceError(f"Unknown classification '{details.classification}': choose internal or restricted.")
    if details.valid_until is not None and details.valid_until < details.issued_on:
        raise ServiceError("The valid-until date is before the issued date.")
    if today is not None and details.issued_on > today:
        raise ServiceError("The issued date is in the future.")


def check_link(standard: Standard, evidence_type: str, action_id: str) -> None:
    if not standard.has_action(action_id):
        raise ServiceError(f"Unknown action '{action_id}' in {standard.id}.")
    if evidence_type not in standard.action(action_id).evidence_types:
        type_title = standard.evidence_type(evidence_type).title
        raise ServiceError(f"Action {action_id} does not ask for a {type_title.lower()}, so it cannot be linked there.")


def add_evidence(
    session: Session, principal: Principal, *, organisation_id: int, details: NewEvidence,
    intake: IntakeResult | None, stored_key: str | None, thumbnail_key: str | None = None,
    withheld: bool = False,
) -> Evidence:
    """Records evidence whose file (if any) is already in the store under `stored_key`."""
    require(principal, "upload", organisation_id)
    standard = standard_of_organisation(session, organisation_id)
    check_new_evidence(standard, details)
    if stored_key is not None:
        lock_files(session)
    default = standard.evidence_type(details.evidence_type).classification
    classification = details.classification or default
    if default == "restricted" and classification != "restricted":
        require(principal, "declassify")  # storing a restricted type as internal is declassifying it
    title = (details.title or (intake.display_name if intake else "") or standard.evidence_type(details.evidence_type).title)
    evidence = Evidence(
        organisation_id=organisation_id, standard_id=standard.id, evidence_type=details.evidence_type,
        title=title.strip()[:MAX_TITLE], classification=classification, created_by=principal.user_id,
    )
    session.add(evidence)
    session.flush()
    for action_id in dict.fromkeys(details.actions):
        session.add(EvidenceLink(evidence_id=evidence.id, action_id=action_id))
    revision = _revision(evidence.id, 1, principal, details, intake, stored_key, thumbnail_key, withheld)
    session.add(revision)
    session.flush()
    _record_privacy(session, revision, intake)
    append_audit(session, actor=principal.username, action="evidence.add", organisation_id=organisation_id,
                 target=f"evidence:{evidence.id}",
                 detail={"type": details.evidence_type, "actions": list(details.actions),
                         "classification": classification, "sha256": stored_key, "thumbnail": thumbnail_key,
                         "inspection": intake is None and not withheld, **revision_facts(revision),
                         **_privacy_audit(intake)})
    session.flush()
    return evidence


class RevisionFacts(TypedDict):
    """What of a revision decides scores, as JSON in the audit log's detail."""

    issued_on: str
    valid_until: str | None
    withheld: bool


def revision_facts(revision: EvidenceRevision) -> RevisionFacts:
    """What of a revision decides scores, as the audit log records it (checked by verify against the row)."""
    return RevisionFacts(issued_on=revision.issued_on.isoformat(),
                         valid_until=revision.valid_until.isoformat() if revision.valid_until else None,
                         withheld=revision.withheld)


def _record_privacy(session: Session, revision: EvidenceRevision, intake: IntakeResult | None) -> None:
    """Keeps what the privacy guard found in the revision's file and what was decided."""
    if intake is None or not (intake.privacy.images_scanned or intake.privacy.text_scanned):
        return
    record = intake.privacy
    session.add(PrivacyCheck(
        revision_id=revision.id, faces=record.count(RegionKind.FACE),
        sensitive_texts=record.count(RegionKind.SENSITIVE_TEXT), other_texts=record.count(RegionKind.TEXT),
        manual_regions=record.count(RegionKind.MANUAL), blurred=record.blurred,
        kept_with_reason=len(record.kept_with_reason), images_scanned=record.images_scanned,
        case_file=record.case_file, allowed_reason=record.allowed_reason, detail=record.to_json(),
    ))


def _privacy_audit(intake: IntakeResult | None) -> dict:
    if intake is None or not (intake.privacy.images_scanned or intake.privacy.text_scanned):
        return {}
    return {"privacy": intake.privacy.audit_detail()}


def privacy_records(session: Session, revision_ids: list[int]) -> dict[int, PrivacyRecord]:
    """The privacy guard's record of each revision that has one (files stored before the guard have none)."""
    if not revision_ids:
        return {}
    checks = session.exec(select(PrivacyCheck).where(PrivacyCheck.revision_id.in_(revision_ids)))
    return {check.revision_id: PrivacyRecord.from_json(check.detail) for check in checks}


def _revision(evidence_id, number, principal, details, intake, stored_key, thumbnail_key, withheld) -> EvidenceRevision:
    return EvidenceRevision(
        evidence_id=evidence_id, number=number, blob_key=stored_key, thumbnail_key=thumbnail_key,
        display_name=intake.display_name if intake else "", mime_type=intake.mime_type if intake else "",
        size_bytes=len(intake.content) if intake else 0, withheld=withheld,
        issued_on=details.issued_on, valid_until=details.valid_until, note=details.note.strip()[:4000],
        uploaded_by=principal.user_id,
    )


def add_revision(
    session: Session, principal: Principal, *, evidence_id: int, issued_on: date, valid_until: date | None,
    intake: IntakeResult | None, stored_key: str | None, thumbnail_key: str | None = None, note: str = "",
) -> EvidenceRevision:
    """A new version of a document; the history stays and the review starts again."""
    evidence = get_evidence(session, evidence_id, lock=True)  # the next number is taken once
    require(principal, "upload", evidence.organisation_id)
    if valid_until is not None and valid_until < issued_on:
        raise ServiceError("The valid-until date is before the issued date.")
    if stored_key is not None:
        lock_files(session)
    latest = latest_revisions(session, [evidence.id])[evidence.id]
    details = NewEvidence(evidence.evidence_type, (), issued_on, valid_until=valid_until, note=note)
    revision = _revision(evidence.id, latest.number + 1, principal, details, intake, stored_key, thumbnail_key, False)
    session.add(revision)
    session.flush()
    _record_privacy(session, revision, intake)
    append_audit(session, actor=principal.username, action="evidence.revise", organisation_id=evidence.organisation_id,
                 target=f"evidence:{evidence.id}",
                 detail={"revision": revision.number, "sha256": stored_key, "thumbnail": thumbnail_key,
                         **revision_facts(revision), **_privacy_audit(intake)})
    session.flush()
    return revision


def get_evidence(session: Session, evidence_id: int, *, lock: bool = False) -> Evidence:
    """The evidence item; with `lock`, locked until commit, so changes to its revisions, links, reviews and
    classification made on what was read are made one at a time."""
    evidence = lock_row(session, Evidence, evidence_id) if lock else session.get(Evidence, evidence_id)
    if evidence is None:
        raise NotFound("No such evidence.")
    return evidence


def link_evidence(session: Session, principal: Principal, *, evidence_id: int, action_id: str) -> None:
    evidence = get_evidence(session, evidence_id)
    require(principal, "link", evidence.organisation_id)
    check_link(get_standard(evidence.standard_id), evidence.evidence_type, action_id)
    session.flush()
    link = insert_statement(session, EvidenceLink).values(evidence_id=evidence_id, action_id=action_id)
    linked = session.connection().execute(link.on_conflict_do_nothing(index_elements=["evidence_id", "action_id"])
                                          .returning(EvidenceLink.id)).first()
    if linked is None:
        return  # linked already, perhaps by another session a moment ago: nothing changes
    append_audit(session, actor=principal.username, action="evidence.link", organisation_id=evidence.organisation_id,
                 target=f"evidence:{evidence_id}", detail={"action": action_id})
    session.flush()


def unlink_evidence(session: Session, principal: Principal, *, evidence_id: int, action_id: str) -> None:
    evidence = get_evidence(session, evidence_id, lock=True)
    require(principal, "link", evidence.organisation_id)
    link = session.exec(select(EvidenceLink).where(EvidenceLink.evidence_id == evidence_id,
                                                   EvidenceLink.action_id == action_id)).first()
    if link is None:
        raise NotFound(f"This evidence is not linked to {action_id}.")
    session.delete(link)
    append_audit(session, actor=principal.username, action="evidence.unlink", organisation_id=evidence.organisation_id,
                 target=f"evidence:{evidence_id}", detail={"action": action_id})
    session.flush()


def set_links(session: Session, principal: Principal, *, evidence_id: int, action_ids: list[str]) -> None:
    """Links the evidence to exactly `action_ids`: new ones are linked, the others unlinked."""
    evidence = get_evidence(session, evidence_id, lock=True)
    require(principal, "link", evidence.organisation_id)
    wanted = list(dict.fromkeys(action_ids))
    held = {link.action_id for link in session.exec(select(EvidenceLink).where(EvidenceLink.evidence_id == evidence_id))}
    for action_id in wanted:
        if action_id not in held:
            link_evidence(session, principal, evidence_id=evidence_id, action_id=action_id)
    for action_id in sorted(held - set(wanted)):
        unlink_evidence(session, principal, evidence_id=evidence_id, action_id=action_id)


def set_classification(session: Session, principal: Principal, *, evidence_id: int, classification: str) -> None:
    """Changes the classification (audited); making restricted evidence internal takes an administrator, so a
    manager cannot turn it internal to export it and back."""
    evidence = get_evidence(session, evidence_id, lock=True)
    before = evidence.classification
    if before == "restricted" and classification != "restricted":
        require(principal, "declassify")
    else:
        require(principal, "upload", evidence.organisation_id)
    if classification not in CLASSIFICATIONS:
        raise ServiceError(f"Unknown classification '{classification}': choose internal or restricted.")
    evidence.classification = classification
    session.add(evidence)
    append_audit(session, actor=principal.username, action="evidence.classify", organisation_id=evidence.organisation_id,
                 target=f"evidence:{evidence_id}", detail={"from": before, "to": classification})
    session.flush()


@dataclass(frozen=True)
class RegisterRow:
    """One evidence item of the register as its latest revision and that revision's latest review show it."""

    id: int
    revision_id: int
    revision: int  # the latest revision's number
    title: str
    evidence_type: str
    evidence_type_title: str
    actions: list[str]  # the linked action ids, sorted
    classification: Classification
    issued_on: date
    valid_until: date  # its own date, else issued_on plus the type's validity
    current: bool  # issued on or before the register's day and valid until it
    review_status: ReviewStatus
    review_comment: str
    reviewer: str
    file_name: str
    mime_type: str
    size_bytes: int
    has_file: bool
    withheld: bool
    thumbnail_key: str | None
    uploaded_by: int | None
    note: str

    @property
    def validity(self) -> str:
        """"current" or "expired", as the library's state filter names them."""
        return "current" if self.current else "expired"

    @property
    def is_image(self) -> bool:
        return self.mime_type.startswith("image/")


def evidence_register(session: Session, principal: Principal, *, organisation_id: int,
                      as_of: date | None = None) -> list[RegisterRow]:
    """One row per evidence item (its latest revision), for the library and the exports."""
    require(principal, "view_evidence", organisation_id)
    as_of = as_of or date.today()
    rows_db = session.exec(select(Evidence).where(Evidence.organisation_id == organisation_id).order_by(Evidence.id)).all()
    ids = [e.id for e in rows_db]
    revisions = latest_revisions(session, ids)
    reviews = latest_reviews(session, [r.id for r in revisions.values()])
    links: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for link in session.exec(select(EvidenceLink).where(EvidenceLink.evidence_id.in_(ids))):
            links[link.evidence_id].append(link.action_id)
    return [_register_row(evidence, revisions[evidence.id], reviews.get(revisions[evidence.id].id),
                          sorted(links[evidence.id]), as_of) for evidence in rows_db]


def _register_row(evidence: Evidence, revision: EvidenceRevision, review, actions: list[str], as_of: date) -> RegisterRow:
    evidence_type = get_standard(evidence.standard_id).evidence_type(evidence.evidence_type)
    valid_until = valid_until_of(revision, evidence_type.validity_months)
    return RegisterRow(
        id=evidence.id, revision_id=revision.id, revision=revision.number, title=evidence.title,
        evidence_type=evidence.evidence_type, evidence_type_title=evidence_type.title, actions=actions,
        classification=Classification(evidence.classification), issued_on=revision.issued_on,
        valid_until=valid_until, current=revision.issued_on <= as_of <= valid_until,
        review_status=ReviewStatus(review.status) if review else ReviewStatus.PENDING,
        review_comment=review.comment if review else "", reviewer=review.reviewer_name if review else "",
        file_name=revision.display_name, mime_type=revision.mime_type, size_bytes=revision.size_bytes,
        has_file=revision.blob_key is not None, withheld=revision.withheld, thumbnail_key=revision.thumbnail_key,
        uploaded_by=revision.uploaded_by, note=revision.note,
    )


def filter_register(
    rows: list[RegisterRow], *, evidence_types: list[str] = (), actions: list[str] = (), states: list[str] = (),
    classifications: list[str] = (),
) -> list[RegisterRow]:
    """The register rows that match every filter given; an empty filter matches all.

    States combine as a user reads them: "current" and "expired" are alternatives, as are the
    review states, and the two groups must both hold ("current" + "pending": current and pending).
    """
    validity_wanted = [s for s in states if s in VALIDITY_STATES]
    review_wanted = [s for s in states if s in REVIEW_STATES]
    kept = []
    for row in rows:
        if evidence_types and row.evidence_type not in evidence_types:
            continue
        if actions and not set(row.actions) & set(actions):
            continue
        if classifications and row.classification not in classifications:
            continue
        if (validity_wanted and row.validity not in validity_wanted) or (
                review_wanted and row.review_status not in review_wanted):
            continue
        kept.append(row)
    return kept


@dataclass(frozen=True)
class RevisionSummary:
    """One revision of an evidence item as its history shows it."""

    id: int
    number: int
    issued_on: date
    valid_until: date  # its own date, else issued_on plus the type's validity
    display_name: str
    mime_type: str
    size_bytes: int
    withheld: bool
    note: str
    uploaded_at: datetime
    blob_key: str | None  # None for an on-site inspection record (or a withheld file)

    @property
    def has_file(self) -> bool:
        return self.blob_key is not None


def revision_history(session: Session, principal: Principal, *, evidence_id: int) -> list[RevisionSummary]:
    """Every revision of the evidence, newest first."""
    evidence = get_evidence(session, evidence_id)
    require(principal, "view_evidence", evidence.organisation_id)
    validity_months = get_standard(evidence.standard_id).evidence_type(evidence.evidence_type).validity_months
    revisions = session.exec(select(EvidenceRevision).where(EvidenceRevision.evidence_id == evidence_id)
                             .order_by(EvidenceRevision.number.desc()))
    return [RevisionSummary(id=r.id, number=r.number, issued_on=r.issued_on,
                            valid_until=valid_until_of(r, validity_months), display_name=r.display_name,
                            mime_type=r.mime_type, size_bytes=r.size_bytes, withheld=r.withheld, note=r.note,
                            uploaded_at=r.uploaded_at, blob_key=r.blob_key)
            for r in revisions]


def _stored_file(haven: Haven, revision_id: int) -> tuple[EvidenceRevision, Evidence]:
    """The revision and its evidence, when it has a file; NotFound otherwise."""
    with haven.session() as session:
        revision = session.get(EvidenceRevision, revision_id)
        if revision is None:
            raise NotFound("No such evidence file.")
        evidence = get_evidence(session, revision.evidence_id)
    if revision.blob_key is None:
        raise NotFound("This evidence is an on-site inspection record: there is no file.")
    return revision, evidence


def read_evidence_file(haven: Haven, principal: Reader | Principal, *, revision_id: int) -> tuple[bytes, str, str]:
    """(bytes, file name, MIME type) of a revision's file for a user allowed to open it now; the access is
    audited, and a PDF or an image comes as a copy marked for that user (the stored file stays clean)."""
    revision, evidence = _stored_file(haven, revision_id)
    request = ReadRequest(permission="download_evidence", organisation_id=evidence.organisation_id,
                          action="evidence.download", target=f"evidence:{evidence.id}",
                          detail={"revision": revision.number}, evidence_ids=(evidence.id,),
                          watermark=can_mark(revision.mime_type))

    def read(admission: Admission) -> bytes:
        content = haven.store.get(revision.blob_key)
        return mark_file(content, revision.mime_type, admission.watermark) if admission.watermark else content

    content = read_as(haven, principal, request, read)
    return content, revision.display_name or evidence.title, revision.mime_type or "application/octet-stream"


def read_preview(haven: Haven, principal: Reader | Principal, *, revision_id: int) -> Preview:
    """A small rendering of a revision's file for a reviewer who asked to see it (never the file itself); the
    look is audited, and the rendering of an image or a page carries the reviewer's mark."""
    revision, evidence = _stored_file(haven, revision_id)
    request = ReadRequest(permission="review", organisation_id=evidence.organisation_id, action="evidence.preview",
                          target=f"evidence:{evidence.id}", detail={"revision": revision.number},
                          evidence_ids=(evidence.id,), watermark=True)

    def read(admission: Admission) -> Preview:
        preview = render_preview(haven.store.get(revision.blob_key), revision.mime_type)
        if preview.kind is PreviewKind.IMAGE:
            return replace(preview, png=watermark_image(preview.png, admission.watermark))
        return preview

    return read_as(haven, principal, request, read)


def read_thumbnails(haven: Haven, principal: Reader | Principal, *, organisation_id: int,
                    revision_ids: list[int]) -> dict[int, bytes]:
    """The gallery thumbnails (made at intake; never the original) of those revisions that belong to the
    organisation and have one, by revision id, each carrying the viewer's mark; one audit entry (and one
    trace code) for the gallery."""
    with haven.session() as session:
        found = session.exec(
            select(EvidenceRevision.id, EvidenceRevision.thumbnail_key, Evidence.id)
            .join(Evidence, Evidence.id == EvidenceRevision.evidence_id)
            .where(Evidence.organisation_id == organisation_id, EvidenceRevision.id.in_(list(revision_ids) or [-1]),
                   EvidenceRevision.thumbnail_key.is_not(None))).all()
    request = ReadRequest(permission="view_evidence", organisation_id=organisation_id, action="evidence.thumbnails",
                          detail={"revisions": sorted(r for r, _, _ in found)},
                          evidence_ids=tuple(sorted({e for _, _, e in found})), watermark=True)
    return read_as(haven, principal, request, lambda admission: {
        revision: watermark_image(haven.store.get(key), admission.watermark) for revision, key, _ in found})


def read_thumbnail(haven: Haven, principal: Reader | Principal, *, revision_id: int) -> bytes | None:
    """The gallery thumbnail of one image revision (None when it has none)."""
    with haven.session() as session:
        revision = session.get(EvidenceRevision, revision_id)
        if revision is None:
            raise NotFound("No such evidence file.")
        organisation_id = get_evidence(session, revision.evidence_id).organisation_id
    return read_thumbnails(haven, principal, organisation_id=organisation_id, revision_ids=[revision_id]).get(revision_id)


def intake_upload(settings, data: bytes, filename: str, *, privacy: PrivacyDecision = DEFAULT_POLICY,
                  upload_scan: UploadScan | None = None) -> IntakeResult:
    return run_intake(data, filename, max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels,
                      privacy=privacy, upload_scan=upload_scan)


def scan_before_upload(haven: Haven, principal: Principal, *, organisation_id: int, data: bytes) -> UploadScan | None:
    """What the privacy guard finds in a photo before it is uploaded, for the uploader to decide; nothing is stored.

    None for a file that is not a photo; an IntakeError for a file the intake would refuse."""
    require(principal, "upload", organisation_id)
    settings = haven.settings
    return scan_upload(data, max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels)
