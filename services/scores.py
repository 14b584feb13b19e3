"""Scores, readiness and gaps of organisations, as the `score --json` report.

Scoring a whole network is the one expensive read (every organisation's evidence), and a network's board
pages ask for it on every run. So `score_network` keeps the reports it computed, per database and day,
and knows when they are stale from the audit log: every change appends an entry naming its organisation
(DESIGN.md, "Security and privacy rules"), and entries are numbered in commit order (appends are
serialised). The cache remembers the newest entry (id and hash) it has seen; on the next call only the
organisations named by newer entries are scored again. If that entry no longer exists with the same hash
(a restored or emptied database) or a newer entry names no organisation and is not a sign-in or user
change, every report is dropped. A session that has written anything itself bypasses the cache.
"""
from __future__ import annotations

import marshal
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterator
from datetime import date

from sqlalchemy import event
from sqlmodel import Session, select

from accounts.permissions import Principal, require
from scoring.engine import Assessment, assess
from scoring.report import assessment_to_dict
from services.errors import NotFound
from services.facts import CHUNK, load_facts
from services.organisations import organisation_by_id, visible_organisations
from standards.loader import get_standard
from storage.models import AssessmentCycle, AuditEntry, Organisation

CACHED_DAYS = 4
"""How many (database, as_of day) report sets stay in memory; a network of 1,000 takes about 6 MB a day."""
_UNSCORED_AUDIT_PREFIXES = ("login.", "user.")
_WROTE = "haven_scores_session_wrote"


def assess_organisation(session: Session, principal: Principal, *, organisation_id: int, as_of: date | None = None,
                        cycle_id: int | None = None) -> Assessment:
    require(principal, "view_scores", organisation_id)
    organisation = organisation_by_id(session, organisation_id)
    cycle = _cycle(session, organisation.id, cycle_id)
    standard = get_standard(cycle.standard_id)
    facts = load_facts(session, standard, [organisation], {organisation.id: cycle})[organisation.id]
    return assess(standard, facts, as_of or date.today())


def score_organisation(session: Session, principal: Principal, *, organisation_id: int, as_of: date | None = None,
                       cycle_id: int | None = None) -> dict:
    return assessment_to_dict(assess_organisation(session, principal, organisation_id=organisation_id, as_of=as_of,
                                                  cycle_id=cycle_id))


def score_network(session: Session, principal: Principal, *, as_of: date | None = None) -> list[dict]:
    """Every organisation the principal may see, each in its current cycle, in slug order."""
    as_of = as_of or date.today()
    scored, cycles = _network_members(session, principal)
    mark = None if session.info.get(_WROTE) else _audit_head(session)
    if mark is None:
        return list(_reports(session, scored, cycles, as_of).values())
    with _CACHE.lock:
        known = _CACHE.day(str(session.get_bind().url), as_of)
        known.catch_up(session, mark)
        fresh = _reports(session, [o for o in scored if (o.id, cycles[o.id].id) not in known.reports], cycles, as_of)
        for organisation_id, report in fresh.items():
            known.reports[(organisation_id, cycles[organisation_id].id)] = marshal.dumps(report)
        kept = {o.id: known.reports[(o.id, cycles[o.id].id)] for o in scored if o.id not in fresh}
    return [fresh[o.id] if o.id in fresh else marshal.loads(kept[o.id]) for o in scored]


def network_reports(session: Session, principal: Principal, *, as_of: date | None = None) -> Iterator[dict]:
    """The reports `score_network` gives, computed a chunk of organisations at a time and not kept: for a one-off
    reader of the whole network (the command line), which writes out each chunk before the next is read."""
    as_of = as_of or date.today()
    scored, cycles = _network_members(session, principal)
    for start in range(0, len(scored), CHUNK):
        yield from _reports(session, scored[start:start + CHUNK], cycles, as_of).values()


def _network_members(session: Session, principal: Principal) -> tuple[list[Organisation], dict[int, AssessmentCycle]]:
    """The organisations the principal may see the scores of that have a cycle, in slug order, and their
    current cycles."""
    organisations = [o for o in visible_organisations(session, principal) if principal.can("view_scores", o.id)]
    organisations.sort(key=lambda o: o.slug)
    cycles = _current_cycles(session, [o.id for o in organisations])
    return [o for o in organisations if o.id in cycles], cycles


def warm_score_cache(session: Session, *, as_of: date | None = None) -> int:
    """Scores the whole network into the kept reports (for everyone: the reports do not depend on who asks), so
    the first network page of the day or after a restart reads them instead of scoring 1,000 organisations.

    Safe beside other replicas and sessions: what it keeps is marked with the audit log's newest entry, like
    any `score_network` call, and the next call scores again whatever changed after it. Returns how many
    organisations were scored or found kept."""
    return len(score_network(session, _WARM_UP, as_of=as_of))


_WARM_UP = Principal.system("score-warm-up")


def clear_score_cache() -> None:
    """Forgets every kept network report (the benchmarks use it to time a cold start)."""
    with _CACHE.lock:
        _CACHE.days.clear()


def _reports(session: Session, organisations: list[Organisation], cycles: dict[int, AssessmentCycle],
             as_of: date) -> dict[int, dict]:
    """The report of each organisation, in the order given."""
    by_standard: dict[str, list[Organisation]] = defaultdict(list)
    for organisation in organisations:
        by_standard[cycles[organisation.id].standard_id].append(organisation)
    reports: dict[int, dict] = {}
    for standard_id, members in by_standard.items():
        standard = get_standard(standard_id)
        facts = load_facts(session, standard, members, {o.id: cycles[o.id] for o in members})
        for organisation in members:
            reports[organisation.id] = assessment_to_dict(assess(standard, facts[organisation.id], as_of))
    return {o.id: reports[o.id] for o in organisations}


class _DayReports:
    """The reports of one database on one day (marshalled, so each reader gets a copy of its own), valid up to
    the audit entry `mark` (id, hash)."""

    def __init__(self) -> None:
        self.mark: tuple[int, str] | None = None
        self.reports: dict[tuple[int, int], bytes] = {}

    def catch_up(self, session: Session, mark: tuple[int, str]) -> None:
        """Drops the reports that entries newer than our mark have made stale."""
        if self.mark == mark:
            return
        if self.mark is None or _hash_of_entry(session, self.mark[0]) != self.mark[1]:
            self.reports.clear()
        else:
            changed: set[int] = set()
            for organisation_id, action in session.exec(
                select(AuditEntry.organisation_id, AuditEntry.action)
                .where(AuditEntry.id > self.mark[0], AuditEntry.id <= mark[0])
            ):
                if organisation_id is not None:
                    changed.add(organisation_id)
                elif not action.startswith(_UNSCORED_AUDIT_PREFIXES):
                    self.reports.clear()
                    break
            else:
                for key in [key for key in self.reports if key[0] in changed]:
                    del self.reports[key]
        self.mark = mark


class _ScoreCache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.days: OrderedDict[tuple[str, date], _DayReports] = OrderedDict()

    def day(self, database: str, as_of: date) -> _DayReports:
        key = (database, as_of)
        if key not in self.days:
            self.days[key] = _DayReports()
            while len(self.days) > CACHED_DAYS:
                self.days.popitem(last=False)
        self.days.move_to_end(key)
        return self.days[key]


_CACHE = _ScoreCache()


def _audit_head(session: Session) -> tuple[int, str] | None:
    head = session.exec(select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    return None if head is None else (head[0], head[1])


def _hash_of_entry(session: Session, entry_id: int) -> str | None:
    return session.exec(select(AuditEntry.hash).where(AuditEntry.id == entry_id)).first()


@event.listens_for(Session, "after_flush")
def _remember_writes(session, _flush_context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_writes(session) -> None:
    session.info.pop(_WROTE, None)


def _cycle(session: Session, organisation_id: int, cycle_id: int | None) -> AssessmentCycle:
    if cycle_id is not None:
        cycle = session.get(AssessmentCycle, cycle_id)
        if cycle is None or cycle.organisation_id != organisation_id:
            raise NotFound("No such assessment cycle for this organisation.")
        return cycle
    cycles = _current_cycles(session, [organisation_id])
    if organisation_id not in cycles:
        raise NotFound("This organisation has no assessment cycle.")
    return cycles[organisation_id]


def _current_cycles(session: Session, organisation_ids: list[int]) -> dict[int, AssessmentCycle]:
    """The newest cycle of each organisation (open if there is one)."""
    newest: dict[int, AssessmentCycle] = {}
    if not organisation_ids:
        return newest
    for cycle in session.exec(select(AssessmentCycle).where(AssessmentCycle.organisation_id.in_(organisation_ids))):
        held = newest.get(cycle.organisation_id)
        if held is None or (cycle.closed_on is None, cycle.id) > (held.closed_on is None, held.id):
            newest[cycle.organisation_id] = cycle
    return newest
