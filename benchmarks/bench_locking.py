"""Reads beside writers: no instance-wide lock.

Two figures, each as ratios taken in one run:

1. Reads while writers and a sign-in flood run, against the same reads alone. `--readers` threads (one
   Streamlit server's sessions) each run what an overview page asks of the services (its organisation's
   scores and ratings) in a loop; their 95th-percentile time is the figure. The load runs in other
   processes, as other replicas and `manage.py` would: `--writer-processes` processes each change a rating,
   a plan item and a link at a steady pace, and one process tries `--sign-ins-per-second` sign-ins with
   wrong passwords and unknown names (argon2 at the production cost, an audit entry each). Alone and
   loaded alternate in `--rounds` pairs, so both meet the same machine. Goal: at most 1.5x on PostgreSQL,
   2x on SQLite.
2. Throughput of a mixed load (four reads, then one rating change) from 1 to 16 sessions (threads of one
   process, as Streamlit runs them): operations per second at each count against one session. Goal: it grows
   until the cores are busy instead of staying flat. Each count also prints the CPU seconds used per wall
   second by Haven's process(es), by the PostgreSQL server (from /proc, when its processes are visible) and by
   the whole machine: the threads of one Python process share one core (the GIL), so within one process the
   figure cannot pass about 1.0. `--replicas N` splits the sessions across N spawned processes, as N
   `streamlit run` replicas behind a load balancer would, so the load can use more cores.

`--instance-lock` puts back the lock every transaction took before (SQLite BEGIN IMMEDIATE, a PostgreSQL
advisory lock at every BEGIN) for comparison.

    python -m benchmarks.bench_locking --organisations 10 [--database-url postgresql+psycopg://…] [--instance-lock]
        [--replicas 2]
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from sqlalchemy import event
from sqlmodel import select

from benchmarks.common import REFERENCE_DAY, add_common_arguments, opened
from benchmarks.network import GENERATOR, ensure_network
from config import get_settings
from services.instance import Haven
from services.plan import update_plan_item
from services.ratings import ratings_of_organisation, set_rating
from services.scores import score_organisation
from services.sign_in import sign_in
from storage import db
from storage.blobs import LocalBlobStore
from storage.models import Organisation, PlanItem

ACTIONS = ("3.1.1", "3.1.2", "3.1.3", "3.2.1", "3.2.2", "3.3.1", "3.3.2", "3.3.3")
RATINGS = ("not_met", "partially_met", "met")
INSTANCE_LOCK_KEY = 7_311_004


def put_back_the_instance_lock(engine) -> None:
    """The lock Haven took before issue 12, for the comparison only."""
    if engine.dialect.name == "sqlite":
        event.remove(engine, "begin", db._begin_reading)

        def begin_immediate(connection):
            connection.info[db._WRITING] = True
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        event.listen(engine, "begin", begin_immediate)
    else:
        event.listen(engine, "begin", lambda connection: connection.exec_driver_sql(
            f"SELECT pg_advisory_xact_lock({INSTANCE_LOCK_KEY})"))


def open_haven(database_url: str, folder: str, instance_lock: bool) -> Haven:
    engine = db.make_engine(database_url)
    if instance_lock:
        put_back_the_instance_lock(engine)
    settings = replace(get_settings(), database_url=database_url, blob_url=f"file://{folder}/evidence")
    return Haven(settings=settings, engine=engine, store=LocalBlobStore(f"{folder}/evidence"))


def page_reads(haven: Haven, organisation_id: int) -> None:
    with haven.session() as session:
        score_organisation(session, GENERATOR, organisation_id=organisation_id, as_of=REFERENCE_DAY)
        ratings_of_organisation(session, GENERATOR, organisation_id=organisation_id)


def one_write(haven: Haven, rng: random.Random, organisations: list[int], plan_items: list[int]) -> None:
    organisation_id = rng.choice(organisations)
    with haven.session() as session:
        set_rating(session, GENERATOR, organisation_id=organisation_id, action_id=rng.choice(ACTIONS),
                   rating=rng.choice(RATINGS), owner=f"owner {rng.randrange(5)}")
    if plan_items:
        with haven.session() as session:
            update_plan_item(session, GENERATOR, item_id=rng.choice(plan_items), owner=f"owner {rng.randrange(5)}")


def _paced(go, stop, per_second: float, action) -> int:
    action()  # warm: connections open, modules loaded
    done, interval = 0, 1.0 / per_second
    while not stop.is_set():
        if not go.wait(timeout=0.2):
            continue
        started = time.perf_counter()
        action()
        done += 1
        time.sleep(max(0.0, interval - (time.perf_counter() - started)))
    return done


def writer_process(database_url, folder, instance_lock, organisations, plan_items, per_second, go, stop, seed,
                   results, ready) -> None:
    haven = open_haven(database_url, folder, instance_lock)
    ready.release()
    rng = random.Random(seed)
    try:
        results.put(("writes", _paced(go, stop, per_second, lambda: one_write(haven, rng, organisations, plan_items))))
    finally:
        haven.engine.dispose()


def sign_in_process(database_url, folder, instance_lock, per_second, go, stop, seed, results, ready) -> None:
    haven = open_haven(database_url, folder, instance_lock)
    ready.release()
    rng = random.Random(seed)

    def attempt():
        sign_in(haven, username=f"visitor{rng.randrange(10_000)}", password="wrong password, long enough")
    threads_done = []

    def flood():
        threads_done.append(_paced(go, stop, per_second / 4, attempt))
    threads = [threading.Thread(target=flood) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    haven.engine.dispose()
    results.put(("sign-ins", sum(threads_done)))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def read_for(haven: Haven, organisations: list[int], readers: int, seconds: float) -> list[float]:
    times: list[float] = []
    lock = threading.Lock()
    until = time.perf_counter() + seconds

    def reader(index: int) -> None:
        organisation_id = organisations[index % len(organisations)]
        mine = []
        while time.perf_counter() < until:
            started = time.perf_counter()
            page_reads(haven, organisation_id)
            mine.append(time.perf_counter() - started)
        with lock:
            times.extend(mine)
    threads = [threading.Thread(target=reader, args=(i,)) for i in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def reads_under_load(args, haven: Haven, target, organisations, plan_items) -> None:
    context = multiprocessing.get_context("spawn")
    go, stop = context.Event(), context.Event()
    folder = str(target.folder)
    results, ready = context.Queue(), context.Semaphore(0)
    load = [context.Process(target=writer_process, args=(target.database_url, folder, args.instance_lock,
                                                         organisations, plan_items, args.writes_per_second, go,
                                                         stop, i, results, ready))
            for i in range(args.writer_processes)]
    load.append(context.Process(target=sign_in_process, args=(target.database_url, folder, args.instance_lock,
                                                              args.sign_ins_per_second, go, stop, 99, results, ready)))
    for process in load:
        process.start()
    for _ in load:
        ready.acquire(timeout=120)  # spawned interpreters import Haven first
    try:
        go.set()
        time.sleep(1.0)
        go.clear()
        alone_all, loaded_all, ratios = [], [], []
        for _ in range(args.rounds):
            time.sleep(0.5)
            alone = read_for(haven, organisations, args.readers, args.seconds)
            go.set()
            time.sleep(0.5)
            loaded = read_for(haven, organisations, args.readers, args.seconds)
            go.clear()
            alone_all += alone
            loaded_all += loaded
            ratios.append(percentile(loaded, 0.95) / percentile(alone, 0.95))
    finally:
        stop.set()
        counts = [results.get(timeout=120) for _ in load]
        for process in load:
            process.join(timeout=60)
    writes = sum(n for kind, n in counts if kind == "writes")
    sign_ins = sum(n for kind, n in counts if kind == "sign-ins")
    goal = 1.5 if target.backend == "postgresql" else 2.0
    ratio = statistics.median(ratios)
    lock = " with the instance-wide lock put back" if args.instance_lock else ""
    seconds = args.rounds * args.seconds
    print(f"load{lock}: {writes} writes (rating + plan item) and {sign_ins} failed sign-ins in about "
          f"{seconds:.0f} s of loaded reading; reads: alone {len(alone_all)}, loaded {len(loaded_all)}, median "
          f"{statistics.median(alone_all) * 1000:.1f} / {statistics.median(loaded_all) * 1000:.1f} ms")
    print(f"RATIO read p95 beside writers and a sign-in flood ({target.backend}, {args.readers} readers{lock}): "
          f"{percentile(loaded_all, 0.95) * 1000:.1f} ms / floor {percentile(alone_all, 0.95) * 1000:.1f} ms alone "
          f"= {ratio:.2f}x (median of {len(ratios)} paired rounds) (goal <= {goal:g}x) "
          f"{'MET' if ratio <= goal else 'NOT MET'}")


def mixed_sessions(haven: Haven, organisations: list[int], indices: list[int], until_wall: float) -> tuple[int, float]:
    """Sessions `indices` of the mixed load (four reads, then one rating change, in a loop), each a thread of this
    process, until the wall-clock time `until_wall`: the operations done and the process CPU seconds used."""
    done: list[int] = []

    def session_loop(index: int) -> None:
        rng = random.Random(index)
        organisation_id = organisations[index % len(organisations)]
        count = 0
        while time.time() < until_wall:
            for _ in range(4):
                page_reads(haven, organisation_id)
            with haven.session() as session:
                set_rating(session, GENERATOR, organisation_id=organisation_id, action_id=rng.choice(ACTIONS),
                           rating=rng.choice(RATINGS))
            count += 5
        done.append(count)
    cpu = time.process_time()
    threads = [threading.Thread(target=session_loop, args=(i,)) for i in indices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done), time.process_time() - cpu


def replica_process(database_url, folder, instance_lock, organisations, orders, results, ready) -> None:
    """One replica of the mixed load (as one `streamlit run` would be): runs the sessions it is given, as
    threads, for each order (indices, start and end on the wall clock) until it is sent None."""
    haven = open_haven(database_url, folder, instance_lock)
    for organisation_id in organisations[:3]:
        page_reads(haven, organisation_id)  # warm: connections open, modules loaded
    ready.release()
    try:
        while (order := orders.get()) is not None:
            indices, start_wall, until_wall = order
            time.sleep(max(0.0, start_wall - time.time()))
            operations, cpu = mixed_sessions(haven, organisations, indices, until_wall) if indices else (0, 0.0)
            results.put((operations, cpu, time.time()))
    finally:
        haven.engine.dispose()


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def postgres_server_cpu() -> float | None:
    """CPU seconds used so far by this machine's PostgreSQL server processes (from /proc), backends that have
    ended included (the postmaster counts its reaped children's); None if no postgres process is seen."""
    total, seen = 0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, fields = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        if name.startswith("postgres"):
            seen = True
            total += sum(int(n) for n in fields[11:15])  # utime, stime, cutime, cstime
    return total / CLOCK_TICKS if seen else None


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, every core and process (from /proc/stat)."""
    try:
        fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields) - idle) / CLOCK_TICKS, sum(fields) / CLOCK_TICKS


def mixed_throughput(args, haven: Haven, target, organisations) -> None:
    """The mixed load at each session count; with `--replicas N` the sessions are split across N spawned
    processes (N replicas, each its threads), else they are threads of this process."""
    rates = {}
    lock = " with the instance-wide lock put back" if args.instance_lock else ""
    replicas = f", {args.replicas} replicas" if args.replicas > 1 else ""
    workers, orders, results = [], [], None
    if args.replicas > 1:
        context = multiprocessing.get_context("spawn")
        results, ready = context.Queue(), context.Semaphore(0)
        for _ in range(args.replicas):
            orders.append(context.Queue())
            workers.append(context.Process(target=replica_process, args=(
                target.database_url, str(target.folder), args.instance_lock, organisations, orders[-1], results,
                ready)))
            workers[-1].start()
        for _ in workers:
            ready.acquire(timeout=180)  # spawned interpreters import Haven first
    cores = os.cpu_count() or 1
    try:
        for sessions in args.session_counts:
            start_wall = time.time() + (0.5 if workers else 0.0)
            time.sleep(max(0.0, start_wall - time.time()))
            server, (busy, total) = postgres_server_cpu(), machine_busy()
            began = time.perf_counter()
            until_wall = start_wall + args.seconds
            if workers:
                for replica, queue in enumerate(orders):
                    queue.put((list(range(replica, sessions, len(orders))), start_wall, until_wall))
                done = [results.get(timeout=args.seconds + 120) for _ in orders]
                operations, cpu = sum(n for n, _, _ in done), sum(c for _, c, _ in done)
                wall = max(finished for _, _, finished in done) - start_wall
            else:
                operations, cpu = mixed_sessions(haven, organisations, list(range(sessions)), until_wall)
                wall = time.perf_counter() - began
            rates[sessions] = operations / wall
            server_after, (busy_after, total_after) = postgres_server_cpu(), machine_busy()
            server_text = "" if target.backend != "postgresql" else (
                "; PostgreSQL server CPU not measured (no postgres process visible)" if server is None
                else f"; PostgreSQL server {(server_after - server) / wall:.2f}")
            machine = (busy_after - busy) / (total_after - total) * cores if total_after > total else float("nan")
            print(f"mixed load, {sessions} sessions ({target.backend}{lock}{replicas}): {rates[sessions]:.0f} "
                  f"operations/s; CPU seconds per wall second: Haven {cpu / wall:.2f} in {max(1, len(workers))} "
                  f"process(es){server_text}; whole machine {machine:.2f} of {cores} cores", flush=True)
    finally:
        for queue in orders:
            queue.put(None)
        for worker in workers:
            worker.join(timeout=60)
    first = rates[args.session_counts[0]]
    for sessions in args.session_counts[1:]:
        print(f"RATIO mixed read/write throughput at {sessions} sessions ({target.backend}{lock}{replicas}): "
              f"{rates[sessions]:.0f} / floor {first:.0f} ops/s at {args.session_counts[0]} = "
              f"{rates[sessions] / first:.2f}x (goal: grows until the cores are busy)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--writer-processes", type=int, default=2)
    parser.add_argument("--writes-per-second", type=float, default=10.0, help="per writer process")
    parser.add_argument("--sign-ins-per-second", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each timed phase")
    parser.add_argument("--session-counts", type=lambda text: [int(n) for n in text.split(",")],
                        default=[1, 2, 4, 8, 16])
    parser.add_argument("--instance-lock", action="store_true", help="put the old instance-wide lock back")
    parser.add_argument("--replicas", type=int, default=1,
                        help="mixed load: split the sessions across this many spawned processes (replicas)")
    parser.add_argument("--only", choices=("reads", "throughput"))
    args = parser.parse_args(argv)
    target = ensure_network(args.organisations, args.seed, args.database_url, snapshot_months=args.snapshot_months)
    with opened(target, keep=args.keep) as haven:
        if args.instance_lock:
            put_back_the_instance_lock(haven.engine)
        with haven.session() as session:
            organisations = list(session.exec(select(Organisation.id).order_by(Organisation.id)).all())
            plan_items = list(session.exec(select(PlanItem.id).limit(200)))
        for organisation_id in organisations[:3]:
            page_reads(haven, organisation_id)
        if args.only != "throughput":
            reads_under_load(args, haven, target, organisations, plan_items)
        if args.only != "reads":
            mixed_throughput(args, haven, target, organisations)
    return 0


if __name__ == "__main__":
    sys.exit(main())
