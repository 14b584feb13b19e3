"""SQLite's one write lock, handed from thread to thread of one process at once.

SQLite lets one transaction write at a time; a connection that finds the write lock taken waits in SQLite's
busy handler, which sleeps in growing steps (1, 2, 5, 10 … 100 ms) and tries again, even when the lock was
freed a moment after it fell asleep. Between the threads of one process (Streamlit runs every browser session
as a thread of its one server process) that turns a queue of short writes into a queue of naps.

So the writers of one process take turns on a `threading.Lock` per database file (the writer queue) before
they ask SQLite for the write lock (BEGIN IMMEDIATE), and leave it right after their COMMIT or ROLLBACK has
reached SQLite: the next thread wakes at once and finds the file's lock free. Readers never enter the queue
(they read a WAL snapshot and take no lock). Separate processes (replicas, the command line) still meet
through SQLite's own lock and its busy handler; as a process's queued writers get the lock at once, another
process busy-waiting for it finds it free less often than before (benchmarks/RESULTS.md §7: no "database is
locked" in the 2-replica runs).

The queue waits as long as SQLite's busy timeout would have, then fails with the error SQLite gives,
"database is locked". A thread that is already writing through one connection and starts writing through a
second one would wait for itself: it gets that error at once instead.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import threading

LOCKED = "database is locked"


class WriterQueue:
    """The turn of one process's writers on one database file."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.holder: int | None = None  # the thread whose connection holds the turn

    def enter(self, timeout: float) -> None:
        me = threading.get_ident()
        if self.holder == me:
            raise sqlite3.OperationalError(
                f"{LOCKED}: this thread is already writing through another connection and would wait for itself")
        if not self._lock.acquire(timeout=max(timeout, 0.0)):
            raise sqlite3.OperationalError(f"{LOCKED} (no turn to write within {timeout:g} s)")
        self.holder = me

    def leave(self) -> None:
        self.holder = None
        self._lock.release()

    @property
    def taken(self) -> bool:
        return self._lock.locked()


_QUEUES: dict[str, WriterQueue] = {}
_QUEUES_LOCK = threading.Lock()


def queue_for(database: str) -> WriterQueue | None:
    """The queue of a database file (one per file and process, whatever the engine); None for an in-memory
    database or a URI filename, which no other connection of ours shares by that name."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    key = os.path.realpath(database)
    with _QUEUES_LOCK:
        return _QUEUES.setdefault(key, WriterQueue())


def _forget_queues_in_a_forked_child() -> None:
    """A forked child has none of its parent's threads: a turn one of them held would never be given back."""
    global _QUEUES_LOCK
    _QUEUES.clear()
    _QUEUES_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_forget_queues_in_a_forked_child)


class QueuedWriterConnection(sqlite3.Connection):
    """A pysqlite connection (passed as `factory` to `sqlite3.connect`) whose writing transactions take turns
    with the other threads of this process: `begin_writing` enters the file's writer queue and starts the
    transaction with BEGIN IMMEDIATE; `commit`, `rollback` and `close` leave the queue after SQLite has done
    them, whether they succeeded or raised (so a failed commit, a rolled-back error, a connection the pool
    invalidates or closes never keeps the next writer waiting; the writer queue is left even if the program
    loses the connection without closing it)."""

    def __init__(self, database, timeout: float = 5.0, *args, **kwargs) -> None:
        super().__init__(database, timeout, *args, **kwargs)
        self._writer_queue = queue_for(os.fsdecode(database))
        self._queue_timeout = float(timeout)  # SQLite's busy timeout: the queue waits no longer
        self._in_queue = False

    @property
    def in_writer_queue(self) -> bool:
        return self._in_queue

    def begin_writing(self) -> None:
        """BEGIN IMMEDIATE after this process's other writers of the file; the caller has ended any read."""
        if self._writer_queue is not None and not self._in_queue:
            self._writer_queue.enter(self._queue_timeout)
            self._in_queue = True
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._leave_queue()
            raise

    def commit(self) -> None:
        """COMMIT, then the next writer's turn. A COMMIT SQLite refuses (a deferred constraint, a full disk) would
        leave the transaction open, holding the file's write lock in a connection the pool takes back as clean:
        it is rolled back, as PostgreSQL ends a transaction whose COMMIT fails."""
        try:
            super().commit()
        except BaseException:
            if self.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    super().rollback()
            raise
        finally:
            self._leave_queue()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._leave_queue()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._leave_queue()

    def __del__(self) -> None:
        self._leave_queue()

    def _leave_queue(self) -> None:
        if getattr(self, "_in_queue", False):
            self._in_queue = False
            self._writer_queue.leave()
