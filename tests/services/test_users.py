from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from accounts.permissions import PermissionDenied
from services.errors import ServiceError
from services.organisations import create_organisation, get_organisation
from services.sign_in import sign_in
from services.users import (
    BrowserRequest,
    count_users,
    create_first_admin,
    create_user,
    list_users,
    principal_for,
    refreshed_principal,
    remove_membership,
    reset_password,
    set_membership,
    set_user_active,
    set_user_admin,
    sign_in_by_email,
    unlock_user,
)
from storage.models import AuditEntry, Membership, Organisation, User
from tests.factories import PASSWORD, SYSTEM, make_organisation, make_user

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
WRONG = "not the right password"


def audit_actions(haven, action_prefix=""):
    with haven.session() as session:
        return [(e.actor, e.action, e.detail) for e in session.exec(select(AuditEntry).order_by(AuditEntry.id))
                if e.action.startswith(action_prefix)]


def attempt(haven, username, password, at):
    return sign_in(haven, username=username, password=password, now=at)


def user_row(haven, username):
    with haven.session() as session:
        return session.exec(select(User).where(User.username == username)).one()


@pytest.fixture
def admin(haven):
    make_organisation(haven)
    return make_user(haven, "root", None, is_admin=True)


# Creating users


@pytest.mark.parametrize("username", ["", "a", "-leading-dash", "has space", "x" * 81, "naïve", "semi;colon"])
def test_bad_user_names_are_refused_and_nothing_is_stored(haven, admin, username):
    with pytest.raises(ServiceError, match="A user name has 2 to 80 letters"):
        with haven.session() as session:
            create_user(session, admin, username=username, password=PASSWORD)
    with haven.session() as session:
        assert count_users(session) == 1
    assert len(audit_actions(haven, "user.create")) == 1


@pytest.mark.parametrize("changes, message", [
    ({"username": "root"}, "The user name 'root' is already taken"),
    ({"username": "Root"}, "The user name 'Root' is already taken \\(as 'root'"),  # a lookalike of the administrator
    ({"username": "ROOT"}, "is already taken"),
    ({"password": "short"}, "at least 12 characters"),
    ({"password": " twelve chars and more "}, "must not start or end with spaces"),
    ({"email": "not-an-address"}, "is not an e-mail address"),
    ({"password": "password1234"}, "This password is too easy to guess: This is a very common password"),
    ({"password": "qwertyuiopasdf"}, "This password is too easy to guess"),
    ({"password": "abcabcabcabcabc"}, "This password is too easy to guess: Repeats like"),
    ({"password": "amira-amira-amira"}, "This password is too easy to guess"),
    ({"role": "owner"}, "Unknown role 'owner'"),
    ({"role": "manager", "organisation_id": 999_999}, "No such organisation"),
])
def test_bad_new_users_are_refused_with_the_reason_and_nothing_is_stored(haven, admin, changes, message):
    request = {"username": "amira", "password": PASSWORD, **changes}
    with pytest.raises(ServiceError, match=message):
        with haven.session() as session:
            create_user(session, admin, **request)
    with haven.session() as session:
        assert [u.username for u in session.exec(select(User))] == ["root"]
        assert session.exec(select(Membership)).all() == []
    assert len(audit_actions(haven, "user.create")) == 1


def test_an_e_mail_address_belongs_to_one_user_whatever_its_case(haven, admin):
    with haven.session() as session:
        create_user(session, admin, username="amira", password=PASSWORD, email="Amira@Example.org")
    with pytest.raises(ServiceError, match="belongs to another user"):
        with haven.session() as session:
            create_user(session, admin, username="amira2", password=PASSWORD, email="amira@example.ORG ")
    assert user_row(haven, "amira").email == "amira@example.org"


def test_a_user_is_added_with_a_role_in_an_organisation_or_in_every_one(haven, admin):
    with haven.session() as session:
        create_user(session, admin, username="amira", password=PASSWORD, role="manager", organisation_id=get_organisation(session, "harbour-house").id,
                    display_name="Amira Haddad")
        create_user(session, admin, username="quinn", password=PASSWORD, role="reviewer")
    with haven.session() as session:
        rows = {row.username: row for row in list_users(session, admin)}
    assert rows["amira"].display_name == "Amira Haddad"
    assert [(m.organisation, m.role) for m in rows["amira"].memberships] == [("harbour-house", "manager")]
    assert [(m.organisation, m.role) for m in rows["quinn"].memberships] == [("every organisation", "reviewer")]
    assert ("root", "user.create") in [(actor, action) for actor, action, _ in audit_actions(haven, "user.create")]


def test_the_first_administrator_can_be_created_only_once(haven):
    with haven.session() as session:
        first = create_first_admin(session, username="founder", password=PASSWORD)
    assert first.is_admin and first.username == "founder"
    with pytest.raises(ServiceError, match="already has an administrator"):
        with haven.session() as session:
            create_first_admin(session, username="intruder", password=PASSWORD)
    with haven.session() as session:
        assert count_users(session) == 1


@pytest.mark.parametrize("host", ["haven-rebound.example:8501", "haven.example.org", "127.0.0.1.evil.example",
                                  "localhost.evil.example:8501", "user@127.0.0.1", ""])
def test_the_first_administrator_is_not_created_for_a_browser_under_another_name(haven, host):
    with pytest.raises(ServiceError, match="created only on the machine that runs Haven: open http://localhost:8501"):
        with haven.session() as session:
            create_first_admin(session, username="mallory", password=PASSWORD, port=8501,
                               browser=BrowserRequest.from_headers({"Host": host}, peer="127.0.0.1"))
    with haven.session() as session:
        assert count_users(session) == 0


@pytest.mark.parametrize("host", ["127.0.0.1:8501", "localhost:8501", "[::1]:8501", "LOCALHOST", "haven.localhost"])
def test_the_first_administrator_is_created_from_this_machine(haven, host):
    with haven.session() as session:
        assert create_first_admin(session, username="ada", password=PASSWORD,
                                  browser=BrowserRequest.from_headers({"Host": host}, peer="127.0.0.1")).is_admin


@pytest.mark.parametrize("peer", ["192.0.2.9", "10.0.0.5", "fd00::2", "::ffff:192.0.2.9", None, "", "not an address"])
def test_a_browser_connected_from_elsewhere_never_creates_the_first_administrator_whatever_host_it_names(haven, peer):
    """A Haven listening on more than 127.0.0.1 (a LAN address, a container's 0.0.0.0): another computer can send
    `Host: localhost`; the address its connection comes from says it is elsewhere."""
    with pytest.raises(ServiceError, match="created only on the machine that runs Haven"):
        with haven.session() as session:
            create_first_admin(session, username="mallory", password=PASSWORD,
                               browser=BrowserRequest.from_headers({"Host": "localhost:8501"}, peer=peer))
    with haven.session() as session:
        assert count_users(session) == 0


@pytest.mark.parametrize("peer", ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"])
def test_a_browser_connected_from_the_loopback_address_creates_the_first_administrator(haven, peer):
    with haven.session() as session:
        assert create_first_admin(session, username="ada", password=PASSWORD,
                                  browser=BrowserRequest.from_headers({"Host": "localhost"}, peer=peer)).is_admin


@pytest.mark.parametrize("forwarded", [{"X-Forwarded-For": "203.0.113.9"}, {"x-real-ip": "203.0.113.9"},
                                       {"Forwarded": "for=203.0.113.9"}, {"X-Forwarded-Host": "localhost"}])
def test_a_request_a_proxy_passed_on_never_creates_the_first_administrator_whatever_host_it_names(haven, forwarded):
    """Through a proxy anyone can send `Host: localhost`; what the proxy adds says the request came from elsewhere."""
    with pytest.raises(ServiceError, match="created only on the machine that runs Haven"):
        with haven.session() as session:
            create_first_admin(session, username="mallory", password=PASSWORD,
                               browser=BrowserRequest.from_headers({"Host": "localhost:8501", **forwarded},
                                                                   peer="127.0.0.1"))
    with haven.session() as session:
        assert count_users(session) == 0


# Signing in and the lock-out


def test_five_failures_lock_the_account_for_fifteen_minutes(haven, admin):
    make_user(haven, "amira", "manager", "harbour-house")
    for failure in range(4):
        result = attempt(haven, "amira", WRONG, T0 + timedelta(seconds=failure))
        assert result.principal is None and result.message == "The user name or password is wrong."
    fifth = attempt(haven, "amira", WRONG, T0 + timedelta(seconds=4))
    assert fifth.principal is None and "locked for 15 minutes" in fifth.message

    while_locked = attempt(haven, "amira", PASSWORD, T0 + timedelta(minutes=14))
    assert while_locked.principal is None and "locked" in while_locked.message
    after = attempt(haven, "amira", PASSWORD, T0 + timedelta(seconds=4, minutes=15, microseconds=1))
    assert after.principal is not None and after.principal.username == "amira"
    assert after.principal.memberships[0][1] == "manager"


def test_a_success_resets_the_failure_count(haven, admin):
    make_user(haven, "amira", "manager", "harbour-house")
    for _failure in range(4):
        attempt(haven, "amira", WRONG, T0)
    assert attempt(haven, "amira", PASSWORD, T0).principal is not None
    for _failure in range(4):
        assert "locked" not in attempt(haven, "amira", WRONG, T0).message
    assert attempt(haven, "amira", PASSWORD, T0).principal is not None
    assert user_row(haven, "amira").failed_logins == 0


def test_every_failed_sign_in_is_in_the_audit_log(haven, admin):
    make_user(haven, "amira", "manager", "harbour-house")
    for _ in range(5):
        attempt(haven, "amira", WRONG, T0)
    attempt(haven, "amira", PASSWORD, T0 + timedelta(minutes=1))
    attempt(haven, "nobody", PASSWORD, T0)
    failures = audit_actions(haven, "login.failure")
    assert [actor for actor, _, _ in failures] == ["amira"] * 6 + ["(unknown account)"]
    assert [detail for _, _, detail in failures].count('{"failures": 3, "reason": "wrong password"}') == 1
    assert '"reason": "locked"' in failures[5][2] and '"reason": "unknown user"' in failures[6][2]
    assert "nobody" not in failures[6][2] and '"name_key": "' in failures[6][2]
    assert '"locked_until"' in failures[4][2]
    assert not any(PASSWORD in detail or WRONG in detail for _, _, detail in failures)


def test_a_deactivated_user_cannot_sign_in_even_with_the_right_password(haven, admin):
    amira = make_user(haven, "amira", "manager", "harbour-house")
    with haven.session() as session:
        set_user_active(session, admin, user_id=amira.user_id, active=False)
    result = attempt(haven, "amira", PASSWORD, T0)
    assert result.principal is None and result.message == "The user name or password is wrong."
    assert '"reason": "deactivated account"' in audit_actions(haven, "login.failure")[-1][2]


def test_an_administrator_unlocks_an_account_at_once(haven, admin):
    amira = make_user(haven, "amira", "manager", "harbour-house")
    now = datetime.now(UTC)
    for _ in range(5):
        attempt(haven, "amira", WRONG, now)
    with haven.session() as session:
        assert {r.username: r.locked for r in list_users(session, admin)}["amira"] is True
        unlock_user(session, admin, user_id=amira.user_id)
    assert attempt(haven, "amira", PASSWORD, now + timedelta(minutes=1)).principal is not None
    assert ("root", "user.unlock") in [(a, b) for a, b, _ in audit_actions(haven, "user.")]


def test_an_administrator_sets_a_new_password_and_the_old_one_stops_working(haven, admin):
    amira = make_user(haven, "amira", "manager", "harbour-house")
    for weak, reason in (("too short", "at least 12 characters"), ("1q2w3e4r5t6y7u8i", "too easy to guess"),
                         ("Haven2026Haven2026", "too easy to guess")):
        with pytest.raises(ServiceError, match=reason):
            with haven.session() as session:
                reset_password(session, admin, user_id=amira.user_id, password=weak)
    assert attempt(haven, "amira", PASSWORD, T0).principal is not None
    with haven.session() as session:
        reset_password(session, admin, user_id=amira.user_id, password="a brand new passphrase")
    assert attempt(haven, "amira", PASSWORD, T0).principal is None
    assert attempt(haven, "amira", "a brand new passphrase", T0).principal is not None
    assert [(a, b) for a, b, _ in audit_actions(haven, "user.password")] == [("root", "user.password_reset")]


# Single sign-on (OIDC): the identity provider's e-mail address picks the user


def test_an_oidc_identity_is_mapped_to_the_user_with_that_e_mail(haven, admin):
    with haven.session() as session:
        create_user(session, admin, username="amira", password=None, email="amira@example.org", role="manager",
                    organisation_id=get_organisation(session, "harbour-house").id)
    with haven.session() as session:
        result = sign_in_by_email(session, email=" Amira@Example.org", email_verified=True)
    assert result.principal.username == "amira" and result.principal.roles_in(1) == {"manager"}
    assert audit_actions(haven, "login.success")[-1][2] == '{"method": "oidc"}'


@pytest.mark.parametrize("email, verified", [("stranger@example.org", True), ("", True), ("amira@example.org", False)])
def test_an_oidc_identity_without_a_matching_verified_e_mail_is_refused(haven, admin, email, verified):
    make_user(haven, "amira", "manager", "harbour-house")
    with haven.session() as session:
        create_user(session, admin, username="amira2", password=None, email="amira@example.org")
    with haven.session() as session:
        result = sign_in_by_email(session, email=email, email_verified=verified)
    assert result.principal is None and "administrator" in result.message
    assert audit_actions(haven, "login.failure")[-1][1] == "login.failure"


def test_a_deactivated_user_cannot_sign_in_through_oidc(haven, admin):
    with haven.session() as session:
        user = create_user(session, admin, username="amira", password=None, email="amira@example.org")
        set_user_active(session, admin, user_id=user.id, active=False)
    with haven.session() as session:
        assert sign_in_by_email(session, email="amira@example.org", email_verified=True).principal is None


@pytest.mark.parametrize("claim", [None, "", "false", "no", 1, "yes", {}])
def test_an_identity_provider_that_does_not_vouch_for_the_e_mail_signs_nobody_in(haven, admin, claim):
    """The nOAuth takeover: a provider that lets its users set their own e-mail address and does not send
    email_verified (some send no such claim at all) would hand the administrator's account to whoever types
    the administrator's address into their profile there. Only an explicit true (Cognito sends the word) counts."""
    with haven.session() as session:
        create_user(session, admin, username="root2", password=None, email="root@example.org", is_admin=True)
    with haven.session() as session:
        result = sign_in_by_email(session, email="root@example.org", email_verified=claim)
    assert result.principal is None and "did not confirm" in result.message


@pytest.mark.parametrize("claim", [True, "true", "TRUE"])
def test_a_provider_that_vouches_for_the_e_mail_signs_its_user_in(haven, admin, claim):
    with haven.session() as session:
        create_user(session, admin, username="amira", password=None, email="amira@example.org")
    with haven.session() as session:
        assert sign_in_by_email(session, email="amira@example.org", email_verified=claim).principal.username == "amira"


def test_a_user_without_a_password_cannot_sign_in_with_one(haven, admin):
    with haven.session() as session:
        create_user(session, admin, username="amira", password=None, email="amira@example.org")
    assert attempt(haven, "amira", "", T0).principal is None


# Memberships and account changes


def test_memberships_are_given_changed_and_removed(haven, admin):
    amira = make_user(haven, "amira", "reviewer", "harbour-house")
    organisation_id = amira.memberships[0][0]
    with haven.session() as session:
        set_membership(session, admin, user_id=amira.user_id, role="manager", organisation_id=organisation_id)
        set_membership(session, admin, user_id=amira.user_id, role="board", organisation_id=None)
    with haven.session() as session:
        row = {r.username: r for r in list_users(session, admin)}["amira"]
    assert sorted((m.organisation, m.role) for m in row.memberships) == [
        ("every organisation", "board"), ("harbour-house", "manager")]
    with haven.session() as session:
        remove_membership(session, admin, membership_id=row.memberships[0].id)
        assert len(session.exec(select(Membership).where(Membership.user_id == amira.user_id)).all()) == 1
    assert [b for _, b, _ in audit_actions(haven, "membership.")] == ["membership.set"] * 2 + ["membership.remove"]


def test_a_role_in_an_unknown_organisation_is_refused(haven, admin):
    amira = make_user(haven, "amira", None)
    with pytest.raises(ServiceError, match="No such organisation"):
        with haven.session() as session:
            set_membership(session, admin, user_id=amira.user_id, role="manager", organisation_id=999)
    with haven.session() as session:
        assert session.exec(select(Membership)).all() == []


def test_an_administrator_cannot_lock_themselves_out(haven, admin):
    with pytest.raises(ServiceError, match="cannot deactivate your own account"):
        with haven.session() as session:
            set_user_active(session, admin, user_id=admin.user_id, active=False)
    with pytest.raises(ServiceError, match="cannot remove your own administrator rights"):
        with haven.session() as session:
            set_user_admin(session, admin, user_id=admin.user_id, admin=False)
    row = user_row(haven, "root")
    assert row.active and row.is_admin


def test_the_signed_in_principal_follows_account_changes(haven, admin):
    amira = make_user(haven, "amira", "board", "harbour-house")
    with haven.session() as session:
        set_membership(session, admin, user_id=amira.user_id, role="manager", organisation_id=amira.memberships[0][0])
        assert refreshed_principal(session, amira).roles_in(amira.memberships[0][0]) == {"manager"}
        set_user_active(session, admin, user_id=amira.user_id, active=False)
        assert refreshed_principal(session, amira) is None
        assert refreshed_principal(session, SYSTEM) is SYSTEM


# Permissions: only an administrator manages users and organisations


@pytest.mark.parametrize("role, organisation", [("manager", "harbour-house"), ("reviewer", None), ("board", None)])
def test_only_an_administrator_manages_users_and_organisations(haven, admin, role, organisation):
    someone = make_user(haven, "someone", role, organisation)
    target = make_user(haven, "target", None)
    calls = [
        lambda s: create_user(s, someone, username="mallory", password=PASSWORD, is_admin=True),
        lambda s: create_organisation(s, someone, slug="shadow-org", name="Shadow"),
        lambda s: set_membership(s, someone, user_id=someone.user_id, role="manager", organisation_id=None),
        lambda s: set_user_active(s, someone, user_id=target.user_id, active=False),
        lambda s: set_user_admin(s, someone, user_id=someone.user_id, admin=True),
        lambda s: unlock_user(s, someone, user_id=target.user_id),
        lambda s: reset_password(s, someone, user_id=target.user_id, password="taken over password"),
        lambda s: list_users(s, someone),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied, match="may not manage users and organisations"):
            with haven.session() as session:
                call(session)
    with haven.session() as session:
        assert sorted(u.username for u in session.exec(select(User))) == ["root", "someone", "target"]
        assert [o.slug for o in session.exec(select(Organisation))] == ["harbour-house"]
        assert principal_for(session, session.get(User, someone.user_id)) == someone
        assert not session.get(User, someone.user_id).is_admin and session.get(User, target.user_id).active
    assert attempt(haven, "target", PASSWORD, T0).principal is not None


def test_the_list_of_users_never_carries_password_hashes(haven, admin):
    make_user(haven, "amira", "manager", "harbour-house")
    with haven.session() as session:
        hashes = [u.password_hash for u in session.exec(select(User))]
        rows = list_users(session, admin)
    assert all(h.startswith("$argon2") for h in hashes)
    shown = repr(rows)
    assert not any(h in shown for h in hashes) and "argon2" not in shown
    assert not any("hash" in key for row in rows for key in vars(row))
