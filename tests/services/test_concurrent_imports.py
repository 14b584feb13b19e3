"""Two imports at once share a file and one of them fails: its clean-up must not take the file the other one
has just stored, in threads of one process or in two processes. `verify` stays clean."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from sqlmodel import select

import bundles.importer as importer
from bundles.importer import import_bundle
from services.evidence import read_evidence_file
from services.integrity import check_integrity
from storage.models import EvidenceRevision, Organisation
from tests.factories import SYSTEM, write_bundle

ROOT = Path(__file__).resolve().parents[2]


def _two_bundles(tmp_path: Path) -> tuple[Path, Path]:
    """Two bundles of different organisations holding the same risk-assessment PDF."""
    good = write_bundle(tmp_path / "good")
    bad = write_bundle(tmp_path / "bad", **{"organisation.slug": "north-refuge", "organisation.name": "North Refuge"})
    return good, bad


def _assert_good_import_whole(haven) -> None:
    with haven.session() as session:
        assert [o.slug for o in session.exec(select(Organisation))] == ["harbour-house"]
        revisions = session.exec(select(EvidenceRevision).where(EvidenceRevision.blob_key.is_not(None))).all()
    for revision in revisions:
        assert read_evidence_file(haven, SYSTEM, revision_id=revision.id)[0]
    assert check_integrity(haven, SYSTEM).faults == []


@pytest.mark.parametrize("order", ["failure cleans up before the other commits", "other commits first"])
def test_a_failing_import_never_takes_the_file_of_a_concurrent_one(haven, tmp_path, monkeypatch, order):
    good, bad = _two_bundles(tmp_path)
    real_write = importer._write_bundle
    good_stored, bad_done, good_done = threading.Event(), threading.Event(), threading.Event()

    def write(session, principal, bundle, intakes, stored):
        if bundle.slug == "harbour-house":
            good_stored.set()
            if order.startswith("failure"):
                assert bad_done.wait(30)
            real_write(session, principal, bundle, intakes, stored)
            return
        assert good_stored.wait(30)
        if not order.startswith("failure"):
            assert good_done.wait(30)
        raise RuntimeError("the second import failed half way")

    monkeypatch.setattr(importer, "_write_bundle", write)
    errors: list[BaseException] = []

    def run(path, done):
        try:
            import_bundle(haven, SYSTEM, path)
        except BaseException as error:  # noqa: B036 (reported below)
            errors.append(error)
        finally:
            done.set()

    threads = [threading.Thread(target=run, args=(good, good_done)), threading.Thread(target=run, args=(bad, bad_done))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [str(e) for e in errors] == ["the second import failed half way"]
    _assert_good_import_whole(haven)


PROCESS = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import bundles.importer as importer
    from services.instance import open_instance
    from tests.factories import SYSTEM

    role, bundle, flags = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    real_write = importer._write_bundle

    def wait_for(name):
        deadline = time.monotonic() + 60
        while not (flags / name).exists():
            if time.monotonic() > deadline:
                raise SystemExit(f"gave up waiting for {name}")
            time.sleep(0.02)

    def write(session, *args, **kwargs):
        if role == "good":
            (flags / "good-stored").touch()
            wait_for("bad-done")
            return real_write(session, *args, **kwargs)
        wait_for("good-stored")
        raise RuntimeError("the second import failed half way")

    importer._write_bundle = write
    haven = open_instance(migrate_schema=True)
    try:
        importer.import_bundle(haven, SYSTEM, bundle)
    finally:
        if role == "bad":
            (flags / "bad-done").touch()
""")


def test_two_import_processes_sharing_a_file_one_failing_leave_verify_clean(haven, tmp_path):
    good, bad = _two_bundles(tmp_path)
    flags = tmp_path / "flags"
    flags.mkdir()
    env = {**os.environ, "HAVEN_DATA_DIR": str(haven.settings.data_dir),
           "HAVEN_DATABASE_URL": haven.settings.database_url, "PYTHONPATH": str(ROOT)}
    env.pop("HAVEN_BLOB_URL", None)
    env.pop("HAVEN_ENCRYPTION_KEY", None)
    processes = {role: subprocess.Popen([sys.executable, "-c", PROCESS, role, str(path), str(flags)], cwd=ROOT, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for role, path in (("good", good), ("bad", bad))}
    results = {role: (process.wait(120), process.stderr.read()) for role, process in processes.items()}
    assert results["good"][0] == 0, results["good"][1]
    assert results["bad"][0] != 0 and "the second import failed half way" in results["bad"][1]
    _assert_good_import_whole(haven)
