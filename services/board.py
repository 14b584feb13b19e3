"""What the board reads beside the scores: evidence about to expire, and the network compared.

A board member may see that restricted evidence expires, of which type and when, but never its
title or file name: rows carry `title=None` for restricted evidence unless the viewer may see
the evidence itself, and no row ever carries a file name.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, select

from accounts.permissions import Principal, require
from scoring.report import ReportSummary
from services.facts import latest_reviews, latest_revisions, valid_until_of
from services.scores import score_network
from standards.loader import get_standard
from storage.models import Evidence, EvidenceLink

EXPIRY_WINDOW_DAYS = 90


@dataclass(frozen=True)
class ExpiringEvidence:
    """One evidence item whose validity ends soon (or has ended and still needs renewing); never its file name."""

    evidence_type: str
    evidence_type_title: str
    title: str | None  # None for restricted evidence the viewer may not see
    restricted: bool
    actions: list[str]
    valid_until: date
    days_left: int
    review_status: str
    expired: bool


@dataclass(frozen=True)
class ExpiringType:
    """How many items of one evidence type expire (of them restricted), and the first date."""

    evidence_type: str
    evidence_type_title: str
    count: int
    first_expiry: date
    restricted: int


def expiring_evidence(session: Session, principal: Principal, *, organisation_id: int, as_of: date | None = None,
                      days: int | None = EXPIRY_WINDOW_DAYS, include_expired: bool = False) -> list[ExpiringEvidence]:
    """Current, not rejected evidence whose validity ends within `days` of `as_of` (both days included),
    soonest first; `days=None` gives every future expiry (for the deadlines calendar).

    `include_expired` adds, first, the evidence that has already expired and still needs renewing: not
    rejected, and linked to an action for which no current evidence of its type has taken its place
    (`expired: True`, `days_left` below zero)."""
    require(principal, "view_scores", organisation_id)
    as_of = as_of or date.today()
    last_day = None if days is None else as_of + timedelta(days=days)
    may_see_titles = principal.can("view_evidence", organisation_id)
    evidence_rows = session.exec(select(Evidence).where(Evidence.organisation_id == organisation_id)
                                 .order_by(Evidence.id)).all()
    ids = [e.id for e in evidence_rows]
    revisions = latest_revisions(session, ids)
    reviews = latest_reviews(session, [r.id for r in revisions.values()])
    links: dict[int, list[str]] = defaultdict(list)
    if ids:
        for link in session.exec(select(EvidenceLink).where(EvidenceLink.evidence_id.in_(ids))):
            links[link.evidence_id].append(link.action_id)
    rows, lapsed = [], []
    current_slots: set[tuple[str, str]] = set()
    for evidence in evidence_rows:
        revision = revisions.get(evidence.id)
        standard = get_standard(evidence.standard_id)
        if revision is None or not standard.has_evidence_type(evidence.evidence_type):
            continue
        review = reviews.get(revision.id)
        if review is not None and review.status == "rejected":
            continue
        evidence_type = standard.evidence_type(evidence.evidence_type)
        valid_until = valid_until_of(revision, evidence_type.validity_months)
        if revision.issued_on <= as_of <= valid_until:
            current_slots.update((action, evidence.evidence_type) for action in links[evidence.id])
        expired = valid_until < as_of
        if (expired and not include_expired) or revision.issued_on > as_of or \
                (last_day is not None and valid_until > last_day):
            continue
        restricted = evidence.classification == "restricted"
        (lapsed if expired else rows).append(ExpiringEvidence(
            evidence_type=evidence.evidence_type,
            evidence_type_title=evidence_type.title,
            title=None if restricted and not may_see_titles else evidence.title,
            restricted=restricted,
            actions=sorted(links[evidence.id]),
            valid_until=valid_until,
            days_left=(valid_until - as_of).days,
            review_status=review.status if review else "pending",
            expired=expired,
        ))
    lapsed = [row for row in lapsed
              if any((action, row.evidence_type) not in current_slots for action in row.actions)]

    def soonest(row: ExpiringEvidence) -> tuple:
        return row.valid_until, row.evidence_type_title, row.actions

    return sorted(lapsed, key=soonest) + sorted(rows, key=soonest)


def expiring_by_type(rows: list[ExpiringEvidence]) -> list[ExpiringType]:
    """How many items of each evidence type expire, and the first date, soonest type first."""
    by_type: dict[str, list[ExpiringEvidence]] = defaultdict(list)
    for row in rows:
        by_type[row.evidence_type].append(row)
    counted = [ExpiringType(evidence_type=type_id, evidence_type_title=items[0].evidence_type_title, count=len(items),
                            first_expiry=min(item.valid_until for item in items),
                            restricted=sum(item.restricted for item in items))
               for type_id, items in by_type.items()]
    return sorted(counted, key=lambda entry: (entry.first_expiry, entry.evidence_type_title))


def network_scores(session: Session, principal: Principal, *, as_of: date | None = None) -> list[ReportSummary]:
    """What the network compares of every organisation's score report (in slug order), for users whose
    membership covers the whole network and admins."""
    require(principal, "view_network")
    return [ReportSummary.from_json(report) for report in score_network(session, principal, as_of=as_of)]
