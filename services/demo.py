"""The demo organisation: a generated bundle imported as a user would, then a year of monthly snapshots."""
from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from accounts.permissions import Principal
from bundles.importer import import_bundle
from scoring.dates import add_months
from services.instance import Haven
from services.snapshots import take_snapshot


def load_demo(haven: Haven, principal: Principal, *, today: date) -> str:
    from demo.bundle import write_demo_bundle

    with tempfile.TemporaryDirectory(prefix="haven-demo-") as scratch:
        write_demo_bundle(Path(scratch), today)
        slug = import_bundle(haven, principal, Path(scratch))
    with haven.session() as session:
        for months_ago in range(11, -1, -1):
            take_snapshot(session, principal, slug=slug, as_of=add_months(today, -months_ago))
    return slug
