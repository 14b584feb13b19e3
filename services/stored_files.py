"""The one way evidence files reach the store: files first, then the rows that refer to them.

Uploads, `ingest` and bundle imports all go through `files_then_rows`:

    with files_then_rows(haven) as files:
        keys = files.put(intake)               # the file (and its thumbnail) is in the store
        with haven.session() as session:       # the rows that refer to it commit inside the block
            ...

A file goes into the store before its row commits, so no row is ever without its file. When the block
fails, the files it stored are removed again unless a row refers to them; that check and the removal run
in one write transaction that holds Haven's file lock, and every block takes the same lock before its rows
commit, so a failing change never removes a file that another change has committed meanwhile. A change
whose rows committed just after a failing twin removed the shared file stores it once more (it still holds
the bytes), so `verify` finds every file in the end.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlmodel import Session, select

from evidence.intake import IntakeResult
from services.instance import Haven
from storage.db import hold_write_lock
from storage.models import EvidenceRevision

FILE_LOCK_KEY = 7_311_005  # PostgreSQL advisory lock: removing unreferenced files vs committing rows that use them


@dataclass
class PendingFiles:
    """The files one change put into the store, with their bytes, until its rows have committed."""

    haven: Haven
    stored: dict[str, bytes] = field(default_factory=dict)

    def put(self, intake: IntakeResult | None) -> tuple[str | None, str | None]:
        """Stores the intake's file and thumbnail; (file key, thumbnail key), (None, None) for no file.

        The file's SHA-256 is the one the intake computed; the thumbnail's is computed here, once."""
        if intake is None:
            return None, None
        content_key = self._put(intake.content, intake.sha256)
        thumbnail_key = None
        if intake.thumbnail is not None:
            thumbnail_key = self._put(intake.thumbnail, hashlib.sha256(intake.thumbnail).hexdigest())
        return content_key, thumbnail_key

    def _put(self, content: bytes, key: str) -> str:
        stored = self.haven.store.put(content, key=key)
        self.stored[stored] = content
        return stored

    def forget_unreferenced(self) -> None:
        """After the rows failed: removes the files no row refers to (verify reports any left behind)."""
        if not self.stored:
            return
        with suppress(Exception), self.haven.session() as session:
            lock_files(session)
            used = set(session.exec(select(EvidenceRevision.blob_key).where(
                EvidenceRevision.blob_key.in_(list(self.stored))))) | set(session.exec(
                select(EvidenceRevision.thumbnail_key).where(EvidenceRevision.thumbnail_key.in_(list(self.stored)))))
            for key in self.stored:
                if key not in used:
                    self.haven.store.delete(key)

    def store_again_if_removed(self) -> None:
        """After the rows committed: a failed twin may have removed a shared file just before; store it again."""
        for key, content in self.stored.items():
            if not self.haven.store.exists(key):
                self.haven.store.put(content, key=key)


def lock_files(session: Session) -> None:
    """Serialises removing unreferenced files with committing rows that refer to files.

    SQLite takes the database's write lock (see storage.db.hold_write_lock); PostgreSQL an advisory lock,
    both until the transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=FILE_LOCK_KEY))
    else:
        hold_write_lock(session)


@contextmanager
def files_then_rows(haven: Haven) -> Iterator[PendingFiles]:
    """Stores files, lets the caller commit the rows that refer to them, and cleans up on failure (see above).

    The caller's row transaction must call `lock_files(session)` before it commits (the evidence services
    that record a file do)."""
    pending = PendingFiles(haven)
    try:
        yield pending
    except BaseException:
        pending.forget_unreferenced()
        raise
    pending.store_again_if_removed()
