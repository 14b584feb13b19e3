"""Many sessions at once: what the overview page asks of the services, from up to 200 sessions in one process.

Streamlit runs each browser session's page run in a thread of one server process, all sharing one
engine (a pool of 30 connections). Here each of `--sessions` threads plays a manager of its own
organisation: it runs the overview's service call (score_organisation) `--runs` times in a row.
The floor is one session alone doing the same. Printed: calls per second with every session at once
against one session alone, and the median and 95th-percentile time of one call in that burst (for
information: the issue sets no goal here; with Python's one interpreter lock the calls take turns, so
when all sessions ask at the same instant the last waits for the others: its time is the burst's size
over the rate).

    python -m benchmarks.bench_concurrency --organisations 100 --sessions 200 [--database-url …]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time

from sqlmodel import select

from benchmarks.common import REFERENCE_DAY, add_common_arguments, opened
from benchmarks.network import GENERATOR, ensure_network
from services.scores import score_organisation
from storage.models import Organisation


def one_call(haven, organisation_id: int) -> float:
    started = time.perf_counter()
    with haven.session() as session:
        score_organisation(session, GENERATOR, organisation_id=organisation_id, as_of=REFERENCE_DAY)
    return time.perf_counter() - started


def run_sessions(haven, organisation_ids: list[int], sessions: int, runs: int) -> tuple[list[float], float]:
    times: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(sessions + 1)

    def session_thread(index: int) -> None:
        organisation_id = organisation_ids[index % len(organisation_ids)]
        start.wait()
        mine = [one_call(haven, organisation_id) for _ in range(runs)]
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=session_thread, args=(i,)) for i in range(sessions)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return times, time.perf_counter() - began


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5, help="calls per session")
    args = parser.parse_args(argv)
    target = ensure_network(args.organisations, args.seed, args.database_url, snapshot_months=args.snapshot_months)
    with opened(target, keep=args.keep) as haven:
        with haven.session() as session:
            organisation_ids = list(session.exec(select(Organisation.id).order_by(Organisation.slug)).all())
        for organisation_id in organisation_ids[:3]:
            one_call(haven, organisation_id)
        alone = [one_call(haven, organisation_ids[i % len(organisation_ids)]) for i in range(max(5, args.repeat * 4))]
        times, wall = run_sessions(haven, organisation_ids, args.sessions, args.runs)
        floor = statistics.median(alone)
        p50, p95 = statistics.median(times), percentile(times, 0.95)
        print(f"{args.sessions} sessions × {args.runs} overview calls on {target.backend} "
              f"({args.organisations} organisations): {len(times) / wall:.0f} calls/s; one call: median "
              f"{p50 * 1000:.1f} ms, 95th percentile {p95 * 1000:.1f} ms; alone: median {floor * 1000:.1f} ms")
        rate, alone_rate = len(times) / wall, 1 / floor
        print(f"RATIO overview calls per second at {args.sessions} sessions ({target.backend}): {rate:.0f} / floor "
              f"{alone_rate:.0f} for one session alone = {rate / alone_rate:.2f}x (no goal: for information; "
              f"{args.sessions} people each opening a page every 10 s need {args.sessions / 10:.0f} a second)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
