"""The instance every page shares, and the plain words a page shows when its database is away."""
from __future__ import annotations

import logging
from typing import NoReturn

import streamlit as st
from sqlalchemy.exc import InterfaceError, OperationalError

from errors import DatabaseUnavailable
from services.instance import Haven, open_instance

# Services raise DatabaseUnavailable; the raw driver errors can still come from a read made outside a service.
DATABASE_ERRORS = (DatabaseUnavailable, OperationalError, InterfaceError)
DATABASE_UNAVAILABLE = (
    "Haven cannot reach its database right now, so this page cannot be shown. If you were saving something, "
    "check that it was stored once Haven is back. Try again in a minute; if this goes on, tell your Haven administrator."
)
DATABASE_UNAVAILABLE_CHANGE = "Haven could not reach its database, so your last change was not saved. Try again in a minute."
_log = logging.getLogger("haven")


@st.cache_resource(show_spinner=False)
def get_haven() -> Haven:
    return open_instance(migrate_schema=True)


def log_database_error(error: Exception) -> None:
    """Logs the driver's error class and first line (never its parameters)."""
    cause = error.__cause__ or getattr(error, "orig", None) or error
    cause = getattr(cause, "orig", None) or cause
    _log.error("The database cannot be reached: %s: %s", type(cause).__name__,
               (str(cause).strip().splitlines() or [""])[0])


def stop_for_database_error(error: Exception) -> NoReturn:
    """Shows the plain message instead of a traceback when the database is down or went away mid-session."""
    log_database_error(error)
    st.error(DATABASE_UNAVAILABLE, icon=":material/cloud_off:")
    st.button("Try again", type="primary")
    st.stop()
