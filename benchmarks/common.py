"""What every benchmark shares: where its data lives, the instance it opens, timing, memory and the ratio lines.

Benchmark data lives under a temp folder (``HAVEN_BENCH_DIR`` or the system temp folder, then ``haven-bench``).
SQLite is the default; ``--database-url`` names a PostgreSQL server on which the benchmark creates its own
database ``haven_bench`` and drops it when it ends (unless ``--keep``).
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import get_settings
from services.instance import Haven
from storage.blobs import LocalBlobStore
from storage.db import make_engine, migrate

REFERENCE_DAY = date(2026, 10, 31)
"""The generated network's "today": evidence dates, snapshots and every score are taken against it."""
DEFAULT_SEED = 20261031
BENCH_DATABASE = "haven_bench"


def bench_root() -> Path:
    return Path(os.environ.get("HAVEN_BENCH_DIR") or tempfile.gettempdir()) / "haven-bench"


def add_common_arguments(parser: argparse.ArgumentParser, *, organisations: int = 10) -> None:
    parser.add_argument("--organisations", type=int, default=organisations, help="size of the generated network")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--database-url", help="a PostgreSQL server URL; the benchmark uses its own database "
                                               f"'{BENCH_DATABASE}' there and drops it at the end")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database for the next run")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per figure (the median is reported)")


@dataclass(frozen=True)
class BenchTarget:
    """Where one generated network lives: a data folder, and the database URL (SQLite in the folder by default)."""

    folder: Path
    database_url: str
    server_url: str | None = None

    @property
    def backend(self) -> str:
        return "postgresql" if self.server_url else "sqlite"

    def open(self) -> Haven:
        self.folder.mkdir(parents=True, exist_ok=True)
        settings = replace(get_settings(), data_dir=self.folder, database_url=self.database_url,
                           blob_url=f"file://{self.folder / 'evidence'}", encryption_key=None)
        engine = make_engine(self.database_url)
        migrate(engine)
        return Haven(settings=settings, engine=engine, store=LocalBlobStore(self.folder / "evidence"))

    def environment(self) -> dict[str, str]:
        """The variables a user sets to point the app at this instance."""
        return {"HAVEN_DATA_DIR": str(self.folder), "HAVEN_DATABASE_URL": self.database_url}


def bench_target(name: str, server_url: str | None = None) -> BenchTarget:
    """The target for a network called `name` (e.g. 'network-100-s7'), on SQLite or on a PostgreSQL server."""
    backend = "postgresql" if server_url else "sqlite"
    folder = bench_root() / f"{backend}-{name}"
    if server_url is None:
        return BenchTarget(folder, f"sqlite:///{folder / 'haven.db'}")
    database_url = make_url(server_url).set(database=BENCH_DATABASE).render_as_string(hide_password=False)
    return BenchTarget(folder, database_url, server_url)


def create_bench_database(target: BenchTarget) -> None:
    if target.server_url is None:
        return
    admin = create_engine(target.server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{BENCH_DATABASE}"'))
    admin.dispose()


def drop_bench_database(target: BenchTarget) -> None:
    """Drops haven_bench and forgets the folder's marker, so the next run generates again."""
    if target.server_url is None:
        return
    admin = create_engine(target.server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
    admin.dispose()
    (target.folder / "READY").unlink(missing_ok=True)


@dataclass(frozen=True)
class Timing:
    median: float
    best: float
    runs: tuple[float, ...]


def timed(run: Callable[[], object], *, repeat: int = 5, warmup: int = 1) -> Timing:
    """Wall-clock seconds of `run`, after `warmup` untimed runs; the garbage collector runs between, not during."""
    for _ in range(warmup):
        run()
    runs = []
    for _ in range(max(1, repeat)):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            run()
            runs.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return Timing(statistics.median(runs), min(runs), tuple(runs))


def ratio_line(name: str, figure: float, floor: float, goal: float, unit: str = "s") -> str:
    """One line in the form every benchmark prints and RESULTS.md quotes."""
    ratio = figure / floor if floor > 0 else float("inf")
    verdict = "MET" if ratio <= goal else "NOT MET"
    return (f"RATIO {name}: {_amount(figure, unit)} / floor {_amount(floor, unit)} = {ratio:.2f}x "
            f"(goal <= {goal:g}x) {verdict}")


def margin_line(name: str, figure: float, floor: float, goal: float) -> str:
    """For goals set as time above the floor (pages): the difference in milliseconds, and the ratio too."""
    above_ms = (figure - floor) * 1000
    verdict = "MET" if above_ms < goal * 1000 else "NOT MET"
    ratio = figure / floor if floor > 0 else float("inf")
    return (f"RATIO {name}: {figure * 1000:.1f} ms / floor {floor * 1000:.1f} ms = {ratio:.2f}x, "
            f"{above_ms:.1f} ms above the floor (goal < {goal * 1000:.0f} ms) {verdict}")


def memory_line(name: str, peak_mb: float, goal_mb: float | None = None) -> str:
    verdict = "" if goal_mb is None else f" (goal < {goal_mb:g} MB) {'MET' if peak_mb < goal_mb else 'NOT MET'}"
    return f"MEMORY {name}: peak {peak_mb:.1f} MB above the baseline{verdict}"


def _amount(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.3f} s"
    return f"{value:.1f} {unit}"


def peak_memory_reset() -> bool:
    """Resets the kernel's peak-RSS mark of this process (Linux); False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def memory_status() -> dict[str, float]:
    """Current and peak resident memory of this process in MB (Linux /proc, else the peak from resource)."""
    try:
        fields = {}
        with open("/proc/self/status") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    fields[key] = int(value.split()[0]) / 1024
        return {"rss": fields["VmRSS"], "peak": fields["VmHWM"]}
    except (OSError, KeyError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {"rss": peak, "peak": peak}
