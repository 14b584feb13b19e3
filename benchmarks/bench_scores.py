"""Scoring the whole network (services.scores.score_network, what `score --all` runs) against the floor.

The floor is reading every row of the tables scoring involves once, every column, through the same engine:
a plain ``SELECT *`` of each table, fetched to the end. Goal: scoring at most 3 times the floor.

    python -m benchmarks.bench_scores --organisations 100 [--database-url …] [--repeat 5]
"""
from __future__ import annotations

import argparse
import sys

from sqlalchemy import text

from accounts.permissions import Principal
from benchmarks.common import REFERENCE_DAY, add_common_arguments, compared, opened, ratio_line
from benchmarks.network import ensure_network
from services import scores
from services.facts import SCORED_TABLES as TABLES
from services.scores import score_network

GOAL = 3.0
BOARD = Principal.system("benchmark")


def read_every_row(engine) -> int:
    """The floor: each table involved read once, whole."""
    rows = 0
    with engine.connect() as connection:
        for table in TABLES:
            rows += len(connection.exec_driver_sql(f'SELECT * FROM "{table}"').fetchall())
    return rows


def score_everything(haven) -> list[dict]:
    scores.clear_score_cache()
    with haven.session() as session:
        return score_network(session, BOARD, as_of=REFERENCE_DAY)


def score_everything_kept(haven) -> list[dict]:
    with haven.session() as session:
        return score_network(session, BOARD, as_of=REFERENCE_DAY)


def table_sizes(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {t: connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in TABLES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    args = parser.parse_args(argv)
    target = ensure_network(args.organisations, args.seed, args.database_url, snapshot_months=args.snapshot_months)
    with opened(target, keep=args.keep) as haven:
        sizes = table_sizes(haven.engine)
        print(f"network: {args.organisations} organisations on {target.backend}; rows: "
              + ", ".join(f"{t} {n}" for t, n in sizes.items()))
        figure, floor = compared(lambda: score_everything(haven), lambda: read_every_row(haven.engine),
                                 repeat=args.repeat)
        reports = score_everything(haven)
        kept, floor_again = compared(lambda: score_everything_kept(haven), lambda: read_every_row(haven.engine),
                                     repeat=args.repeat)
        print(f"scored {len(reports)} organisations; the floor read {sum(sizes.values())} rows")
        print(ratio_line(f"score_network ({args.organisations} organisations, {target.backend}, cold)",
                         figure, floor, GOAL))
        print(ratio_line(f"score_network ({args.organisations} organisations, {target.backend}, "
                         "kept from the last call, nothing changed)", kept, floor_again, GOAL))
    return 0


if __name__ == "__main__":
    sys.exit(main())
