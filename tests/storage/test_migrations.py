"""Migrations: the newest one matches the models, and an older database with data upgrades without losing rows."""
from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select, text
from sqlmodel import SQLModel

from bundles.importer import import_bundle
from config import get_settings
from services.instance import Haven
from services.scores import score_network
from storage.audit import check_audit_chain
from storage.blobs import LocalBlobStore
from storage.db import alembic_config, make_engine, migrate
from tests.conftest import _postgres_reachable, postgres_admin_url
from tests.factories import SYSTEM, write_bundle
from tests.support import require_or_skip

AS_OF = date(2026, 11, 23)
FIRST = "0001"


@pytest.fixture(params=("sqlite", "postgresql"))
def empty_database(request, tmp_path):
    """The URL of a database with no tables yet, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'haven.db'}"
        return
    admin_url = postgres_admin_url()
    require_or_skip(bool(admin_url) and _postgres_reachable(admin_url),
                    "PostgreSQL is not available (set HAVEN_TEST_DATABASE_URL)")
    name = f"haven_migration_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def open_at(url: str, tmp_path, revision: str) -> Haven:
    engine = make_engine(url)
    command.upgrade(alembic_config(engine), revision)
    settings = replace(get_settings(), data_dir=tmp_path, database_url=url, blob_url=f"file://{tmp_path / 'evidence'}",
                       encryption_key=None)
    return Haven(settings=settings, engine=engine, store=LocalBlobStore(tmp_path / "evidence"))


def row_counts(engine) -> dict[str, int]:
    """Rows per table, for the tables the database has (a later migration adds tables)."""
    present = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        return {table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in SQLModel.metadata.sorted_tables if table.name in present}


def schema_version(engine) -> str:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_the_newest_migration_gives_exactly_the_tables_and_indexes_of_the_models(empty_database):
    engine = make_engine(empty_database)
    migrate(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                       SQLModel.metadata)
    engine.dispose()
    assert differences == []


def test_a_database_at_the_first_schema_with_data_upgrades_to_the_newest_without_losing_rows(empty_database, tmp_path):
    # Today's code cannot write at the first schema (the organisation table has gained a column since), so the
    # data is written at the newest schema and the database taken back to the first, as a first release left it.
    haven = open_at(empty_database, tmp_path, "head")
    try:
        import_bundle(haven, SYSTEM, write_bundle(tmp_path / "bundle"))
        with haven.session() as session:
            before_scores = score_network(session, SYSTEM, as_of=AS_OF)
        command.downgrade(alembic_config(haven.engine), FIRST)
        assert schema_version(haven.engine) == FIRST
        assert "archived_at" not in {column["name"] for column in inspect(haven.engine).get_columns("organisation")}
        before = row_counts(haven.engine)
        assert before["evidence"] == 3 and before["audit_entry"] > 0 and "privacy_check" not in before

        migrate(haven.engine)

        assert schema_version(haven.engine) != FIRST
        after = row_counts(haven.engine)
        assert {name: count for name, count in after.items() if name in before} == before
        assert all(count == 0 for name, count in after.items() if name not in before)  # new tables start empty
        assert after["privacy_check"] == 0  # files stored before the privacy guard have no record
        indexes = {index["name"] for index in inspect(haven.engine).get_indexes("audit_entry")}
        assert "ix_audit_entry_organisation_newest" in indexes
        with haven.session() as session:
            assert score_network(session, SYSTEM, as_of=AS_OF) == before_scores
            assert check_audit_chain(session) == []
    finally:
        haven.engine.dispose()


def test_the_indexes_can_be_taken_back_to_the_first_schema_and_upgraded_again(empty_database, tmp_path):
    haven = open_at(empty_database, tmp_path, "head")
    try:
        import_bundle(haven, SYSTEM, write_bundle(tmp_path / "bundle"))
        before = row_counts(haven.engine)
        assert before["privacy_check"] == 2  # the photo and the PDF of the bundle
        command.downgrade(alembic_config(haven.engine), FIRST)
        assert schema_version(haven.engine) == FIRST
        assert "ix_audit_entry_organisation_newest" not in {
            index["name"] for index in inspect(haven.engine).get_indexes("audit_entry")}
        assert "privacy_check" not in inspect(haven.engine).get_table_names()
        migrate(haven.engine)
        after = row_counts(haven.engine)
        assert after.pop("privacy_check") == 0  # taking the schema back drops the privacy checks with their table
        before.pop("privacy_check")
        assert after == before
    finally:
        haven.engine.dispose()
