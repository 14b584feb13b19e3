"""Someone with write access to the database but without the audit key makes themselves powerful there, not in the
app: an administrator flag, a membership of another organisation (its restricted evidence), a deactivated account
woken, an account inserted by hand, an administrator's password hash or e-mail address replaced by their own (then
signing in, by password or by the identity provider, as the administrator). `verify` names each one."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from accounts.passwords import hash_password
from services.integrity import check_integrity
from services.users import reset_password, set_membership, set_user_active, set_user_admin, sign_in_by_email
from tests.factories import SYSTEM, make_organisation, make_user

MALLORY_PASSWORD = "mallory's own long passphrase"


@pytest.fixture
def staffed(haven):
    """An instance whose accounts were changed through Haven every way there is: verify finds nothing."""
    harbour = make_organisation(haven)
    other = make_organisation(haven, slug="riverside", name="Riverside Refuge")
    make_user(haven, "root", None, is_admin=True)
    amira = make_user(haven, "amira", "manager", "harbour-house")
    make_user(haven, "mallory", "board", "harbour-house")
    quinn = make_user(haven, "quinn", "reviewer", None)
    with haven.session() as session:
        set_membership(session, SYSTEM, user_id=amira.user_id, role="manager", organisation_id=other)
        set_membership(session, SYSTEM, user_id=amira.user_id, role="reviewer", organisation_id=harbour)
        set_user_admin(session, SYSTEM, user_id=quinn.user_id, admin=True)
        set_user_admin(session, SYSTEM, user_id=quinn.user_id, admin=False)
        set_user_active(session, SYSTEM, user_id=quinn.user_id, active=False)
        reset_password(session, SYSTEM, user_id=amira.user_id, password="a brand new passphrase for amira")
    assert check_integrity(haven, SYSTEM).faults == []
    return haven


def faults(haven) -> list[str]:
    return check_integrity(haven, SYSTEM).faults


def sql(haven, statement: str, **values) -> None:
    with haven.engine.begin() as connection:
        connection.execute(text(statement), values)


@pytest.mark.parametrize("tampering, expected", [
    ("UPDATE \"user\" SET is_admin = true WHERE username = 'mallory'", "account mallory is an administrator"),
    ("UPDATE \"user\" SET active = true WHERE username = 'quinn'", "account quinn is active"),
    ("UPDATE membership SET role = 'manager' WHERE user_id = (SELECT id FROM \"user\" WHERE username = 'mallory')",
     "account mallory is manager in harbour-house"),
    ("INSERT INTO membership (user_id, organisation_id, role) "
     "SELECT id, (SELECT id FROM organisation WHERE slug = 'riverside'), 'manager' FROM \"user\" "
     "WHERE username = 'mallory'", "account mallory is manager in riverside"),
    ("INSERT INTO membership (user_id, organisation_id, role) SELECT id, NULL, 'reviewer' FROM \"user\" "
     "WHERE username = 'mallory'", "account mallory is reviewer in every organisation"),
    ("DELETE FROM membership WHERE user_id = (SELECT id FROM \"user\" WHERE username = 'amira') "
     "AND organisation_id = (SELECT id FROM organisation WHERE slug = 'riverside')",
     "account amira is no longer manager in riverside"),
    ("INSERT INTO \"user\" (username, display_name, is_admin, active, failed_logins, created_at) "
     "VALUES ('ghost', 'Ghost', true, true, 0, '2026-11-01 10:00:00')", "account ghost is not in the audit log"),
])
def test_accounts_changed_in_the_database_are_caught_against_the_log(staffed, tampering, expected):
    sql(staffed, tampering)
    assert any(expected in fault for fault in faults(staffed)), faults(staffed)


def test_an_administrators_password_hash_replaced_in_the_database_is_caught(staffed):
    sql(staffed, "UPDATE \"user\" SET password_hash = :hash WHERE username = 'root'",
        hash=hash_password(MALLORY_PASSWORD))
    assert any("account root has another password than the audit log recorded" in f for f in faults(staffed))


def test_an_administrators_e_mail_replaced_in_the_database_is_caught(staffed):
    """With single sign-on, an address of one's own on the administrator's row signs one in as the administrator."""
    sql(staffed, "UPDATE \"user\" SET email = 'mallory@example.org' WHERE username = 'root'")
    with staffed.session() as session:
        assert sign_in_by_email(session, email="mallory@example.org", email_verified=True).principal.is_admin
    assert any("account root has another e-mail address than the audit log recorded" in f for f in faults(staffed))
