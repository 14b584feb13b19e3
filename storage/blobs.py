"""Evidence files by content: a local folder or an S3 bucket, optionally encrypted at rest.

Every blob is named by the SHA-256 of its plaintext, so equal files are stored once and
`verify` can re-hash what it reads. With encryption the stored bytes are AES-256-GCM
ciphertext bound to that name, so a file copied under another name does not decrypt.
"""
from __future__ import annotations

import base64
import binascii
import errno
import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from errors import HavenError
from storage.files import write_whole

_KEY = re.compile(r"[0-9a-f]{64}")
_SHARD = re.compile(r"[0-9a-f]{2}")


class BlobNotFound(KeyError):
    """No blob is stored under this key."""


class BlobStoreError(HavenError, RuntimeError):
    """The store could not do what was asked; the message says why."""


class BlobDecryptionError(BlobStoreError):
    """A stored blob could not be decrypted (wrong or missing key, or altered bytes)."""


class InvalidEncryptionKey(BlobStoreError, ValueError):
    """HAVEN_ENCRYPTION_KEY is not a usable key."""


class InvalidBlobKey(HavenError, ValueError):
    """A blob key that is not 64 lowercase hex characters."""


class BlobStore(Protocol):
    def put(self, content: bytes, key: str | None = None) -> str: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def modified_at(self, key: str) -> datetime: ...
    def delete(self, key: str) -> None: ...
    def keys(self) -> Iterator[str]: ...


def content_key(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def check_key(key: str) -> str:
    """``key`` itself when it is a SHA-256 hex digest; InvalidBlobKey otherwise (no paths)."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise InvalidBlobKey(f"Not an evidence key (64 lowercase hex characters): {ascii(key)[:80]}")
    return key


# --- encryption at rest ---------------------------------------------------------------------------

_MAGIC = b"HVNE\x01"
_NONCE_BYTES = 12


def generate_encryption_key() -> str:
    """A new random key for HAVEN_ENCRYPTION_KEY: 32 bytes as URL-safe base64 (44 characters)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


class BlobCipher:
    """AES-256-GCM; the blob key (plaintext SHA-256) is authenticated with each blob."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise InvalidEncryptionKey("An encryption key must be 32 bytes.")
        self._aead = AESGCM(key)

    @classmethod
    def from_text(cls, text: str) -> BlobCipher:
        """The cipher for a HAVEN_ENCRYPTION_KEY value; a clear error when it is malformed."""
        cleaned = text.strip()
        try:
            raw = base64.urlsafe_b64decode(cleaned.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raw = b""
        if len(raw) != 32 or len(cleaned) != 44:
            raise InvalidEncryptionKey(
                "HAVEN_ENCRYPTION_KEY is malformed: it must be 32 random bytes written as URL-safe "
                f"base64 (44 characters), but it has {len(cleaned)} characters. "
                "Make one with storage.blobs.generate_encryption_key()."
            )
        return cls(raw)

    def encrypt(self, plaintext: bytes, key: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return _MAGIC + nonce + self._aead.encrypt(nonce, plaintext, _MAGIC + key.encode("ascii"))

    def decrypt(self, stored: bytes, key: str) -> bytes:
        if not stored.startswith(_MAGIC):
            # Never taken as it is, even when it hashes to its name: whoever can write to the store could
            # otherwise swap in any file of their own, named by its own hash. (A store written before
            # encryption was turned on is encrypted by a backup and a restore.)
            raise BlobDecryptionError(
                f"The evidence file {key[:12]}… is not encrypted, but HAVEN_ENCRYPTION_KEY is set: it was not "
                "stored by this Haven."
            )
        nonce = stored[len(_MAGIC) : len(_MAGIC) + _NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, stored[len(_MAGIC) + _NONCE_BYTES :], _MAGIC + key.encode("ascii"))
        except InvalidTag:
            raise BlobDecryptionError(
                "The evidence store could not be decrypted with HAVEN_ENCRYPTION_KEY: wrong key? "
                f"(file {key[:12]}…; the file may also have been altered)"
            ) from None


def _sealed(cipher: BlobCipher | None, content: bytes, key: str) -> bytes:
    return cipher.encrypt(content, key) if cipher is not None else content


def _opened(cipher: BlobCipher | None, stored: bytes, key: str) -> bytes:
    if cipher is not None:
        return cipher.decrypt(stored, key)
    if stored.startswith(_MAGIC) and content_key(stored) != key:
        raise BlobDecryptionError(
            f"The evidence file {key[:12]}… is encrypted, but HAVEN_ENCRYPTION_KEY is not set."
        )
    return stored


# --- local folder ------------------------------------------------------------------------------------


class LocalBlobStore:
    """Files at ``root/ab/cd/<sha256>``, written to a temp file, fsynced and renamed into place."""

    def __init__(self, root: Path | str, *, cipher: BlobCipher | None = None) -> None:
        self.root = Path(root)
        self.cipher = cipher

    def path_for(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key[2:4] / key

    def put(self, content: bytes, key: str | None = None) -> str:
        """Stores ``content`` under its SHA-256; ``key``, when given, is that SHA-256 already computed."""
        key = key or content_key(content)
        path = self.path_for(key)
        if path.is_file():
            _touch(path)
            return key
        try:
            self._make_folders(path.parent)
            self._write_atomically(path, _sealed(self.cipher, content, key))
        except OSError as error:
            if error.errno in (errno.ENOSPC, errno.EDQUOT):
                raise BlobStoreError(f"The evidence store is full: there is no space left on the disk under "
                                     f"{self.root}, so the file was not stored. Free some space and try again.") from error
            raise BlobStoreError(f"The evidence file could not be written under {self.root}: {error}") from error
        return key

    def get(self, key: str) -> bytes:
        path = self.path_for(key)
        try:
            stored = path.read_bytes()
        except FileNotFoundError:
            raise BlobNotFound(key) from None
        except OSError as error:
            raise BlobStoreError(f"The evidence file {key[:12]}… could not be read: {error}") from error
        return _opened(self.cipher, stored, key)

    def exists(self, key: str) -> bool:
        return self.path_for(key).is_file()

    def modified_at(self, key: str) -> datetime:
        """When the blob was last written (or put again); BlobNotFound when it is not there."""
        try:
            return datetime.fromtimestamp(self.path_for(key).stat().st_mtime, UTC)
        except FileNotFoundError:
            raise BlobNotFound(key) from None

    def delete(self, key: str) -> None:
        """Remove the blob; deleting a blob that is not there does nothing."""
        path = self.path_for(key)
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            raise BlobStoreError(f"The evidence file {key[:12]}… could not be deleted: {error}") from error

    def keys(self) -> Iterator[str]:
        """Every stored key, in order; temp files and anything else in the folder are ignored."""
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if not (first.is_dir() and _SHARD.fullmatch(first.name)):
                continue
            for second in sorted(first.iterdir()):
                if not (second.is_dir() and _SHARD.fullmatch(second.name)):
                    continue
                for item in sorted(second.iterdir()):
                    name = item.name
                    if _KEY.fullmatch(name) and name[:2] == first.name and name[2:4] == second.name and item.is_file():
                        yield name

    def _make_folders(self, folder: Path) -> None:
        missing = [parent for parent in (folder, *folder.parents) if not parent.exists()]
        folder.mkdir(parents=True, exist_ok=True)
        for created in reversed(missing):
            _fsync_folder(created.parent)

    @staticmethod
    def _write_atomically(path: Path, data: bytes) -> None:
        write_whole(path, data)
        _fsync_folder(path.parent)


def _touch(path: Path) -> None:
    """Marks a blob as just stored again, so a clean-up of old orphans never takes a file an upload is reusing."""
    try:
        os.utime(path)
    except OSError:
        pass


def _fsync_folder(folder: Path) -> None:
    """Make a rename or a new entry in ``folder`` durable (POSIX only)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# --- S3 ------------------------------------------------------------------------------------------------


class S3BlobStore:
    """Objects at ``prefix/ab/<sha256>`` in an S3 bucket (AWS, MinIO, Ceph, moto...)."""

    def __init__(self, bucket: str, prefix: str = "", *, client, cipher: BlobCipher | None = None) -> None:
        if not bucket:
            raise BlobStoreError("The S3 evidence store needs a bucket name (HAVEN_BLOB_URL=s3://bucket/prefix).")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client
        self.cipher = cipher

    def object_key(self, key: str) -> str:
        check_key(key)
        return f"{self._listing_prefix()}{key[:2]}/{key}"

    def put(self, content: bytes, key: str | None = None) -> str:
        """Store ``content`` once; an S3 PUT is atomic, so readers never see half a file. ``key``, when given,
        is the SHA-256 of ``content`` already computed."""
        key = key or content_key(content)
        if self.exists(key):
            self._touch(key)
            return key
        with self._errors("store", key):
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.object_key(key),
                Body=_sealed(self.cipher, content, key),
                ContentType="application/octet-stream",
            )
        return key

    def get(self, key: str) -> bytes:
        object_key = self.object_key(key)
        with self._errors("read", key):
            try:
                response = self.client.get_object(Bucket=self.bucket, Key=object_key)
            except ClientError as error:
                if _error_code(error) in ("NoSuchKey", "404", "NotFound"):
                    raise BlobNotFound(key) from None
                raise
            stored = response["Body"].read()
        return _opened(self.cipher, stored, key)

    def exists(self, key: str) -> bool:
        object_key = self.object_key(key)
        with self._errors("look up", key):
            try:
                self.client.head_object(Bucket=self.bucket, Key=object_key)
            except ClientError as error:
                if _error_code(error) in ("NoSuchKey", "404", "NotFound"):
                    return False
                raise
        return True

    def modified_at(self, key: str) -> datetime:
        """When the object was last written (or put again); BlobNotFound when it is not there."""
        object_key = self.object_key(key)
        with self._errors("look up", key):
            try:
                return self.client.head_object(Bucket=self.bucket, Key=object_key)["LastModified"]
            except ClientError as error:
                if _error_code(error) in ("NoSuchKey", "404", "NotFound"):
                    raise BlobNotFound(key) from None
                raise

    def _touch(self, key: str) -> None:
        """Copies the object onto itself, which renews its LastModified (see LocalBlobStore.put)."""
        object_key = self.object_key(key)
        with self._errors("store", key):
            self.client.copy_object(Bucket=self.bucket, Key=object_key, CopySource={"Bucket": self.bucket, "Key": object_key},
                                    MetadataDirective="REPLACE", ContentType="application/octet-stream")

    def delete(self, key: str) -> None:
        """Remove the blob; deleting a blob that is not there does nothing (as in S3)."""
        object_key = self.object_key(key)
        with self._errors("delete", key):
            self.client.delete_object(Bucket=self.bucket, Key=object_key)

    def keys(self) -> Iterator[str]:
        prefix = self._listing_prefix()
        pattern = re.compile(re.escape(prefix) + r"([0-9a-f]{2})/([0-9a-f]{64})")
        with self._errors("list", None):
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    match = pattern.fullmatch(item["Key"])
                    if match and match.group(2)[:2] == match.group(1):
                        yield match.group(2)

    def _listing_prefix(self) -> str:
        return f"{self.prefix}/" if self.prefix else ""

    @contextmanager
    def _errors(self, action: str, key: str | None):
        """Turn botocore errors into BlobStoreError with a message a person can act on."""
        where = f"the S3 evidence store (bucket {self.bucket!r} at {self._endpoint()})"
        what = f" file {key[:12]}…" if key else ""
        try:
            yield
        except EndpointConnectionError as error:
            raise BlobStoreError(
                f"Could not {action}{what}: {where} could not be reached. "
                "Is the S3 service running, and is HAVEN_S3_ENDPOINT_URL right?"
            ) from error
        except NoCredentialsError as error:
            raise BlobStoreError(
                f"Could not {action}{what}: no S3 credentials were found for {where}. "
                "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
            ) from error
        except ClientError as error:
            raise BlobStoreError(f"Could not {action}{what}: {where} answered {_describe_client_error(error)}.") from error
        except BotoCoreError as error:
            raise BlobStoreError(f"Could not {action}{what}: {where} failed: {error}") from error

    def _endpoint(self) -> str:
        return getattr(getattr(self.client, "meta", None), "endpoint_url", None) or "the default AWS endpoint"


def _error_code(error) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _describe_client_error(error) -> str:
    code = _error_code(error)
    if code == "NoSuchBucket":
        return "that the bucket does not exist"
    if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"):
        return f"that access is denied ({code}); check the S3 credentials and bucket policy"
    message = error.response.get("Error", {}).get("Message", "")
    return f"with an error: {code} {message}".rstrip()


# --- from settings --------------------------------------------------------------------------------------


def open_blob_store(settings) -> BlobStore:
    """The store named by ``settings.blob_url``: ``file:///path`` or ``s3://bucket/prefix``.

    Nothing is contacted here; a malformed HAVEN_ENCRYPTION_KEY or URL fails at once.
    """
    cipher = BlobCipher.from_text(settings.encryption_key) if settings.encryption_key else None
    url = urlsplit(settings.blob_url)
    if url.scheme == "file":
        return LocalBlobStore(_file_url_path(url), cipher=cipher)
    if url.scheme == "s3":
        return S3BlobStore(
            url.netloc, unquote(url.path), client=make_s3_client(settings.s3_endpoint_url), cipher=cipher
        )
    raise BlobStoreError(
        f"HAVEN_BLOB_URL must start with file:// or s3://, not {url.scheme + '://' if url.scheme else 'nothing'}."
    )


def _file_url_path(url) -> Path:
    """The folder of a file URL; ``file://relative/dir`` is taken as a relative path."""
    path = unquote(url.path)
    if url.netloc and url.netloc != "localhost":
        path = url.netloc + path
    if not path:
        raise BlobStoreError("HAVEN_BLOB_URL=file://… needs a folder, e.g. file:///srv/haven/evidence.")
    return Path(path)


def make_s3_client(endpoint_url: str | None, *, connect_timeout: float = 5, read_timeout: float = 60, attempts: int = 3):
    """A boto3 S3 client; credentials and region come from the usual AWS settings."""
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"max_attempts": attempts, "mode": "standard"},
        s3={"addressing_style": "path"} if endpoint_url else None,
    )
    return boto3.client("s3", endpoint_url=endpoint_url or None, config=config)
