"""The demo organisation's pages (AppTest, the real app.py) against an empty page in the same run.

Issue 12's goal for the board dashboard and the self-assessment: under 150 ms of script time above the
empty page at demo scale. A fresh instance (SQLite, in a scratch folder) gets the demo organisation as
`manage.py demo` loads it; each page is run as the person who reads it (the board dashboard by a board
member, the other pages by the organisation's manager). One run is one ``app.run()`` of that page.

    python -m benchmarks.bench_demo_pages [--repeat 7] [--profile PAGE]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from sqlmodel import select

from benchmarks.bench_pages import EMPTY_PAGE, add_empty_page, open_page
from benchmarks.common import compared, margin_line

GOAL = 0.150
PASSWORD = "benchmark passphrase, long enough"
PAGES = {  # name: (the screen, who reads it)
    "board dashboard": ("views/board.py", "board"),
    "self-assessment": ("views/self_assessment.py", "manager"),
    "overview": ("views/overview.py", "manager"),
    "gaps and action plan": ("views/gaps_plan.py", "manager"),
}


def demo_instance(folder: Path):
    """A new instance in `folder` with the demo loaded, and its manager and a board member."""
    os.environ.update({"HAVEN_DATA_DIR": str(folder), "HAVEN_DATABASE_URL": f"sqlite:///{folder / 'haven.db'}"})
    for name in ("HAVEN_BLOB_URL", "HAVEN_ENCRYPTION_KEY"):
        os.environ.pop(name, None)
    from accounts.permissions import Principal
    from services.demo import load_demo
    from services.instance import open_instance
    from services.organisations import get_organisation
    from services.users import create_user, principal_for
    from storage.models import User
    from ui.database import get_haven

    get_haven.clear()
    haven = open_instance(migrate_schema=True)
    loaded = load_demo(haven, Principal.system("bench"), today=date.today())
    people = {}
    with haven.session() as session:
        for role in ("manager", "board"):
            create_user(session, Principal.system("bench"), username=f"bench-{role}", password=PASSWORD, role=role,
                        organisation_id=get_organisation(session, loaded.slug).id)
        for role in ("manager", "board"):
            user = session.exec(select(User).where(User.username == f"bench-{role}")).one()
            people[role] = principal_for(session, user)
    return haven, people


def profile(principal, page: str, runs: int = 5) -> None:
    """Where a page's script time goes: cProfile of the script's own thread (AppTest runs the script in a
    thread of its own) over `runs` runs, the top 60 functions by cumulative time."""
    import cProfile
    import pstats
    import threading

    app = open_page(principal, page, 300)
    profiler = cProfile.Profile()

    def in_the_script_thread(*_) -> None:
        sys.setprofile(None)
        profiler.enable()

    threading.setprofile(in_the_script_thread)
    try:
        for _ in range(runs):
            app.run()
    finally:
        threading.setprofile(None)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--profile", choices=list(PAGES), help="print a profile of one page instead of timing")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="haven-bench-demo-pages-") as scratch:
        haven, people = demo_instance(Path(scratch))
        try:
            add_empty_page()
            if args.profile:
                path, who = PAGES[args.profile]
                profile(people[who], path)
                return 0
            for name, (path, who) in PAGES.items():
                page_app, empty_app = open_page(people[who], path, 300), open_page(people[who], EMPTY_PAGE, 300)
                figure, floor = compared(page_app.run, empty_app.run, repeat=args.repeat)
                print(margin_line(f"{name} page as {who} (demo organisation, sqlite)", figure, floor, GOAL), flush=True)
        finally:
            haven.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
