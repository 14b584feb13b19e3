"""One Haven instance: its settings, database engine and evidence store."""
from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session

from config import Settings, get_settings
from errors import DatabaseUnavailable
from storage.audit_secrets import ANCHOR_FILE, AuditSecrets, register
from storage.blobs import BlobStore, open_blob_store
from storage.db import make_engine, migrate, session_scope
from storage.secret_key import instance_secret, purpose_key

DATABASE_UNAVAILABLE = "Haven cannot reach its database right now. Try again in a minute."


@dataclass
class Haven:
    settings: Settings
    engine: Engine
    store: BlobStore

    def __post_init__(self) -> None:
        """Gives the database engine its audit key and anchor (storage.audit_secrets)."""
        register(self.engine, AuditSecrets(key=self.key("audit-log"), anchor_path=self.settings.data_dir / ANCHOR_FILE))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: commits when the block ends, rolls back on error.

        A database that cannot be reached (or refuses the work) becomes `DatabaseUnavailable`, with the
        driver's error as its cause, so callers handle one kind of refusal."""
        try:
            with session_scope(self.engine) as session:
                yield session
        except (OperationalError, InterfaceError) as error:
            raise DatabaseUnavailable(DATABASE_UNAVAILABLE) from error

    def key(self, purpose: str) -> bytes:
        """A secret key for one purpose (signing, keyed hashes), derived from the instance's secret."""
        return purpose_key(instance_secret(self.settings.data_dir, self.settings.secret_key), purpose)


def private_folder(folder: Path) -> None:
    """Makes `folder` (its parents as usual) and keeps it to its owner: the data folder holds the SQLite database
    (password hashes, every title, note and review, the audit log), which SQLite creates readable by everyone on
    the machine. A folder Haven may not change (another account's mount) is left as it is."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o077:
        with contextlib.suppress(PermissionError):
            os.chmod(folder, mode & 0o700)


def open_instance(settings: Settings | None = None, *, migrate_schema: bool = False) -> Haven:
    settings = settings or get_settings()
    private_folder(settings.data_dir)
    engine = make_engine(settings.database_url)
    if migrate_schema:
        try:
            migrate(engine)
        except (OperationalError, InterfaceError) as error:
            cause = getattr(error, "orig", None) or error
            raise DatabaseUnavailable(f"the database cannot be reached or used ({type(cause).__name__}: "
                                      f"{(str(cause).strip().splitlines() or [''])[0]})") from error
    return Haven(settings=settings, engine=engine, store=open_blob_store(settings))
