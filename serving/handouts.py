"""Which browser session each file handed out through Streamlit's /media/… addresses was made for.

A download button's file is made when the person clicks, then kept in Streamlit's media store and served at
/media/<id> to anyone who has that address, signed in or not, until the store lets go of it (a few page runs
later, or never on an idle server). The address stays in the browser's download list. So each file Haven hands
out is recorded here by its SHA-256 with the browser session (services.browser_sessions) it was made for, and
the media gate (serving/media_gate.py) serves it only to a request whose sign-in cookie is that session's.

One process's memory, like Streamlit's media store itself: a browser stays on one replica (README).
"""
from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

KEEP_SECONDS = 15 * 60  # longer than Streamlit keeps a download in its store once the page moves on

_lock = threading.Lock()
_sessions_by_digest: dict[str, dict[int, float]] = {}


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hand_out(data: bytes, browser_session_id: int | None, *, now: float | None = None) -> bytes:
    """Records that `data` is handed to this browser session, and returns it. Without a browser session (no
    cookie can ever match) nothing is recorded, and the media gate serves the file to nobody."""
    if browser_session_id is None:
        return data
    now = time.monotonic() if now is None else now
    digest = digest_of(data)
    with _lock:
        _forget_stale(now)
        _sessions_by_digest.setdefault(digest, {})[browser_session_id] = now + KEEP_SECONDS
    return data


def handed_to(digest: str, *, now: float | None = None) -> frozenset[int]:
    """The browser sessions a file with this SHA-256 was handed to, lately."""
    now = time.monotonic() if now is None else now
    with _lock:
        sessions = _sessions_by_digest.get(digest, {})
        return frozenset(session_id for session_id, until in sessions.items() if until > now)


def handing_out(produce: Callable[[], bytes], browser_session_id: int | None) -> Callable[[], bytes]:
    """`produce`, with what it makes recorded for the browser session (for a download button's `data`)."""
    return lambda: hand_out(produce(), browser_session_id)


def _forget_stale(now: float) -> None:
    for digest in [d for d, sessions in _sessions_by_digest.items() if all(u <= now for u in sessions.values())]:
        del _sessions_by_digest[digest]


def forget_all() -> None:
    """For tests."""
    with _lock:
        _sessions_by_digest.clear()
