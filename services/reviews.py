"""The quality reviewer's decisions on evidence."""
from __future__ import annotations

import json
from datetime import date

from sqlmodel import Session, select

from accounts.permissions import Principal, require
from services.errors import NotFound, ServiceError
from services.facts import latest_revisions, latest_reviews
from standards.loader import get_standard
from storage.audit import append_audit
from storage.models import Evidence, EvidenceRevision, Review

DECISIONS = ("accepted", "rejected")


def review_revision(
    session: Session, principal: Principal, *, revision_id: int, status: str, comment: str = "",
    checklist: list[str] | None = None, reviewer_name: str | None = None,
) -> Review:
    revision = session.get(EvidenceRevision, revision_id)
    if revision is None:
        raise NotFound("No such evidence.")
    evidence = session.get(Evidence, revision.evidence_id)
    require(principal, "review", evidence.organisation_id)
    if status not in DECISIONS:
        raise ServiceError("A review either accepts or rejects the evidence.")
    if not principal.is_system and revision.uploaded_by is not None and revision.uploaded_by == principal.user_id:
        raise ServiceError("You uploaded this evidence, so another reviewer must review it.")
    if not principal.is_system and evidence.created_by is not None and evidence.created_by == principal.user_id:
        raise ServiceError("You added this evidence, so another reviewer must review it.")
    latest = latest_revisions(session, [evidence.id])[evidence.id]
    if latest.id != revision.id:
        raise ServiceError("A newer revision of this evidence exists: review that one.")
    comment = comment.strip()
    if status == "rejected" and not comment:
        raise ServiceError("Give the reason for the rejection, so the manager knows what to fix.")
    checked = [item for item in (checklist or []) if isinstance(item, str)]
    review = Review(revision_id=revision.id, status=status, reviewer_id=principal.user_id,
                    reviewer_name=(reviewer_name or principal.username)[:200], comment=comment[:4000],
                    checklist=json.dumps(checked, ensure_ascii=False))
    session.add(review)
    append_audit(session, actor=principal.username, action=f"review.{status}", organisation_id=evidence.organisation_id,
                 target=f"evidence:{evidence.id}", detail={"revision": revision.number, "comment": comment[:200]})
    session.flush()
    return review


def review_queue(session: Session, principal: Principal, *, organisation_id: int) -> list[dict]:
    """Evidence whose latest revision waits for a decision, oldest first, with the type's checklist."""
    require(principal, "review", organisation_id)
    evidence_rows = session.exec(select(Evidence).where(Evidence.organisation_id == organisation_id)).all()
    revisions = latest_revisions(session, [e.id for e in evidence_rows])
    reviews = latest_reviews(session, [r.id for r in revisions.values()])
    queue = []
    for evidence in evidence_rows:
        revision = revisions.get(evidence.id)
        if revision is None or revision.id in reviews:
            continue
        evidence_type = get_standard(evidence.standard_id).evidence_type(evidence.evidence_type)
        queue.append({
            "evidence_id": evidence.id, "revision_id": revision.id, "revision": revision.number,
            "title": evidence.title, "evidence_type": evidence.evidence_type, "evidence_type_title": evidence_type.title,
            "checklist": list(evidence_type.checklist), "classification": evidence.classification,
            "issued_on": revision.issued_on, "valid_until": revision.valid_until, "file_name": revision.display_name,
            "mime_type": revision.mime_type, "has_file": revision.blob_key is not None, "note": revision.note,
            "uploaded_at": revision.uploaded_at,
            "own_upload": principal.user_id is not None and principal.user_id in (revision.uploaded_by, evidence.created_by),
        })
    return sorted(queue, key=lambda row: row["uploaded_at"])


def rejections(session: Session, principal: Principal, *, organisation_id: int) -> list[dict]:
    """Evidence whose latest revision was rejected, with the reviewer's reason, for the manager."""
    require(principal, "view_evidence", organisation_id)
    evidence_rows = session.exec(select(Evidence).where(Evidence.organisation_id == organisation_id)).all()
    revisions = latest_revisions(session, [e.id for e in evidence_rows])
    reviews = latest_reviews(session, [r.id for r in revisions.values()])
    found = []
    for evidence in evidence_rows:
        review = reviews.get(revisions[evidence.id].id) if evidence.id in revisions else None
        if review and review.status == "rejected":
            found.append({"evidence_id": evidence.id, "title": evidence.title, "evidence_type": evidence.evidence_type,
                          "reason": review.comment, "reviewer": review.reviewer_name,
                          "decided_on": review.decided_at.date() if review.decided_at else date.today()})
    return found
