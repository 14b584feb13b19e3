from datetime import date

import pytest
from sqlmodel import select

from accounts.permissions import PermissionDenied
from services.errors import ServiceError
from services.plan import add_plan_item
from services.ratings import set_rating
from services.scores import score_organisation
from storage.models import AuditEntry, PlanItem, Rating
from tests.factories import make_organisation, make_user


def test_a_manager_rates_an_action_and_the_score_follows(haven, organisation):
    manager = make_user(haven, "amira", "manager", "harbour-house")
    with haven.session() as session:
        set_rating(session, manager, organisation_id=organisation, action_id="3.1.1", rating="met", owner="Amira")
    with haven.session() as session:
        report = score_organisation(session, manager, organisation_id=organisation, as_of=date(2026, 11, 23))
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "rating.set")).one()
    action = report["engagements"][0]["actions"][0]
    assert (action["id"], action["rating"], action["scores"]["self_assessment"]) == ("3.1.1", "met", 1.0)
    assert entry.actor == "amira" and entry.target == "3.1.1"


def test_not_applicable_needs_a_justification_and_stores_nothing_without_one(haven, organisation):
    manager = make_user(haven, "amira", "manager", "harbour-house")
    with pytest.raises(ServiceError, match="justification is required"):
        with haven.session() as session:
            set_rating(session, manager, organisation_id=organisation, action_id="3.2.2", rating="not_applicable")
    with haven.session() as session:
        assert session.exec(select(Rating)).all() == []


@pytest.mark.parametrize("action_id, rating, message", [
    ("9.9.9", "met", "Unknown action '9.9.9'"),
    ("3.1.1", "excellent", "Unknown rating 'excellent'"),
])
def test_bad_ratings_are_refused_with_the_reason(haven, organisation, action_id, rating, message):
    manager = make_user(haven, "amira", "manager", "harbour-house")
    with pytest.raises(ServiceError, match=message):
        with haven.session() as session:
            set_rating(session, manager, organisation_id=organisation, action_id=action_id, rating=rating)
    with haven.session() as session:
        assert session.exec(select(Rating)).all() == []


@pytest.mark.parametrize("role", ["board", "reviewer"])
def test_board_and_reviewer_cannot_rate_or_plan(haven, organisation, role):
    user = make_user(haven, "someone", role, "harbour-house")
    with pytest.raises(PermissionDenied):
        with haven.session() as session:
            set_rating(session, user, organisation_id=organisation, action_id="3.1.1", rating="met")
    with pytest.raises(PermissionDenied):
        with haven.session() as session:
            add_plan_item(session, user, organisation_id=organisation, action_id="3.1.1", description="x")
    with haven.session() as session:
        assert session.exec(select(Rating)).all() == [] and session.exec(select(PlanItem)).all() == []


def test_a_member_of_another_organisation_cannot_touch_this_one(haven, organisation):
    make_organisation(haven, "city-refuge", "City Refuge")
    outsider = make_user(haven, "otto", "manager", "city-refuge")
    with pytest.raises(PermissionDenied):
        with haven.session() as session:
            set_rating(session, outsider, organisation_id=organisation, action_id="3.1.1", rating="met")
    with pytest.raises(PermissionDenied):
        with haven.session() as session:
            score_organisation(session, outsider, organisation_id=organisation)


def test_a_network_reviewer_covers_every_organisation(haven, organisation):
    reviewer = make_user(haven, "quinn", "reviewer", None)
    assert reviewer.can("review", organisation) and not reviewer.can("rate", organisation)


def test_a_board_member_reads_scores(haven, organisation):
    board = make_user(haven, "trustee", "board", "harbour-house")
    with haven.session() as session:
        report = score_organisation(session, board, organisation_id=organisation)
    assert report["readiness"] == "not_ready"
