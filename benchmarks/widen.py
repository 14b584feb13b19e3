"""A larger network made from a generated one by copying its organisations' rows (SQLite only).

Generating 1,000 organisations through the paths users use (benchmarks/network.py) takes half an hour on an
idle machine and hours on a busy one. For the benchmarks that read the network's scores (the command line's
`score --all`, the network page), a copy is as good: each copy of an organisation has the same ratings,
evidence, revisions, reviews, links and plan as its original, under new ids and a new slug. Stored files,
snapshots, privacy checks and the audit log are not copied (scoring reads none of them).

    python -m benchmarks.widen --from FOLDER --times 10     (FOLDER: a data folder holding haven.db)
"""
from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
from pathlib import Path

from benchmarks.common import BenchTarget, bench_target
from services.facts import SCORED_TABLES as TABLES

REFERENCES = {  # column -> the copied table it points at
    "organisation_id": "organisation", "cycle_id": "assessment_cycle", "evidence_id": "evidence",
    "revision_id": "evidence_revision",
}


def widened_network(base: Path, times: int) -> BenchTarget:
    """The network in the data folder `base`, `times` over (its organisations copied `times - 1` times)."""
    with sqlite3.connect(base / "haven.db") as connection:
        organisations = connection.execute("SELECT count(*) FROM organisation").fetchone()[0]
    target = bench_target(f"network-{organisations * times}-copied-from-{base.name}-{organisations}")
    marker = target.folder / "READY"
    if marker.is_file():
        return target
    shutil.rmtree(target.folder, ignore_errors=True)
    target.folder.mkdir(parents=True)
    for name in ("haven.db", "secret.key"):
        if (base / name).is_file():
            shutil.copy(base / name, target.folder / name)
    with sqlite3.connect(target.folder / "haven.db") as connection:
        copy_rows(connection, times)
    marker.write_text(target.database_url, encoding="utf-8")
    return target


def copy_rows(connection: sqlite3.Connection, times: int) -> None:
    top = {table: connection.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"').fetchone()[0] for table in TABLES}
    for copy in range(1, times):
        for table in TABLES:
            columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
            shown = []
            for column in columns:
                if column == "id":
                    shown.append(f"id + {copy * top[table]}")
                elif column in REFERENCES:
                    shown.append(f"{column} + {copy * top[REFERENCES[column]]}")
                elif table == "organisation" and column == "slug":
                    shown.append(f"slug || '-copy-{copy}'")
                else:
                    shown.append(f'"{column}"')
            names = ", ".join(f'"{column}"' for column in columns)
            connection.execute(f'INSERT INTO "{table}" ({names}) SELECT {", ".join(shown)} FROM "{table}" '
                               f"WHERE id <= {top[table]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="base", type=Path, required=True, help="a data folder holding haven.db")
    parser.add_argument("--times", type=int, default=10)
    args = parser.parse_args(argv)
    print(f"network in {widened_network(args.base, args.times).folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
