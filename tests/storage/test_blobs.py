"""The evidence stores: a local folder and a real S3 API (moto's server on loopback)."""
from __future__ import annotations

import hashlib
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from storage.blobs import (
    BlobCipher,
    BlobDecryptionError,
    BlobNotFound,
    BlobStoreError,
    InvalidBlobKey,
    InvalidEncryptionKey,
    LocalBlobStore,
    S3BlobStore,
    generate_encryption_key,
    open_blob_store,
)
from tests.s3_support import make_s3_bucket, make_s3_client

CONTENT = b"Safeguarding policy, reviewed 2024. " * 50
SECRET_PHRASE = b"reviewed 2024"
BAD_KEYS = ["../../etc/passwd", "ab" * 31, "AB" * 32, "g" * 64, "a" * 63 + "/", "", "a" * 65]


@dataclass(frozen=True)
class FakeSettings:
    """Only the fields open_blob_store reads."""

    blob_url: str
    encryption_key: str | None = None
    s3_endpoint_url: str | None = None


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def all_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def cipher() -> BlobCipher:
    return BlobCipher.from_text(generate_encryption_key())


# --- local folder ------------------------------------------------------------------------------------


def test_local_put_names_the_file_by_sha256_in_two_level_folders(tmp_path):
    store = LocalBlobStore(tmp_path / "evidence")
    key = store.put(CONTENT)
    assert key == sha(CONTENT)
    assert all_files(tmp_path / "evidence") == [tmp_path / "evidence" / key[:2] / key[2:4] / key]
    assert store.get(key) == CONTENT
    assert store.exists(key)


def test_local_put_twice_stores_once_and_leaves_no_temp_files(tmp_path):
    store = LocalBlobStore(tmp_path)
    first = store.put(CONTENT)
    second = store.put(CONTENT)
    other = store.put(b"another file")
    assert first == second
    assert len(all_files(tmp_path)) == 2
    assert not [path for path in all_files(tmp_path) if path.name.startswith(".") or path.suffix == ".part"]
    assert sorted(store.keys()) == sorted([first, other])


def test_local_keys_ignore_stray_files_and_misplaced_names(tmp_path):
    store = LocalBlobStore(tmp_path)
    key = store.put(CONTENT)
    folder = tmp_path / key[:2] / key[2:4]
    (folder / ".incoming-abc.part").write_bytes(b"half written")
    (tmp_path / "README.txt").write_text("not evidence")
    misplaced = tmp_path / "00" / "00"
    misplaced.mkdir(parents=True)
    (misplaced / sha(b"elsewhere")).write_bytes(b"elsewhere")
    assert list(store.keys()) == [key]


def test_local_keys_of_a_store_never_written_is_empty(tmp_path):
    assert list(LocalBlobStore(tmp_path / "nothing-yet").keys()) == []


def test_local_delete_removes_and_then_get_is_not_found(tmp_path):
    store = LocalBlobStore(tmp_path)
    key = store.put(CONTENT)
    store.delete(key)
    assert not store.exists(key)
    with pytest.raises(BlobNotFound):
        store.get(key)
    store.delete(key)  # deleting again is fine
    assert list(store.keys()) == []


def test_local_get_of_unknown_key_is_not_found(tmp_path):
    with pytest.raises(BlobNotFound):
        LocalBlobStore(tmp_path).get(sha(b"never stored"))


@pytest.mark.parametrize("bad", BAD_KEYS)
def test_local_refuses_keys_that_are_not_sha256_hex(tmp_path, bad):
    store = LocalBlobStore(tmp_path / "store")
    for operation in (store.get, store.exists, store.delete):
        with pytest.raises(InvalidBlobKey):
            operation(bad)
    assert not (tmp_path / "store").exists()


def test_local_failed_write_leaves_nothing_behind(tmp_path):
    store = LocalBlobStore(tmp_path)
    blocker = store.path_for(sha(CONTENT))
    blocker.mkdir(parents=True)  # the rename onto a folder fails
    with pytest.raises(BlobStoreError, match="could not be written"):
        store.put(CONTENT)
    assert all_files(tmp_path) == []
    assert list(store.keys()) == []


# --- encryption at rest ----------------------------------------------------------------------------------


def test_encrypted_local_store_keeps_no_plaintext_and_names_by_plaintext_hash(tmp_path):
    store = LocalBlobStore(tmp_path, cipher=cipher())
    key = store.put(CONTENT)
    assert key == sha(CONTENT)
    [path] = all_files(tmp_path)
    stored = path.read_bytes()
    assert stored != CONTENT
    assert SECRET_PHRASE not in stored
    assert CONTENT[:16] not in stored
    assert store.get(key) == CONTENT
    assert sha(store.get(key)) == key  # what verify does
    assert store.put(CONTENT) == key
    assert len(all_files(tmp_path)) == 1


def test_encrypted_store_with_wrong_key_says_so(tmp_path):
    key = LocalBlobStore(tmp_path, cipher=cipher()).put(CONTENT)
    with pytest.raises(BlobDecryptionError, match="could not be decrypted with HAVEN_ENCRYPTION_KEY: wrong key"):
        LocalBlobStore(tmp_path, cipher=cipher()).get(key)


def test_encrypted_blob_copied_under_another_name_does_not_decrypt(tmp_path):
    secret = cipher()
    store = LocalBlobStore(tmp_path, cipher=secret)
    key = store.put(CONTENT)
    other = store.put(b"other evidence")
    store.path_for(other).write_bytes(store.path_for(key).read_bytes())
    with pytest.raises(BlobDecryptionError):
        store.get(other)


def test_encrypted_blob_read_without_a_key_is_an_error_not_ciphertext(tmp_path):
    key = LocalBlobStore(tmp_path, cipher=cipher()).put(CONTENT)
    with pytest.raises(BlobDecryptionError, match="HAVEN_ENCRYPTION_KEY is not set"):
        LocalBlobStore(tmp_path).get(key)


def test_an_encrypted_store_refuses_a_plaintext_file_even_named_by_its_own_hash(tmp_path):
    """Whoever can write to the store must not swap in a file of their own: with encryption on, a file that
    Haven did not encrypt is refused, whatever its name. (An older plaintext store is encrypted by a backup
    and a restore.)"""
    key = LocalBlobStore(tmp_path).put(CONTENT)
    with pytest.raises(BlobDecryptionError, match="not encrypted"):
        LocalBlobStore(tmp_path, cipher=cipher()).get(key)


def test_encrypted_store_missing_file_is_not_found(tmp_path):
    store = LocalBlobStore(tmp_path, cipher=cipher())
    key = store.put(CONTENT)
    store.path_for(key).unlink()
    with pytest.raises(BlobNotFound):
        store.get(key)


@pytest.mark.parametrize("bad", ["", "short", "x" * 44, generate_encryption_key()[:-4], "é" * 44])
def test_malformed_encryption_key_is_refused_when_the_store_opens(tmp_path, bad):
    settings = FakeSettings(blob_url=f"file://{tmp_path}", encryption_key=bad or " ")
    with pytest.raises(InvalidEncryptionKey, match="HAVEN_ENCRYPTION_KEY is malformed"):
        open_blob_store(settings)


def test_generated_keys_are_distinct_and_usable():
    first, second = generate_encryption_key(), generate_encryption_key()
    assert first != second and len(first) == 44
    assert BlobCipher.from_text(first).decrypt(BlobCipher.from_text(first).encrypt(b"x", sha(b"x")), sha(b"x")) == b"x"


# --- open_blob_store ------------------------------------------------------------------------------------------


def test_open_blob_store_file_url(tmp_path):
    store = open_blob_store(FakeSettings(blob_url=(tmp_path / "evidence").as_uri()))
    assert isinstance(store, LocalBlobStore)
    assert store.root == tmp_path / "evidence"
    assert store.get(store.put(CONTENT)) == CONTENT


def test_open_blob_store_with_key_encrypts(tmp_path):
    settings = FakeSettings(blob_url=tmp_path.as_uri(), encryption_key=generate_encryption_key())
    key = open_blob_store(settings).put(CONTENT)
    [path] = all_files(tmp_path)
    assert SECRET_PHRASE not in path.read_bytes()
    assert open_blob_store(settings).get(key) == CONTENT


def test_open_blob_store_refuses_other_schemes():
    with pytest.raises(BlobStoreError, match="file:// or s3://"):
        open_blob_store(FakeSettings(blob_url="ftp://example.org/evidence"))


# --- S3 against moto's server ----------------------------------------------------------------------------------


@pytest.fixture
def bucket(s3_server_url) -> str:
    return make_s3_bucket(s3_server_url, f"haven-{uuid.uuid4().hex[:12]}")


@pytest.fixture
def s3_store(s3_server_url, bucket) -> S3BlobStore:
    return S3BlobStore(bucket, "evidence/org-1", client=make_s3_client(s3_server_url))


@pytest.mark.s3
def test_s3_put_get_dedupe_and_object_layout(s3_server_url, bucket, s3_store):
    key = s3_store.put(CONTENT)
    assert key == sha(CONTENT)
    assert s3_store.put(CONTENT) == key
    assert s3_store.get(key) == CONTENT
    assert s3_store.exists(key)
    listed = make_s3_client(s3_server_url).list_objects_v2(Bucket=bucket)["Contents"]
    assert [item["Key"] for item in listed] == [f"evidence/org-1/{key[:2]}/{key}"]


@pytest.mark.s3
def test_s3_keys_and_delete(s3_server_url, bucket, s3_store):
    keys = {s3_store.put(f"file {number}".encode()) for number in range(3)}
    make_s3_client(s3_server_url).put_object(Bucket=bucket, Key="evidence/org-1/notes.txt", Body=b"stray")
    assert set(s3_store.keys()) == keys
    victim = sorted(keys)[0]
    s3_store.delete(victim)
    s3_store.delete(victim)
    assert not s3_store.exists(victim)
    with pytest.raises(BlobNotFound):
        s3_store.get(victim)
    assert set(s3_store.keys()) == keys - {victim}


@pytest.mark.s3
def test_s3_refuses_bad_keys(s3_store):
    for bad in BAD_KEYS:
        with pytest.raises(InvalidBlobKey):
            s3_store.get(bad)


@pytest.mark.s3
def test_s3_encrypted_objects_hold_no_plaintext(s3_server_url, bucket):
    secret = cipher()
    store = S3BlobStore(bucket, "", client=make_s3_client(s3_server_url), cipher=secret)
    key = store.put(CONTENT)
    raw = make_s3_client(s3_server_url).get_object(Bucket=bucket, Key=f"{key[:2]}/{key}")["Body"].read()
    assert SECRET_PHRASE not in raw
    assert store.get(key) == CONTENT
    wrong = S3BlobStore(bucket, "", client=make_s3_client(s3_server_url), cipher=cipher())
    with pytest.raises(BlobDecryptionError, match="wrong key"):
        wrong.get(key)


@pytest.mark.s3
def test_s3_missing_bucket_is_a_clear_error(s3_server_url):
    store = S3BlobStore("no-such-bucket-here", "x", client=make_s3_client(s3_server_url))
    with pytest.raises(BlobStoreError, match="bucket does not exist"):
        store.put(CONTENT)


@pytest.mark.s3
def test_open_blob_store_s3_url(s3_server_url, bucket):
    settings = FakeSettings(
        blob_url=f"s3://{bucket}/haven/evidence", s3_endpoint_url=s3_server_url, encryption_key=generate_encryption_key()
    )
    store = open_blob_store(settings)
    assert isinstance(store, S3BlobStore)
    key = store.put(CONTENT)
    assert open_blob_store(settings).get(key) == CONTENT
    assert list(open_blob_store(settings).keys()) == [key]
    listed = make_s3_client(s3_server_url).list_objects_v2(Bucket=bucket)["Contents"]
    assert [item["Key"] for item in listed] == [f"haven/evidence/{key[:2]}/{key}"]


def closed_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_s3_endpoint_that_is_down_is_a_clear_error():
    endpoint = f"http://127.0.0.1:{closed_loopback_port()}"
    client = make_s3_client(endpoint, connect_timeout=1, read_timeout=1, retries={"max_attempts": 1, "mode": "standard"})
    store = S3BlobStore("evidence", "", client=client)
    for operation in (lambda: store.put(CONTENT), lambda: store.get(sha(CONTENT)), lambda: list(store.keys())):
        with pytest.raises(BlobStoreError, match="could not be reached") as caught:
            operation()
        assert endpoint in str(caught.value)
