"""Haven's one vocabulary: the fixed words of DESIGN.md as enums, each with the label people read.

The values are the contract (database, bundles, `score --json`); the labels are what screens,
spreadsheets, `index.csv` and the board report show. A StrEnum member equals its value, so rows
read from the database and members compare without conversion.
"""
from __future__ import annotations

from enum import StrEnum


class Vocabulary(StrEnum):
    """A StrEnum whose members carry a plain-words label (`Rating.PARTIALLY_MET.label`)."""

    @property
    def label(self) -> str:
        return _LABELS[type(self)][self.value]

    @classmethod
    def label_of(cls, value: str | None, *, unknown: str = "") -> str:
        """The label of a stored value; `unknown` for None; a readable fallback for a value not in the enum."""
        if not value:
            return unknown
        try:
            return cls(value).label
        except ValueError:
            return str(value).replace("_", " ").capitalize()


class Rating(Vocabulary):
    MET = "met"
    PARTIALLY_MET = "partially_met"
    NOT_MET = "not_met"
    NOT_ASSESSED = "not_assessed"
    NOT_APPLICABLE = "not_applicable"

    @property
    def points(self) -> int | None:
        """Scoring rule 3: met 2, partially met 1, not met and not assessed 0; not applicable has none."""
        return _RATING_POINTS.get(self)

    @property
    def applicable(self) -> bool:
        return self is not Rating.NOT_APPLICABLE


class ReviewStatus(Vocabulary):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Classification(Vocabulary):
    INTERNAL = "internal"
    RESTRICTED = "restricted"


class SlotState(Vocabulary):
    VERIFIED = "verified"
    PENDING = "pending"
    EXPIRED = "expired"
    REJECTED = "rejected"
    MISSING = "missing"

    @property
    def filled(self) -> bool:
        return self in (SlotState.VERIFIED, SlotState.PENDING)


class Readiness(Vocabulary):
    READY = "ready"
    APPROACHING = "approaching"
    NOT_READY = "not_ready"


class ScoreLayer(Vocabulary):
    """The three score layers, in the order the board reads them."""

    SELF_ASSESSMENT = "self_assessment"
    COMPLETENESS = "completeness"
    VERIFIED = "verified"


class Severity(Vocabulary):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """High before medium before low."""
        return list(Severity).index(self)


_RATING_POINTS = {Rating.MET: 2, Rating.PARTIALLY_MET: 1, Rating.NOT_MET: 0, Rating.NOT_ASSESSED: 0}

# Labels per enum: members of different enums may share a value ("pending"), so the enum is part of the key.
_LABELS: dict[type[Vocabulary], dict[str, str]] = {
    Rating: {"met": "Met", "partially_met": "Partially met", "not_met": "Not met",
             "not_assessed": "Not assessed", "not_applicable": "Not applicable"},
    ReviewStatus: {"pending": "Pending review", "accepted": "Accepted", "rejected": "Rejected"},
    Classification: {"internal": "Internal", "restricted": "Restricted"},
    SlotState: {"verified": "Verified", "pending": "Pending review", "expired": "Expired",
                "rejected": "Rejected", "missing": "Missing"},
    Readiness: {"ready": "Ready", "approaching": "Approaching", "not_ready": "Not ready"},
    ScoreLayer: {"self_assessment": "Self-assessed", "completeness": "Evidence complete", "verified": "Verified"},
    Severity: {"high": "High", "medium": "Medium", "low": "Low"},
}


def percent(value: float | None) -> str:
    """A score fraction as people read it: 0.8333 -> "83%"; no score -> "N/A"."""
    if value is None:
        return "N/A"
    return f"{value * 100:.0f}%"
