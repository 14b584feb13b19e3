"""The SQLite defaults a small charity runs on: WAL, foreign keys, a busy timeout; migrations idempotent."""
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from storage.db import make_engine, migrate
from storage.models import EvidenceLink


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'haven.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_migrate_creates_every_table_and_is_idempotent(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'haven.db'}")
    migrate(engine)
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"organisation", "user", "membership", "assessment_cycle", "rating", "evidence", "evidence_revision",
            "evidence_link", "review", "plan_item", "snapshot", "audit_entry", "alembic_version"} <= tables


def test_a_link_to_evidence_that_does_not_exist_is_refused(haven):
    with pytest.raises(IntegrityError):
        with haven.session() as session:
            session.add(EvidenceLink(evidence_id=999, action_id="3.1.1"))
    with haven.session() as session:
        assert session.exec(text("SELECT count(*) FROM evidence_link")).one()[0] == 0
