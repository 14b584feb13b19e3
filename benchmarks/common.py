"""What every benchmark shares: where its data lives, the instance it opens, timing, memory and the ratio lines.

Benchmark data lives under a temp folder (``HAVEN_BENCH_DIR`` or the system temp folder, then ``haven-bench``).
SQLite is the default; ``--database-url`` names a PostgreSQL server on which the benchmark creates its own
database ``haven_bench`` (``HAVEN_BENCH_DATABASE`` names another) and drops it when it ends (unless ``--keep``).
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import get_settings
from services.instance import Haven
from storage.blobs import LocalBlobStore
from storage.db import make_engine, migrate

REFERENCE_DAY = date(2026, 10, 31)
"""The generated network's "today": evidence dates, snapshots and every score are taken against it."""
DEFAULT_SEED = 20261031
SNAPSHOT_MONTHS = 60
BENCH_DATABASE = os.environ.get("HAVEN_BENCH_DATABASE") or "haven_bench"


def bench_root() -> Path:
    return Path(os.environ.get("HAVEN_BENCH_DIR") or tempfile.gettempdir()) / "haven-bench"


def add_common_arguments(parser: argparse.ArgumentParser, *, organisations: int = 10) -> None:
    parser.add_argument("--organisations", type=int, default=organisations, help="size of the generated network")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--database-url", help="a PostgreSQL server URL; the benchmark uses its own database "
                                               f"'{BENCH_DATABASE}' there and drops it at the end")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database for the next run")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per figure (best, CPU and median reported)")
    parser.add_argument("--snapshot-months", type=int, default=SNAPSHOT_MONTHS, help="monthly snapshots per organisation")


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


def bench_target(name: str, server_url: str | None = None, *, database: str = BENCH_DATABASE) -> BenchTarget:
    """The target for data called `name` (e.g. 'network-100-s7'), on SQLite or in `database` on a PostgreSQL server."""
    backend = "postgresql" if server_url else "sqlite"
    folder = bench_root() / f"{backend}-{name}"
    if server_url is None:
        return BenchTarget(folder, f"sqlite:///{folder / 'haven.db'}")
    database_url = make_url(server_url).set(database=database).render_as_string(hide_password=False)
    return BenchTarget(folder, database_url, server_url)


def _on_the_server(target: BenchTarget, *statements: str) -> None:
    """Runs `statements` (each with `{name}`, the benchmark's database) on its PostgreSQL server, outside any
    transaction; nothing on SQLite."""
    if target.server_url is None:
        return
    name = make_url(target.database_url).database
    admin = create_engine(target.server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for statement in statements:
            connection.execute(text(statement.format(name=name)))
    admin.dispose()


def create_bench_database(target: BenchTarget) -> None:
    _on_the_server(target, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', 'CREATE DATABASE "{name}"')


def drop_bench_database(target: BenchTarget) -> None:
    """Drops the benchmark's PostgreSQL database and forgets the folder's marker, so the next run generates again."""
    if target.server_url is None:
        return
    _on_the_server(target, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    (target.folder / "READY").unlink(missing_ok=True)


@contextmanager
def opened(target: BenchTarget, *, keep: bool) -> Iterator[Haven]:
    """The target's instance for one benchmark run; afterwards its engine is closed and its PostgreSQL database
    dropped (unless `keep`, the `--keep` argument)."""
    haven = target.open()
    try:
        yield haven
    finally:
        haven.engine.dispose()
        if not keep:
            drop_bench_database(target)


@dataclass(frozen=True)
class Timing:
    """Wall-clock and CPU seconds of each run."""

    runs: tuple[float, ...]
    cpu_runs: tuple[float, ...]

    @property
    def best(self) -> float:
        return min(self.runs)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_runs)


def timed(run: Callable[[], object], *, repeat: int = 5, warmup: int = 1) -> Timing:
    """Seconds of `run`, after `warmup` untimed runs; the garbage collector runs between runs, not during."""
    for _ in range(warmup):
        run()
    runs, cpu_runs = [], []
    for _ in range(max(1, repeat)):
        gc.collect()
        gc.disable()
        try:
            start, cpu_start = time.perf_counter(), time.process_time()
            run()
            runs.append(time.perf_counter() - start)
            cpu_runs.append(time.process_time() - cpu_start)
        finally:
            gc.enable()
    return Timing(tuple(runs), tuple(cpu_runs))


def compared(figure: Callable[[], object], floor: Callable[[], object], *, repeat: int = 5,
             warmup: int = 1) -> tuple[Timing, Timing]:
    """Times `floor` and `figure` in pairs, one right after the other, so that both meet the same machine.

    On a shared machine the load changes from second to second; the ratio of each pair is steady where
    the best or the median of each side alone is not. Lines report the median of the pairs' ratios."""
    for _ in range(warmup):
        floor()
        figure()
    figures, floors = [], []
    for _ in range(max(1, repeat)):
        floors.append(timed(floor, repeat=1, warmup=0))
        figures.append(timed(figure, repeat=1, warmup=0))
    return _joined(figures), _joined(floors)


def _joined(timings: list[Timing]) -> Timing:
    return Timing(tuple(r for t in timings for r in t.runs), tuple(r for t in timings for r in t.cpu_runs))


def _ratio(figure: float, floor: float) -> float:
    return figure / floor if floor > 0 else float("inf")


def paired_ratio(figure: Timing, floor: Timing) -> float:
    return statistics.median(_ratio(a, b) for a, b in zip(figure.runs, floor.runs, strict=False))


def paired_difference(figure: Timing, floor: Timing) -> float:
    return statistics.median(a - b for a, b in zip(figure.runs, floor.runs, strict=False))


def ratio_line(name: str, figure: Timing, floor: Timing, goal: float | None) -> str:
    """One line in the form every benchmark prints and RESULTS.md quotes: the median of the paired ratios,
    then the medians of each side, the CPU time and the best runs as cross-checks."""
    ratio = paired_ratio(figure, floor)
    verdict = "(no goal: for information)" if goal is None else \
        f"(goal <= {goal:g}x) {'MET' if ratio <= goal else 'NOT MET'}"
    return (f"RATIO {name}: {_amount(figure.median)} / floor {_amount(floor.median)} = {ratio:.2f}x {verdict}; "
            f"CPU {_amount(figure.cpu_median)} / {_amount(floor.cpu_median)} = "
            f"{_ratio(figure.cpu_median, floor.cpu_median):.2f}x; best {_amount(figure.best)} / {_amount(floor.best)} "
            f"= {_ratio(figure.best, floor.best):.2f}x; {len(figure.runs)} pairs")


def margin_line(name: str, figure: Timing, floor: Timing, goal: float) -> str:
    """For goals set as time above the floor (pages): the median of the paired differences, and the ratio."""
    above = paired_difference(figure, floor)
    verdict = "MET" if above < goal else "NOT MET"
    return (f"RATIO {name}: {_amount(figure.median)} / floor {_amount(floor.median)} = "
            f"{paired_ratio(figure, floor):.2f}x, {above * 1000:.0f} ms above the floor "
            f"(goal < {goal * 1000:.0f} ms) {verdict}; CPU {(figure.cpu_median - floor.cpu_median) * 1000:.0f} ms above; "
            f"best {_amount(figure.best)} / {_amount(floor.best)}; {len(figure.runs)} pairs")


def memory_line(name: str, peak_mb: float, goal_mb: float | None = None) -> str:
    verdict = "" if goal_mb is None else f" (goal < {goal_mb:g} MB) {'MET' if peak_mb < goal_mb else 'NOT MET'}"
    return f"MEMORY {name}: peak {peak_mb:.1f} MB above the baseline{verdict}"


def _amount(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.3f} s"


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
