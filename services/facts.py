"""Reads what scoring needs for many organisations with one query per table."""
from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import bindparam
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from scoring.dates import add_months
from scoring.facts import EvidenceFact, OrganisationFacts, PlanFact, RatingFact
from standards.schema import Standard
from storage.models import (
    AssessmentCycle,
    Evidence,
    EvidenceLink,
    EvidenceRevision,
    Organisation,
    PlanItem,
    Rating,
    Review,
)

CHUNK = 500
SCORED_TABLES = tuple(model.__tablename__ for model in (
    Organisation, AssessmentCycle, Rating, Evidence, EvidenceLink, EvidenceRevision, Review, PlanItem))
"""The tables scoring reads, each table before the ones that refer to it."""


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
    """Facts per organisation id, for the given cycle of each.

    Four queries per chunk of organisations, each reading only the columns scoring uses: the ratings,
    the links, the evidence joined to its latest revision and that revision's latest review (both picked
    by the database through the unique (evidence_id, number) and (revision_id, decided_at) indexes), and
    the plan. No ORM objects are built: at a network's scale building them cost more than the reading.
    """
    org_ids = [o.id for o in organisations]
    validity = {t.id: t.validity_months for t in standard.evidence_types}
    cycle_to_org = {c.id: org for org, c in cycles.items()}
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()  # as a query through the session would: pending changes count
    connection = session.connection()
    ratings: dict[int, dict[str, RatingFact]] = defaultdict(dict)
    for chunk in _chunks(list(cycle_to_org)):
        for cycle_id, action_id, rating, justification in connection.execute(_RATINGS, {"ids": chunk}).all():
            ratings[cycle_to_org[cycle_id]][action_id] = RatingFact(action_id, rating, justification)
    links: dict[int, set[str]] = defaultdict(set)
    evidence: dict[int, list[EvidenceFact]] = defaultdict(list)
    plan: dict[int, list[PlanFact]] = defaultdict(list)
    for chunk in _chunks(org_ids):
        wanted = {"ids": chunk, "standard": standard.id}
        for evidence_id, action_id in connection.execute(_LINKS, wanted).all():
            links[evidence_id].add(action_id)
        for row in connection.execute(_LATEST_EVIDENCE, wanted).all():
            evidence_id, organisation_id, evidence_type, title, classification, issued_on, valid_until, status = row
            months = validity.get(evidence_type)
            if months is None:
                continue
            evidence[organisation_id].append(EvidenceFact(
                evidence_id=evidence_id, evidence_type=evidence_type, actions=frozenset(links[evidence_id]),
                issued_on=issued_on, valid_until=valid_until or _months_later(issued_on, months),
                review_status=status or "pending", title=title, restricted=classification == "restricted",
            ))
        for organisation_id, *item in connection.execute(_PLAN, {"ids": chunk}).all():
            plan[organisation_id].append(PlanFact(*item))
    return {
        o.id: OrganisationFacts(slug=o.slug, name=o.name, ratings=ratings[o.id],
                                evidence=tuple(evidence[o.id]), plan=tuple(plan[o.id]))
        for o in organisations
    }


_months_later = functools.lru_cache(maxsize=8192)(add_months)


def _latest_evidence_query():
    """Each evidence item of some organisations with its latest revision's dates and latest review's status."""
    newer = aliased(EvidenceRevision)
    latest_number = select(func.max(newer.number)).where(newer.evidence_id == Evidence.id).scalar_subquery()
    latest_status = (
        select(Review.status).where(Review.revision_id == EvidenceRevision.id)
        .order_by(Review.decided_at.desc(), Review.id.desc()).limit(1).scalar_subquery()
    )
    return (
        select(Evidence.id, Evidence.organisation_id, Evidence.evidence_type, Evidence.title, Evidence.classification,
               EvidenceRevision.issued_on, EvidenceRevision.valid_until, latest_status)
        .join(EvidenceRevision, EvidenceRevision.evidence_id == Evidence.id)
        .where(Evidence.organisation_id.in_(bindparam("ids", expanding=True)),
               Evidence.standard_id == bindparam("standard"), EvidenceRevision.number == latest_number)
        .order_by(Evidence.id)
    )


# Built once: constructing the statements cost more than running them for a small network.
_RATINGS = select(Rating.cycle_id, Rating.action_id, Rating.rating, Rating.justification).where(
    Rating.cycle_id.in_(bindparam("ids", expanding=True)))
_LINKS = (select(EvidenceLink.evidence_id, EvidenceLink.action_id)
          .join(Evidence, Evidence.id == EvidenceLink.evidence_id)
          .where(Evidence.organisation_id.in_(bindparam("ids", expanding=True)),
                 Evidence.standard_id == bindparam("standard")))
_LATEST_EVIDENCE = _latest_evidence_query()
_PLAN = (select(PlanItem.organisation_id, PlanItem.action_id, PlanItem.description, PlanItem.owner, PlanItem.due,
                PlanItem.done)
         .where(PlanItem.organisation_id.in_(bindparam("ids", expanding=True))).order_by(PlanItem.id))
