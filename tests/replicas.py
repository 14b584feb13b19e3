"""Replicas for the tests: separate processes that open one Haven from its settings alone, as `streamlit run`
replicas do, and run service calls on command, so a test can interleave (or race) steps between them.

Each replica is a spawned interpreter (nothing inherited from the test's memory: no engine, no cache, no
monkeypatch). `open` (re)starts its instance with `open_instance(settings)` as a restarted replica would, so one
set of processes serves a whole test module; the instance and its process-wide caches live until the next
`open`. A call is a module-level function taking the replica's Haven first.
"""
from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from config import Settings
from services.instance import Haven

START_SECONDS = 120  # a spawned interpreter imports Haven in a few seconds; far more on a busy machine


class ReplicaError(AssertionError):
    """A call failed inside a replica; the message carries the replica's traceback."""


def open_replica(settings: Settings) -> Haven:
    """The instance as a replica process opens it, with argon2 at the tests' low cost (see tests.conftest)."""
    from accounts import passwords
    from services.instance import open_instance
    from tests.support import quick_password_hasher

    passwords._hasher, passwords.DUMMY_HASH = quick_password_hasher()
    return open_instance(settings)


def reopen(haven: Haven | None, settings: Settings, environment: dict[str, str]) -> Haven:
    """What a restarted replica has: the instance of `settings`, and no network scores kept from before."""
    from services.scores import clear_score_cache

    if haven is not None:
        haven.engine.dispose()
    os.environ.update(environment)
    clear_score_cache()
    return open_replica(settings)


def _serve(connection) -> None:
    haven = None
    connection.send(("ok", None))
    try:
        while (message := connection.recv()) is not None:
            start_at, function, args, kwargs = message
            time.sleep(max(0.0, start_at - time.time()))
            try:
                if function is reopen:
                    haven = reopen(haven, *args)
                    connection.send(("ok", None))
                else:
                    connection.send(("ok", function(haven, *args, **kwargs)))
            except BaseException as error:  # noqa: BLE001  (sent to the test, which raises it there)
                connection.send(("error", f"{type(error).__name__}: {error}\n{traceback.format_exc()}"))
    finally:
        if haven is not None:
            haven.engine.dispose()


class Replica:
    """One replica process; `run` calls a function in it and returns what it returned."""

    def __init__(self, name: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.name = name
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), name=f"replica {name}", daemon=True)
        self._process.start()

    def wait_until_ready(self) -> None:
        self._receive(START_SECONDS)

    def open(self, haven: Haven) -> None:
        """(Re)starts the replica's instance on `haven`'s database and store, with a data folder of its own (as on
        a separate machine: nothing replicas share may live there)."""
        data_dir = Path(haven.settings.data_dir).parent / f"replica-{self.name}"
        environment = {name: value for name, value in os.environ.items() if name.startswith(("AWS_", "HAVEN_"))}
        self.run(reopen, replace(haven.settings, data_dir=data_dir), environment)

    def run(self, function: Callable, *args, **kwargs):
        self.submit(function, *args, **kwargs)
        return self.result()

    def submit(self, function: Callable, *args, start_at: float = 0.0, **kwargs) -> None:
        """Starts a call (at the wall-clock time `start_at`, so calls in several replicas race); `result` waits."""
        self._connection.send((start_at, function, args, kwargs))

    def result(self, timeout: float = 180):
        return self._receive(timeout)

    def _receive(self, timeout: float):
        if not self._connection.poll(timeout):
            raise ReplicaError(f"replica {self.name} did not answer within {timeout:g} s")
        status, value = self._connection.recv()
        if status == "error":
            raise ReplicaError(f"in replica {self.name}: {value}")
        return value

    def close(self) -> None:
        try:
            self._connection.send(None)
        except OSError:
            pass
        self._process.join(timeout=30)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(timeout=10)


@contextmanager
def started_replicas(*names: str) -> Iterator[list[Replica]]:
    """Replica processes, started together (a spawned interpreter takes seconds to import Haven), closed at the
    end; each serves nothing until `open` gives it an instance."""
    started = []
    try:
        for name in names:
            started.append(Replica(name))
        for replica in started:
            replica.wait_until_ready()
        yield started
    finally:
        for replica in started:
            replica.close()


def open_replicas(haven: Haven, replicas: list[Replica]) -> list[Replica]:
    """The replicas, each (re)started on `haven`'s database and store."""
    for replica in replicas:
        replica.open(haven)
    return replicas
