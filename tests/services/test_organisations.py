"""Renaming and archiving organisations: administrators only, audited, nothing lost."""
import pytest
from sqlmodel import select

from accounts.permissions import PermissionDenied
from services.errors import ServiceError
from services.organisations import rename_organisation, set_organisation_archived, visible_organisations
from services.scores import score_network
from storage.models import AuditEntry, Organisation
from tests.factories import SYSTEM, make_organisation, make_user


@pytest.fixture
def two_organisations(haven):
    return make_organisation(haven), make_organisation(haven, "north-light", "North Light")


def names(haven, principal, **options):
    with haven.session() as session:
        return [o.name for o in visible_organisations(session, principal, **options)]


def test_an_administrator_renames_an_organisation_and_the_log_says_from_what(haven, two_organisations):
    harbour, _ = two_organisations
    admin = make_user(haven, "root", None, None, is_admin=True, password=None)
    with haven.session() as session:
        rename_organisation(session, admin, organisation_id=harbour, name="  Harbour   House Support ")
    with haven.session() as session:
        assert session.get(Organisation, harbour).name == "Harbour House Support"
        assert session.get(Organisation, harbour).slug == "harbour-house"  # the id stays
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "organisation.rename")).one()
    assert entry.actor == "root" and "Harbour House Victim Support" in entry.detail


def test_a_blank_or_overlong_name_is_refused_and_nothing_changes(haven, two_organisations):
    harbour, _ = two_organisations
    for bad in ("   ", "x" * 201):
        with pytest.raises(ServiceError), haven.session() as session:
            rename_organisation(session, SYSTEM, organisation_id=harbour, name=bad)
    with haven.session() as session:
        assert session.get(Organisation, harbour).name == "Harbour House Victim Support"
        assert not session.exec(select(AuditEntry).where(AuditEntry.action == "organisation.rename")).all()


def test_only_an_administrator_renames_or_archives(haven, two_organisations):
    harbour, _ = two_organisations
    manager = make_user(haven, "amira", "manager", "harbour-house", password=None)
    with pytest.raises(PermissionDenied), haven.session() as session:
        rename_organisation(session, manager, organisation_id=harbour, name="Mine now")
    with pytest.raises(PermissionDenied), haven.session() as session:
        set_organisation_archived(session, manager, organisation_id=harbour, archived=True)
    with haven.session() as session:
        organisation = session.get(Organisation, harbour)
        assert organisation.name == "Harbour House Victim Support" and organisation.archived_at is None


def test_an_archived_organisation_leaves_switchers_and_the_network_but_keeps_its_rows(haven, two_organisations):
    harbour, north = two_organisations
    manager = make_user(haven, "amira", "manager", "harbour-house", password=None)
    network_board = make_user(haven, "nell", "board", None, password=None)
    with haven.session() as session:
        before = len(session.exec(select(AuditEntry).where(AuditEntry.organisation_id == harbour)).all())
        set_organisation_archived(session, SYSTEM, organisation_id=harbour, archived=True)
    assert names(haven, network_board) == ["North Light"]
    assert names(haven, manager) == []
    assert names(haven, SYSTEM, include_archived=True) == ["Harbour House Victim Support", "North Light"]
    with haven.session() as session:
        assert [r["organisation"] for r in score_network(session, network_board)] == ["north-light"]
        assert session.get(Organisation, harbour) is not None
        assert len(session.exec(select(AuditEntry).where(AuditEntry.organisation_id == harbour)).all()) == before + 1
        set_organisation_archived(session, SYSTEM, organisation_id=harbour, archived=False)
    assert names(haven, manager) == ["Harbour House Victim Support"]
    with haven.session() as session:
        actions = [e.action for e in session.exec(select(AuditEntry).where(AuditEntry.target == "harbour-house"))]
    assert actions[-2:] == ["organisation.archive", "organisation.unarchive"]
