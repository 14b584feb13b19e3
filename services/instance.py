"""One Haven instance: its settings, database engine and evidence store."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from config import Settings, get_settings
from storage.audit_secrets import ANCHOR_FILE, AuditSecrets, load_audit_key, register
from storage.blobs import BlobStore, open_blob_store
from storage.db import make_engine, migrate, session_scope


@dataclass
class Haven:
    settings: Settings
    engine: Engine
    store: BlobStore

    def __post_init__(self) -> None:
        """Gives the database engine its audit key and anchor (storage.audit_secrets)."""
        register(self.engine, self.audit_secrets())

    def audit_secrets(self) -> AuditSecrets:
        key = load_audit_key(self.settings.data_dir, self.settings.audit_key)
        return AuditSecrets(key=key, anchor_path=self.settings.data_dir / ANCHOR_FILE)

    def session(self) -> Iterator[Session]:
        """A transaction: commits when the block ends, rolls back on error."""
        return session_scope(self.engine)


def open_instance(settings: Settings | None = None, *, migrate_schema: bool = False) -> Haven:
    settings = settings or get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    if migrate_schema:
        migrate(engine)
    return Haven(settings=settings, engine=engine, store=open_blob_store(settings))
