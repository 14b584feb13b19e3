"""What most service tests start from: an organisation and its manager, on each database backend."""
from __future__ import annotations

import pytest

from accounts.permissions import Principal
from tests.factories import make_organisation, make_user


@pytest.fixture
def organisation(haven) -> int:
    """Harbour House (its id), the organisation the service tests work in."""
    return make_organisation(haven)


@pytest.fixture
def manager(haven, organisation) -> Principal:
    """Amira, Harbour House's manager, without a password: the service tests act as her without signing in."""
    return make_user(haven, "amira", "manager", "harbour-house", password=None)
