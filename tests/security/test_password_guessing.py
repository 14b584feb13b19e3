"""Guessing passwords: a flood holds no lock, answers and their timing say nothing about which accounts exist,
and nothing typed into the sign-in form lands in the audit log in clear."""
from __future__ import annotations

import statistics
import threading
import time
from dataclasses import replace

import pytest
from sqlalchemy import text
from sqlmodel import select

from services.organisations import get_organisation
from services.sign_in import WRONG, client_locked_message, locked_message, sign_in
from services.users import create_user, list_users, set_user_active
from storage.models import AuditEntry, SignInThrottle, User
from tests.factories import PASSWORD, SYSTEM, make_organisation, make_user

SAMPLES = 9


def audit_text(haven) -> str:
    with haven.session() as session:
        return "\n".join(f"{e.actor}|{e.action}|{e.target}|{e.detail}"
                         for e in session.exec(select(AuditEntry).order_by(AuditEntry.id)))


def without_lock_out(haven):
    """Timing and flood tests send many wrong passwords: the lock-out would answer them early."""
    haven.settings = replace(haven.settings, lockout_failures=10_000, client_lockout_failures=10_000)
    return haven


ARGON2_SECONDS = 1.5


def test_a_flood_of_wrong_passwords_does_not_make_pages_wait(haven, monkeypatch):
    """Eight clients guessing at once while pages read: each password check takes 1.5 s here (argon2 at a high
    cost, without burning the test machine's cores), and a read done meanwhile still finishes in well under
    that, on SQLite without "database is locked", because no transaction is open while a password is checked."""
    import services.sign_in as sign_in_module

    real_check = sign_in_module.password_matches

    def slow_check(password_hash, password):
        time.sleep(ARGON2_SECONDS)
        return real_check(password_hash, password)

    monkeypatch.setattr(sign_in_module, "password_matches", slow_check)
    monkeypatch.setattr(sign_in_module, "_ARGON2_SLOTS", threading.BoundedSemaphore(8))  # all eight at once
    make_organisation(haven)
    admin = make_user(haven, "root", None, is_admin=True)
    make_user(haven, "amira", "manager", "harbour-house")
    errors: list[BaseException] = []
    answers: list[str] = []
    start = threading.Barrier(9)

    def guess(number: int):
        try:
            start.wait(timeout=30)
            name = "amira" if number % 2 else f"guess-{number}"
            answers.append(sign_in(haven, username=name, password=f"wrong guess {number}").message)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    start.wait(timeout=30)
    began = time.perf_counter()
    waits = []
    while any(t.is_alive() for t in threads):
        before = time.perf_counter()
        with haven.session() as session:
            assert any(row.username == "amira" for row in list_users(session, admin))
            session.exec(text("SELECT count(*) FROM audit_entry")).one()
        waits.append(time.perf_counter() - before)
        time.sleep(0.05)
    flood = time.perf_counter() - began
    for thread in threads:
        thread.join()

    assert errors == [] and answers == [WRONG] * 8
    assert flood >= ARGON2_SECONDS and len(waits) >= 5
    assert max(waits) < ARGON2_SECONDS / 2, f"a read waited {max(waits):.2f}s during a {flood:.2f}s flood"


@pytest.mark.real_argon2
def test_unknown_names_and_accounts_without_a_password_answer_as_slowly_as_real_accounts(haven):
    """Each kind of name spends one argon2 check: the medians of their timings lie within a quarter of each other
    (interleaved samples, so a busy machine slows every kind alike)."""
    make_organisation(haven)
    make_user(haven, "amira", "manager", "harbour-house")
    with haven.session() as session:
        create_user(session, SYSTEM, username="sso-only", password=None, role="manager",
                    organisation_id=get_organisation(session, "harbour-house").id, email="sso@harbour.example")
    without_lock_out(haven)
    kinds = {"known": "amira", "unknown": "nobody-here", "no password": "sso-only"}
    timings: dict[str, list[float]] = {kind: [] for kind in kinds}
    sign_in(haven, username="amira", password="warm up the caches")
    for round_number in range(SAMPLES):
        order = list(kinds.items())
        order = order[round_number % 3:] + order[:round_number % 3]
        for kind, name in order:
            before = time.perf_counter()
            result = sign_in(haven, username=name, password=f"a wrong password {round_number}")
            timings[kind].append(time.perf_counter() - before)
            assert result.message == WRONG
    medians = {kind: statistics.median(values) for kind, values in timings.items()}
    assert medians["known"] > 0.01, f"argon2 seems not to run: {medians}"
    for kind in ("unknown", "no password"):
        assert abs(medians[kind] - medians["known"]) < 0.25 * medians["known"], medians


def test_every_kind_of_wrong_name_gets_the_same_words_and_the_same_lock_out(haven):
    make_organisation(haven)
    make_user(haven, "amira", "manager", "harbour-house")
    retired = make_user(haven, "retired", "manager", "harbour-house")
    with haven.session() as session:
        set_user_active(session, SYSTEM, user_id=retired.user_id, active=False)
        create_user(session, SYSTEM, username="sso-only", password=None, role="manager",
                    organisation_id=get_organisation(session, "harbour-house").id, email="sso@harbour.example")
    answers = {}
    for name in ("amira", "nobody-here", "retired", "sso-only"):
        answers[name] = [sign_in(haven, username=name, password="a wrong password here").message for _ in range(6)]
    expected = [WRONG] * 4 + [locked_message(15, more=False), locked_message(15, more=True)]
    assert answers == {name: expected for name in answers}
    # the right password of a locked account gets the same answer as any name during a lock-out
    assert sign_in(haven, username="amira", password=PASSWORD).message == locked_message(15, more=True)


def test_many_failures_from_one_address_slow_that_address_only(haven):
    make_organisation(haven)
    make_user(haven, "amira", "manager", "harbour-house")
    for number in range(20):
        assert sign_in(haven, username=f"guess-{number}", password="a wrong password here",
                       client="203.0.113.9").message == WRONG
    refused = sign_in(haven, username="amira", password=PASSWORD, client="203.0.113.9")
    assert refused.principal is None and refused.message == client_locked_message(15)
    assert sign_in(haven, username="amira", password=PASSWORD, client="198.51.100.7").principal is not None
    assert "203.0.113.9" in audit_text(haven)  # who was slowed is on record for the administrator


def test_a_password_typed_into_the_user_name_field_never_reaches_the_audit_log(haven):
    make_organisation(haven)
    make_user(haven, "amira", "manager", "harbour-house")
    typed_as_name = "Amira's real passphrase 1987"
    sign_in(haven, username=typed_as_name, password="")
    sign_in(haven, username=PASSWORD, password=PASSWORD)
    for _ in range(6):  # through the lock-out of that "name" too
        sign_in(haven, username=typed_as_name, password="amira")
    log = audit_text(haven)
    assert log.count("login.failure") == 8
    for secret in (typed_as_name, PASSWORD, "1987", "passphrase", "horse"):
        assert secret not in log
    with haven.session() as session:
        stored = " ".join(row.key for row in session.exec(select(SignInThrottle)))
        assert typed_as_name not in stored and PASSWORD not in stored
        assert "passphrase" not in " ".join(session.exec(select(User.username)).all())
