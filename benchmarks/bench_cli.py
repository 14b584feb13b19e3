"""The command line as a user runs it (a process of its own each time), against floors measured in the same run.

- `--help` and `score --org SLUG`: time to start and answer, against `python -c pass` (the interpreter alone).
  Goal: each in under half the time it took before (run once with `--manage` naming a checkout of the older
  code, then without, and compare the "above the interpreter" figures). Beside them, the time to import what
  any `score` needs (SQLAlchemy; SQLAlchemy and the scoring engine with the standard's schema), from this checkout.
- `score --all --json` on a network of N organisations and on a larger one: the marginal cost of the other
  organisations, against the marginal cost of reading their rows once (benchmarks.bench_scores's floor,
  every row of the tables scoring reads, `SELECT *`). Goal: at most 3 times.

Both networks are copies of a generated one (benchmarks/widen.py): by default of the generated network of
`--organisations`, or of the data folder given with `--from`.

    python -m benchmarks.bench_cli --from FOLDER --small 10 --large 100 [--repeat 5] [--manage OTHER_CHECKOUT]
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, select

from benchmarks.bench_scores import read_every_row
from benchmarks.common import Timing, add_common_arguments
from benchmarks.network import ensure_network
from benchmarks.widen import widened_network
from storage.models import Organisation

REPO = Path(__file__).resolve().parents[1]
MARGINAL_GOAL = 3.0
# What any `score` must import, whatever the rest of the code does: the database layer, and the scoring engine with
# the standard's schema. Timed beside `score --org` to show how much of its start they are.
IMPORT_FLOORS = ("sqlalchemy", "sqlalchemy, scoring.engine")


def run_once(command: list[str], *, cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (the child's user + system time) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def in_process(run) -> tuple[float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - started, time.process_time() - cpu


def rounds(runs: dict[str, callable], repeat: int) -> dict[str, Timing]:
    """Every run once per round, in turn, so that all meet the same machine; one warm-up round first."""
    for run in runs.values():
        run()
    got: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            got[name].append(run())
    return {name: Timing(tuple(w for w, _ in values), tuple(c for _, c in values)) for name, values in got.items()}


def environment(target) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
    return {**env, **target.environment()}


def per_round(timings: dict[str, Timing], name: str, *, cpu: bool = False) -> list[float]:
    return list(timings[name].cpu_runs if cpu else timings[name].runs)


def median_difference(a: list[float], b: list[float]) -> float:
    return statistics.median(x - y for x, y in zip(a, b, strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, organisations=10)
    parser.add_argument("--from", dest="base", type=Path, help="copy this data folder's network (default: generate)")
    parser.add_argument("--small", type=int, default=10, help="the smaller network: the base this many times over")
    parser.add_argument("--large", type=int, default=100, help="the larger network: the base this many times over")
    parser.add_argument("--manage", type=Path, default=REPO, help="the checkout whose manage.py is timed")
    args = parser.parse_args(argv)
    base = args.base or ensure_network(args.organisations, args.seed, snapshot_months=args.snapshot_months).folder
    small, large = widened_network(base, args.small), widened_network(base, args.large)
    engine = create_engine(small.database_url)
    with engine.connect() as connection:
        first = connection.execute(select(Organisation.slug).order_by(Organisation.slug)).first()[0]
    engines = {"small": engine, "large": create_engine(large.database_url)}
    counts = {}
    for name, each in engines.items():
        with each.connect() as connection:
            counts[name] = len(connection.execute(select(Organisation.id)).all())
    manage = [sys.executable, "manage.py"]
    cwd = args.manage.resolve()

    def command(*words, target=small):
        return lambda: run_once([*manage, *words], cwd=cwd, env=environment(target))

    timings = rounds({
        "interpreter": lambda: run_once([sys.executable, "-c", "pass"], cwd=cwd, env=environment(small)),
        "help": command("--help"),
        "score --org": command("score", "--org", first),
        **{f"import {modules}": lambda modules=modules: run_once([sys.executable, "-c", f"import {modules}"], cwd=REPO,
                                                                 env=environment(small))
           for modules in IMPORT_FLOORS},
        "score --all --json (small)": command("score", "--all", "--json"),
        "score --all --json (large)": command("score", "--all", "--json", target=large),
        "read (small)": lambda: in_process(lambda: read_every_row(engines["small"])),
        "read (large)": lambda: in_process(lambda: read_every_row(engines["large"])),
    }, args.repeat)
    print(f"manage.py of {cwd}; {args.repeat} rounds; medians of the per-round figures")
    for cpu in (False, True):
        unit = "CPU" if cpu else "wall"
        floor = per_round(timings, "interpreter", cpu=cpu)
        for name in ("help", "score --org", *(f"import {modules}" for modules in IMPORT_FLOORS)):
            above = median_difference(per_round(timings, name, cpu=cpu), floor)
            print(f"START {name} ({unit}): {statistics.median(per_round(timings, name, cpu=cpu)) * 1000:.0f} ms, "
                  f"{above * 1000:.0f} ms above the interpreter ({statistics.median(floor) * 1000:.0f} ms)")
        more = [a - b for a, b in zip(per_round(timings, "score --all --json (large)", cpu=cpu),
                                      per_round(timings, "score --all --json (small)", cpu=cpu), strict=True)]
        read = [a - b for a, b in zip(per_round(timings, "read (large)", cpu=cpu),
                                      per_round(timings, "read (small)", cpu=cpu), strict=True)]
        ratios = [m / r for m, r in zip(more, read, strict=True) if r > 0]
        ratio = statistics.median(ratios) if ratios else float("inf")  # reading the rows took no measurable time
        extra = counts["large"] - counts["small"]
        print(f"RATIO score --all --json, {extra} more organisations ({unit}): "
              f"{statistics.median(more) * 1000:.0f} ms more / reading their rows {statistics.median(read) * 1000:.0f} ms "
              f"= {ratio:.2f}x (goal <= {MARGINAL_GOAL:g}x) {'MET' if ratio <= MARGINAL_GOAL else 'NOT MET'}; "
              f"whole command {statistics.median(per_round(timings, 'score --all --json (large)', cpu=cpu)):.2f} s "
              f"at {counts['large']}, "
              f"{statistics.median(per_round(timings, 'score --all --json (small)', cpu=cpu)):.2f} s "
              f"at {counts['small']}")
    for each in engines.values():
        each.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
