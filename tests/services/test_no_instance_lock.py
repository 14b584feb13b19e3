"""No instance-wide lock: reads never wait for a writer, writers wait only for the rows they share, and every
guarantee the old lock gave still holds (one open cycle, gap-free revision numbers, one decision per revision,
counted sign-in failures, an unforked audit chain), for threads and for separate processes, on both databases.
"""
from __future__ import annotations

import json
import multiprocessing
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from config import get_settings
from services.errors import ServiceError
from services.evidence import NewEvidence
from services.instance import Haven
from services.organisations import create_organisation
from services.ratings import ratings_of_organisation, set_rating
from services.reviews import review_revision
from services.scores import score_organisation
from services.sign_in import sign_in
from services.snapshots import start_next_cycle
from services.uploads import upload_evidence, upload_revision
from storage.audit import check_audit_chain
from storage.blobs import LocalBlobStore
from storage.db import make_engine
from storage.models import AssessmentCycle, AuditEntry, EvidenceRevision, Review, User
from tests.conftest import build_haven
from tests.factories import PASSWORD, SYSTEM, make_organisation, make_user, simple_pdf
from tests.services.test_concurrency import run_threads
from tests.support import quick_password_hasher

TODAY = date.today()
QUICK = 5.0  # seconds: far longer than any read here takes alone, far shorter than the writer keeps its lock


def hold_a_rating_open(haven: Haven, principal, organisation_id: int, holding: threading.Event,
                       release: threading.Event) -> None:
    """A writer that has changed a rating (its cycle row locked, and on SQLite the write lock) and waits to commit."""
    with haven.session() as session:
        set_rating(session, principal, organisation_id=organisation_id, action_id="3.1.1", rating="met")
        session.flush()
        holding.set()
        assert release.wait(timeout=60)


def timed(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


@contextmanager
def a_rating_held_open(haven: Haven, principal, organisation_id: int) -> Iterator[None]:
    """Inside: another thread holds a rating's write open (uncommitted); on leaving, it commits."""
    holding, release = threading.Event(), threading.Event()
    writer = threading.Thread(target=hold_a_rating_open, args=(haven, principal, organisation_id, holding, release))
    writer.start()
    try:
        assert holding.wait(timeout=30)
        yield
    finally:
        release.set()
        writer.join(timeout=60)


def test_reads_do_not_wait_for_an_open_write(haven):
    organisation_id = make_organisation(haven)
    manager = make_user(haven, "manager", "manager", "harbour-house")
    with haven.session() as session:
        set_rating(session, manager, organisation_id=organisation_id, action_id="3.1.1", rating="not_met")
    with a_rating_held_open(haven, manager, organisation_id):
        def read():
            with haven.session() as session:
                return (ratings_of_organisation(session, manager, organisation_id=organisation_id),
                        score_organisation(session, manager, organisation_id=1),
                        session.exec(select(AuditEntry)).all())
        (ratings, report, audit), seconds = timed(read)

        assert seconds < QUICK
        assert ratings["3.1.1"]["rating"] == "not_met"  # the writer has not committed: its change is not seen
        assert report["scores"]["self_assessment"] is not None
        assert [entry.action for entry in audit].count("rating.set") == 1
    with haven.session() as session:
        assert ratings_of_organisation(session, manager, organisation_id=organisation_id)["3.1.1"]["rating"] == "met"
        assert check_audit_chain(session) == []


@pytest.fixture
def postgres_haven(request, tmp_path) -> Haven:
    instance = build_haven("postgresql", tmp_path, request)
    yield instance
    instance.engine.dispose()


def test_on_postgresql_a_write_elsewhere_does_not_wait_for_an_open_write(postgres_haven):
    """PostgreSQL locks rows: a rating in another organisation commits while the first writer still holds its
    cycle. (SQLite has one write lock for the whole file; its writers take turns by design.)"""
    haven = postgres_haven
    harbour = make_organisation(haven)
    beacon = make_organisation(haven, "beacon-trust", "Beacon Trust")
    admin = make_user(haven, "network-manager", "manager", None)
    with a_rating_held_open(haven, admin, harbour):
        def write_elsewhere():
            with haven.session() as session:
                set_rating(session, admin, organisation_id=beacon, action_id="3.1.1", rating="partially_met")
        _, seconds = timed(write_elsewhere)
        assert seconds < QUICK
    with haven.session() as session:
        assert ratings_of_organisation(session, admin, organisation_id=beacon)["3.1.1"]["rating"] == "partially_met"
        assert ratings_of_organisation(session, admin, organisation_id=harbour)["3.1.1"]["rating"] == "met"
        audit = session.exec(select(AuditEntry).where(AuditEntry.action == "rating.set").order_by(AuditEntry.id)).all()
        assert [entry.organisation_id for entry in audit] == [beacon, harbour]  # chained in commit order
        assert check_audit_chain(session) == []


def test_ratings_racing_on_one_action_form_one_history(haven):
    """Each change's "from" is the change before it: no session decided on a rating another had replaced."""
    organisation_id = make_organisation(haven)
    managers = [make_user(haven, f"manager{i}", "manager", "harbour-house") for i in range(4)]
    ratings = ("not_met", "partially_met", "met", "not_met", "met")
    start = threading.Barrier(len(managers))

    def rate(manager):
        start.wait(timeout=30)
        for rating in ratings:
            with haven.session() as session:
                set_rating(session, manager, organisation_id=organisation_id, action_id="3.1.1", rating=rating)

    run_threads([lambda m=m: rate(m) for m in managers])
    with haven.session() as session:
        history = [entry.detail for entry in session.exec(
            select(AuditEntry).where(AuditEntry.action == "rating.set").order_by(AuditEntry.id))]
        assert check_audit_chain(session) == []
    steps = [json.loads(detail) for detail in history]
    assert len(steps) == len(managers) * len(ratings)
    assert steps[0]["from"] == "not_assessed"
    assert all(later["from"] == earlier["to"] for earlier, later in zip(steps, steps[1:], strict=False))


def test_starting_the_next_cycle_twice_at_once_opens_one(haven):
    organisation_id = make_organisation(haven)
    admins = [make_user(haven, f"manager{i}", "manager", "harbour-house") for i in range(3)]
    start = threading.Barrier(len(admins) + 1)
    outcomes: list[str] = []

    def start_cycle(admin):
        start.wait(timeout=30)
        try:
            with haven.session() as session:
                start_next_cycle(session, admin, organisation_id=1, name=f"Cycle by {admin.username}")
            outcomes.append("opened")
        except ServiceError as refusal:
            outcomes.append(str(refusal))

    def rate_meanwhile():
        start.wait(timeout=30)
        for _ in range(5):
            with haven.session() as session:
                set_rating(session, admins[0], organisation_id=organisation_id, action_id="3.1.2", rating="met")

    run_threads([lambda a=a: start_cycle(a) for a in admins] + [rate_meanwhile])
    assert outcomes.count("opened") == 1
    assert all("started today" in outcome for outcome in outcomes if outcome != "opened")
    with haven.session() as session:
        cycles = session.exec(select(AssessmentCycle).where(AssessmentCycle.organisation_id == organisation_id)).all()
        assert [c.closed_on is None for c in cycles].count(True) == 1
        assert check_audit_chain(session) == []
        assert [e.action for e in session.exec(select(AuditEntry))].count("cycle.start") == 1


def test_the_database_refuses_a_second_open_cycle_and_a_second_decision(haven):
    """The unique constraints of migration 0006 hold even for a writer that skips the services' checks."""
    organisation_id = make_organisation(haven)
    with pytest.raises(IntegrityError), haven.session() as session:
        standard_id = session.exec(select(AssessmentCycle.standard_id)).one()
        session.add(AssessmentCycle(organisation_id=organisation_id, standard_id=standard_id, name="Twin",
                                    started_on=TODAY))
    manager = make_user(haven, "manager", "manager", "harbour-house")
    evidence_id = upload_evidence(haven, manager, organisation_id=organisation_id, filename="policy.pdf",
                                  data=simple_pdf("Policy"), details=NewEvidence("policy", ("3.3.1",), TODAY))
    with haven.session() as session:
        revision_id = session.exec(select(EvidenceRevision.id).where(EvidenceRevision.evidence_id == evidence_id)).one()
        review_revision(session, SYSTEM, revision_id=revision_id, status="accepted",
                        comment="The checklist does not apply to this test copy.")
    with pytest.raises(IntegrityError), haven.session() as session:
        session.add(Review(revision_id=revision_id, status="rejected", comment="twin"))
    with haven.session() as session:
        assert len(session.exec(select(Review)).all()) == 1
        assert len(session.exec(select(AssessmentCycle)).all()) == 1


def test_revisions_and_reviews_racing_on_one_item_keep_numbers_and_decisions_single(haven):
    organisation_id = make_organisation(haven)
    managers = [make_user(haven, f"manager{i}", "manager", "harbour-house") for i in range(3)]
    reviewers = [make_user(haven, f"reviewer{i}", "reviewer", None) for i in range(2)]
    evidence_id = upload_evidence(haven, managers[0], organisation_id=organisation_id, filename="policy.pdf",
                                  data=simple_pdf("Policy v1"), details=NewEvidence("policy", ("3.3.1",), TODAY))
    start = threading.Barrier(len(managers) + len(reviewers))
    numbers: list[int] = []

    def revise(index, manager):
        start.wait(timeout=30)
        for round_ in range(3):
            numbers.append(upload_revision(haven, manager, evidence_id=evidence_id, issued_on=TODAY, valid_until=None,
                                           data=simple_pdf(f"Policy by {index}, round {round_}"), filename="p.pdf"))

    def review(reviewer):
        start.wait(timeout=30)
        for _ in range(8):
            with haven.session() as session:
                newest = session.exec(select(EvidenceRevision.id).where(EvidenceRevision.evidence_id == evidence_id)
                                      .order_by(EvidenceRevision.number.desc())).first()
            try:
                with haven.session() as session:
                    review_revision(session, reviewer, revision_id=newest, status="accepted",
                                    comment="The checklist does not apply to this test copy.")
            except ServiceError as refusal:  # a newer revision arrived, or the other reviewer was first
                assert "newer revision" in str(refusal) or "already" in str(refusal)

    run_threads([lambda i=i, m=m: revise(i, m) for i, m in enumerate(managers)]
                + [lambda r=r: review(r) for r in reviewers])
    with haven.session() as session:
        stored = sorted(session.exec(select(EvidenceRevision.number)
                                     .where(EvidenceRevision.evidence_id == evidence_id)))
        reviews = session.exec(select(Review)).all()
        audit = session.exec(select(AuditEntry)).all()
        assert check_audit_chain(session) == []
    assert sorted(numbers) == list(range(2, 2 + 3 * len(managers)))
    assert stored == list(range(1, 2 + 3 * len(managers)))
    assert len({r.revision_id for r in reviews}) == len(reviews)
    assert [e.action for e in audit].count("review.accepted") == len(reviews)


def wrong_sign_ins(haven: Haven, count: int, start: threading.Barrier | None = None) -> list[str]:
    if start is not None:
        start.wait(timeout=30)
    messages = []
    for _ in range(count):
        messages.append(sign_in(haven, username="manager", password="not the password at all").message)
    return messages


def assert_locked_out_after_five(haven: Haven, attempts: int) -> None:
    with haven.session() as session:
        user = session.exec(select(User).where(User.username == "manager")).one()
        failures = [e for e in session.exec(select(AuditEntry).where(AuditEntry.action == "login.failure"))]
        assert check_audit_chain(session) == []
    assert user.locked_until is not None
    assert len(failures) == attempts
    assert sum(1 for e in failures if '"wrong password"' in e.detail) == 5
    assert sum(1 for e in failures if '"locked_until"' in e.detail) == 1  # the fifth failure, counted once
    assert sign_in(haven, username="manager", password=PASSWORD).principal is None  # locked, right password


def test_failed_sign_ins_at_once_are_all_counted_and_lock_the_account(haven):
    make_organisation(haven)
    make_user(haven, "manager", "manager", "harbour-house")
    start = threading.Barrier(4)
    run_threads([lambda: wrong_sign_ins(haven, 2, start) for _ in range(4)])
    assert_locked_out_after_five(haven, 8)


# --- separate processes (as replicas and manage.py are) ---------------------------------------------------------


def _open(database_url: str, evidence_dir: str) -> Haven:
    """The instance as another process opens it, with argon2 at the tests' low cost (see tests.conftest)."""
    from accounts import passwords

    passwords._hasher, passwords.DUMMY_HASH = quick_password_hasher()
    return Haven(settings=replace(get_settings(), database_url=database_url, blob_url=f"file://{evidence_dir}"),
                 engine=make_engine(database_url), store=LocalBlobStore(evidence_dir))


def _process_races(database_url: str, evidence_dir: str, cycle_manager, start_at: float) -> tuple:
    """Two of these run at once: each signs in wrongly twice, starts the next cycle, creates one organisation."""
    haven = _open(database_url, evidence_dir)
    time.sleep(max(0.0, start_at - time.time()))
    outcomes = [wrong_sign_ins(haven, 2)]
    try:
        for step in (lambda s: start_next_cycle(s, cycle_manager, organisation_id=1),
                     lambda s: create_organisation(s, SYSTEM, slug="twin-trust", name="Twin Trust")):
            try:
                with haven.session() as session:
                    step(session)
                outcomes.append("done")
            except ServiceError as refusal:
                outcomes.append(str(refusal))
        return tuple(outcomes)
    finally:
        haven.engine.dispose()


def test_separate_processes_count_every_failed_sign_in_and_open_one_cycle(haven):
    organisation_id = make_organisation(haven)
    make_user(haven, "manager", "manager", "harbour-house")
    cycle_manager = make_user(haven, "cycle-manager", "manager", "harbour-house")
    url, evidence_dir = haven.settings.database_url, str(haven.store.root)
    start_at = time.time() + 5  # spawned interpreters need a few seconds to import Haven
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pending = [pool.apply_async(_process_races, (url, evidence_dir, cycle_manager, start_at)) for _ in range(2)]
        time.sleep(max(0.0, start_at - time.time()))
        wrong_sign_ins(haven, 1, None)
        (signed_a, opened_a, created_a), (signed_b, opened_b, created_b) = [p.get(timeout=180) for p in pending]
    assert len(signed_a) + len(signed_b) == 4
    assert_locked_out_after_five(haven, 5)
    for outcomes, refusal in (([opened_a, opened_b], "started today"), ([created_a, created_b], "already exists")):
        assert outcomes.count("done") == 1, outcomes
        assert refusal in next(outcome for outcome in outcomes if outcome != "done")
    with haven.session() as session:
        open_cycles = session.exec(select(AssessmentCycle).where(AssessmentCycle.organisation_id == organisation_id,
                                                                 AssessmentCycle.closed_on.is_(None))).all()
        assert len(open_cycles) == 1
        assert check_audit_chain(session) == []
