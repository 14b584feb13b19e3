"""Another account on the same machine (a shared server, a backup job, a compromised service) reads nothing of
Haven's: the data folder (with the SQLite database SQLite creates readable by everyone) and every backup are the
owner's only."""
from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

from bundles.importer import import_bundle
from services.backups import write_backup
from tests.factories import SYSTEM, make_user, write_bundle

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run_manage(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"HAVEN_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin", "HOME": str(data_dir.parent)}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_a_new_data_folder_and_its_database_are_closed_to_other_accounts(tmp_path):
    data_dir = tmp_path / "data"
    assert run_manage(data_dir, "init").returncode == 0
    assert (data_dir / "haven.db").exists()
    assert mode(data_dir) & 0o077 == 0  # nobody else may list or open what is inside


def test_an_existing_data_folder_open_to_others_is_closed(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    assert run_manage(data_dir, "init").returncode == 0
    assert mode(data_dir) == 0o700


def test_a_backup_is_readable_by_its_owner_only(haven, tmp_path):
    import_bundle(haven, SYSTEM, write_bundle(tmp_path / "bundle"))
    make_user(haven, "amira", "manager", "harbour-house")  # its password hash goes into the backup
    out = write_backup(haven, tmp_path / "backups" / "haven.zip").path
    assert mode(out) == 0o600
    again = write_backup(haven, out).path  # written over an older one
    assert mode(again) == 0o600
