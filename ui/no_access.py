"""What an address shows when the person may not open that screen: a plain refusal, not another screen."""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ui.navigation import PageEntry

NO_ACCESS_TITLE = "You have no access to this page"


def no_access_screen(asked_for: PageEntry, landing: PageEntry | None) -> Callable[[], None]:
    def screen() -> None:
        st.title(NO_ACCESS_TITLE)
        st.write(f"The page “{asked_for.title}” is not open to your role here. If your work needs it, "
                 "ask your Haven administrator.")
        if landing is not None:
            st.page_link(landing.path, label=f"Go to {landing.title}", icon=landing.icon)
    screen.__name__ = f"no_access_{asked_for.url_path}"
    return screen
