"""The demo organisation: a generated bundle imported as a user would, then a year of monthly snapshots.

An administrator who loads the demo from the app becomes a manager of it, so that the organisation
they just asked for is theirs to look around and change; the command line (a system principal)
needs no membership.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from accounts.permissions import Principal, require
from bundles.importer import import_bundle
from scoring.dates import add_months
from services.instance import Haven
from services.organisations import current_cycle, get_organisation
from services.snapshots import take_snapshot
from services.users import refreshed_principal, set_membership
from storage.models import Evidence, PlanItem, Rating

SNAPSHOT_MONTHS = 12


@dataclass(frozen=True)
class DemoLoaded:
    """What loading the demo did, for the command line and the app to say."""

    slug: str
    name: str
    ratings: int
    evidence: int
    plan_items: int
    snapshots: int
    manager: str | None  # the user made a manager of the demo organisation, if any

    def describe(self) -> str:
        text = (f"Loaded the demo organisation {self.name} ({self.slug}): {self.ratings} ratings, "
                f"{self.evidence} pieces of evidence, {self.plan_items} plan items and {self.snapshots} monthly "
                f"snapshots.")
        if self.manager:
            text += f" {self.manager} is now a manager of it."
        return text


def load_demo(haven: Haven, principal: Principal, *, today: date) -> DemoLoaded:
    from demo.bundle import write_demo_bundle

    require(principal, "manage_users")
    # The import rates, uploads and reviews in an organisation nobody belongs to yet: it acts for the
    # administrator (the audit log names them) with the instance's rights, as the command line does.
    importer = principal if principal.is_system else Principal.system(principal.username)
    with tempfile.TemporaryDirectory(prefix="haven-demo-") as scratch:
        write_demo_bundle(Path(scratch), today)
        slug = import_bundle(haven, importer, Path(scratch))
    with haven.session() as session:
        organisation = get_organisation(session, slug)
        acting = principal
        if principal.user_id is not None and not principal.can("snapshot", organisation.id):
            set_membership(session, principal, user_id=principal.user_id, role="manager",
                           organisation_id=organisation.id)
            session.flush()
            acting = refreshed_principal(session, principal) or principal
        for months_ago in range(SNAPSHOT_MONTHS - 1, -1, -1):
            take_snapshot(session, acting, organisation_id=organisation.id, as_of=add_months(today, -months_ago))
        counts = {model: session.exec(select(func.count()).select_from(model)
                                      .where(model.organisation_id == organisation.id)).one()
                  for model in (Evidence, PlanItem)}
        ratings = _rating_count(session, organisation.id)
        return DemoLoaded(slug=slug, name=organisation.name, ratings=ratings, evidence=counts[Evidence],
                          plan_items=counts[PlanItem], snapshots=SNAPSHOT_MONTHS,
                          manager=principal.username if acting is not principal else None)


def _rating_count(session, organisation_id: int) -> int:
    cycle = current_cycle(session, organisation_id)
    return session.exec(select(func.count()).select_from(Rating).where(Rating.cycle_id == cycle.id)).one()
