"""Shared, expensive parts of the privacy tests: the models load once and each picture set is read once."""
from __future__ import annotations

import pytest

from privacy.engines import warm_up
from tests.privacy import measure


@pytest.fixture(scope="session")
def engines():
    warm_up()


@pytest.fixture(scope="session")
def sign_results(engines):
    pictures = measure.sign_pictures()
    return pictures, measure.read_all(pictures)


@pytest.fixture(scope="session")
def face_results(engines):
    return measure.face_recall()
