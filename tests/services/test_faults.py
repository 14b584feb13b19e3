"""Faults: a process killed mid-upload, a full disk, a database that is down or goes away, an S3 store that errors.

Each must give the user one clear message and leave the instance so that `verify` finds no missing
file and an intact audit chain; an interrupted upload may leave a file without a row (an orphan),
which `verify` reports and `verify --remove-orphans` cleans up, but never a row without its file.
"""
from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from errors import DatabaseUnavailable
from services.evidence import NewEvidence
from services.instance import Haven
from services.integrity import check_integrity, remove_orphans
from services.uploads import upload_evidence
from storage.blobs import BlobStoreError, LocalBlobStore, S3BlobStore, make_s3_client
from storage.db import make_engine
from storage.models import AuditEntry, Evidence, EvidenceRevision
from tests.conftest import _empty_postgres
from tests.factories import SYSTEM, jpeg_with_gps, make_organisation, make_user, simple_pdf
from tests.s3_support import make_s3_bucket

ROOT = Path(__file__).resolve().parents[2]
PHOTO = jpeg_with_gps()
KILL_AFTER_STORING = """
import os, signal
from storage.blobs import LocalBlobStore
_put = LocalBlobStore.put
def put_then_die(self, content, key=None):
    _put(self, content, key=key)
    os.kill(os.getpid(), signal.SIGKILL)  # the file is stored, its row is not
LocalBlobStore.put = put_then_die
"""
DISK_FULL = """
import errno, os
from storage.blobs import LocalBlobStore
def no_space(path, data):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
LocalBlobStore._write_atomically = staticmethod(no_space)
"""


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


def run_cli(haven: Haven | None, *args: str, prelude: str = "", **env_overrides: str) -> subprocess.CompletedProcess:
    """`python manage.py ARGS` against `haven`'s data, with `prelude` run first in the same process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
    if haven is not None:
        env.update(HAVEN_DATA_DIR=str(haven.settings.data_dir), HAVEN_DATABASE_URL=haven.settings.database_url)
    env.update(env_overrides)
    code = prelude + "\nimport sys, manage\nsys.exit(manage.main(sys.argv[1:]))\n"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def evidence_rows(haven: Haven) -> list:
    with haven.session() as session:
        return session.exec(select(Evidence)).all()


def audited(haven: Haven, action: str) -> int:
    with haven.session() as session:
        return len(session.exec(select(AuditEntry.id).where(AuditEntry.action == action)).all())


def assert_clean_after_cleanup(haven: Haven) -> None:
    """Only orphans may be left behind; removing them leaves an instance that verifies."""
    faults = check_integrity(haven, SYSTEM).faults
    assert all(fault.startswith("orphan file") for fault in faults), faults
    remove_orphans(haven, SYSTEM, older_than=timedelta(0))
    report = check_integrity(haven, SYSTEM)
    assert report.ok, report.faults


def upload_photo(haven: Haven, principal, organisation_id: int = 1, data: bytes = PHOTO) -> int:
    return upload_evidence(haven, principal, organisation_id=organisation_id, filename="door.jpg", data=data,
                           details=NewEvidence("premises_photos", ("3.2.1",), date.today(), title="Door"))


# --- a process killed in the middle of an upload ------------------------------------------------------------


def test_a_process_killed_between_file_and_row_leaves_only_an_orphan_that_cleans_up(haven, tmp_path):
    make_organisation(haven)
    photo = tmp_path / "door.jpg"
    photo.write_bytes(PHOTO)

    result = run_cli(haven, "ingest", str(photo), "--org", "harbour-house", "--type", "premises_photos",
                     "--action", "3.2.1", prelude=KILL_AFTER_STORING)

    assert result.returncode == -signal.SIGKILL
    assert evidence_rows(haven) == [] and audited(haven, "evidence.add") == 0
    faults = check_integrity(haven, SYSTEM).faults
    assert len(faults) == 1 and faults[0].startswith("orphan file"), faults  # never a missing file
    young = remove_orphans(haven, SYSTEM)  # by default only orphans older than an hour: an upload may be finishing
    assert young.removed == [] and len(young.kept_recent) == 1
    cleaned = remove_orphans(haven, SYSTEM, older_than=timedelta(0))
    assert len(cleaned.removed) == 1 and audited(haven, "verify.remove_orphans") == 1
    assert check_integrity(haven, SYSTEM).ok

    upload_photo(haven, SYSTEM)  # the same upload, tried again, goes through
    assert len(evidence_rows(haven)) == 1 and check_integrity(haven, SYSTEM).ok


def test_verify_reports_an_orphan_and_remove_orphans_cleans_it_from_the_command_line(sqlite_haven):
    orphan = sqlite_haven.store.put(b"left behind by an upload that never finished")
    old = time.time() - 2 * 3600
    os.utime(sqlite_haven.store.path_for(orphan), (old, old))
    young = sqlite_haven.store.put(b"an upload that is finishing right now")

    verify = run_cli(sqlite_haven, "verify")
    assert verify.returncode == 1 and verify.stderr.strip() == "error: verify found 2 fault(s)"
    assert f"orphan file: {orphan[:12]}" in verify.stdout and f"orphan file: {young[:12]}" in verify.stdout

    cleaned = run_cli(sqlite_haven, "verify", "--remove-orphans")
    assert "Removed 1 orphan file(s) stored more than 60 minutes ago." in cleaned.stdout
    assert "Kept 1 younger orphan file(s)" in cleaned.stdout and cleaned.returncode == 1
    assert list(sqlite_haven.store.keys()) == [young]

    assert run_cli(sqlite_haven, "verify", "--remove-orphans", "--orphan-age", "0").returncode == 0


def test_storing_a_file_again_renews_its_age_so_cleanup_spares_an_upload_reusing_an_old_orphan(sqlite_haven):
    content = simple_pdf("Policy")
    key = sqlite_haven.store.put(content)
    old = time.time() - 2 * 3600
    os.utime(sqlite_haven.store.path_for(key), (old, old))

    sqlite_haven.store.put(content)  # an upload of the same file, whose row has not committed yet

    assert remove_orphans(sqlite_haven, SYSTEM).kept_recent == [key]
    assert sqlite_haven.store.exists(key)


# --- a full disk -------------------------------------------------------------------------------------------


class FullDisk(LocalBlobStore):
    @staticmethod
    def _write_atomically(path, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_refuses_the_upload_clearly_and_stores_nothing(sqlite_haven):
    make_organisation(sqlite_haven)
    manager = make_user(sqlite_haven, "amira", "manager", "harbour-house")
    full = replace(sqlite_haven, store=FullDisk(sqlite_haven.store.root))

    with pytest.raises(BlobStoreError, match="The evidence store is full: there is no space left on the disk"):
        upload_photo(full, manager)

    assert evidence_rows(sqlite_haven) == [] and audited(sqlite_haven, "evidence.add") == 0
    assert list(sqlite_haven.store.keys()) == []
    assert not [p for p in sqlite_haven.store.root.rglob("*") if p.is_file()]  # no temp file either
    assert check_integrity(sqlite_haven, SYSTEM).ok


def test_ingest_on_a_full_disk_fails_with_one_line(sqlite_haven, tmp_path):
    make_organisation(sqlite_haven)
    photo = tmp_path / "door.jpg"
    photo.write_bytes(PHOTO)

    result = run_cli(sqlite_haven, "ingest", str(photo), "--org", "harbour-house", "--type", "premises_photos",
                     "--action", "3.2.1", prelude=DISK_FULL)

    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("error: The evidence store is full")
    assert evidence_rows(sqlite_haven) == [] and check_integrity(sqlite_haven, SYSTEM).ok


def test_the_upload_page_says_the_disk_is_full(app_haven, monkeypatch):
    from tests.app_pages import open_app

    make_organisation(app_haven)
    manager = make_user(app_haven, "amira", "manager", "harbour-house")
    monkeypatch.setattr(LocalBlobStore, "_write_atomically", staticmethod(FullDisk._write_atomically))
    upload = "library:1:upload"
    app = open_app(manager, "views/evidence_library.py")
    app.selectbox(key=f"{upload}:type").set_value("policy").run()
    app.multiselect(key=f"{upload}:actions:policy").select("3.3.1")
    app.file_uploader(key=f"{upload}:files:0").upload("policy.pdf", simple_pdf(), "application/pdf").run()
    app.button(key=f"{upload}:upload").click().run()

    assert not app.exception
    assert any("The evidence store is full" in error.value for error in app.error)
    assert evidence_rows(app_haven) == []


# --- the database down at start, or gone mid-session ---------------------------------------------------------


def test_the_command_line_says_in_one_line_that_the_database_is_down(tmp_path):
    url = f"postgresql+psycopg://haven@127.0.0.1:{closed_port()}/haven"

    result = run_cli(None, "score", "--all", HAVEN_DATA_DIR=str(tmp_path / "data"), HAVEN_DATABASE_URL=url)

    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("error: the database cannot be reached or used")
    assert "Traceback" not in result.stderr


def test_the_app_shows_a_clear_page_when_the_database_is_down_at_start(tmp_path, monkeypatch):
    from tests.app_pages import open_app, texts
    from ui.database import DATABASE_UNAVAILABLE, get_haven

    monkeypatch.setenv("HAVEN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HAVEN_DATABASE_URL", f"postgresql+psycopg://haven@127.0.0.1:{closed_port()}/haven")
    get_haven.clear()
    try:
        app = open_app()
    finally:
        get_haven.clear()

    assert not app.exception
    assert [error.value for error in app.error] == [DATABASE_UNAVAILABLE]
    assert app.button[0].label == "Try again"
    assert "Traceback" not in texts(app) and "psycopg" not in texts(app)


class TcpProxy:
    """A loopback TCP relay to the database that the test can cut (every connection at once) and restore."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = closed_port()
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None

    def start(self) -> TcpProxy:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.1)
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()
        return self

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            connections, self._connections = self._connections, set()
        for connection in connections:
            _close(connection)

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._connections.update((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(sink)


def _close(connection: socket.socket) -> None:
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    connection.close()


@pytest.fixture
def proxied_postgres(postgres_database_url, tmp_path, monkeypatch):
    """(Haven, proxy): PostgreSQL reached through a relay the test can cut."""
    _empty_postgres(postgres_database_url)
    parts = urlsplit(postgres_database_url)
    proxy = TcpProxy((parts.hostname, parts.port or 5432)).start()
    url = postgres_database_url.replace(f"{parts.hostname}:{parts.port or 5432}", f"127.0.0.1:{proxy.port}", 1)
    store = LocalBlobStore(tmp_path / "data" / "evidence")
    from config import get_settings

    settings = replace(get_settings(), data_dir=tmp_path / "data", database_url=url, blob_url=f"file://{store.root}",
                       encryption_key=None)
    haven = Haven(settings=settings, engine=make_engine(url), store=store)
    monkeypatch.setenv("HAVEN_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HAVEN_DATABASE_URL", url)
    yield haven, proxy
    proxy.stop()
    haven.engine.dispose()


class CutsTheDatabaseAfterStoring:
    """The evidence store of an instance whose database goes away just after the file is written."""

    def __init__(self, store: LocalBlobStore, proxy: TcpProxy) -> None:
        self.store, self.proxy = store, proxy

    def put(self, content: bytes, key: str | None = None) -> str:
        key = self.store.put(content, key=key)
        self.proxy.stop()
        return key

    def __getattr__(self, name):
        return getattr(self.store, name)


def test_a_database_that_goes_away_mid_upload_loses_the_row_not_the_file(proxied_postgres):
    haven, proxy = proxied_postgres
    make_organisation(haven)
    manager = make_user(haven, "amira", "manager", "harbour-house")
    cut = replace(haven, store=CutsTheDatabaseAfterStoring(haven.store, proxy))

    with pytest.raises(DatabaseUnavailable):  # the service's word for the driver's OperationalError
        upload_photo(cut, manager)

    proxy.start()
    assert evidence_rows(haven) == [] and audited(haven, "evidence.add") == 0
    assert_clean_after_cleanup(haven)
    upload_photo(haven, manager)
    assert check_integrity(haven, SYSTEM).ok


def test_the_app_shows_a_clear_page_when_the_database_goes_away_and_recovers(proxied_postgres):
    """Each step is a new run of app.py with the signed-in user's session (AppTest reruns a page it switched
    to without app.py, so a fresh AppTest stands for the user's next click)."""
    from tests.app_pages import open_app, texts
    from ui.database import DATABASE_UNAVAILABLE, get_haven

    haven, proxy = proxied_postgres
    make_organisation(haven)
    manager = make_user(haven, "amira", "manager", "harbour-house")
    get_haven.clear()
    try:
        app = open_app(manager)
        assert not app.exception and not app.error
        assert "Signed in as" in texts(app)

        proxy.stop()
        app = open_app(manager)
        assert not app.exception
        assert [error.value for error in app.error] == [DATABASE_UNAVAILABLE]
        assert "psycopg" not in texts(app) and "Traceback" not in texts(app)

        proxy.start()
        app = open_app(manager)
        assert not app.exception and not app.error
        assert "Signed in as" in texts(app)
    finally:
        get_haven.clear()


# --- an S3 store that errors -------------------------------------------------------------------------------


def s3_instance(haven: Haven, endpoint: str, bucket: str, *, attempts: int = 1) -> Haven:
    client = make_s3_client(endpoint, connect_timeout=2, read_timeout=5, attempts=attempts)
    return replace(haven, store=S3BlobStore(bucket, "evidence", client=client))


def test_an_s3_store_that_cannot_be_reached_refuses_the_upload_clearly(sqlite_haven, s3_server_url):
    make_organisation(sqlite_haven)
    manager = make_user(sqlite_haven, "amira", "manager", "harbour-house")
    down = s3_instance(sqlite_haven, f"http://127.0.0.1:{closed_port()}", "haven-evidence")

    with pytest.raises(BlobStoreError, match="could not be reached. Is the S3 service running"):
        upload_photo(down, manager)

    assert evidence_rows(sqlite_haven) == [] and audited(sqlite_haven, "evidence.add") == 0


def test_an_s3_store_without_its_bucket_refuses_the_upload_clearly(sqlite_haven, s3_server_url):
    make_organisation(sqlite_haven)
    manager = make_user(sqlite_haven, "amira", "manager", "harbour-house")
    missing = s3_instance(sqlite_haven, s3_server_url, "no-such-bucket-here")

    with pytest.raises(BlobStoreError, match="the bucket does not exist"):
        upload_photo(missing, manager)

    assert evidence_rows(sqlite_haven) == []


class FailsOnSecondPut:
    """An S3 store that goes away between the photo and its thumbnail."""

    def __init__(self, store: S3BlobStore) -> None:
        self.store, self.puts = store, 0

    def put(self, content: bytes, key: str | None = None) -> str:
        self.puts += 1
        if self.puts == 2:
            raise BlobStoreError("Could not store file: the S3 evidence store could not be reached.")
        return self.store.put(content, key=key)

    def __getattr__(self, name):
        return getattr(self.store, name)


def test_an_s3_store_failing_mid_upload_leaves_no_row_and_only_an_orphan(sqlite_haven, s3_server_url):
    make_organisation(sqlite_haven)
    manager = make_user(sqlite_haven, "amira", "manager", "harbour-house")
    working = s3_instance(sqlite_haven, s3_server_url, make_s3_bucket(s3_server_url, "haven-flaky"))
    flaky = replace(working, store=FailsOnSecondPut(working.store))

    with pytest.raises(BlobStoreError, match="could not be reached"):
        upload_photo(flaky, manager)

    assert evidence_rows(working) == [] and audited(working, "evidence.add") == 0
    assert_clean_after_cleanup(working)
    upload_photo(working, manager)
    with working.session() as session:
        revision = session.exec(select(EvidenceRevision)).one()
    assert working.store.exists(revision.blob_key) and working.store.exists(revision.thumbnail_key)
    assert check_integrity(working, SYSTEM).ok


def test_ingest_with_the_s3_store_down_fails_with_one_line(sqlite_haven, tmp_path, s3_server_url):
    make_organisation(sqlite_haven)
    photo = tmp_path / "door.jpg"
    photo.write_bytes(PHOTO)

    result = run_cli(sqlite_haven, "ingest", str(photo), "--org", "harbour-house", "--type", "premises_photos",
                     "--action", "3.2.1", HAVEN_BLOB_URL="s3://haven-evidence/prefix",
                     HAVEN_S3_ENDPOINT_URL=f"http://127.0.0.1:{closed_port()}")

    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "could not be reached. Is the S3 service running, and is HAVEN_S3_ENDPOINT_URL right?" in result.stderr
    assert evidence_rows(sqlite_haven) == []
