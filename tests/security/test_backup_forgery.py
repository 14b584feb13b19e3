"""A backup edited by someone without the audit key, with every checksum in the manifest made right again:
a new administrator, a forged rating, a photo with GPS swapped in, a manifest signed with another key. `restore`
refuses each one and writes nothing."""
from __future__ import annotations

import hashlib
import hmac
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bundles.importer import import_bundle
from services.backups import BackupError, restore_backup, tables_in_order, write_backup
from services.integrity import check_integrity
from tests.conftest import build_haven
from tests.factories import SYSTEM, jpeg_with_gps, make_user
from tests.services.test_bundles import write_bundle


@pytest.fixture
def backup(haven, tmp_path) -> Path:
    import_bundle(haven, SYSTEM, write_bundle(tmp_path / "bundle"))
    make_user(haven, "amira", "manager", "harbour-house")
    return write_backup(haven, tmp_path / "haven.zip").path


def _members(archive: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(archive) as source:
        return {name: source.read(name) for name in source.namelist()}


def _rows(members: dict[str, bytes], table: str) -> list[dict]:
    return [json.loads(line) for line in members[f"tables/{table}.jsonl"].decode().splitlines()]


def _put_rows(members: dict[str, bytes], manifest: dict, table: str, rows: list[dict]) -> None:
    data = "".join(json.dumps(row, sort_keys=True, ensure_ascii=False) + "\n" for row in rows).encode()
    members[f"tables/{table}.jsonl"] = data
    manifest["checksums"][f"tables/{table}.jsonl"] = hashlib.sha256(data).hexdigest()
    manifest["counts"][table] = len(rows)


def _forge(archive: Path, change, *, signature=None) -> None:
    """Applies `change(members, manifest)`, rewrites the manifest and keeps (or replaces) the signature."""
    members = _members(archive)
    manifest = json.loads(members["manifest.json"])
    change(members, manifest)
    members["manifest.json"] = json.dumps(manifest, indent=2, sort_keys=True).encode()
    if signature is not None:
        members["manifest.sig"] = signature(members["manifest.json"])
    with zipfile.ZipFile(archive, "w") as target:
        for name, data in members.items():
            if data is not None:
                target.writestr(name, data)


def new_administrator(members, manifest):
    users = _rows(members, "user")
    users.append({**users[0], "id": max(u["id"] for u in users) + 1, "username": "mallory", "email": None,
                  "is_admin": True, "active": True})
    _put_rows(members, manifest, "user", users)


def forged_rating(members, manifest):
    ratings = [{**r, "rating": "met"} for r in _rows(members, "rating")]
    _put_rows(members, manifest, "rating", ratings)


def photo_with_gps_swapped_in(members, manifest):
    photo = jpeg_with_gps(90, 70)
    key = hashlib.sha256(photo).hexdigest()
    revisions = _rows(members, "evidence_revision")
    target = next(r for r in revisions if r["mime_type"] == "image/jpeg")
    members[f"blobs/{target['blob_key']}"] = None
    manifest["blobs"] = sorted([k for k in manifest["blobs"] if k != target["blob_key"]] + [key])
    members[f"blobs/{key}"] = photo
    target.update(blob_key=key, size_bytes=len(photo))
    _put_rows(members, manifest, "evidence_revision", revisions)


def _nothing_restored(instance) -> None:
    with instance.engine.connect() as connection:
        for table in tables_in_order():
            assert connection.execute(select(func.count()).select_from(table)).scalar_one() == 0, table.name
    assert list(instance.store.keys()) == []


@pytest.mark.parametrize("change", [new_administrator, forged_rating, photo_with_gps_swapped_in])
@pytest.mark.parametrize("signed", ["signature kept", "signed with another key", "signature removed"])
def test_an_edited_and_rechecksummed_backup_is_refused_and_nothing_is_written(backup, tmp_path, request, change,
                                                                                 signed):
    signature = {"signature kept": None,
                 "signed with another key": lambda data: hmac.new(b"m" * 32, b"backup-manifest\0" + data,
                                                                  hashlib.sha256).hexdigest().encode(),
                 "signature removed": lambda data: None}[signed]
    _forge(backup, change, signature=signature)
    target = build_haven("sqlite", tmp_path / "target", request)
    with pytest.raises(BackupError, match="signature does not verify|is not signed"):
        restore_backup(target, backup)
    _nothing_restored(target)


def test_the_genuine_backup_restores_and_verifies(backup, tmp_path, request):
    target = build_haven("sqlite", tmp_path / "target", request)
    restore_backup(target, backup)
    assert check_integrity(target, SYSTEM).faults == []
