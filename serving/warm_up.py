"""Warms the network's kept scores in the background when the web server starts, and again after midnight;
loads the privacy scan's models once, in the background too.

The first network page of the day (or after a restart) would otherwise score every organisation while the
person waits (about a second at 1,000). `lifespan` is the `st.App` start-up hook: it starts one daemon
thread and returns at once, so the server never waits for it; the thread opens the instance, scores the
network into services.scores' kept reports, then sleeps until just after the next midnight and does it
again. Each replica warms its own memory; what it keeps is checked against the audit log on every read,
so a change made through another replica is scored again when it is next asked for. A failure (database
away, say) is logged and the thread tries again later: the page then simply scores as it always did.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta

from services.instance import Haven, open_instance

RETRY_SECONDS = 300.0
AFTER_MIDNIGHT = timedelta(minutes=1)
_log = logging.getLogger("haven")


def warm_once(haven: Haven, today: date | None = None) -> int:
    from services.scores import warm_score_cache

    with haven.session() as session:
        return warm_score_cache(session, as_of=today or date.today())


def seconds_until_tomorrow(now: datetime) -> float:
    tomorrow = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo) + AFTER_MIDNIGHT
    return max(1.0, (tomorrow - now).total_seconds())


class ScoreWarmer:
    """The background thread: warm, sleep until tomorrow (or a few minutes after a failure), warm again."""

    def __init__(self, open_haven: Callable[[], Haven] = open_instance) -> None:
        self._open_haven = open_haven
        self._stop = threading.Event()
        self.warmed = threading.Event()  # set after each warm-up (tests and benchmarks wait on it)
        self._thread = threading.Thread(target=self._run, name="haven-score-warm-up", daemon=True)

    def start(self) -> ScoreWarmer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        haven = None
        while not self._stop.is_set():
            wait = RETRY_SECONDS
            try:
                haven = haven or self._open_haven()
                warm_once(haven)
                self.warmed.set()
                wait = seconds_until_tomorrow(datetime.now())
            except Exception:  # noqa: BLE001 — a warm-up is an optimisation; it must never take the server down
                _log.warning("Warming the network's scores failed; the pages score as they are asked", exc_info=True)
            self._stop.wait(wait)


def load_privacy_models() -> threading.Thread:
    """Loads the privacy scan's models (about 3 s) in a thread of its own, so the first upload after a start does
    not wait for them; a failure is logged and the first scan then loads them as it always did."""
    def load() -> None:
        try:
            from privacy.engines import warm_up
            warm_up()
        except Exception:  # noqa: BLE001 — an optimisation; the scan reports a missing model itself
            _log.warning("Loading the privacy scan's models failed; the first upload loads them", exc_info=True)

    thread = threading.Thread(target=load, name="haven-privacy-models", daemon=True)
    thread.start()
    return thread


@asynccontextmanager
async def lifespan(_app) -> AsyncIterator[None]:
    """For `st.App(lifespan=…)`: starts the warm-up threads (scores, privacy models) without waiting for them."""
    load_privacy_models()
    warmer = ScoreWarmer().start()
    try:
        yield None
    finally:
        warmer.stop()
