"""Page runs (streamlit.testing AppTest, the real app.py) against an empty page, at a network's scale.

Each page is opened as the person who reads it, signed in, in a network of N organisations; a run is one
``app.run()`` on that page (the whole script: sign-in gate, navigation, sidebar, the page, the daily
snapshot check). The floor is the same person's run of an empty page added to the navigation.
Goals: the overview and the board dashboard under 150 ms above the empty page for a person of one
organisation; the network page under 600 ms above it at full scale (1,000 organisations).

The network page is measured four ways: as a board member opening it again (the network's reports are
kept), after a change to one organisation (one report is computed again), cold (the first view of the
day, or after a restart, with nothing kept: every organisation scored), and the first view after a restart
once the background warm-up of serving/warm_up.py has run (what a restarted server now gives).

    python -m benchmarks.bench_pages --organisations 1000 [--database-url …] [--repeat 5]
    python -m benchmarks.bench_pages --from FOLDER --times 100 --only network   (a copied network, widen.py)
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sqlmodel import select

from accounts.permissions import Principal
from benchmarks.common import (
    REFERENCE_DAY,
    Timing,
    add_common_arguments,
    compared,
    drop_bench_database,
    margin_line,
)
from benchmarks.network import GENERATOR, ensure_network
from services import scores
from services.organisations import get_organisation
from services.ratings import set_rating
from services.users import create_user, principal_for
from storage.models import Organisation, User

REPO = Path(__file__).resolve().parents[1]
EMPTY_PAGE = "benchmarks/empty_page.py"
ONE_ORGANISATION_GOAL = 0.150
NETWORK_GOAL = 0.600
PASSWORD = "benchmark passphrase, long enough"
SCREENS = {  # the screen's file name in the navigation (ui/navigation.py), and who reads it
    "overview": ("overview.py", "manager"),
    "board dashboard": ("board.py", "board"),
    "network": ("network.py", "network board"),
}


def bench_people(haven, first_slug: str) -> dict[str, Principal]:
    """A manager and a board member of the first organisation, and a board member of the whole network."""
    wanted = {"manager": ("bench-manager", "manager", first_slug), "board": ("bench-board", "board", first_slug),
              "network board": ("bench-network", "board", None)}
    people = {}
    with haven.session() as session:
        for key, (username, role, slug) in wanted.items():
            user = session.exec(select(User).where(User.username == username)).first()
            user = user or create_user(session, GENERATOR, username=username, password=PASSWORD, role=role,
                                       organisation_id=get_organisation(session, slug).id if slug else None)
            people[key] = principal_for(session, user)
    return people


def screen_path(file_name: str) -> str | None:
    """Where the navigation finds a screen (its folder has moved before: found by file name)."""
    from ui import navigation

    for entry in navigation.PAGES:
        if Path(entry.path).name == file_name and (REPO / entry.path).is_file():
            return entry.path
    return None


def add_empty_page() -> None:
    """Puts the empty page into the navigation of this process (AppTest runs app.py in this process)."""
    from ui import navigation

    if not any(entry.path == EMPTY_PAGE for entry in navigation.PAGES):
        navigation.PAGES = navigation.PAGES + (
            navigation.PageEntry(EMPTY_PAGE, "Empty", ":material/check_box_outline_blank:", "Benchmark", "view_scores"),
        )


def open_page(principal: Principal, page: str, timeout: float):
    from streamlit.testing.v1 import AppTest

    from ui.session import PRINCIPAL_KEY

    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=timeout)
    app.session_state[PRINCIPAL_KEY] = principal
    app.run()
    app.switch_page(page)
    app.run()
    if app.exception:
        raise RuntimeError(f"{page} failed: {app.exception[0].value}")
    return app


def time_page(principal: Principal, page: str, *, repeat: int, timeout: float, before_each=None) -> tuple[Timing, Timing]:
    page_app, empty_app = open_page(principal, page, timeout), open_page(principal, EMPTY_PAGE, timeout)

    def run_page():
        if before_each:
            before_each()
        page_app.run()

    return compared(run_page, empty_app.run, repeat=repeat)


def time_after_restart(haven, principal: Principal, page: str, *, repeat: int, timeout: float) -> tuple[Timing, Timing]:
    """The first view after a restart once the background warm-up (serving/warm_up.py) has run: before each
    pair, untimed, the kept reports are forgotten (a new process) and warmed as the server's start does."""
    from serving.warm_up import warm_once

    page_app, empty_app = open_page(principal, page, timeout), open_page(principal, EMPTY_PAGE, timeout)
    pairs = []
    for _ in range(repeat):
        scores.clear_score_cache()
        warm_once(haven)
        pairs.append(compared(page_app.run, empty_app.run, repeat=1, warmup=0))
    return tuple(Timing(tuple(r for pair in pairs for r in pair[side].runs),
                        tuple(r for pair in pairs for r in pair[side].cpu_runs)) for side in (0, 1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--timeout", type=float, default=300, help="seconds one page run may take")
    parser.add_argument("--from", dest="base", type=Path,
                        help="instead of generating: copy this data folder's network --times over (benchmarks/widen.py)")
    parser.add_argument("--times", type=int, default=1)
    parser.add_argument("--only", choices=sorted(SCREENS), help="time only this screen")
    args = parser.parse_args(argv)
    if args.base:
        from benchmarks.widen import widened_network

        target = widened_network(args.base, args.times)
    else:
        target = ensure_network(args.organisations, args.seed, args.database_url,
                                snapshot_months=args.snapshot_months)
    os.environ.update(target.environment())
    os.environ.pop("HAVEN_BLOB_URL", None)
    os.environ.pop("HAVEN_ENCRYPTION_KEY", None)
    from ui.database import get_haven

    get_haven.clear()
    haven = target.open()
    try:
        with haven.session() as session:
            first = session.exec(select(Organisation).order_by(Organisation.slug)).first()
        people = bench_people(haven, first.slug)
        add_empty_page()
        with haven.session() as session:
            organisations = len(session.exec(select(Organisation.id)).all())
        scale = f"{organisations} organisations, {target.backend}"
        for name, (file_name, who) in SCREENS.items():
            if args.only and name != args.only:
                continue
            page = screen_path(file_name)
            if page is None:
                print(f"SKIPPED {name}: no {file_name} in the navigation yet")
                continue
            goal = NETWORK_GOAL if name == "network" else ONE_ORGANISATION_GOAL
            figure, floor = time_page(people[who], page, repeat=args.repeat, timeout=args.timeout)
            print(margin_line(f"{name} page as {who} ({scale}{', reports kept' if name == 'network' else ''})",
                              figure, floor, goal))
            if name != "network":
                continue
            ratings = iter(["met", "partially_met"] * (args.repeat + 2))

            def change_one_organisation(ratings=ratings):
                with haven.session() as session:
                    set_rating(session, GENERATOR, organisation_id=first.id, action_id=_first_action(),
                               rating=next(ratings))

            figure, floor = time_page(people[who], page, repeat=args.repeat, timeout=args.timeout,
                                      before_each=change_one_organisation)
            print(margin_line(f"{name} page as {who} ({scale}, after a change to one organisation)",
                              figure, floor, goal))
            figure, floor = time_page(people[who], page, repeat=max(2, args.repeat // 2), timeout=args.timeout,
                                      before_each=scores.clear_score_cache)
            print(margin_line(f"{name} page as {who} ({scale}, cold: every organisation scored)",
                              figure, floor, goal))
            figure, floor = time_after_restart(haven, people[who], page, repeat=max(2, args.repeat // 2),
                                               timeout=args.timeout)
            print(margin_line(f"{name} page as {who} ({scale}, first view after a restart, scores warmed "
                              "in the background at start-up)", figure, floor, goal))
        print(f"(scores taken on the day the app runs; the network's evidence is dated around {REFERENCE_DAY})")
    finally:
        haven.engine.dispose()
        get_haven.clear()
        if not args.keep:
            drop_bench_database(target)
    return 0


def _first_action() -> str:
    from services.organisations import default_standard_id
    from standards.loader import get_standard

    return get_standard(default_standard_id()).actions[0].id


if __name__ == "__main__":
    sys.exit(main())
