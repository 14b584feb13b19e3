"""`manage.py backup` and `restore` as an operator runs them: separate processes, separate data folders."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import _empty_postgres
from tests.factories import jpeg_with_gps, write_bundle

ROOT = Path(__file__).resolve().parents[2]


def manage(data_dir: Path, *args: str, database_url: str | None = None, stdin: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
    env["HAVEN_DATA_DIR"] = str(data_dir)
    if database_url:
        env["HAVEN_DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, input=stdin, capture_output=True,
                          text=True, timeout=120)


@dataclass(frozen=True)
class Original:
    data: Path
    backup: Path
    score: dict


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Original:
    """An instance filled through the command line, and its backup (made once for this module)."""
    folder = tmp_path_factory.mktemp("original")
    data = folder / "data"
    assert manage(data, "import", str(write_bundle(folder / "bundle"))).returncode == 0
    photo = folder / "door.jpg"
    photo.write_bytes(jpeg_with_gps())
    assert manage(data, "ingest", str(photo), "--org", "harbour-house", "--type", "premises_photos",
                  "--action", "3.2.1").returncode == 0
    backup = manage(data, "backup", "--out", str(folder / "haven-backup.zip"))
    assert backup.returncode == 0, backup.stderr
    assert "evidence files" in backup.stdout
    return Original(data, folder / "haven-backup.zip", score_json(data))


def score_json(data: Path, database_url: str | None = None) -> dict:
    result = manage(data, "score", "--org", "harbour-house", "--as-of", "2026-11-23", "--json", database_url=database_url)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def stored_files(data: Path) -> list[bytes]:
    return sorted(p.read_bytes() for p in (data / "evidence").rglob("*") if p.is_file())


def with_secret_key_of(original: Original, data: Path) -> Path:
    """What the operator does (README, Backups): the new data folder gets the original's secret key."""
    data.mkdir(parents=True)
    shutil.copy(original.data / "secret.key", data / "secret.key")
    return data


def test_backup_and_restore_round_trip_through_the_command_line(original, tmp_path):
    restored = with_secret_key_of(original, tmp_path / "restored")
    result = manage(restored, "restore", str(original.backup))

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Restored ")
    assert score_json(restored) == original.score
    verified = manage(restored, "verify")
    assert verified.returncode == 0, verified.stdout
    assert stored_files(restored) == stored_files(original.data)


def test_restore_into_an_instance_with_data_fails_with_one_line(original):
    files = stored_files(original.data)
    result = manage(original.data, "restore", str(original.backup))

    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "only into an empty Haven" in result.stderr
    assert score_json(original.data) == original.score and stored_files(original.data) == files


def test_restoring_something_that_is_not_a_backup_fails_with_one_line(tmp_path):
    (tmp_path / "notes.zip").write_bytes(b"just some notes")
    result = manage(tmp_path / "empty", "restore", str(tmp_path / "notes.zip"))
    assert result.returncode == 1
    assert result.stderr.strip() == "error: notes.zip is not a Haven backup (not a readable zip file: File is not a zip file)."


def test_a_sqlite_backup_restores_into_postgresql_through_the_command_line(original, tmp_path, postgres_database_url):
    _empty_postgres(postgres_database_url)
    restored = with_secret_key_of(original, tmp_path / "on-postgres")
    result = manage(restored, "restore", str(original.backup), database_url=postgres_database_url)

    assert result.returncode == 0, result.stderr
    assert score_json(restored, postgres_database_url) == original.score
    assert manage(restored, "verify", database_url=postgres_database_url).returncode == 0
    again = manage(restored, "backup", "--out", str(tmp_path / "from-postgres.zip"), database_url=postgres_database_url)
    assert again.returncode == 0, again.stderr


def test_the_secret_key_is_an_owner_only_file_outside_the_database_and_the_backup(original):
    key_file = original.data / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_bytes().strip()
    with zipfile.ZipFile(original.backup) as archive:
        for name in archive.namelist():
            assert key not in archive.read(name), name
    assert key not in (original.data / "haven.db").read_bytes()


def test_a_restore_without_the_original_secret_key_is_refused_and_writes_nothing(original, tmp_path):
    restored = tmp_path / "no-key"
    result = manage(restored, "restore", str(original.backup))
    assert result.returncode == 1 and "signature does not verify" in result.stderr
    assert "another secret key" in result.stderr
    assert stored_files(restored) == []
    counted = manage(restored, "score", "--all", "--json")
    assert counted.returncode == 0 and json.loads(counted.stdout) == []
