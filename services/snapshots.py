"""Snapshots of scores for trends, and assessment cycles."""
from __future__ import annotations

import json
import threading
import weakref
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from accounts.permissions import Principal, require
from scoring.report import LayerScores, TrendPoint
from services.errors import NotFound, ServiceError
from services.instance import Haven
from services.organisations import current_cycle, list_cycles, lock_current_cycle, organisation_by_id
from services.scores import score_organisation
from storage.audit import append_audit
from storage.db import insert_statement
from storage.models import AssessmentCycle, AuditEntry, Snapshot
from vocabulary import Readiness, ScoreLayer

LAYERS = tuple(layer.value for layer in ScoreLayer)


def take_snapshot(session: Session, principal: Principal, *, organisation_id: int, as_of: date | None = None,
                  report: dict | None = None) -> Snapshot:
    """Freezes the scores at `as_of` (one snapshot per cycle and day: a second one the same day replaces it).

    One INSERT … ON CONFLICT on the (cycle, day) constraint, so sessions and replicas taking the same day's
    snapshot at once leave one row and no error."""
    require(principal, "snapshot", organisation_id)
    organisation = organisation_by_id(session, organisation_id)
    as_of = as_of or date.today()
    cycle = current_cycle(session, organisation.id)
    report = report or score_organisation(session, principal, organisation_id=organisation.id, as_of=as_of)
    values = {**{layer: report["scores"][layer] for layer in LAYERS}, "readiness": report["readiness"],
              "report": json.dumps(report, ensure_ascii=False)}
    upsert = insert_statement(session, Snapshot).values(organisation_id=organisation.id, cycle_id=cycle.id,
                                                         taken_on=as_of, **values)
    session.flush()
    session.connection().execute(upsert.on_conflict_do_update(index_elements=["cycle_id", "taken_on"], set_=values))
    return session.exec(select(Snapshot).where(Snapshot.cycle_id == cycle.id, Snapshot.taken_on == as_of)
                        .execution_options(populate_existing=True)).one()


def snapshot_if_changed(session: Session, principal: Principal, *, organisation_id: int,
                        today: date | None = None) -> Snapshot | None:
    """Called after a change: keeps at most one snapshot a day, and only when the scores moved."""
    today = today or date.today()
    if not principal.can("view_scores", organisation_id):
        return None
    cycle = current_cycle(session, organisation_by_id(session, organisation_id).id)
    report = score_organisation(session, principal, organisation_id=organisation_id, as_of=today)
    last = session.exec(select(Snapshot).where(Snapshot.cycle_id == cycle.id).order_by(Snapshot.taken_on.desc())).first()
    if last is not None and all(getattr(last, layer) == report["scores"][layer] for layer in LAYERS) \
            and last.readiness == report["readiness"]:
        return None
    return take_snapshot(session, Principal.system(principal.username), organisation_id=organisation_id, as_of=today,
                         report=report)


def snapshot_series(session: Session, principal: Principal, *, organisation_id: int,
                    cycle_id: int | None = None) -> list[TrendPoint]:
    """The trend of one cycle (the current one by default), oldest first."""
    require(principal, "view_scores", organisation_id)
    if cycle_id is None:
        cycle_id = current_cycle(session, organisation_by_id(session, organisation_id).id).id
    else:
        cycle = session.get(AssessmentCycle, cycle_id)
        if cycle is None or cycle.organisation_id != organisation_id:
            raise NotFound("No such assessment cycle in this organisation.")
    rows = session.exec(select(Snapshot).where(Snapshot.cycle_id == cycle_id).order_by(Snapshot.taken_on)).all()
    return [TrendPoint(taken_on=s.taken_on, readiness=Readiness(s.readiness) if s.readiness else None,
                       scores=LayerScores(*(getattr(s, layer) for layer in LAYERS))) for s in rows]


def start_next_cycle(session: Session, principal: Principal, *, organisation_id: int, name: str = "",
                     today: date | None = None) -> AssessmentCycle:
    """Closes the current cycle (kept read-only, with a final snapshot) and opens the next: ratings start again
    at not assessed; evidence and the action plan carry over."""
    require(principal, "start_cycle", organisation_id)
    organisation = organisation_by_id(session, organisation_id)
    today = today or date.today()
    previous = lock_current_cycle(session, organisation.id)
    if previous.started_on == today:
        raise ServiceError("The current cycle started today; start the next one on another day.")
    take_snapshot(session, principal, organisation_id=organisation.id, as_of=today)
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


@dataclass(frozen=True)
class CycleSummary:
    """One assessment cycle as the cycles screen lists it."""

    id: int
    name: str
    standard: str
    started_on: date
    closed_on: date | None
    snapshots: int  # how many snapshots were taken in it

    @property
    def open(self) -> bool:
        """Only the open cycle takes changes; closed ones are read-only."""
        return self.closed_on is None


def assessment_cycles(session: Session, principal: Principal, *, organisation_id: int) -> list[CycleSummary]:
    """The organisation's cycles, oldest first."""
    require(principal, "view_scores", organisation_id)
    counts = dict(session.exec(select(Snapshot.cycle_id, func.count(Snapshot.id))
                               .where(Snapshot.organisation_id == organisation_id).group_by(Snapshot.cycle_id)).all())
    return [CycleSummary(id=c.id, name=c.name, standard=c.standard_id, started_on=c.started_on, closed_on=c.closed_on,
                         snapshots=counts.get(c.id, 0))
            for c in list_cycles(session, organisation_by_id(session, organisation_id).id)]


# The newest audit entry already handled per organisation, per database engine: lets each page run
# skip the scoring when nothing has changed since the last refresh.
_refreshed: weakref.WeakKeyDictionary[Engine, dict[int, int]] = weakref.WeakKeyDictionary()
_refreshed_lock = threading.Lock()


def _refreshed_for(engine: Engine) -> dict[int, int]:
    with _refreshed_lock:
        return _refreshed.setdefault(engine, {})


def refresh_daily_snapshot(haven: Haven, principal: Principal, *, organisation_id: int,
                           today: date | None = None) -> date | None:
    """Called once per page run: keeps today's snapshot in step with the latest change.

    Cheap when nothing changed: one indexed query for the organisation's newest audit entry. Only
    when an entry is newer than what this process already handled, and not older than the last
    snapshot's day, are the scores computed; `snapshot_if_changed` then keeps at most one
    snapshot a day, and only when the scores moved. Returns the day of the snapshot taken, if any.
    """
    if not principal.can("view_scores", organisation_id):
        return None
    today = today or date.today()
    handled = _refreshed_for(haven.engine)
    try:
        with haven.session() as session:
            newest = session.exec(select(AuditEntry.id, AuditEntry.at).where(AuditEntry.organisation_id == organisation_id)
                                  .order_by(AuditEntry.id.desc()).limit(1)).first()
            if newest is None or handled.get(organisation_id) == newest[0]:
                return None
            cycle = current_cycle(session, organisation_id)
            last_taken = session.exec(select(Snapshot.taken_on).where(Snapshot.cycle_id == cycle.id)
                                      .order_by(Snapshot.taken_on.desc()).limit(1)).first()
            taken = None
            if last_taken is None or last_taken <= newest[1].date():
                snapshot = snapshot_if_changed(session, principal, organisation_id=organisation_id, today=today)
                taken = snapshot.taken_on if snapshot else None
    except IntegrityError:
        return None  # another session took today's snapshot at the same moment; the next run checks again
    except ServiceError:
        return None  # no organisation or no open cycle: nothing to keep in step
    handled[organisation_id] = newest[0]
    return taken
