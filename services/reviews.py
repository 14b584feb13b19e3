"""The quality reviewer's decisions on evidence."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from accounts.permissions import Principal, require
from evidence.privacy_policy import PrivacyRecord
from services.errors import NotFound, ServiceError
from services.evidence import privacy_records
from services.facts import latest_reviews, latest_revisions
from standards.loader import get_standard
from storage.audit import append_audit
from storage.db import lock_row
from storage.models import Evidence, EvidenceLink, EvidenceRevision, Review, User
from vocabulary import Classification, ReviewStatus

DECISIONS = ("accepted", "rejected")


def review_revision(
    session: Session, principal: Principal, *, revision_id: int, status: str, comment: str = "",
    checklist: list[str] | None = None, reviewer_name: str | None = None,
) -> Review:
    """Accepts or rejects the latest revision of an evidence item; nothing is stored when refused."""
    revision = session.get(EvidenceRevision, revision_id)
    if revision is None:
        raise NotFound("No such evidence.")
    evidence = lock_row(session, Evidence, revision.evidence_id)  # one decision at a time; a new revision waits
    require(principal, "review", evidence.organisation_id)
    if status not in DECISIONS:
        raise ServiceError("A review either accepts or rejects the evidence.")
    if _is_own(principal, revision, evidence):
        raise ServiceError("You uploaded this evidence, so another reviewer must review it.")
    latest = latest_revisions(session, [evidence.id])[evidence.id]
    if latest.id != revision.id:
        raise ServiceError("A newer revision of this evidence exists: review that one.")
    earlier = latest_reviews(session, [revision.id]).get(revision.id)
    if earlier is not None:
        raise ServiceError(f"This revision was {earlier.status} by {earlier.reviewer_name or 'another reviewer'} "
                           "already: it has left the queue.")
    comment = comment.strip()
    if status == "rejected" and not comment:
        raise ServiceError("Give the reason for the rejection, so the manager knows what to fix.")
    checklist_items = get_standard(evidence.standard_id).evidence_type(evidence.evidence_type).checklist
    checked = _checked_items(checklist_items, checklist or [])
    if status == "accepted" and not principal.is_system:
        _refuse_unexplained_gaps(checklist_items, checked, comment)
    review = Review(revision_id=revision.id, status=status, reviewer_id=principal.user_id,
                    reviewer_name=(reviewer_name or principal.username)[:200], comment=comment[:4000],
                    checklist=json.dumps(checked, ensure_ascii=False))
    session.add(review)
    append_audit(session, actor=principal.username, action=f"review.{status}", organisation_id=evidence.organisation_id,
                 target=f"evidence:{evidence.id}", detail={"revision": revision.number, "comment": comment[:200],
                                                           "checklist": len(checked)})
    session.flush()
    return review


def record_imported_review(session: Session, principal: Principal, *, evidence: Evidence, status: str,
                           reviewer: str = "", comment: str = "") -> Review:
    """A decision carried in by a bundle (made by a reviewer elsewhere), recorded and audited like any review."""
    require(principal, "manage_users")
    if status not in DECISIONS:
        raise ServiceError("A review either accepts or rejects the evidence.")
    revision = latest_revisions(session, [evidence.id])[evidence.id]
    review = Review(revision_id=revision.id, status=status, reviewer_name=reviewer[:200], comment=comment[:4000])
    session.add(review)
    append_audit(session, actor=principal.username, action=f"review.{status}", organisation_id=evidence.organisation_id,
                 target=f"evidence:{evidence.id}", detail={"revision": revision.number, "imported": True,
                                                           "reviewer": reviewer[:200], "comment": comment[:200]})
    session.flush()
    return review


def _is_own(principal: Principal, revision: EvidenceRevision, evidence: Evidence) -> bool:
    """Whoever added the evidence or uploaded this revision may not review it, administrators included."""
    if principal.is_system or principal.user_id is None:
        return False
    return principal.user_id in (revision.uploaded_by, evidence.created_by)


MIN_EXPLANATION = 15  # characters: a reason, not "ok" or "n/a"


def accept_refusal(checklist: tuple[str, ...] | list[str], ticked: list[str], comment: str) -> str | None:
    """Why an acceptance cannot be recorded, or None: every checklist item is ticked, or the comment says why the
    unticked ones do not apply to this evidence."""
    unticked = [item for item in checklist if item not in ticked]
    if not unticked or len(comment.strip()) >= MIN_EXPLANATION:
        return None
    listed = "; ".join(f"“{item}”" for item in unticked)
    return (f"To accept, tick every checklist item, or say in the comment why the unticked ones do not apply "
            f"to this evidence (at least {MIN_EXPLANATION} characters). Not ticked: {listed}.")


def _refuse_unexplained_gaps(checklist: tuple[str, ...], ticked: list[str], comment: str) -> None:
    refusal = accept_refusal(checklist, ticked, comment)
    if refusal:
        raise ServiceError(refusal)


def _checked_items(checklist: tuple[str, ...], ticked: list[str]) -> list[str]:
    unknown = [item for item in ticked if item not in checklist]
    if unknown:
        raise ServiceError(f"'{unknown[0]}' is not on this evidence type's checklist.")
    return [item for item in checklist if item in ticked]


def _waiting(session: Session, organisation_id: int) -> tuple[list[Evidence], dict[int, EvidenceRevision]]:
    evidence_rows = session.exec(select(Evidence).where(Evidence.organisation_id == organisation_id)).all()
    revisions = latest_revisions(session, [e.id for e in evidence_rows])
    reviews = latest_reviews(session, [r.id for r in revisions.values()])
    return [e for e in evidence_rows if e.id in revisions and revisions[e.id].id not in reviews], revisions


def waiting_for_review(session: Session, principal: Principal, *, organisation_id: int) -> int:
    """How many items the Review queue holds, for its title in the navigation."""
    require(principal, "review", organisation_id)
    return len(_waiting(session, organisation_id)[0])


@dataclass(frozen=True)
class PreviousReview:
    """The decision on the revision before the one waiting, so the reviewer sees what was asked for last time."""

    revision: int
    status: ReviewStatus
    comment: str
    reviewer: str


@dataclass(frozen=True)
class QueueItem:
    """An evidence item whose latest revision waits for a reviewer's decision."""

    evidence_id: int
    revision_id: int
    revision: int  # the waiting revision's number
    title: str
    evidence_type: str
    evidence_type_title: str
    checklist: list[str]  # the evidence type's checklist, in the standard's order
    classification: Classification
    actions: list[str]
    issued_on: date
    valid_until: date | None  # only a date the uploader gave
    file_name: str
    mime_type: str
    has_file: bool
    withheld: bool
    note: str
    uploaded_at: datetime
    uploaded_by: str  # the uploader's name
    own_upload: bool  # the reviewer added the evidence or uploaded this revision, so may not review it
    previous_review: PreviousReview | None
    privacy: PrivacyRecord | None  # what the privacy guard found and what the uploader decided


@dataclass(frozen=True)
class ReviewFile:
    """Where the file of a revision waiting in the queue is stored."""

    blob_key: str
    mime_type: str
    file_name: str
    size_bytes: int


@dataclass(frozen=True)
class Rejection:
    """Evidence whose latest revision was rejected, with the reviewer's reason."""

    evidence_id: int
    title: str
    evidence_type: str
    actions: list[str]
    revision: int
    reason: str
    reviewer: str
    decided_at: datetime | None
    decided_on: date


def review_queue(session: Session, principal: Principal, *, organisation_id: int) -> list[QueueItem]:
    """Evidence whose latest revision waits for a decision, oldest first, with the type's checklist."""
    require(principal, "review", organisation_id)
    waiting, revisions = _waiting(session, organisation_id)
    links = _linked_actions(session, [e.id for e in waiting])
    previous = _previous_reviews(session, [revisions[e.id] for e in waiting])
    names = _user_names(session, {revisions[e.id].uploaded_by for e in waiting} | {e.created_by for e in waiting})
    privacy = privacy_records(session, [revisions[e.id].id for e in waiting])
    queue = []
    for evidence in waiting:
        revision = revisions[evidence.id]
        evidence_type = get_standard(evidence.standard_id).evidence_type(evidence.evidence_type)
        queue.append(QueueItem(
            evidence_id=evidence.id, revision_id=revision.id, revision=revision.number, title=evidence.title,
            evidence_type=evidence.evidence_type, evidence_type_title=evidence_type.title,
            checklist=list(evidence_type.checklist), classification=Classification(evidence.classification),
            actions=links.get(evidence.id, []), issued_on=revision.issued_on, valid_until=revision.valid_until,
            file_name=revision.display_name, mime_type=revision.mime_type, has_file=revision.blob_key is not None,
            withheld=revision.withheld, note=revision.note, uploaded_at=revision.uploaded_at,
            uploaded_by=names.get(revision.uploaded_by or evidence.created_by, ""),
            own_upload=_is_own(principal, revision, evidence), previous_review=previous.get(evidence.id),
            privacy=privacy.get(revision.id),
        ))
    return sorted(queue, key=lambda item: (item.uploaded_at, item.revision_id))


def review_file(session: Session, principal: Principal, *, revision_id: int) -> ReviewFile:
    """Where the file of a revision waiting in the queue is stored, for the reviewer's preview."""
    revision = session.get(EvidenceRevision, revision_id)
    if revision is None:
        raise NotFound("No such evidence.")
    evidence = session.get(Evidence, revision.evidence_id)
    require(principal, "review", evidence.organisation_id)
    if revision.blob_key is None:
        raise NotFound("This evidence is an on-site inspection record: there is no file.")
    return ReviewFile(blob_key=revision.blob_key, mime_type=revision.mime_type, file_name=revision.display_name,
                      size_bytes=revision.size_bytes)


def rejections(session: Session, principal: Principal, *, organisation_id: int) -> list[Rejection]:
    """Evidence whose latest revision was rejected, with the reviewer's reason, for the manager; newest first."""
    require(principal, "view_evidence", organisation_id)
    evidence_rows = session.exec(select(Evidence).where(Evidence.organisation_id == organisation_id)).all()
    revisions = latest_revisions(session, [e.id for e in evidence_rows])
    reviews = latest_reviews(session, [r.id for r in revisions.values()])
    rejected = [e for e in evidence_rows
                if e.id in revisions and getattr(reviews.get(revisions[e.id].id), "status", "") == ReviewStatus.REJECTED]
    links = _linked_actions(session, [e.id for e in rejected])
    found = []
    for evidence in rejected:
        review = reviews[revisions[evidence.id].id]
        found.append(Rejection(
            evidence_id=evidence.id, title=evidence.title, evidence_type=evidence.evidence_type,
            actions=links.get(evidence.id, []), revision=revisions[evidence.id].number, reason=review.comment,
            reviewer=review.reviewer_name, decided_at=review.decided_at,
            decided_on=review.decided_at.date() if review.decided_at else date.today()))
    return sorted(found, key=lambda row: (row.decided_at, row.evidence_id), reverse=True)


def _linked_actions(session: Session, evidence_ids: list[int]) -> dict[int, list[str]]:
    linked: dict[int, list[str]] = {}
    if evidence_ids:
        for link in session.exec(select(EvidenceLink).where(EvidenceLink.evidence_id.in_(evidence_ids))):
            linked.setdefault(link.evidence_id, []).append(link.action_id)
    return {evidence_id: sorted(actions) for evidence_id, actions in linked.items()}


def _previous_reviews(session: Session, revisions: list[EvidenceRevision]) -> dict[int, PreviousReview]:
    """The decision on the revision before each given one, so the reviewer sees what was asked for last time."""
    earlier = {r.evidence_id: r.number - 1 for r in revisions if r.number > 1}
    if not earlier:
        return {}
    rows = session.exec(select(EvidenceRevision).where(EvidenceRevision.evidence_id.in_(list(earlier)))).all()
    before = {r.evidence_id: r for r in rows if r.number == earlier[r.evidence_id]}
    decided = latest_reviews(session, [r.id for r in before.values()])
    return {
        evidence_id: PreviousReview(revision=revision.number, status=ReviewStatus(decided[revision.id].status),
                                    comment=decided[revision.id].comment, reviewer=decided[revision.id].reviewer_name)
        for evidence_id, revision in before.items() if revision.id in decided
    }


def _user_names(session: Session, user_ids: set[int | None]) -> dict[int, str]:
    ids = [i for i in user_ids if i is not None]
    if not ids:
        return {}
    return {u.id: u.display_name or u.username for u in session.exec(select(User).where(User.id.in_(ids)))}
