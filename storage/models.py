"""Haven's tables. Times are timezone-aware UTC; dates are calendar dates."""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utc_now() -> datetime:
    return datetime.now(UTC)


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True, index=True)
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utc_now)
    archived_at: datetime | None = Field(default=None)  # archived: kept, but out of switchers and the network


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, unique=True, index=True)
    display_name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=254, unique=True)
    password_hash: str | None = Field(default=None, max_length=255)
    is_admin: bool = False
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utc_now)


class SignInThrottle(SQLModel, table=True):
    """Failed sign-ins of a name that is no account, or from one client address, under a keyed hash of it."""

    __tablename__ = "sign_in_throttle"
    key: str = Field(primary_key=True, max_length=64)
    failed_logins: int = 0
    window_started: datetime = Field(default_factory=utc_now, index=True)
    locked_until: datetime | None = None


class BrowserSession(SQLModel, table=True):
    """A signed-in browser: only the SHA-256 of its token is kept, so a copy of the database signs nobody in."""

    __tablename__ = "browser_session"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    handoff_hash: str | None = Field(default=None, max_length=64, unique=True)
    handoff_until: datetime | None = None
    created_at: datetime = Field(default_factory=utc_now)
    last_seen_at: datetime = Field(default_factory=utc_now)
    expires_at: datetime = Field(default_factory=utc_now, index=True)


class Membership(SQLModel, table=True):
    """A user's role in one organisation, or in every organisation when organisation_id is null."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    role: str = Field(max_length=20)


class AssessmentCycle(SQLModel, table=True):
    __tablename__ = "assessment_cycle"
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    standard_id: str = Field(max_length=40)
    name: str = Field(max_length=120)
    started_on: date
    closed_on: date | None = None


class Rating(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("cycle_id", "action_id"),)
    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="assessment_cycle.id", index=True)
    action_id: str = Field(max_length=40)
    rating: str = Field(default="not_assessed", max_length=20)
    justification: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    owner: str = Field(default="", max_length=200)
    updated_at: datetime = Field(default_factory=utc_now)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class Evidence(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    standard_id: str = Field(max_length=40)
    evidence_type: str = Field(max_length=60)
    title: str = Field(max_length=200)
    classification: str = Field(default="internal", max_length=20)
    created_at: datetime = Field(default_factory=utc_now)
    created_by: int | None = Field(default=None, foreign_key="user.id")


class EvidenceRevision(SQLModel, table=True):
    """One version of an evidence item; no blob means an on-site inspection record."""

    __tablename__ = "evidence_revision"
    __table_args__ = (UniqueConstraint("evidence_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", index=True)
    number: int = 1
    blob_key: str | None = Field(default=None, max_length=64, index=True)
    thumbnail_key: str | None = Field(default=None, max_length=64, index=True)
    display_name: str = Field(default="", max_length=200)
    mime_type: str = Field(default="", max_length=120)
    size_bytes: int = 0
    withheld: bool = False
    issued_on: date
    valid_until: date | None = None
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    uploaded_at: datetime = Field(default_factory=utc_now)
    uploaded_by: int | None = Field(default=None, foreign_key="user.id")


class PrivacyCheck(SQLModel, table=True):
    """What the privacy guard found in one revision's file and what was decided.

    The counts are columns for the queues; `detail` holds the whole record (kinds, boxes, actions,
    reasons; never the text the scan read) as JSON, read by evidence.privacy_policy.PrivacyRecord.
    """

    __tablename__ = "privacy_check"
    id: int | None = Field(default=None, primary_key=True)
    revision_id: int = Field(foreign_key="evidence_revision.id", unique=True)
    faces: int = 0
    sensitive_texts: int = 0
    other_texts: int = 0
    manual_regions: int = 0
    blurred: int = 0
    kept_with_reason: int = 0
    images_scanned: int = 0
    case_file: bool = False
    allowed_reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))


class EvidenceLink(SQLModel, table=True):
    """Evidence linked to an action; with the evidence's type it fills that (action, type) slot."""

    __tablename__ = "evidence_link"
    __table_args__ = (UniqueConstraint("evidence_id", "action_id"),)
    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", index=True)
    action_id: str = Field(max_length=40)


class Review(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    revision_id: int = Field(foreign_key="evidence_revision.id", index=True)
    status: str = Field(max_length=20)
    reviewer_id: int | None = Field(default=None, foreign_key="user.id")
    reviewer_name: str = Field(default="", max_length=200)
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    checklist: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    decided_at: datetime = Field(default_factory=utc_now)


class PlanItem(SQLModel, table=True):
    __tablename__ = "plan_item"
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    action_id: str = Field(max_length=40)
    description: str = Field(sa_column=Column(Text, nullable=False))
    owner: str = Field(default="", max_length=200)
    due: date | None = None
    done: bool = False
    gap_kind: str = Field(default="", max_length=40)
    created_at: datetime = Field(default_factory=utc_now)
    closed_at: datetime | None = None


class Snapshot(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("cycle_id", "taken_on"),)
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    cycle_id: int = Field(foreign_key="assessment_cycle.id", index=True)
    taken_on: date
    self_assessment: float | None = None
    completeness: float | None = None
    verified: float | None = None
    readiness: str = Field(default="not_ready", max_length=20)
    report: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))


class AuditEntry(SQLModel, table=True):
    """One change, chained to the one before by its hash."""

    __tablename__ = "audit_entry"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, index=True)
    actor: str = Field(max_length=120, index=True)
    action: str = Field(max_length=60, index=True)
    organisation_id: int | None = Field(default=None, index=True)
    target: str = Field(default="", max_length=200)
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


Index("ix_review_revision_decided", Review.revision_id, Review.decided_at)

# One decision per revision, one open cycle per organisation, one membership per user and organisation (or
# one covering every organisation): what concurrent sessions might otherwise each add once.
Index("uq_review_revision", Review.revision_id, unique=True)
Index("uq_assessment_cycle_open", AssessmentCycle.organisation_id, unique=True,
      sqlite_where=AssessmentCycle.closed_on.is_(None), postgresql_where=AssessmentCycle.closed_on.is_(None))
Index("uq_membership_user_organisation", Membership.user_id, Membership.organisation_id, unique=True,
      sqlite_where=Membership.organisation_id.is_not(None), postgresql_where=Membership.organisation_id.is_not(None))
Index("uq_membership_user_every_organisation", Membership.user_id, unique=True,
      sqlite_where=Membership.organisation_id.is_(None), postgresql_where=Membership.organisation_id.is_(None))
Index("ix_audit_entry_organisation_newest", AuditEntry.organisation_id, AuditEntry.id)
