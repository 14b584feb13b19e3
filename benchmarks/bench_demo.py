"""Writing the demo bundle (generated photos and PDFs) against copying the same files.

The demo is what a newcomer loads first, so it must feel instant. The floor is copying the folder the
demo writes (the same bytes to the same disk, nothing generated); the figure generates it afresh.
Goal: the whole bundle within 3 seconds on a 2-core machine (printed as a plain figure) and its size
under 3 MB (the test suite checks the size).

    python -m benchmarks.bench_demo [--repeat 5]
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
from datetime import date
from pathlib import Path

from benchmarks.common import compared, ratio_line
from demo.bundle import write_demo_bundle

GOAL_SECONDS = 3.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    today = date.today()
    with tempfile.TemporaryDirectory(prefix="haven-bench-demo-") as scratch:
        root = Path(scratch)
        write_demo_bundle(root / "model", today)
        runs = iter(range(10_000))

        def generate() -> None:
            write_demo_bundle(root / f"generated-{next(runs)}", today)

        def copy() -> None:
            shutil.copytree(root / "model", root / f"copied-{next(runs)}")

        figure, floor = compared(generate, copy, repeat=args.repeat)
        print(ratio_line("demo bundle written vs the same files copied", figure, floor, goal=None))
        verdict = "MET" if figure.median <= GOAL_SECONDS else "NOT MET"
        print(f"FIGURE demo bundle: {figure.median:.2f} s (goal <= {GOAL_SECONDS:g} s) {verdict}")


if __name__ == "__main__":
    main()
