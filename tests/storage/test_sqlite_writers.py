"""SQLite writers of one process take turns in a queue (storage.sqlite_writers): the next writer gets the write
lock the moment the previous one commits or rolls back, never after a busy-handler nap; the turn is given back
whatever ends the transaction; a reader never takes one; a writer that cannot get a turn gets SQLite's own
"database is locked" instead of waiting for ever."""
from __future__ import annotations

import sqlite3
import statistics
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from storage.db import make_engine, session_scope
from storage.sqlite_writers import QueuedWriterConnection, queue_for

HOLD = 0.37
"""Seconds a writer keeps the lock after another starts waiting for it. SQLite's busy handler retries at 1, 3, 8,
18, 33, 53, 78, 103, 128, 178, 228, 328, 428 … ms after the first try: freed between 328 and 428 ms, the lock is
taken 58-100 ms late by a waiter left to it (0.33-0.37 s after its first try, for a waiter slow to start by up to
40 ms)."""


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "haven.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        connection.exec_driver_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        connection.exec_driver_sql("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL "
                                   "REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)")
    yield engine, queue_for(str(path))
    engine.dispose()


def write_note(session: Session, body: str = "note") -> None:
    session.execute(text("INSERT INTO note (body) VALUES (:body)"), {"body": body})


def notes(engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT count(*) FROM note").scalar()


def test_a_writer_holds_its_turn_from_its_first_write_to_its_commit(database):
    engine, queue = database
    with session_scope(engine) as session:
        session.execute(text("SELECT count(*) FROM note")).scalar()
        assert not queue.taken, "a read took the writers' turn"
        write_note(session)
        assert queue.taken
    assert not queue.taken
    assert notes(engine) == 1


def test_the_turn_is_given_back_after_a_rollback_and_after_an_error_in_the_transaction(database):
    engine, queue = database
    with Session(engine) as session:
        write_note(session)
        assert queue.taken
        session.rollback()
        assert not queue.taken
    with pytest.raises(RuntimeError):
        with session_scope(engine) as session:
            write_note(session)
            raise RuntimeError("the service failed half-way")
    assert not queue.taken
    with pytest.raises(IntegrityError):
        with session_scope(engine) as session:
            session.execute(text("INSERT INTO note (body) VALUES (NULL)"))
    assert not queue.taken
    assert notes(engine) == 0


def test_the_turn_and_the_write_lock_are_given_back_when_the_commit_itself_fails(database, tmp_path):
    """A deferred foreign key is checked at COMMIT: SQLite refuses the commit and would keep the transaction (and
    the file's write lock) open in a connection the pool takes back as clean; it is rolled back instead."""
    engine, queue = database
    with Session(engine) as session:
        session.execute(text("INSERT INTO child (parent_id) VALUES (42)"))
        assert queue.taken
        with pytest.raises(IntegrityError):
            session.commit()
        assert not queue.taken
    other_process = sqlite3.connect(tmp_path / "haven.db", timeout=0, isolation_level=None)
    other_process.execute("BEGIN IMMEDIATE")  # the write lock is free at once: "database is locked" if not
    other_process.execute("ROLLBACK")
    other_process.close()
    with session_scope(engine) as session:  # the pool's connection starts its next transaction cleanly
        write_note(session)
    assert notes(engine) == 1
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM child").scalar() == 0


def test_the_turn_is_given_back_when_the_connection_is_invalidated_or_closed(database):
    engine, queue = database
    connection = engine.connect()
    connection.begin()
    connection.exec_driver_sql("INSERT INTO note (body) VALUES ('lost')")
    assert queue.taken
    connection.invalidate()
    assert not queue.taken
    connection.close()
    raw = engine.raw_connection()
    raw.dbapi_connection.begin_writing()
    assert queue.taken
    raw.dbapi_connection.close()
    assert not queue.taken
    raw.invalidate()
    assert notes(engine) == 0


def test_engines_on_one_file_share_one_queue_and_readers_never_wait_for_it(database, tmp_path):
    engine, queue = database
    other = make_engine(f"sqlite:///{tmp_path / 'haven.db'}")
    try:
        with session_scope(engine) as session:
            write_note(session)
            started = time.perf_counter()
            assert notes(other) == 0  # a reader of another engine: its snapshot, no turn, no wait
            assert time.perf_counter() - started < 2.0
            assert queue.taken and queue_for(str(tmp_path / "haven.db")) is queue
    finally:
        other.dispose()


def test_a_thread_writing_through_a_second_session_while_it_holds_the_turn_is_told_the_database_is_locked(database):
    """It would wait for itself (only it can commit the first session): SQLite's error at once, not a hang."""
    engine, queue = database
    with session_scope(engine) as first:
        write_note(first, "first")
        started = time.perf_counter()
        with pytest.raises(OperationalError, match="database is locked"):
            with session_scope(engine) as second:
                write_note(second, "second")
        assert time.perf_counter() - started < 5.0
        assert queue.taken
    assert not queue.taken
    assert notes(engine) == 1  # the first session still committed


def test_a_writer_that_gets_no_turn_within_the_busy_timeout_is_told_the_database_is_locked(tmp_path):
    path = tmp_path / "haven.db"
    engine = make_engine(f"sqlite:///{path}", busy_timeout=0.5)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    holding, release, outcome = threading.Event(), threading.Event(), {}

    def holder() -> None:
        with session_scope(engine) as session:
            write_note(session, "held")
            holding.set()
            release.wait(timeout=30)
    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert holding.wait(timeout=30)
        started = time.perf_counter()
        with pytest.raises(OperationalError, match="database is locked"):
            with session_scope(engine) as session:
                write_note(session, "late")
        outcome["waited"] = time.perf_counter() - started
    finally:
        release.set()
        thread.join(timeout=30)
    assert 0.4 <= outcome["waited"] < 10.0
    assert not queue_for(str(path)).taken
    assert notes(engine) == 1
    engine.dispose()


def test_the_next_writer_gets_the_lock_as_soon_as_the_previous_one_commits(database):
    """Handover, measured: a writer keeps the lock HOLD seconds after another starts waiting for it; the waiter's
    write goes through right after the holder's commit, where SQLite's busy handler alone would leave it asleep
    58-100 ms longer."""
    engine, _queue = database
    delays = []
    for round_ in range(8):
        holding, waiting, committed, written = threading.Event(), threading.Event(), [], []

        def holder(round_: int = round_, holding=holding, waiting=waiting, committed=committed) -> None:
            with engine.begin() as connection:
                connection.exec_driver_sql(f"INSERT INTO note (body) VALUES ('held {round_}')")
                holding.set()
                assert waiting.wait(timeout=30)
                time.sleep(HOLD)
            committed.append(time.perf_counter())

        def waiter(round_: int = round_, waiting=waiting, written=written) -> None:
            with engine.begin() as connection:
                waiting.set()
                connection.exec_driver_sql(f"INSERT INTO note (body) VALUES ('waited {round_}')")
                written.append(time.perf_counter())
        first = threading.Thread(target=holder)
        first.start()
        assert holding.wait(timeout=30)
        second = threading.Thread(target=waiter)
        second.start()
        first.join(timeout=30)
        second.join(timeout=30)
        delays.append(written[0] - committed[0])
    assert notes(engine) == 16
    assert statistics.mean(delays) < 0.025, [f"{d * 1000:.0f} ms" for d in delays]


def test_the_queue_is_only_for_files(tmp_path):
    assert queue_for(":memory:") is None
    assert queue_for(str(tmp_path / "a.db")) is queue_for(str(tmp_path / "." / "a.db"))
    connection = QueuedWriterConnection(":memory:", factory=QueuedWriterConnection)
    connection.isolation_level = None
    connection.begin_writing()
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    assert not connection.in_writer_queue
    connection.close()
