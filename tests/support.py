"""Helpers shared by the test layers."""
from __future__ import annotations

import os

import pytest


def require_or_skip(available: bool, reason: str) -> None:
    """Skip when a real part is unavailable, unless HAVEN_REQUIRE_ALL=1 makes that a failure."""
    if available:
        return
    if os.environ.get("HAVEN_REQUIRE_ALL") == "1":
        pytest.fail(f"HAVEN_REQUIRE_ALL=1 but {reason}")
    pytest.skip(reason)
