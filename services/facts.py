"""Reads what scoring needs for many organisations with one query per table."""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from sqlmodel import Session, select

from scoring.dates import add_months
from scoring.facts import EvidenceFact, OrganisationFacts, PlanFact, RatingFact
from standards.schema import Standard
from storage.models import AssessmentCycle, Evidence, EvidenceLink, EvidenceRevision, Organisation, PlanItem, Rating, Review

CHUNK = 500


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def latest_revisions(session: Session, evidence_ids: list[int]) -> dict[int, EvidenceRevision]:
    latest: dict[int, EvidenceRevision] = {}
    for chunk in _chunks(evidence_ids):
        for revision in session.exec(select(EvidenceRevision).where(EvidenceRevision.evidence_id.in_(chunk))):
            held = latest.get(revision.evidence_id)
            if held is None or revision.number > held.number:
                latest[revision.evidence_id] = revision
    return latest


def latest_reviews(session: Session, revision_ids: list[int]) -> dict[int, Review]:
    latest: dict[int, Review] = {}
    for chunk in _chunks(revision_ids):
        for review in session.exec(select(Review).where(Review.revision_id.in_(chunk))):
            held = latest.get(review.revision_id)
            if held is None or (review.decided_at, review.id) > (held.decided_at, held.id):
                latest[review.revision_id] = review
    return latest


def valid_until_of(revision: EvidenceRevision, validity_months: int):
    return revision.valid_until or add_months(revision.issued_on, validity_months)


def load_facts(
    session: Session, standard: Standard, organisations: list[Organisation], cycles: dict[int, AssessmentCycle]
) -> dict[int, OrganisationFacts]:
    """Facts per organisation id, for the given cycle of each."""
    org_ids = [o.id for o in organisations]
    validity = {t.id: t.validity_months for t in standard.evidence_types}
    cycle_to_org = {c.id: org for org, c in cycles.items()}
    ratings: dict[int, dict[str, RatingFact]] = defaultdict(dict)
    for chunk in _chunks(list(cycle_to_org)):
        for row in session.exec(select(Rating).where(Rating.cycle_id.in_(chunk))):
            ratings[cycle_to_org[row.cycle_id]][row.action_id] = RatingFact(row.action_id, row.rating, row.justification)
    evidence_rows: list[Evidence] = []
    for chunk in _chunks(org_ids):
        evidence_rows.extend(session.exec(
            select(Evidence).where(Evidence.organisation_id.in_(chunk), Evidence.standard_id == standard.id)
        ))
    evidence_ids = [e.id for e in evidence_rows]
    links: dict[int, set[str]] = defaultdict(set)
    for chunk in _chunks(evidence_ids):
        for link in session.exec(select(EvidenceLink).where(EvidenceLink.evidence_id.in_(chunk))):
            links[link.evidence_id].add(link.action_id)
    revisions = latest_revisions(session, evidence_ids)
    reviews = latest_reviews(session, [r.id for r in revisions.values()])
    evidence: dict[int, list[EvidenceFact]] = defaultdict(list)
    for row in evidence_rows:
        revision = revisions.get(row.id)
        if revision is None or row.evidence_type not in validity:
            continue
        review = reviews.get(revision.id)
        evidence[row.organisation_id].append(EvidenceFact(
            evidence_id=row.id, evidence_type=row.evidence_type, actions=frozenset(links[row.id]),
            issued_on=revision.issued_on, valid_until=valid_until_of(revision, validity[row.evidence_type]),
            review_status=review.status if review else "pending", title=row.title,
            restricted=row.classification == "restricted",
        ))
    plan: dict[int, list[PlanFact]] = defaultdict(list)
    for chunk in _chunks(org_ids):
        for item in session.exec(select(PlanItem).where(PlanItem.organisation_id.in_(chunk)).order_by(PlanItem.id)):
            plan[item.organisation_id].append(PlanFact(item.action_id, item.description, item.owner, item.due, item.done))
    return {
        o.id: OrganisationFacts(slug=o.slug, name=o.name, ratings=ratings[o.id],
                                evidence=tuple(evidence[o.id]), plan=tuple(plan[o.id]))
        for o in organisations
    }
