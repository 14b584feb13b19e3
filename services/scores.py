"""Scores, readiness and gaps of organisations, as the `score --json` report."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlmodel import Session, select

from accounts.permissions import Principal, require
from scoring.engine import Assessment, assess
from scoring.report import assessment_to_dict
from services.errors import NotFound
from services.facts import load_facts
from services.organisations import get_organisation, visible_organisations
from standards.loader import get_standard
from storage.models import AssessmentCycle, Organisation


def assess_organisation(session: Session, principal: Principal, *, slug: str, as_of: date | None = None,
                        cycle_id: int | None = None) -> Assessment:
    organisation = get_organisation(session, slug)
    require(principal, "view_scores", organisation.id)
    cycle = _cycle(session, organisation.id, cycle_id)
    standard = get_standard(cycle.standard_id)
    facts = load_facts(session, standard, [organisation], {organisation.id: cycle})[organisation.id]
    return assess(standard, facts, as_of or date.today())


def score_organisation(session: Session, principal: Principal, *, slug: str, as_of: date | None = None,
                       cycle_id: int | None = None) -> dict:
    return assessment_to_dict(assess_organisation(session, principal, slug=slug, as_of=as_of, cycle_id=cycle_id))


def score_network(session: Session, principal: Principal, *, as_of: date | None = None) -> list[dict]:
    """Every organisation the principal may see, each in its current cycle, in slug order."""
    as_of = as_of or date.today()
    organisations = [o for o in visible_organisations(session, principal) if principal.can("view_scores", o.id)]
    organisations.sort(key=lambda o: o.slug)
    cycles = _current_cycles(session, [o.id for o in organisations])
    by_standard: dict[str, list[Organisation]] = defaultdict(list)
    for organisation in organisations:
        if organisation.id in cycles:
            by_standard[cycles[organisation.id].standard_id].append(organisation)
    reports: dict[int, dict] = {}
    for standard_id, members in by_standard.items():
        standard = get_standard(standard_id)
        facts = load_facts(session, standard, members, {o.id: cycles[o.id] for o in members})
        for organisation in members:
            reports[organisation.id] = assessment_to_dict(assess(standard, facts[organisation.id], as_of))
    return [reports[o.id] for o in organisations if o.id in reports]


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
