"""Haven: self-assessment against victim-support quality standards.

Entry point: settings, the sign-in gate and the navigation built from the user's roles.

`streamlit run app.py` finds the `st.App` at the bottom and serves Haven through it: the same pages, plus two
small routes that set and clear the HttpOnly sign-in cookie (serving/session_routes.py). Streamlit runs this
file again as the page script of every session, as `__main__`.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from services.reviews import waiting_for_review
from services.snapshots import refresh_daily_snapshot
from ui.browser_session import cookie_keeper
from ui.database import DATABASE_ERRORS, get_haven, stop_for_database_error
from ui.files_out import inline_address
from ui.navigation import PAGES, PageEntry, landing_page, pages_for, refused_pages
from ui.no_access import no_access_screen
from ui.organisation import current_organisation, organisation_switcher
from ui.session import (
    check_browser_session,
    current_principal,
    enforce_idle_timeout,
    refresh_principal,
    resume_browser_session,
    sign_out,
)
from ui.sign_in import sign_in_screen

# The icon ships with Haven: a Material icon here would make every page fetch it from an outside font server. It is
# sent inside the page, as every picture is: Streamlit's /media/ addresses serve only downloads (serving/media_gate.py).
PAGE_ICON = Path(__file__).parent / "ui" / "assets" / "haven-icon.png"
REVIEW_QUEUE = "views/review_queue.py"
HOME = "home"  # the address of the app itself: the sign-in, or the screen of the person's role


def sign_in_navigation():
    """The sign-in screen, also at every screen's address: a bookmark or a link keeps its address through the
    sign-in and opens that screen after it."""
    pages = [st.Page(sign_in_screen, title="Sign in", icon=":material/login:", url_path=HOME, default=True)]
    pages += [st.Page(sign_in_screen, title=entry.title, url_path=entry.url_path, visibility="hidden")
              for entry in PAGES]
    return st.navigation(pages, position="hidden")


def page_title(haven, principal, organisation_id: int | None, entry: PageEntry) -> str:
    if entry.path != REVIEW_QUEUE or organisation_id is None:
        return entry.title
    with haven.session() as session:
        waiting = waiting_for_review(session, principal, organisation_id=organisation_id)
    return f"{entry.title} ({waiting})" if waiting else entry.title


def signed_in_navigation(haven, principal, organisation_id: int | None):
    """Every screen the person may open, under its own address; the app's bare address opens the screen of their
    role; every other screen's address says "You have no access to this page"."""
    allowed = pages_for(principal, organisation_id)
    landing = landing_page(principal, organisation_id, allowed)
    sections: dict[str, list] = {}
    for entry in allowed:
        sections.setdefault(entry.section, []).append(
            st.Page(entry.path, title=page_title(haven, principal, organisation_id, entry), icon=entry.icon))
    if landing is None:
        home = st.Page("views/no_access.py", title="No access", icon=":material/block:", url_path=HOME, default=True)
        sections["Haven"] = [home]
    else:
        home = st.Page(lambda: st.switch_page(landing.path), title=landing.title, url_path=HOME, default=True,
                       visibility="hidden")
        sections[landing.section].append(home)
    sections[next(iter(sections))] += [
        st.Page(no_access_screen(entry, landing), title=entry.title, url_path=entry.url_path, visibility="hidden")
        for entry in refused_pages(allowed)]
    return st.navigation(sections), home


def main() -> None:
    st.set_page_config(page_title="Haven", page_icon=inline_address(PAGE_ICON.read_bytes()), layout="wide")
    try:
        haven = get_haven()
        resume_browser_session()
        enforce_idle_timeout(haven.settings.idle_timeout_minutes)
        refresh_principal()
        check_browser_session()
        principal = current_principal()
        cookie_keeper()

        organisation = None
        if principal is None:
            navigation = sign_in_navigation()
        else:
            organisation = current_organisation()
            navigation, home = signed_in_navigation(haven, principal, organisation.id if organisation else None)
            with st.sidebar:
                organisation_switcher()
                st.caption(f"Signed in as **{principal.username}**")
                if st.button("Sign out", icon=":material/logout:"):
                    sign_out("You have signed out.")
                    st.switch_page(home)  # the next person to sign in here starts on their own screen

        navigation.run()

        if principal is not None and organisation:
            refresh_daily_snapshot(haven, principal, organisation_id=organisation.id)  # cheap unless something changed
    except DATABASE_ERRORS as error:
        stop_for_database_error(error)


if __name__ == "__main__":
    main()
else:  # imported by the web server that `streamlit run app.py` starts for the st.App below
    from starlette.middleware import Middleware

    from serving.media_gate import MediaGate
    from serving.session_routes import session_routes
    from serving.warm_up import lifespan

    # MediaGate: a /media/ address opens only for the browser session its file was made for.
    app = st.App(__file__, routes=session_routes(), middleware=[Middleware(MediaGate)],
                 lifespan=lifespan)  # lifespan: the network's scores warmed
