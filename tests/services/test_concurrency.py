"""Several sessions writing at once against one database lose no write and never fork the audit chain.

Threads share one engine (as the app's sessions do); separate processes share the database (as replicas of
the app and `manage.py` do), on SQLite and on PostgreSQL. Every worker rates the same actions, uploads, links
the same evidence, reviews and snapshots at the same moment, so every read-then-write races.
"""
from __future__ import annotations

import multiprocessing
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

from sqlmodel import select

from config import get_settings
from services.errors import ServiceError
from services.evidence import NewEvidence, link_evidence
from services.instance import Haven
from services.integrity import check_integrity
from services.ratings import set_rating
from services.reviews import review_queue, review_revision
from services.scores import score_organisation
from services.snapshots import take_snapshot
from services.uploads import upload_evidence
from storage.audit import append_audit, check_audit_chain
from storage.blobs import LocalBlobStore
from storage.db import make_engine
from storage.models import AuditEntry, Evidence, EvidenceLink, EvidenceRevision, Rating, Snapshot
from tests.conftest import build_haven
from tests.factories import SYSTEM, make_organisation, make_user, simple_pdf

WORKERS = 4
UPLOADS_PER_WORKER = 3
SHARED_ACTIONS = ("3.3.1", "3.3.2", "3.3.3")
RATING_ROUNDS = ("not_met", "partially_met", "met")  # every worker ends on "met", whatever the order
TODAY = date.today()


def work(haven: Haven, principal, organisation_id: int, worker: int, start: threading.Barrier | None = None) -> list[int]:
    """One session's burst of writes; returns the evidence ids it uploaded."""
    if start is not None:
        start.wait(timeout=30)
    uploaded = []
    for number in range(UPLOADS_PER_WORKER):
        for rating in RATING_ROUNDS:
            for action in SHARED_ACTIONS:
                with haven.session() as session:
                    set_rating(session, principal, organisation_id=organisation_id, action_id=action, rating=rating,
                               owner=f"worker {worker}")
        evidence_id = upload_evidence(
            haven, principal, organisation_id=organisation_id, filename=f"policy-{worker}-{number}.pdf",
            data=simple_pdf(f"Confidentiality policy, worker {worker}, copy {number}"),
            details=NewEvidence("policy", ("3.3.1",), TODAY, title=f"Policy {worker}-{number}"))
        uploaded.append(evidence_id)
        with haven.session() as session:
            for other in session.exec(select(Evidence.id)).all():  # every worker links every policy it sees
                link_evidence(session, principal, evidence_id=other, action_id="3.3.3")
        with haven.session() as session:
            append_audit(session, actor=principal.username, action="test.ping", organisation_id=organisation_id,
                         detail={"worker": worker, "number": number})
        with haven.session() as session:
            take_snapshot(session, principal, organisation_id=1, as_of=TODAY)
    return uploaded


def review_until(haven: Haven, reviewer, organisation_id: int, done: threading.Event, start: threading.Barrier) -> int:
    """Accepts whatever waits in the queue until every expected upload has been accepted."""
    start.wait(timeout=30)
    accepted = 0
    while True:
        with haven.session() as session:
            queue = review_queue(session, reviewer, organisation_id=organisation_id)
        for item in queue:
            try:
                with haven.session() as session:
                    review_revision(session, reviewer, revision_id=item.revision_id, status="accepted",
                                    checklist=item.checklist, comment="Checked")
                accepted += 1
            except ServiceError as refusal:  # the other reviewer was quicker: told so, nothing stored
                assert "already" in str(refusal)
        if done.is_set() and not queue:
            with haven.session() as session:
                if not review_queue(session, reviewer, organisation_id=organisation_id):
                    return accepted
        done.wait(0.05)


def run_threads(targets) -> list:
    results, errors = [None] * len(targets), []

    def runner(index, target):
        try:
            results[index] = target()
        except BaseException as error:  # noqa: BLE001  (reported below, with its worker)
            errors.append((index, repr(error)))

    threads = [threading.Thread(target=runner, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, f"sessions failed: {errors}"
    return results


def expected_score(request, tmp_path: Path, workers: int) -> dict:
    """The same end state written by one session after another, scored."""
    replay = build_haven("sqlite", tmp_path / "replay", request)
    organisation_id = make_organisation(replay)
    for action in SHARED_ACTIONS:
        with replay.session() as session:
            set_rating(session, SYSTEM, organisation_id=organisation_id, action_id=action, rating="met")
    for worker in range(workers):
        for number in range(UPLOADS_PER_WORKER):
            evidence_id = upload_evidence(
                replay, SYSTEM, organisation_id=organisation_id, filename="policy.pdf",
                data=simple_pdf(f"Confidentiality policy, worker {worker}, copy {number}"),
                details=NewEvidence("policy", ("3.3.1", "3.3.3"), TODAY))
            with replay.session() as session:
                revision_id = session.exec(select(EvidenceRevision.id).where(EvidenceRevision.evidence_id == evidence_id)).one()
                review_revision(session, SYSTEM, revision_id=revision_id, status="accepted")
    with replay.session() as session:
        report = score_organisation(session, SYSTEM, organisation_id=1)
    replay.engine.dispose()
    return report


def assert_nothing_lost(haven: Haven, workers: int, request, tmp_path: Path) -> None:
    uploads = workers * UPLOADS_PER_WORKER
    with haven.session() as session:
        ratings = session.exec(select(Rating)).all()
        links = Counter((link.evidence_id, link.action_id) for link in session.exec(select(EvidenceLink)))
        evidence_ids = session.exec(select(Evidence.id)).all()
        audit = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
        snapshots = session.exec(select(Snapshot)).all()
        report = score_organisation(session, SYSTEM, organisation_id=1)
        chain_faults = check_audit_chain(session)

    assert len(evidence_ids) == uploads
    assert sorted((r.action_id, r.rating) for r in ratings) == [(action, "met") for action in SHARED_ACTIONS]
    assert set(links.values()) == {1} and len(links) == 2 * uploads  # each policy linked to 3.3.1 and 3.3.3, once

    actions = Counter(entry.action for entry in audit)
    assert actions["rating.set"] == uploads * len(RATING_ROUNDS) * len(SHARED_ACTIONS)
    assert actions["evidence.add"] == uploads
    assert actions["test.ping"] == uploads
    assert actions["evidence.link"] == uploads  # the first link of each policy to 3.3.3; repeats change nothing
    assert actions["review.accepted"] >= uploads
    assert chain_faults == []
    assert len({entry.prev_hash for entry in audit}) == len(audit)  # one line: no entry has two successors
    assert len(snapshots) == 1

    assert report == expected_score(request, tmp_path, workers)
    integrity = check_integrity(haven, SYSTEM)
    assert integrity.ok, integrity.faults


def prepare(haven: Haven):
    organisation_id = make_organisation(haven)
    managers = [make_user(haven, f"manager{i}", "manager", "harbour-house") for i in range(WORKERS)]
    reviewers = [make_user(haven, f"reviewer{i}", "reviewer", None) for i in range(2)]
    return organisation_id, managers, reviewers


def test_concurrent_sessions_lose_no_write(haven, request, tmp_path):
    organisation_id, managers, reviewers = prepare(haven)
    start = threading.Barrier(WORKERS + len(reviewers))
    uploads_done = threading.Event()
    finished: list[int] = []
    lock = threading.Lock()

    def writer(index, manager):
        try:
            return work(haven, manager, organisation_id, index, start)
        finally:
            with lock:
                finished.append(index)
                if len(finished) == WORKERS:
                    uploads_done.set()

    run_threads([lambda i=i, m=m: writer(i, m) for i, m in enumerate(managers)]
                + [lambda r=r: review_until(haven, r, organisation_id, uploads_done, start) for r in reviewers])

    assert_nothing_lost(haven, WORKERS, request, tmp_path)


def _process_worker(database_url: str, evidence_dir: str, principal, organisation_id: int, worker: int,
                    start_at: float) -> list[int]:
    settings = replace(get_settings(), data_dir=Path(evidence_dir).parent, database_url=database_url,
                       blob_url=f"file://{evidence_dir}")
    haven = Haven(settings=settings, engine=make_engine(database_url), store=LocalBlobStore(evidence_dir))
    time.sleep(max(0.0, start_at - time.time()))
    try:
        return work(haven, principal, organisation_id, worker)
    finally:
        haven.engine.dispose()


def test_separate_processes_on_one_database_lose_no_write(haven, request, tmp_path):
    """Three processes write while this one reviews, as replicas and manage.py do: row locks, constraints and the
    audit chain's lock keep them in line, on SQLite's file as on PostgreSQL."""
    sqlite_haven = haven
    organisation_id, managers, reviewers = prepare(sqlite_haven)
    processes = 3
    start_at = time.time() + 6  # spawned interpreters need a few seconds to import Haven
    uploads_done = threading.Event()
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        pending = [pool.apply_async(_process_worker, (sqlite_haven.settings.database_url, str(sqlite_haven.store.root),
                                                      managers[i], organisation_id, i, start_at))
                   for i in range(processes)]
        reviewing = threading.Thread(target=review_until, args=(sqlite_haven, reviewers[0], organisation_id,
                                                                uploads_done, threading.Barrier(1)))
        reviewing.start()
        try:
            uploaded = [p.get(timeout=300) for p in pending]
        finally:
            uploads_done.set()
            reviewing.join(timeout=300)

    assert sum(len(ids) for ids in uploaded) == processes * UPLOADS_PER_WORKER
    assert_nothing_lost(sqlite_haven, processes, request, tmp_path)
