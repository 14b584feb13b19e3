"""Snapshots of scores for trends, and assessment cycles."""
from __future__ import annotations

import json
from datetime import date

from sqlmodel import Session, select

from accounts.permissions import Principal, require
from services.errors import ServiceError
from services.organisations import current_cycle, get_organisation
from services.scores import score_organisation
from storage.audit import append_audit
from storage.models import AssessmentCycle, Snapshot

LAYERS = ("self_assessment", "completeness", "verified")


def take_snapshot(session: Session, principal: Principal, *, slug: str, as_of: date | None = None,
                  report: dict | None = None) -> Snapshot:
    """Freezes the scores at `as_of` (one snapshot per cycle and day: a second one the same day replaces it)."""
    organisation = get_organisation(session, slug)
    require(principal, "snapshot", organisation.id)
    as_of = as_of or date.today()
    cycle = current_cycle(session, organisation.id)
    report = report or score_organisation(session, principal, slug=slug, as_of=as_of)
    snapshot = session.exec(select(Snapshot).where(Snapshot.cycle_id == cycle.id, Snapshot.taken_on == as_of)).first()
    snapshot = snapshot or Snapshot(organisation_id=organisation.id, cycle_id=cycle.id, taken_on=as_of)
    for layer in LAYERS:
        setattr(snapshot, layer, report["scores"][layer])
    snapshot.readiness = report["readiness"]
    snapshot.report = json.dumps(report, ensure_ascii=False)
    session.add(snapshot)
    session.flush()
    return snapshot


def snapshot_if_changed(session: Session, principal: Principal, *, slug: str, today: date | None = None) -> Snapshot | None:
    """Called after a change: keeps at most one snapshot a day, and only when the scores moved."""
    today = today or date.today()
    organisation = get_organisation(session, slug)
    if not principal.can("view_scores", organisation.id):
        return None
    cycle = current_cycle(session, organisation.id)
    report = score_organisation(session, principal, slug=slug, as_of=today)
    last = session.exec(select(Snapshot).where(Snapshot.cycle_id == cycle.id).order_by(Snapshot.taken_on.desc())).first()
    if last is not None and all(getattr(last, layer) == report["scores"][layer] for layer in LAYERS) \
            and last.readiness == report["readiness"]:
        return None
    return take_snapshot(session, Principal.system(principal.username), slug=slug, as_of=today, report=report)


def snapshot_series(session: Session, principal: Principal, *, slug: str, cycle_id: int | None = None) -> list[dict]:
    """The trend of one cycle (the current one by default), oldest first."""
    organisation = get_organisation(session, slug)
    require(principal, "view_scores", organisation.id)
    cycle_id = cycle_id or current_cycle(session, organisation.id).id
    rows = session.exec(select(Snapshot).where(Snapshot.cycle_id == cycle_id).order_by(Snapshot.taken_on)).all()
    return [{"taken_on": s.taken_on.isoformat(), "readiness": s.readiness,
             **{layer: getattr(s, layer) for layer in LAYERS}} for s in rows]


def start_next_cycle(session: Session, principal: Principal, *, slug: str, name: str = "",
                     today: date | None = None) -> AssessmentCycle:
    """Closes the current cycle (kept read-only, with a final snapshot) and opens the next: ratings start again
    at not assessed; evidence and the action plan carry over."""
    organisation = get_organisation(session, slug)
    require(principal, "start_cycle", organisation.id)
    today = today or date.today()
    previous = current_cycle(session, organisation.id)
    if previous.started_on == today:
        raise ServiceError("The current cycle started today; start the next one on another day.")
    take_snapshot(session, principal, slug=slug, as_of=today)
    previous.closed_on = today
    session.add(previous)
    cycle = AssessmentCycle(organisation_id=organisation.id, standard_id=previous.standard_id,
                            name=(name.strip() or f"Cycle from {today.isoformat()}")[:120], started_on=today)
    session.add(cycle)
    session.flush()
    append_audit(session, actor=principal.username, action="cycle.start", organisation_id=organisation.id,
                 target=cycle.name, detail={"previous": previous.name})
    return cycle


def closed_cycle_report(session: Session, principal: Principal, *, cycle_id: int) -> dict | None:
    """The frozen report of a closed cycle: its last snapshot."""
    cycle = session.get(AssessmentCycle, cycle_id)
    if cycle is None:
        return None
    require(principal, "view_scores", cycle.organisation_id)
    last = session.exec(select(Snapshot).where(Snapshot.cycle_id == cycle_id).order_by(Snapshot.taken_on.desc())).first()
    return json.loads(last.report) if last else None
