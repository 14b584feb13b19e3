"""Shared fixtures: a Haven instance on SQLite (a temp folder) and on PostgreSQL when it is available."""
from __future__ import annotations

import os
import secrets
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

from config import get_settings
from services.instance import Haven
from storage.blobs import LocalBlobStore, open_blob_store
from storage.db import make_engine, migrate
from tests.support import quick_password_hasher, require_or_skip
from ui.database import get_haven

# Shared fixtures that live in their own modules: the S3 API server and the page tests' download reader.
pytest_plugins = ["tests.s3_support", "tests.ui.downloads"]

BACKENDS = ("sqlite", "postgresql")

# One secret key for the whole test run, as an operator sets HAVEN_SECRET_KEY for every process of one Haven:
# instances the tests build (and the command-line processes they start) can restore each other's backups and
# check each other's audit entries. Tests of the key file in the data folder clear it themselves.
os.environ.setdefault("HAVEN_SECRET_KEY", secrets.token_hex(32))


@pytest.fixture(autouse=True)
def quick_argon2(request, monkeypatch):
    """Real argon2 at its lowest cost, so the many hashes of the tests take milliseconds.

    A test marked `real_argon2` keeps the production cost."""
    if request.node.get_closest_marker("real_argon2"):
        return
    from accounts import passwords

    quick, dummy = quick_password_hasher()
    monkeypatch.setattr(passwords, "_hasher", quick)
    monkeypatch.setattr(passwords, "DUMMY_HASH", dummy)


def postgres_admin_url() -> str | None:
    return os.environ.get("HAVEN_TEST_DATABASE_URL") or None


def _postgres_reachable(url: str) -> bool:
    try:
        engine = create_engine(url)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite database, copied for each test so migrations run once."""
    path = tmp_path_factory.mktemp("template") / "haven.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()  # the last connection closing folds the WAL back into the file
    return path


@pytest.fixture(scope="session")
def postgres_database_url():
    """A fresh, migrated PostgreSQL database for this test run, dropped at the end."""
    admin_url = postgres_admin_url()
    require_or_skip(bool(admin_url) and _postgres_reachable(admin_url),
                    "PostgreSQL is not available (set HAVEN_TEST_DATABASE_URL)")
    name = f"haven_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


def build_haven(backend: str, tmp_path: Path, request) -> Haven:
    data_dir = tmp_path / "data"
    data_dir.mkdir(parents=True)
    if backend == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), data_dir / "haven.db")
        url = f"sqlite:///{data_dir / 'haven.db'}"
    else:
        url = request.getfixturevalue("postgres_database_url")
        _empty_postgres(url)
    settings = replace(get_settings(), data_dir=data_dir, database_url=url, blob_url=f"file://{data_dir / 'evidence'}",
                       encryption_key=None)
    engine = make_engine(url)
    return Haven(settings=settings, engine=engine, store=LocalBlobStore(data_dir / "evidence"))


@pytest.fixture(params=BACKENDS)
def haven(request, tmp_path) -> Haven:
    """A Haven instance on each database backend, with a local evidence store."""
    instance = build_haven(request.param, tmp_path, request)
    yield instance
    instance.engine.dispose()


@pytest.fixture
def sqlite_haven(request, tmp_path) -> Haven:
    instance = build_haven("sqlite", tmp_path, request)
    yield instance
    instance.engine.dispose()


def on_s3(instance: Haven, endpoint_url: str) -> Haven:
    """The same instance with its evidence store in a fresh bucket on the S3 API server at `endpoint_url`."""
    from tests.s3_support import make_s3_bucket  # a plugin module (pytest_plugins): imported once pytest has it

    bucket = make_s3_bucket(endpoint_url, f"haven-{uuid.uuid4().hex[:12]}")
    settings = replace(instance.settings, blob_url=f"s3://{bucket}/evidence", s3_endpoint_url=endpoint_url)
    return replace(instance, settings=settings, store=open_blob_store(settings))


@pytest.fixture
def haven_s3(request, tmp_path, s3_server_url) -> Haven:
    """A Haven on SQLite whose evidence store is an S3 bucket on moto's S3 API server (a new bucket per test)."""
    instance = on_s3(build_haven("sqlite", tmp_path, request), s3_server_url)
    yield instance
    instance.engine.dispose()


@contextmanager
def opened_by_the_app(instance: Haven, monkeypatch) -> Iterator[Haven]:
    """`instance`, made the one the app opens (through the same settings variables a user sets), until the end."""
    monkeypatch.setenv("HAVEN_DATA_DIR", str(instance.settings.data_dir))
    monkeypatch.setenv("HAVEN_DATABASE_URL", instance.settings.database_url)
    monkeypatch.delenv("HAVEN_BLOB_URL", raising=False)
    monkeypatch.delenv("HAVEN_ENCRYPTION_KEY", raising=False)
    get_haven.clear()
    try:
        yield instance
    finally:
        get_haven.clear()


@pytest.fixture
def app_haven(haven, monkeypatch):
    """The test instance, made the one the app opens."""
    with opened_by_the_app(haven, monkeypatch) as instance:
        yield instance
