"""Runs every benchmark in turn and prints their lines; `--smoke` runs them at tiny sizes (what CI runs).

    python -m benchmarks.run_all --organisations 100 [--database-url …]
    python -m benchmarks.run_all --smoke
"""
from __future__ import annotations

import argparse
import sys
import time
import traceback

from benchmarks import bench_cli, bench_demo_pages, bench_export, bench_intake, bench_pages, bench_privacy, bench_scores
from benchmarks.common import DEFAULT_SEED, drop_bench_database
from benchmarks.network import network_target

SMOKE_ORGANISATIONS = 10


def plan(args) -> list[tuple[str, object, list[str]]]:
    network = ["--organisations", str(args.organisations), "--repeat", str(args.repeat),
               "--snapshot-months", str(args.snapshot_months)]
    if args.database_url:
        network += ["--database-url", args.database_url, "--keep"]
    export = ["--repeat", str(max(1, args.repeat // 2)), "--sizes", *map(str, args.export_sizes)]
    if args.database_url:
        export += ["--database-url", args.database_url]
    return [
        ("scores", bench_scores.main, network),
        ("pages", bench_pages.main, network),
        ("command line", bench_cli.main, [*network, "--small", "1", "--large", str(args.widen)]),
        ("demo pages", bench_demo_pages.main, ["--repeat", str(args.repeat)]),
        ("intake", bench_intake.main, ["--repeat", str(args.repeat), "--megapixels", str(args.megapixels)]),
        ("export", bench_export.main, export),
        ("privacy", bench_privacy.main, ["--repeat", str(args.repeat), "--megapixels", str(args.megapixels),
                                         "--pages", str(args.pages)]),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: every script runs, no figure means much")
    parser.add_argument("--organisations", type=int, default=100)
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    args.snapshot_months, args.megapixels, args.export_sizes, args.pages, args.widen = 60, 12, [50, 200, 500], 50, 10
    if args.smoke:
        args.organisations, args.repeat = SMOKE_ORGANISATIONS, 1
        args.snapshot_months, args.megapixels, args.export_sizes, args.pages, args.widen = 2, 0.5, [3, 6], 3, 2
    failed = []
    for name, run, arguments in plan(args):
        print(f"== {name}: {' '.join(arguments)}", flush=True)
        started = time.perf_counter()
        try:
            run(arguments)
        except Exception:
            traceback.print_exc()
            failed.append(name)
        print(f"== {name} took {time.perf_counter() - started:.1f} s", flush=True)
    if args.database_url:
        drop_bench_database(network_target(args.organisations, DEFAULT_SEED, args.database_url, args.snapshot_months))
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
