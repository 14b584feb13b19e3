from datetime import date, timedelta

import pytest

from accounts.permissions import PermissionDenied
from services.board import expiring_by_type, expiring_evidence, network_scores
from services.evidence import NewEvidence
from services.reviews import review_revision
from services.uploads import upload_evidence
from standards.loader import get_standard
from storage.models import EvidenceRevision
from tests.factories import SYSTEM, make_organisation, make_user, simple_pdf

AS_OF = date(2026, 6, 1)
ISSUED = date(2026, 1, 5)
ESCAPE_PLAN = get_standard("vse-3").evidence_type("escape_plan").title
POLICY = get_standard("vse-3").evidence_type("policy").title


def add(haven, organisation_id, evidence_type, action, title, *, valid_until, restricted=False, filename=None,
        issued_on=ISSUED):
    details = NewEvidence(evidence_type, (action,), issued_on, title=title, valid_until=valid_until,
                          classification="restricted" if restricted else "internal")
    data = simple_pdf(title) if filename else None
    return upload_evidence(haven, SYSTEM, organisation_id=organisation_id, details=details, data=data,
                           filename=filename or "")


@pytest.fixture
def organisation(haven):
    organisation_id = make_organisation(haven)
    add(haven, organisation_id, "escape_plan", "3.2.1", "Refuge floor plan, rear stairs",
        valid_until=AS_OF + timedelta(days=20), restricted=True, filename="refuge-rear-stairs.pdf")
    add(haven, organisation_id, "policy", "3.3.1", "Confidentiality policy", valid_until=AS_OF + timedelta(days=45),
        filename="confidentiality-policy.pdf")
    return organisation_id


def test_restricted_titles_are_hidden_from_the_board_and_shown_to_the_manager(haven, organisation):
    board = make_user(haven, "trustee", "board", "harbour-house")
    manager = make_user(haven, "amira", "manager", "harbour-house")
    with haven.session() as session:
        for_board = expiring_evidence(session, board, organisation_id=organisation, as_of=AS_OF)
        for_manager = expiring_evidence(session, manager, organisation_id=organisation, as_of=AS_OF)

    assert [(r.evidence_type_title, r.title, r.restricted, r.days_left) for r in for_board] == [
        (ESCAPE_PLAN, None, True, 20), (POLICY, "Confidentiality policy", False, 45)]
    assert for_board[0].actions == ["3.2.1"] and for_board[0].valid_until == AS_OF + timedelta(days=20)
    assert "Refuge floor plan" not in repr(for_board) and "refuge-rear-stairs" not in repr(for_board)
    assert [r.title for r in for_manager] == ["Refuge floor plan, rear stairs", "Confidentiality policy"]
    assert not any(hasattr(row, "file_name") for row in for_manager)


def test_the_90_day_window_includes_both_ends(haven):
    organisation_id = make_organisation(haven)
    for days in (-1, 0, 90, 91):
        add(haven, organisation_id, "policy", "3.3.1", f"Policy ending in {days} days",
            valid_until=AS_OF + timedelta(days=days))
    with haven.session() as session:
        rows = expiring_evidence(session, SYSTEM, organisation_id=organisation_id, as_of=AS_OF)
        everything = expiring_evidence(session, SYSTEM, organisation_id=organisation_id, as_of=AS_OF, days=None)
        month = expiring_evidence(session, SYSTEM, organisation_id=organisation_id, as_of=AS_OF, days=30)
    assert [r.days_left for r in rows] == [0, 90]
    assert [r.days_left for r in everything] == [0, 90, 91]
    assert [r.days_left for r in month] == [0]


def test_expired_evidence_is_to_renew_first_unless_current_evidence_took_its_place(haven, organisation):
    add(haven, organisation, "policy", "3.3.1", "Old confidentiality policy", valid_until=AS_OF - timedelta(days=12))
    add(haven, organisation, "service_procedures", "3.3.2", "Old referral procedure",
        valid_until=AS_OF - timedelta(days=3))
    add(haven, organisation, "risk_assessment", "3.1.1", "Risk form, lapsed", valid_until=AS_OF - timedelta(days=40))
    add(haven, organisation, "risk_assessment", "3.1.1", "Risk form, renewed", valid_until=AS_OF + timedelta(days=200))
    with haven.session() as session:
        rows = expiring_evidence(session, SYSTEM, organisation_id=organisation, as_of=AS_OF, include_expired=True)
        without = expiring_evidence(session, SYSTEM, organisation_id=organisation, as_of=AS_OF)
    # Not listed: the old policy (the current confidentiality policy fills 3.3.1) and the renewed risk form.
    assert [(r.title, r.expired, r.days_left) for r in rows] == [
        ("Old referral procedure", True, -3),
        ("Refuge floor plan, rear stairs", False, 20), ("Confidentiality policy", False, 45)]
    assert not any(r.expired for r in without) and len(without) == 2


def test_rejected_and_not_yet_issued_evidence_is_left_out(haven, organisation):
    reviewer = make_user(haven, "quinn", "reviewer", "harbour-house")
    with haven.session() as session:
        from sqlmodel import select

        policy = session.exec(select(EvidenceRevision).where(EvidenceRevision.display_name == "confidentiality-policy.pdf")).one()
        review_revision(session, reviewer, revision_id=policy.id, status="rejected", comment="Unsigned")
    add(haven, organisation, "policy", "3.3.3", "Policy issued later", valid_until=AS_OF + timedelta(days=30),
        issued_on=AS_OF + timedelta(days=1))
    with haven.session() as session:
        rows = expiring_evidence(session, SYSTEM, organisation_id=organisation, as_of=AS_OF)
    assert [r.evidence_type for r in rows] == ["escape_plan"]


def test_counts_by_type(haven, organisation):
    add(haven, organisation, "escape_plan", "3.2.1", "Second floor plan", valid_until=AS_OF + timedelta(days=10),
        restricted=True)
    with haven.session() as session:
        rows = expiring_evidence(session, SYSTEM, organisation_id=organisation, as_of=AS_OF)
    assert [(t.evidence_type_title, t.count, t.restricted, t.first_expiry) for t in expiring_by_type(rows)] == [
        (ESCAPE_PLAN, 2, 2, AS_OF + timedelta(days=10)), (POLICY, 1, 0, AS_OF + timedelta(days=45))]


def test_someone_from_another_organisation_sees_nothing(haven, organisation):
    make_organisation(haven, "north-light", "North Light")
    outsider = make_user(haven, "nadia", "board", "north-light")
    with haven.session() as session, pytest.raises(PermissionDenied):
        expiring_evidence(session, outsider, organisation_id=organisation, as_of=AS_OF)


def test_the_network_is_for_network_members_and_admins_only(haven, organisation):
    make_organisation(haven, "north-light", "North Light")
    network_board = make_user(haven, "nell", "board", None)
    admin = make_user(haven, "root", None, None, is_admin=True)
    local_board = make_user(haven, "trustee", "board", "harbour-house")
    with haven.session() as session:
        assert [r.organisation for r in network_scores(session, network_board, as_of=AS_OF)] == [
            "harbour-house", "north-light"]
        assert len(network_scores(session, admin, as_of=AS_OF)) == 2
        with pytest.raises(PermissionDenied, match="may not compare the organisations of the network"):
            network_scores(session, local_board, as_of=AS_OF)
    assert network_board.can("view_network") and admin.can("view_network") and not local_board.can("view_network")
