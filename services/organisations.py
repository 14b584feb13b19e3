"""Organisations and their assessment cycles."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from accounts.permissions import Principal, require
from services.errors import NotFound, ServiceError
from standards.loader import bundled_standards, get_standard
from storage.audit import append_audit
from storage.db import lock_row
from storage.models import AssessmentCycle, Organisation

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
    organisation = session.exec(select(Organisation).where(Organisation.slug == slug)).first()
    if organisation is None:
        raise NotFound(f"No organisation with the id '{slug}'.")
    return organisation


def visible_organisations(session: Session, principal: Principal) -> list[Organisation]:
    organisations = session.exec(select(Organisation).order_by(Organisation.name)).all()
    if principal.is_system or principal.is_admin or principal.covers_every_organisation():
        return list(organisations)
    member_of = {org for org, _ in principal.memberships}
    return [o for o in organisations if o.id in member_of]


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
