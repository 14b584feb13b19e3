"""The plain facts scoring works on: no database, no Streamlit."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from vocabulary import Rating, ReviewStatus


@dataclass(frozen=True)
class RatingFact:
    action_id: str
    rating: str = Rating.NOT_ASSESSED.value
    justification: str = ""

    @property
    def applicable(self) -> bool:
        return self.rating != Rating.NOT_APPLICABLE


@dataclass(frozen=True)
class EvidenceFact:
    """One evidence item as its latest revision stands."""

    evidence_id: object
    evidence_type: str
    actions: frozenset[str]
    issued_on: date
    valid_until: date
    review_status: str = ReviewStatus.PENDING.value
    title: str = ""
    restricted: bool = False

    def is_current(self, as_of: date) -> bool:
        return self.issued_on <= as_of <= self.valid_until


@dataclass(frozen=True)
class PlanFact:
    action_id: str
    description: str = ""
    owner: str = ""
    due: date | None = None
    done: bool = False

    def is_open(self) -> bool:
        return not self.done

    def covers(self, as_of: date) -> bool:
        """An open item with an owner and a due date on or after `as_of`."""
        return self.is_open() and bool(self.owner.strip()) and self.due is not None and self.due >= as_of


@dataclass(frozen=True)
class OrganisationFacts:
    slug: str
    name: str
    ratings: dict[str, RatingFact] = field(default_factory=dict)
    evidence: tuple[EvidenceFact, ...] = ()
    plan: tuple[PlanFact, ...] = ()
