"""AppTest fixtures: the real app.py on a test instance, signed in as a given user."""
from __future__ import annotations

import pytest

from tests.factories import make_organisation, make_user


@pytest.fixture
def organisation(app_haven) -> int:
    """Harbour House, the organisation the page tests work in."""
    return make_organisation(app_haven)


@pytest.fixture
def manager(app_haven, organisation):
    return make_user(app_haven, "amira", "manager", "harbour-house")


