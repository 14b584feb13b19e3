"""Errors that services raise with a message fit to show the user."""
from __future__ import annotations

from errors import HavenError


class ServiceError(HavenError, ValueError):
    """Bad input or a state that refuses the change; nothing was stored."""


class NotFound(ServiceError):
    pass
