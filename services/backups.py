"""Backups: the whole instance (every table and every evidence file) to one zip file, and back.

The zip holds
  manifest.json         format, version, Alembic revision, created_at, row and file counts, checksums
  tables/<table>.jsonl  every row as one JSON object per line, tables in dependency order
  blobs/<sha256>        every evidence file and thumbnail that a row refers to, as plaintext
  manifest.sig          HMAC-SHA256 of manifest.json under a key derived from the instance's secret key (kept
                        outside the database and the backup, storage.secret_key): the manifest holds the checksum of every table and the list of every file, so
                        an edited table, a swapped-in file or a re-written manifest no longer verifies

Rows are written through the SQLModel metadata, not a database dump, so a backup made on SQLite
restores into PostgreSQL and the other way round. Files are stored decrypted and re-encrypted
with the target's HAVEN_ENCRYPTION_KEY on restore, so keep backups as safe as the evidence itself.

A restore goes only into an empty instance and changes nothing when it refuses: the archive is
checked first, every file is re-hashed while it is put back (and removed again on any fault), and
the rows go in within one transaction that also re-checks the audit chain.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Table, TypeDecorator, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel

import storage.models  # noqa: F401  (registers the tables)
from errors import HavenError
from services.instance import Haven
from storage.audit import append_audit, check_audit_chain, write_pending_audit
from storage.audit_secrets import Anchor, secrets_for
from storage.blobs import BlobNotFound, check_key, content_key

FORMAT = "haven-backup"
FORMAT_VERSION = 2  # 2: signed (manifest.sig), the manifest lists every file
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MAX_MEMBER_BYTES = 2 * 1024**3
_INSERT_BATCH = 500


class BackupError(HavenError, ValueError):
    """A backup could not be written or restored; the message says why, and nothing was changed."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    rows: dict[str, int]
    files: int
    created_at: str
    alembic_revision: str | None

    def describe(self) -> str:
        return (f"{sum(self.rows.values())} rows in {len(self.rows)} tables and {self.files} evidence files "
                f"(backup of {self.created_at}, schema {self.alembic_revision})")


def tables_in_order() -> list[Table]:
    """Every table of Haven, each after the tables it refers to."""
    return list(SQLModel.metadata.sorted_tables)


# --- backup ---------------------------------------------------------------------------------------------------


def write_backup(haven: Haven, out: Path, *, actor: str = "cli") -> BackupSummary:
    """Writes the instance to `out` (a zip, written beside it and renamed into place when complete)."""
    out = Path(out)
    if out.exists() and out.is_dir():
        raise BackupError(f"{out} is a folder; give the backup a file name, e.g. haven-backup.zip.")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.part")
    created_at = datetime.now(UTC).isoformat(timespec="seconds")
    partial.unlink(missing_ok=True)
    # Readable by its owner only: it holds every evidence file unencrypted and the users' password hashes.
    handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(handle, "wb") as sink, zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED,
                                                                allowZip64=True) as archive:
            rows, revision, checksums, keys = _write_tables(haven, archive, actor=actor, created_at=created_at)
            for key in sorted(keys):
                try:
                    content = haven.store.get(key)
                except BlobNotFound:
                    raise BackupError(f"The evidence file {key[:12]}… is missing from the evidence store, so the "
                                      "backup would be incomplete. Run `python manage.py verify`.") from None
                if content_key(content) != key:
                    raise BackupError(f"The evidence file {key[:12]}… does not match its SHA-256 (altered?), so it is "
                                      "not backed up. Run `python manage.py verify`.")
                archive.writestr(f"blobs/{key}", content, compress_type=zipfile.ZIP_STORED)
            manifest = {
                "format": FORMAT, "format_version": FORMAT_VERSION, "alembic_revision": revision,
                "created_at": created_at, "database": haven.engine.dialect.name,
                "tables": [table.name for table in tables_in_order()], "counts": rows, "files": len(keys),
                "checksums": checksums, "blobs": sorted(keys),
            }
            manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
            archive.writestr(MANIFEST, manifest_bytes)
            archive.writestr(SIGNATURE, _signature(haven, manifest_bytes))
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupSummary(out, rows, len(keys), created_at, revision)


def _signature(haven: Haven, manifest_bytes: bytes) -> str:
    return secrets_for(haven.engine).mac("backup-manifest", manifest_bytes)


def _check_signature(haven: Haven, archive: zipfile.ZipFile, name: str) -> None:
    """The manifest must carry this instance's signature: made with the same secret key, not edited since."""
    try:
        signature = _read_member(archive, SIGNATURE, name).decode("ascii", "replace").strip()
    except KeyError:
        raise BackupError(f"{name} is not signed ({SIGNATURE} is missing), so it cannot be trusted. Nothing was "
                          "changed.") from None
    expected = _signature(haven, _read_member(archive, MANIFEST, name))
    if not hmac.compare_digest(signature, expected):
        raise BackupError(f"{name}: the backup's signature does not verify: it was altered after it was made, or it "
                          "was made by a Haven with another secret key (restore needs that instance's HAVEN_SECRET_KEY "
                          "or its secret.key file). Nothing was changed.")


def _write_tables(haven: Haven, archive: zipfile.ZipFile, *, actor: str, created_at: str):
    """Dumps every table from one consistent snapshot; returns counts, revision, checksums and the file keys."""
    rows: dict[str, int] = {}
    checksums: dict[str, str] = {}
    keys: set[str] = set()
    with haven.session() as session:
        append_audit(session, actor=actor, action="instance.backup", detail={"created_at": created_at})
    with _snapshot(haven) as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
        for table in tables_in_order():
            digest = hashlib.sha256()
            count = 0
            with archive.open(f"tables/{table.name}.jsonl", "w", force_zip64=True) as member:
                for row in connection.execute(select(table).order_by(*table.primary_key.columns)).mappings():
                    line = (json.dumps({name: _to_json(value) for name, value in row.items()}, ensure_ascii=False,
                                       sort_keys=True) + "\n").encode("utf-8")
                    member.write(line)
                    digest.update(line)
                    count += 1
                    if table.name == "evidence_revision":
                        keys.update(k for k in (row["blob_key"], row["thumbnail_key"]) if k)
            rows[table.name] = count
            checksums[f"tables/{table.name}.jsonl"] = digest.hexdigest()
    return rows, revision, checksums, keys


class _snapshot:
    """A read-only transaction that sees one moment of the database (REPEATABLE READ on PostgreSQL)."""

    def __init__(self, haven: Haven) -> None:
        self.haven = haven

    def __enter__(self) -> Connection:
        connection = self.haven.engine.connect()
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        self.connection = connection
        self.transaction = connection.begin()
        return connection

    def __exit__(self, kind, error, trace) -> None:
        try:
            self.transaction.rollback()
        finally:
            self.connection.close()


def _to_json(value):
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- restore --------------------------------------------------------------------------------------------------


def restore_backup(haven: Haven, file: Path, *, actor: str = "cli") -> BackupSummary:
    """Restores a backup into this (empty) instance; refuses with a clear message and changes nothing otherwise."""
    file = Path(file)
    if not file.is_file():
        raise BackupError(f"{file}: no such backup file.")
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError) as error:
        raise BackupError(f"{file.name} is not a Haven backup (not a readable zip file: {error}).") from None
    with archive:
        manifest = _read_manifest(archive, file.name)
        _check_signature(haven, archive, file.name)
        tables = _check_tables(archive, manifest, file.name)
        blob_names = _check_blob_members(archive, manifest, file.name)
        with haven.engine.connect() as connection:
            _check_revision(connection, manifest, file.name)
            _check_empty(haven, connection)
        table_rows = {table.name: list(_read_rows(archive, table, manifest, file.name)) for table in tables}
        _check_files_present(table_rows.get("evidence_revision", []), blob_names, file.name)
        put: list[str] = []
        try:
            for name in blob_names:
                put.append(_restore_blob(haven, archive, name, file.name))
            _insert_rows(haven, tables, table_rows, manifest, actor=actor, backup_name=file.name)
        except BaseException:
            for key in put:
                try:
                    haven.store.delete(key)
                except Exception:
                    pass
            raise
    return BackupSummary(file, {name: len(rows) for name, rows in table_rows.items()}, len(blob_names),
                         manifest.get("created_at", ""), manifest.get("alembic_revision"))


def _read_manifest(archive: zipfile.ZipFile, name: str) -> dict:
    try:
        manifest = json.loads(_read_member(archive, MANIFEST, name))
    except KeyError:
        raise BackupError(f"{name} is not a Haven backup (it has no {MANIFEST}).") from None
    except ValueError as error:
        raise BackupError(f"{name}: {MANIFEST} is damaged ({error}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{name} is not a Haven backup ({MANIFEST} does not say format '{FORMAT}').")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{name} is a Haven backup of format version {manifest.get('format_version')}; this Haven "
                          f"reads version {FORMAT_VERSION}.")
    return manifest


def _read_member(archive: zipfile.ZipFile, member: str, name: str) -> bytes:
    info = archive.getinfo(member)
    if info.file_size > MAX_MEMBER_BYTES:
        raise BackupError(f"{name}: {member} is larger than a Haven backup member can be.")
    try:
        with archive.open(info) as handle:
            data = handle.read(MAX_MEMBER_BYTES + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise BackupError(f"{name} is damaged: {member} cannot be read ({error}).") from None
    if len(data) > MAX_MEMBER_BYTES:
        raise BackupError(f"{name}: {member} is larger than a Haven backup member can be.")
    return data


def _check_tables(archive: zipfile.ZipFile, manifest: dict, name: str) -> list[Table]:
    known = {table.name: table for table in tables_in_order()}
    listed = manifest.get("tables")
    if not isinstance(listed, list) or sorted(listed) != sorted(known):
        raise BackupError(f"{name} holds the tables {listed!r}, but this Haven has {sorted(known)!r}: "
                          "it was made by another version of Haven.")
    members = set(archive.namelist())
    for table_name in known:
        if f"tables/{table_name}.jsonl" not in members:
            raise BackupError(f"{name} is damaged: tables/{table_name}.jsonl is missing.")
    return tables_in_order()


def _check_blob_members(archive: zipfile.ZipFile, manifest: dict, name: str) -> list[str]:
    blobs, unexpected = [], []
    for member in archive.namelist():
        if member in (MANIFEST, SIGNATURE) or (member.startswith("tables/") and member.endswith(".jsonl")):
            continue
        key = member[len("blobs/"):] if member.startswith("blobs/") else ""
        try:
            blobs.append(check_key(key))
        except ValueError:
            unexpected.append(member)
    if unexpected:
        raise BackupError(f"{name} is not a clean Haven backup: unexpected entry {unexpected[0]!r}.")
    if manifest.get("files") != len(blobs) or manifest.get("blobs") != sorted(blobs):
        raise BackupError(f"{name} is damaged: the manifest lists {manifest.get('files')} evidence files, "
                          f"the archive holds {len(blobs)} that are not the same.")
    return sorted(blobs)


def _check_revision(connection: Connection, manifest: dict, name: str) -> None:
    here = MigrationContext.configure(connection).get_current_revision()
    theirs = manifest.get("alembic_revision")
    if theirs != here:
        raise BackupError(f"{name} was made with database schema {theirs}, but this Haven's schema is {here}. "
                          "Restore it with the Haven version that made it, then upgrade.")


def _check_empty(haven: Haven, connection: Connection) -> None:
    held = {}
    for table in tables_in_order():
        count = connection.execute(select(func.count()).select_from(table)).scalar_one()
        if count:
            held[table.name] = count
    first_file = next(iter(haven.store.keys()), None)
    if held or first_file:
        what = ", ".join(f"{count} {table}" for table, count in held.items()) or "no rows"
        raise BackupError(f"A backup is restored only into an empty Haven, but this one holds {what}"
                          f"{' and evidence files' if first_file else ''}. Point HAVEN_DATA_DIR (and "
                          "HAVEN_DATABASE_URL, HAVEN_BLOB_URL) at a new, empty place and run restore there. "
                          "Nothing was changed.")


def _read_rows(archive: zipfile.ZipFile, table: Table, manifest: dict, name: str):
    member = f"tables/{table.name}.jsonl"
    data = _read_member(archive, member, name)
    expected = (manifest.get("checksums") or {}).get(member)
    if hashlib.sha256(data).hexdigest() != expected:
        raise BackupError(f"{name} is damaged: {member} does not match its checksum in the manifest. Nothing was changed.")
    columns = {column.name: column for column in table.columns}
    count = 0
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        try:
            raw = json.loads(line)
        except ValueError:
            raise BackupError(f"{name} is damaged: {member} line {number} is not JSON.") from None
        if not isinstance(raw, dict) or set(raw) != set(columns):
            raise BackupError(f"{name}: {member} line {number} does not have the columns of {table.name}.")
        yield {key: _from_json(columns[key], value, f"{member} line {number}", name) for key, value in raw.items()}
        count += 1
    if count != (manifest.get("counts") or {}).get(table.name):
        raise BackupError(f"{name} is damaged: {member} has {count} rows, the manifest says "
                          f"{(manifest.get('counts') or {}).get(table.name)}.")


def _from_json(column, value, where: str, name: str):
    if value is None:
        return None
    kind = _python_type(column)
    try:
        if kind is datetime:
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        if kind is date:
            return date.fromisoformat(value)
        if kind is bool:
            if not isinstance(value, bool):
                raise ValueError("not true or false")
            return value
        if kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError("not a whole number")
            return value
        if kind is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError("not a number")
            return float(value)
        if kind is str and not isinstance(value, str):
            raise ValueError("not text")
    except (TypeError, ValueError) as error:
        raise BackupError(f"{name}: {where}, column {column.name}: {error}.") from None
    return value


def _python_type(column):
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    try:
        return column_type.python_type
    except NotImplementedError:
        return object


def _check_files_present(revisions: list[dict], blob_names: list[str], name: str) -> None:
    held = set(blob_names)
    for row in revisions:
        for key in (row["blob_key"], row["thumbnail_key"]):
            if key and key not in held:
                raise BackupError(f"{name} is incomplete: evidence {row['evidence_id']} revision {row['number']} "
                                  f"refers to the file {key[:12]}…, which the backup does not hold.")


def _restore_blob(haven: Haven, archive: zipfile.ZipFile, key: str, name: str) -> str:
    content = _read_member(archive, f"blobs/{key}", name)
    if content_key(content) != key:
        raise BackupError(f"{name} is damaged: the evidence file {key[:12]}… does not match its SHA-256. "
                          "Nothing was changed.")
    stored = haven.store.put(content)
    if stored != key:
        raise BackupError(f"The evidence store stored {key[:12]}… under another name ({stored[:12]}…).")
    return key


def _insert_rows(haven: Haven, tables: list[Table], table_rows: dict[str, list[dict]], manifest: dict, *,
                 actor: str, backup_name: str) -> None:
    try:
        with haven.engine.connect() as connection:
            with connection.begin():
                for table in tables:
                    rows = table_rows[table.name]
                    for start in range(0, len(rows), _INSERT_BATCH):
                        connection.execute(table.insert(), rows[start:start + _INSERT_BATCH])
                if connection.dialect.name == "postgresql":
                    _reset_sequences(connection, tables)
                with Session(bind=connection) as session:
                    _check_chain(session, backup_name)
                    append_audit(session, actor=actor, action="instance.restore",
                                 detail={"backup": backup_name, "created_at": manifest.get("created_at"),
                                         "rows": sum(len(rows) for rows in table_rows.values())})
                    entries = write_pending_audit(session)  # this session shares the connection's transaction
                    head = Anchor(entries[-1].id, entries[-1].hash)
    except DBAPIError as error:
        first_line = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise BackupError(f"The database refused the backup's rows ({first_line}). Nothing was changed.") from error
    secrets_for(haven.engine).advance_anchor(head)


def _reset_sequences(connection: Connection, tables: list[Table]) -> None:
    """Explicit ids do not move PostgreSQL's sequences: set each one past the highest id restored."""
    preparer = connection.dialect.identifier_preparer
    for table in tables:
        if "id" not in table.columns or not table.columns["id"].primary_key:
            continue
        quoted = preparer.quote(table.name)
        connection.execute(text(
            f"SELECT setval(pg_get_serial_sequence(:table, 'id'), COALESCE((SELECT MAX(id) FROM {quoted}), 0) + 1, false)"
        ), {"table": quoted})


def _check_chain(session: Session, backup_name: str) -> None:
    faults = check_audit_chain(session, anchored=False)
    if faults:
        raise BackupError(f"{backup_name}: the audit log in the backup is not intact (entry {faults[0].entry_id} "
                          f"{faults[0].problem}). Nothing was changed.")
