"""The one way a screen tells the user what a change did.

A change runs in a callback or before a rerun, when nothing can be drawn; `tell` keeps the words for
the next run and `show_notices` draws them once, where the screen (or one form of it) shows its notices.
`attempt` runs one service call: a refusal is told as an error and nothing else happens; success is
told as done.
"""
from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

import streamlit as st
from sqlmodel import Session

from errors import HavenError
from ui.widgets import markdown_text

PAGE = "page"  # the notices shown under a screen's title
TOAST = "toast"  # shown as a toast, for a change made far down a long page


class Notice(StrEnum):
    SUCCESS = "success"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


def _key(where: str) -> str:
    return f"haven_notices:{where}"


def tell(text: str, kind: Notice = Notice.SUCCESS, *, where: str = PAGE) -> None:
    """Keeps `text` (Markdown: pass user text through `markdown_text`) to be shown once by
    `show_notices(where)` on this or the next run."""
    st.session_state.setdefault(_key(where), []).append((Notice(kind), text))


def show_notices(where: str = PAGE, *, keep: bool = False) -> None:
    """Draws what was told for `where` (Markdown, never HTML): once, or, with `keep`, on every run until
    `forget_notices` (the sign-in screen keeps "You have signed out." through the reruns a sign-out makes)."""
    draw = {Notice.SUCCESS: st.success, Notice.ERROR: st.error, Notice.WARNING: st.warning, Notice.INFO: st.info}
    told = st.session_state.get(_key(where), []) if keep else st.session_state.pop(_key(where), [])
    for kind, text in told:
        if where == TOAST:
            st.toast(text, icon=":material/task_alt:" if kind == Notice.SUCCESS else ":material/error:")
        else:
            draw[kind](text)


def forget_notices(where: str = PAGE) -> None:
    st.session_state.pop(_key(where), None)


def attempt(
    haven, change: Callable[[Session], object], *, done: str | Callable[[object], str] | None = None,
    where: str = PAGE, in_callback: bool = False,
) -> bool:
    """Runs `change` (one service call) in its own transaction; True when it was stored.

    A refusal (any HavenError) is shown at once where the screen is being drawn, or, from a callback
    (`in_callback`, which cannot draw), kept for `show_notices(where)`. On success `done` is told for the
    next run: a text, or a function of what `change` returned. The caller reruns when it wants the change shown."""
    try:
        with haven.session() as session:
            result = change(session)
    except HavenError as error:
        if in_callback:
            tell(markdown_text(error.user_message), Notice.ERROR, where=where)
        else:
            st.error(markdown_text(error.user_message))
        return False
    if done is not None:
        tell(done(result) if callable(done) else done, Notice.SUCCESS, where=where)
    return True
