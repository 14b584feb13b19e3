"""The one base of Haven's refusals: every error a person should read derives from `HavenError`.

Its message is written for the person who caused it (a manager, an operator at the command line) and
nothing was changed when it is raised. The command line and the screens catch this base only: any
other exception is a bug and is allowed to surface as one.
"""
from __future__ import annotations


class HavenError(Exception):
    """A refusal or an outage, with a message fit to show the user; nothing was stored."""

    @property
    def user_message(self) -> str:
        return str(self.args[0]) if self.args else "Haven could not do that."


class DatabaseUnavailable(HavenError):
    """The database cannot be reached or refused the work (down, gone away, locked)."""
