from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from accounts.permissions import PermissionDenied
from services.audit_log import audit_chain_faults, audit_entries, audit_filter_choices
from services.sign_in import sign_in
from tests.factories import make_organisation, make_user


@pytest.fixture
def logged(haven):
    """An organisation, an administrator, a manager and two failed sign-ins: six entries."""
    make_organisation(haven)
    admin = make_user(haven, "root", None, is_admin=True)
    make_user(haven, "amira", "manager", "harbour-house")
    sign_in(haven, username="amira", password="wrong password!")
    sign_in(haven, username="nobody", password="wrong password!")
    return admin


def utc_today():
    return datetime.now(UTC).date()


def actions_of(selection):
    return [entry.action for entry in selection.entries]


def test_entries_come_newest_first_with_the_organisation_by_its_id(haven, logged):
    with haven.session() as session:
        selection = audit_entries(session, logged)
    assert actions_of(selection) == ["login.failure", "login.failure", "user.create", "user.create",
                                     "organisation.create"]
    assert selection.total == 5 and not selection.truncated
    assert selection.entries[-1].organisation == "harbour-house" and selection.entries[0].organisation == ""
    assert selection.entries[0].at.tzinfo is not None


def test_entries_are_filtered_by_actor_action_organisation_and_days(haven, logged):
    today = utc_today()
    with haven.session() as session:
        by_actor = audit_entries(session, logged, actor="amira")
        by_action = audit_entries(session, logged, actions=["user.create", "organisation.create"])
        in_organisation = audit_entries(session, logged, organisation_id=1)
        instance_wide = audit_entries(session, logged, instance_wide=True)
        today_only = audit_entries(session, logged, since=today, until=today)
        tomorrow = audit_entries(session, logged, since=today + timedelta(days=1))
        yesterday = audit_entries(session, logged, until=today - timedelta(days=1))
        limited = audit_entries(session, logged, limit=2)
    assert [(e.actor, e.action) for e in by_actor.entries] == [("amira", "login.failure")]
    assert actions_of(by_action) == ["user.create", "user.create", "organisation.create"]
    assert [e.target for e in in_organisation.entries] == ["amira", "harbour-house"]
    assert instance_wide.total == 3
    assert (today_only.total, tomorrow.total, yesterday.total) == (5, 0, 0)
    assert (len(limited.entries), limited.total, limited.truncated) == (2, 5, True)


def test_the_filter_choices_are_the_actors_actions_and_days_in_the_log(haven, logged):
    with haven.session() as session:
        choices = audit_filter_choices(session, logged)
    assert choices.actors == ["(unknown account)", "amira", "test"]  # a name that is no account is not kept
    assert choices.actions == ["login.failure", "organisation.create", "user.create"]
    assert choices.first_day == choices.last_day == utc_today()


def test_the_chain_check_reports_an_edited_entry(haven, logged):
    with haven.session() as session:
        assert audit_chain_faults(session, logged) == []
    with haven.engine.begin() as connection:
        connection.execute(text("UPDATE audit_entry SET actor = 'someone else' WHERE id = 4"))
    with haven.session() as session:
        assert [fault.entry_id for fault in audit_chain_faults(session, logged)] == [4]


@pytest.mark.parametrize("role, organisation", [("manager", "harbour-house"), ("reviewer", None), ("board", None)])
def test_only_an_administrator_reads_the_audit_log(haven, logged, role, organisation):
    someone = make_user(haven, "someone", role, organisation)
    for read in (audit_entries, audit_filter_choices, audit_chain_faults):
        with pytest.raises(PermissionDenied, match="may not read the audit log"):
            with haven.session() as session:
                read(session, someone)
