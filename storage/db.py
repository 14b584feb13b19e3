"""The database engine, sessions and migrations."""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

from storage.sqlite_writers import QueuedWriterConnection

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
NUL = "\x00"
BUSY_TIMEOUT_SECONDS = 30.0
"""How long a SQLite writer waits for its turn in this process's writer queue, and then at most as long again
for SQLite's lock (held by another process), before "database is locked"."""
T = TypeVar("T")


def make_engine(url: str, *, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> Engine:
    """The engine for `url`. Bound parameters (password hashes among them) never appear in SQL logs or in the
    text of database errors (hide_parameters).

    On SQLite, `busy_timeout` is how long a writer waits for its turn among this process's writers
    (storage.sqlite_writers), and at most as long again for SQLite's write lock, before "database is locked"."""
    if url.startswith("sqlite"):
        _ensure_sqlite_folder(url)
        engine = create_engine(url, connect_args={"timeout": busy_timeout, "check_same_thread": False,
                                                  "factory": QueuedWriterConnection}, hide_parameters=True)
        event.listen(engine, "connect", _configure_sqlite_connection)
        event.listen(engine, "begin", _begin_reading)
        event.listen(engine, "before_cursor_execute", _take_write_lock_before_writing)
        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True)
    if engine.dialect.name == "postgresql":
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
    # Transactions are started by _begin_reading, so pysqlite must not start its own.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")  # the busy timeout is the connection's `timeout` (make_engine)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


_WRITING = "haven_writing"  # in a SQLite connection's info: this transaction holds the write lock
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "SAVEPOINT")


def _begin_reading(connection) -> None:
    """A SQLite transaction starts as a reader: in WAL mode it sees one moment of the database and never waits."""
    connection.info[_WRITING] = False
    connection.exec_driver_sql("BEGIN")


def _take_write_lock_before_writing(connection, _cursor, statement, _parameters, context, _executemany) -> None:
    """SQLite's counterpart of PostgreSQL's row locks: a transaction takes the (one) write lock just before its
    first write or its first `SELECT … FOR UPDATE`, and not before.

    A reader's snapshot cannot become a writer once another transaction has written since it began (SQLite
    answers "database is locked" at once), so the reading part is ended (it wrote nothing) and the transaction
    goes on as BEGIN IMMEDIATE, which waits its turn: first behind this process's other writers (the writer
    queue, storage.sqlite_writers, left at COMMIT or ROLLBACK), then for other processes' through SQLite.
    Like PostgreSQL's READ COMMITTED, what was read before the lock may have changed: services decide on what they read under `with_for_update()` (see
    storage.db.lock_row) or write with INSERT … ON CONFLICT.
    """
    if connection.info.get(_WRITING, True):
        return
    if not (statement.lstrip()[:9].upper().startswith(_WRITE_VERBS) or _selects_for_update(context)):
        return
    _become_writer(connection)


def _become_writer(connection) -> None:
    connection.info[_WRITING] = True
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection.in_transaction:
        dbapi_connection.execute("COMMIT")  # ends the read snapshot before waiting, so it holds back no checkpoint
    dbapi_connection.begin_writing()


def _selects_for_update(context) -> bool:
    compiled = getattr(context, "compiled", None)
    statement = getattr(compiled, "statement", None)
    return getattr(statement, "_for_update_arg", None) is not None


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

def lock_row(session: Session, model: type[T], row_id: int) -> T | None:
    """The row as committed now, locked until the transaction ends (`SELECT … FOR UPDATE` on PostgreSQL; on
    SQLite the write lock, see _take_write_lock_before_writing). A service that reads, then writes on what it
    read, locks the parent row first: a second session doing the same waits, then sees the first one's work."""
    return session.get(model, row_id, with_for_update=True, populate_existing=True)


AUDIT_CHAIN_LOCK_KEY = 7_311_004  # the PostgreSQL advisory lock held from an audit append to its commit


def hold_write_lock(session: Session) -> None:
    """On SQLite, takes the database's (one) write lock now, before reading what the write depends on; on
    PostgreSQL nothing: there a caller locks its rows or an advisory key."""
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not connection.info.get(_WRITING, True):
        _become_writer(connection)


def lock_audit_chain(session: Session) -> None:
    """The one serialised step of a write: from here to commit no other transaction appends to the audit chain,
    so the entry read as the newest stays the newest. Services append their entry last, so it is held briefly."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({AUDIT_CHAIN_LOCK_KEY})")
    elif connection.dialect.name == "sqlite" and not connection.info.get(_WRITING, True):
        _become_writer(connection)


def insert_statement(session: Session, model):
    """INSERT for the session's database, with `on_conflict_do_nothing` / `on_conflict_do_update`."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert(model)
    return sqlite_insert(model)


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
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration.

    A database already at the newest migration (every start but the first after an upgrade) costs one query:
    Alembic, its migration scripts and every dialect it supports are loaded only when there is work to do."""
    newest = newest_revision()
    if newest is not None and _recorded_revisions(engine) == [newest]:
        return
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*=\s*(?:None|['\"]([^'\"]+)['\"])", re.MULTILINE)


def newest_revision() -> str | None:
    """The head of the migration scripts, read from their text; None when that is not one plain chain (then
    Alembic decides)."""
    revisions, parents = set(), set()
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        text = script.read_text(encoding="utf-8")
        revision, down = _REVISION.search(text), _DOWN_REVISION.search(text)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        if down.group(1):
            parents.add(down.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def _recorded_revisions(engine: Engine) -> list[str]:
    """The revisions the database says it is at; none when it has no version table yet."""
    with engine.connect() as connection:
        if not sa_inspect(connection).has_table("alembic_version"):
            return []
        return [row[0] for row in connection.exec_driver_sql("SELECT version_num FROM alembic_version")]
