"""The database engine, sessions and migrations."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
NUL = "\x00"


def make_engine(url: str) -> Engine:
    """The engine for `url`. Bound parameters (password hashes among them) never appear in SQL logs or in the
    text of database errors (hide_parameters)."""
    if url.startswith("sqlite"):
        _ensure_sqlite_folder(url)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, hide_parameters=True)
        event.listen(engine, "connect", _configure_sqlite_connection)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _take_transaction_lock)
        event.listen(engine, "before_cursor_execute", _without_nul_parameters, retval=True)
    return engine


def _without_nul_parameters(_connection, _cursor, statement, parameters, _context, executemany):
    """PostgreSQL refuses even to compare with text holding NUL (a user name pasted with one would end the sign-in
    in a database error): such a parameter is sent without it."""
    if executemany and isinstance(parameters, (list, tuple)):
        return statement, type(parameters)(_strip_nul(p) for p in parameters)
    return statement, _strip_nul(parameters)


def _strip_nul(parameters):
    if isinstance(parameters, dict):
        if any(isinstance(v, str) and NUL in v for v in parameters.values()):
            return {k: v.replace(NUL, "") if isinstance(v, str) else v for k, v in parameters.items()}
        return parameters
    if isinstance(parameters, (list, tuple)) and any(isinstance(v, str) and NUL in v for v in parameters):
        return type(parameters)(v.replace(NUL, "") if isinstance(v, str) else v for v in parameters)
    return parameters


def _ensure_sqlite_folder(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite_connection(dbapi_connection, _record) -> None:
    # Transactions are started by _begin_immediate, so pysqlite must not start its own.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_immediate(connection) -> None:
    """Take SQLite's write lock at BEGIN, so read-then-write transactions never deadlock."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _drop_nul_characters(session, _flush_context, _instances) -> None:
    """PostgreSQL refuses text holding NUL (0x00), and nobody means to type one: it is dropped from every text
    value before a flush, so a pasted NUL never turns a save into a database error, and both backends store
    the same. (The audit log drops it before hashing; see storage.audit.)"""
    for instance in (*session.new, *session.dirty):
        for attribute in sa_inspect(instance).mapper.column_attrs:
            value = getattr(instance, attribute.key, None)
            if isinstance(value, str) and NUL in value:
                setattr(instance, attribute.key, value.replace(NUL, ""))


event.listen(OrmSession, "before_flush", _drop_nul_characters)

TRANSACTION_LOCK_KEY = 7_311_004  # the PostgreSQL advisory lock Haven's transactions take in turn


def _take_transaction_lock(connection) -> None:
    """PostgreSQL's counterpart of SQLite's BEGIN IMMEDIATE: one Haven transaction at a time.

    Services read, then write (the row of a rating, a link, the next revision number, the last audit
    entry, today's snapshot); under READ COMMITTED two sessions doing that at once would both insert
    and one would fail on a unique constraint, or fork the audit chain. Taking this lock first makes
    every transaction see the one before it, as SQLite does; it is released at commit or rollback.
    """
    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({TRANSACTION_LOCK_KEY})")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration."""
    command.upgrade(alembic_config(engine), "head")
