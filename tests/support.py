"""Helpers shared by the test layers."""
from __future__ import annotations

import os

import pytest
from argon2 import PasswordHasher


def require_or_skip(available: bool, reason: str) -> None:
    """Skip when a real part is unavailable, unless HAVEN_REQUIRE_ALL=1 makes that a failure."""
    if available:
        return
    if os.environ.get("HAVEN_REQUIRE_ALL") == "1":
        pytest.fail(f"HAVEN_REQUIRE_ALL=1 but {reason}")
    pytest.skip(reason)


def quick_password_hasher() -> tuple[PasswordHasher, str]:
    """argon2 at its lowest cost and a dummy hash made with it, so the many hashes of the tests take milliseconds."""
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return hasher, hasher.hash("haven-timing-equaliser-password")
