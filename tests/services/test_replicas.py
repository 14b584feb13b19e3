"""Replicas behave as one app: two or three processes on one database (PostgreSQL and SQLite) and one evidence
store (an S3 bucket on moto's server where files are involved), each with its own memory and data folder.

- the network scores each replica keeps stay right when another replica changes something;
- lock-outs and idle limits hold whichever replica a browser's requests reach;
- the daily snapshot is one row per cycle and day when replicas race to take it.
"""
from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from services import browser_sessions
from services.browser_sessions import ACTIVE, ENDED, EXPIRED
from services.evidence import NewEvidence
from services.organisations import create_organisation, get_organisation
from services.ratings import set_rating
from services.reviews import review_file, review_queue, review_revision
from services.scores import clear_score_cache, score_network
from services.sign_in import WRONG, locked_message, sign_in
from services.snapshots import refresh_daily_snapshot, snapshot_series, start_next_cycle, take_snapshot
from services.uploads import upload_evidence
from storage.audit import check_audit_chain
from storage.models import AssessmentCycle, AuditEntry, BrowserSession, Snapshot, utc_now
from tests.conftest import on_s3
from tests.factories import PASSWORD, SYSTEM, make_organisation, make_user, simple_pdf
from tests.replicas import open_replicas, started_replicas
from tests.services.test_no_instance_lock import assert_locked_out_after_five

TODAY = date.today()
NOT_THE_PASSWORD = "not the password at all"
RACE_DELAY = 1.5  # seconds from sending racing calls to starting them: every replica has its call by then


# --- calls run inside a replica (module-level, so a spawned process can import them) ------------------------


def network_scores(haven) -> list[dict]:
    with haven.session() as session:
        return score_network(session, SYSTEM)


def rate(haven, principal, organisation_id: int, action_id: str, rating: str) -> None:
    with haven.session() as session:
        set_rating(session, principal, organisation_id=organisation_id, action_id=action_id, rating=rating)


def upload_policy(haven, principal, organisation_id: int, text: str) -> int:
    return upload_evidence(haven, principal, organisation_id=organisation_id, filename="policy.pdf",
                           data=simple_pdf(text), details=NewEvidence("policy", ("3.3.1",), TODAY))


def accept_waiting(haven, reviewer, organisation_id: int) -> list[bytes]:
    """Accepts every item in the queue, after reading its file from the store; returns the files read."""
    read = []
    with haven.session() as session:
        queue = review_queue(session, reviewer, organisation_id=organisation_id)
    for item in queue:
        with haven.session() as session:
            read.append(haven.store.get(review_file(session, reviewer, revision_id=item.revision_id).blob_key))
            review_revision(session, reviewer, revision_id=item.revision_id, status="accepted",
                            checklist=item.checklist)
    return read


def add_organisation(haven, slug: str) -> None:
    with haven.session() as session:
        create_organisation(session, SYSTEM, slug=slug, name=slug.replace("-", " ").title())


def next_cycle(haven, slug: str) -> None:
    with haven.session() as session:
        start_next_cycle(session, SYSTEM, organisation_id=get_organisation(session, slug).id, today=TODAY)


def sign_in_answers(haven, username: str, passwords: list[str], minutes_later: int = 0) -> list[str]:
    return [sign_in(haven, username=username, password=password,
                    now=utc_now() + timedelta(minutes=minutes_later)).message for password in passwords]


def browser_sign_in(haven, principal, now) -> tuple[int, str]:
    """What the sign-in page and the cookie hand-off do: a browser session and its cookie."""
    session_id, code = browser_sessions.begin(haven, principal, now=now)
    return session_id, browser_sessions.redeem(haven, code, now=now)


def resumed_user(haven, cookie: str, now) -> str | None:
    resumed = browser_sessions.resume(haven, cookie, now=now)
    return None if resumed is None else resumed.principal.username


def browser_state(haven, session_id: int, now) -> str:
    return browser_sessions.state(haven, session_id, now=now)


def end_browser_session(haven, session_id: int) -> bool:
    return browser_sessions.end(haven, session_id)


def refresh_snapshot(haven, principal, organisation_id: int, today: date) -> date | None:
    return refresh_daily_snapshot(haven, principal, organisation_id=organisation_id, today=today)


def snapshot_now(haven, principal, slug: str) -> date:
    with haven.session() as session:
        return take_snapshot(session, principal, organisation_id=get_organisation(session, slug).id,
                             as_of=TODAY).taken_on


# --- helpers of the tests ------------------------------------------------------------------------------------


def cold_network_scores(haven) -> list[dict]:
    """The network scores computed afresh in this process (its cache emptied first): what every replica must say."""
    clear_score_cache()
    return network_scores(haven)


def by_slug(reports: list[dict]) -> dict[str, dict]:
    return {report["organisation"]: report for report in reports}


def race(replicas, function, *args) -> list:
    """Runs `function(*args)` in every replica at the same moment; their results, in order."""
    start_at = time.time() + RACE_DELAY
    for replica in replicas:
        replica.submit(function, *args, start_at=start_at)
    return [replica.result() for replica in replicas]


def audit_actions(haven) -> list[str]:
    with haven.session() as session:
        assert check_audit_chain(session) == []
        return [entry.action for entry in session.exec(select(AuditEntry).order_by(AuditEntry.id))]


@pytest.fixture(scope="module")
def processes():
    """Three replica processes for the module's tests; each test (re)starts their instances on its own database."""
    with started_replicas("a", "b", "c") as replicas:
        yield replicas


@pytest.fixture
def shared(haven, s3_server_url):
    """The test's Haven with its evidence in a fresh S3 bucket: the one database and store every replica opens."""
    return on_s3(haven, s3_server_url)


# --- the network score cache --------------------------------------------------------------------------------


def test_each_replica_s_network_scores_follow_the_changes_made_in_the_others(shared, processes):
    make_organisation(shared)
    quay = make_organisation(shared, "quay-house", "Quay House")
    manager = make_user(shared, "manager", "manager", "quay-house")
    reviewer = make_user(shared, "reviewer", "reviewer", None)
    a, b = open_replicas(shared, processes[:2])
    first = by_slug(a.run(network_scores))  # each replica now keeps the network's scores
    assert by_slug(b.run(network_scores)) == first == by_slug(cold_network_scores(shared))

    b.run(rate, manager, quay, "3.1.1", "met")
    after_rating = by_slug(a.run(network_scores))
    assert after_rating["quay-house"]["scores"]["self_assessment"] > first["quay-house"]["scores"]["self_assessment"]
    assert after_rating["harbour-house"] == first["harbour-house"]

    a.run(upload_policy, manager, quay, "Confidentiality policy")
    assert b.run(network_scores) == a.run(network_scores) == cold_network_scores(shared)
    files_read = b.run(accept_waiting, reviewer, quay)  # the file uploaded through a, read through b
    assert len(files_read) == 1 and b"%PDF" in files_read[0]
    after_review = by_slug(a.run(network_scores))
    assert after_review["quay-house"]["scores"]["verified"] > after_rating["quay-house"]["scores"]["verified"]

    b.run(add_organisation, "reef-house")
    assert "reef-house" in by_slug(a.run(network_scores))
    a.run(next_cycle, "quay-house")
    after_cycle = by_slug(b.run(network_scores))
    assert after_cycle["quay-house"]["scores"]["self_assessment"] == 0  # ratings start again in a new cycle
    for replica in (a, b):
        assert replica.run(network_scores) == cold_network_scores(shared), replica.name
    assert audit_actions(shared).count("rating.set") == 1


# --- lock-outs and idle limits ------------------------------------------------------------------------------


def test_five_failed_sign_ins_split_across_replicas_lock_the_account_in_every_replica(haven, processes):
    make_organisation(haven)
    make_user(haven, "manager", "manager", "harbour-house")
    lockout = haven.settings.lockout_minutes
    a, b = open_replicas(haven, processes[:2])
    answers = [replica.run(sign_in_answers, "manager", [NOT_THE_PASSWORD])[0] for replica in (a, b, a, b, a)]
    assert answers == [WRONG] * 4 + [locked_message(lockout, more=False)]
    for replica in (b, a):
        refused = replica.run(sign_in_answers, "manager", [PASSWORD])[0]
        assert refused.startswith("Too many failed attempts") and "more minutes" in refused, replica.name
    assert "login.success" not in audit_actions(haven)
    assert b.run(sign_in_answers, "manager", [PASSWORD], lockout + 1) == ["Signed in."]  # the lock has run out
    assert audit_actions(haven).count("login.success") == 1


def test_failed_sign_ins_sent_to_two_replicas_at_once_are_all_counted(haven, processes):
    make_organisation(haven)
    make_user(haven, "manager", "manager", "harbour-house")
    a, b = open_replicas(haven, processes[:2])
    start_at = time.time() + RACE_DELAY
    a.submit(sign_in_answers, "manager", [NOT_THE_PASSWORD] * 3, start_at=start_at)
    b.submit(sign_in_answers, "manager", [NOT_THE_PASSWORD] * 2, start_at=start_at)
    answers = a.result() + b.result()
    assert sorted(answers) == sorted([WRONG] * 4 + [locked_message(haven.settings.lockout_minutes, more=False)])
    assert_locked_out_after_five(haven, 5)


def test_a_name_without_an_account_locks_across_replicas_with_the_same_words(haven, processes):
    make_organisation(haven)
    make_user(haven, "manager", "manager", "harbour-house")
    a, b = open_replicas(haven, processes[:2])
    unknown = [replica.run(sign_in_answers, "nobody-here", [PASSWORD])[0] for replica in (a, b, a, b, a, b)]
    known = [replica.run(sign_in_answers, "manager", [NOT_THE_PASSWORD])[0] for replica in (b, a, b, a, b, a)]
    assert unknown == known
    assert unknown[4] == locked_message(haven.settings.lockout_minutes, more=False)
    assert unknown[5].startswith("Too many failed attempts")


def test_a_sign_in_on_one_replica_clears_the_failures_counted_on_the_other(haven, processes):
    make_organisation(haven)
    make_user(haven, "manager", "manager", "harbour-house")
    a, b = open_replicas(haven, processes[:2])
    assert a.run(sign_in_answers, "manager", [NOT_THE_PASSWORD] * 4) == [WRONG] * 4
    assert b.run(sign_in_answers, "manager", [PASSWORD]) == ["Signed in."]
    assert a.run(sign_in_answers, "manager", [NOT_THE_PASSWORD] * 4) == [WRONG] * 4
    assert b.run(sign_in_answers, "manager", [PASSWORD]) == ["Signed in."]


def test_a_browser_session_idle_past_the_limit_in_one_replica_is_refused_in_the_other(haven, processes):
    make_organisation(haven)
    manager = make_user(haven, "manager", "manager", "harbour-house")
    idle = timedelta(minutes=haven.settings.idle_timeout_minutes)
    minute = timedelta(minutes=1)
    signed_in_at = utc_now()
    a, b = open_replicas(haven, processes[:2])
    session_id, cookie = a.run(browser_sign_in, manager, signed_in_at)
    assert b.run(resumed_user, cookie, signed_in_at + minute) == "manager"  # a's cookie opens b

    last_active = signed_in_at + idle - minute  # a page run on b moves the idle limit for a too
    assert b.run(browser_state, session_id, last_active) == ACTIVE
    assert a.run(browser_state, session_id, last_active + idle - minute) == ACTIVE

    last_active += idle - minute
    idle_past_the_limit = last_active + idle + minute
    assert b.run(browser_state, session_id, idle_past_the_limit) == EXPIRED
    assert a.run(browser_state, session_id, idle_past_the_limit) == ENDED
    assert a.run(resumed_user, cookie, idle_past_the_limit) is None
    assert b.run(resumed_user, cookie, idle_past_the_limit) is None
    with haven.session() as session:
        assert session.exec(select(BrowserSession)).all() == []


def test_signing_out_on_one_replica_ends_the_browser_session_on_the_other(haven, processes):
    make_organisation(haven)
    manager = make_user(haven, "manager", "manager", "harbour-house")
    now = utc_now()
    a, b = open_replicas(haven, processes[:2])
    session_id, cookie = b.run(browser_sign_in, manager, now)
    assert a.run(browser_state, session_id, now) == ACTIVE
    assert b.run(end_browser_session, session_id) is True
    assert a.run(browser_state, session_id, now) == ENDED
    assert a.run(resumed_user, cookie, now) is None


# --- the daily snapshot --------------------------------------------------------------------------------------


def snapshots_per_cycle_and_day(haven) -> dict[tuple[int, date], int]:
    with haven.session() as session:
        return {(cycle, day): count for cycle, day, count in session.exec(
            select(Snapshot.cycle_id, Snapshot.taken_on, func.count(Snapshot.id))
            .group_by(Snapshot.cycle_id, Snapshot.taken_on))}


def test_replicas_racing_to_take_the_daily_snapshot_leave_one_row_per_cycle_and_day(haven, processes):
    organisation_id = make_organisation(haven)
    manager = make_user(haven, "manager", "manager", "harbour-house")
    days = (TODAY, TODAY, TODAY + timedelta(days=1))  # an entry made today can start tomorrow's snapshot
    replicas = open_replicas(haven, processes)
    for day, rating in zip(days, ("met", "partially_met", "not_met"), strict=True):
        rate(haven, manager, organisation_id, "3.1.1", rating)
        taken = race(replicas, refresh_snapshot, manager, organisation_id, day)
        assert day in taken and set(taken) <= {day, None}, taken  # taken once or more, never refused
        with haven.session() as session:
            series = snapshot_series(session, manager, organisation_id=organisation_id)
            newest = by_slug(score_network(session, SYSTEM, as_of=day))["harbour-house"]["scores"]
        assert series[-1].scores.self_assessment == newest["self_assessment"]  # the row holds the newest scores
    assert race(replicas, snapshot_now, manager, "harbour-house") == [TODAY] * 3
    with haven.session() as session:
        cycle_id = session.exec(select(AssessmentCycle.id)).one()
    assert snapshots_per_cycle_and_day(haven) == {(cycle_id, day): 1 for day in set(days)}
    assert audit_actions(haven).count("rating.set") == 3
