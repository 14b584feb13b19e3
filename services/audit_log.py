"""Reading the audit log: filtered entries, the values to filter by, and the chain check."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.permissions import Principal, require
from storage.audit import ChainFault, check_audit_chain
from storage.models import AuditEntry, Organisation

DEFAULT_LIMIT = 1000


@dataclass(frozen=True)
class AuditRow:
    """One entry of the audit log as the audit screen and its CSV show it."""

    id: int
    at: datetime
    actor: str
    action: str
    organisation: str  # the organisation's slug, "" for an entry that belongs to none
    target: str
    detail: str  # JSON, as recorded
    hash: str


@dataclass(frozen=True)
class AuditFilterChoices:
    """The actors and actions that occur in the log, and its first and last UTC day (None when it is empty)."""

    actors: list[str]
    actions: list[str]
    first_day: date | None
    last_day: date | None


@dataclass(frozen=True)
class AuditSelection:
    """The newest matching entries (at most the limit) and how many matched in all."""

    entries: list[AuditRow]
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.entries)


def audit_entries(
    session: Session, principal: Principal, *, actor: str | None = None, actions: list[str] | None = None,
    organisation_id: int | None = None, instance_wide: bool = False, since: date | None = None,
    until: date | None = None, limit: int = DEFAULT_LIMIT,
) -> AuditSelection:
    """Entries newest first. `instance_wide` selects entries that belong to no organisation (sign-ins,
    accounts); `since` and `until` are whole UTC days, both included."""
    require(principal, "view_audit")
    conditions = []
    if actor:
        conditions.append(AuditEntry.actor == actor)
    if actions:
        conditions.append(AuditEntry.action.in_(actions))
    if instance_wide:
        conditions.append(AuditEntry.organisation_id.is_(None))
    elif organisation_id is not None:
        conditions.append(AuditEntry.organisation_id == organisation_id)
    if since is not None:
        conditions.append(AuditEntry.at >= _start_of(since))
    if until is not None:
        conditions.append(AuditEntry.at < _start_of(until + timedelta(days=1)))
    total = session.exec(select(func.count(AuditEntry.id)).where(*conditions)).one()
    rows = session.exec(select(AuditEntry).where(*conditions).order_by(AuditEntry.id.desc()).limit(limit)).all()
    slugs = dict(session.exec(select(Organisation.id, Organisation.slug)).all())
    return AuditSelection([_entry_row(entry, slugs) for entry in rows], total)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _entry_row(entry: AuditEntry, slugs: dict[int, str]) -> AuditRow:
    organisation = "" if entry.organisation_id is None else slugs.get(entry.organisation_id, f"#{entry.organisation_id}")
    return AuditRow(id=entry.id, at=entry.at, actor=entry.actor, action=entry.action, organisation=organisation,
                    target=entry.target, detail=entry.detail, hash=entry.hash)


def audit_filter_choices(session: Session, principal: Principal) -> AuditFilterChoices:
    """The actors and actions that occur in the log and its first and last UTC day, for the filters."""
    require(principal, "view_audit")
    actors = session.exec(select(AuditEntry.actor).distinct().order_by(AuditEntry.actor)).all()
    actions = session.exec(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all()
    first, last = session.exec(select(func.min(AuditEntry.at), func.max(AuditEntry.at))).one()
    return AuditFilterChoices(actors=list(actors), actions=list(actions), first_day=_utc_day(first),
                              last_day=_utc_day(last))


def _utc_day(moment: datetime | None) -> date | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).date()


def audit_chain_faults(session: Session, principal: Principal) -> list[ChainFault]:
    require(principal, "view_audit")
    return check_audit_chain(session)
