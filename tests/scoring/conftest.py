import pytest

from tests.scoring import builders


@pytest.fixture(scope="session")
def mini():
    return builders.mini()


@pytest.fixture(scope="session")
def vse3():
    return builders.vse3()
