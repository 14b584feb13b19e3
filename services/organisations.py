"""Organisations and their assessment cycles."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from accounts.permissions import Principal, require
from services.errors import NotFound, ServiceError
from standards.loader import bundled_standards, get_standard
from storage.audit import append_audit
from storage.db import lock_row
from storage.models import AssessmentCycle, Membership, Organisation, utc_now

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")


def default_standard_id() -> str:
    return sorted(bundled_standards())[0]


def create_organisation(
    session: Session, principal: Principal, *, slug: str, name: str, standard_id: str | None = None, started_on: date | None = None
) -> Organisation:
    require(principal, "manage_users")
    slug = slug.strip()
    if not SLUG_PATTERN.match(slug):
        raise ServiceError("An organisation id has 2 to 80 lower-case letters, digits or dashes, e.g. harbour-house.")
    if not name.strip():
        raise ServiceError("An organisation needs a name.")
    if session.exec(select(Organisation).where(Organisation.slug == slug)).first():
        raise ServiceError(f"An organisation with the id '{slug}' already exists.")
    standard = get_standard(standard_id or default_standard_id())
    organisation = Organisation(slug=slug, name=name.strip()[:200])
    session.add(organisation)
    try:
        session.flush()
    except IntegrityError as error:  # another session created it a moment ago
        raise ServiceError(f"An organisation with the id '{slug}' already exists.") from error
    started = started_on or date.today()
    session.add(AssessmentCycle(organisation_id=organisation.id, standard_id=standard.id,
                                name=f"{standard.short_title or standard.id} {started.year}", started_on=started))
    append_audit(session, actor=principal.username, action="organisation.create", organisation_id=organisation.id,
                 target=slug, detail={"name": organisation.name, "standard": standard.id})
    session.flush()
    return organisation


def get_organisation(session: Session, slug: str) -> Organisation:
    """The organisation a slug names: for the edges (command line, bundles), which resolve a slug once and hand
    services the organisation's id."""
    organisation = session.exec(select(Organisation).where(Organisation.slug == slug)).first()
    if organisation is None:
        raise NotFound(f"No organisation with the id '{slug}'.")
    return organisation


def organisation_by_id(session: Session, organisation_id: int) -> Organisation:
    """The organisation services are handed (by id); NotFound when there is none."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("No such organisation.")
    return organisation


class OrganisationChoice(NamedTuple):
    """An organisation as screens name it (unpacks as id, slug, name)."""

    id: int
    slug: str
    name: str


def organisation_choices(session: Session, principal: Principal) -> list[OrganisationChoice]:
    """The organisations the principal may see, by name (archived ones left out)."""
    return [OrganisationChoice(o.id, o.slug, o.name) for o in visible_organisations(session, principal)]


@dataclass(frozen=True)
class OrganisationSummary:
    """An organisation as the administrator's list shows it."""

    id: int
    slug: str
    name: str
    added_on: date
    members: int  # memberships in it, network-wide ones (every organisation) included
    network_wide: int  # of those, the memberships in every organisation
    archived_on: date | None = None


def organisation_summaries(session: Session, principal: Principal) -> list[OrganisationSummary]:
    """Every organisation, archived ones included, for the administrator."""
    require(principal, "manage_users")
    memberships = session.exec(select(Membership.organisation_id)).all()
    network_wide = sum(1 for organisation_id in memberships if organisation_id is None)
    return [
        OrganisationSummary(id=o.id, slug=o.slug, name=o.name, added_on=o.created_at.date(),
                            members=network_wide + sum(1 for organisation_id in memberships if organisation_id == o.id),
                            network_wide=network_wide, archived_on=o.archived_at.date() if o.archived_at else None)
        for o in visible_organisations(session, principal, include_archived=True)
    ]


def visible_organisations(session: Session, principal: Principal, *,
                          include_archived: bool = False) -> list[Organisation]:
    """The organisations the principal works in, by name; archived ones only when asked for (administration)."""
    query = select(Organisation).order_by(Organisation.name)
    if not include_archived:
        query = query.where(Organisation.archived_at.is_(None))
    organisations = session.exec(query).all()
    if principal.is_system or principal.is_admin or principal.covers_every_organisation():
        return list(organisations)
    member_of = {org for org, _ in principal.memberships}
    return [o for o in organisations if o.id in member_of]


def rename_organisation(session: Session, principal: Principal, *, organisation_id: int, name: str) -> Organisation:
    """A new display name; the id (slug) stays, as bundles and the command line use it."""
    require(principal, "manage_users")
    organisation = organisation_by_id(session, organisation_id)
    name = " ".join(name.split())
    if not name:
        raise ServiceError("An organisation needs a name.")
    if len(name) > 200:
        raise ServiceError("An organisation's name has at most 200 characters.")
    if name == organisation.name:
        return organisation
    before, organisation.name = organisation.name, name
    session.add(organisation)
    append_audit(session, actor=principal.username, action="organisation.rename", organisation_id=organisation.id,
                 target=organisation.slug, detail={"from": before, "to": name})
    session.flush()
    return organisation


def set_organisation_archived(session: Session, principal: Principal, *, organisation_id: int,
                              archived: bool) -> Organisation:
    """Archives an organisation (kept whole, hidden from switchers and network scores) or brings it back."""
    require(principal, "manage_users")
    organisation = organisation_by_id(session, organisation_id)
    if (organisation.archived_at is not None) == archived:
        return organisation
    organisation.archived_at = utc_now() if archived else None
    session.add(organisation)
    append_audit(session, actor=principal.username, organisation_id=organisation.id, target=organisation.slug,
                 action="organisation.archive" if archived else "organisation.unarchive",
                 detail={"name": organisation.name})
    session.flush()
    return organisation


def current_cycle(session: Session, organisation_id: int) -> AssessmentCycle:
    cycle = session.exec(
        select(AssessmentCycle)
        .where(AssessmentCycle.organisation_id == organisation_id, AssessmentCycle.closed_on.is_(None))
        .order_by(AssessmentCycle.id.desc())
    ).first()
    if cycle is None:
        raise NotFound("This organisation has no open assessment cycle.")
    return cycle


def lock_current_cycle(session: Session, organisation_id: int) -> AssessmentCycle:
    """The open cycle, locked until commit: ratings and the start of the next cycle wait for each other, so a
    rating never lands in a cycle that was closed meanwhile and two sessions never open two cycles."""
    for _attempt in range(3):
        cycle = lock_row(session, AssessmentCycle, current_cycle(session, organisation_id).id)
        if cycle is not None and cycle.closed_on is None:
            return cycle
    raise ServiceError("The assessment cycle changed while saving; please try again.")


def list_cycles(session: Session, organisation_id: int) -> list[AssessmentCycle]:
    return list(session.exec(
        select(AssessmentCycle).where(AssessmentCycle.organisation_id == organisation_id).order_by(AssessmentCycle.id)
    ))
