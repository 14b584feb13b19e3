"""The instance's secret key: kept outside the database, so a copy of the database alone cannot forge what it signs.

`HAVEN_SECRET_KEY` gives it (every replica of one Haven needs the same); otherwise it is made once, at random,
in the data folder (`secret.key`, readable by its owner only). Each use derives its own key from it, so a
value signed for one purpose is worthless for another.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from functools import lru_cache
from pathlib import Path

from errors import HavenError

KEY_FILE_NAME = "secret.key"


class SecretKeyError(HavenError, RuntimeError):
    """The secret key file cannot be used as it is; the message says what to do."""


def purpose_key(master: bytes, purpose: str) -> bytes:
    return hmac.new(master, b"haven:" + purpose.encode("utf-8"), hashlib.sha256).digest()


def instance_secret(data_dir: Path, configured: str | None) -> bytes:
    if configured:
        return hashlib.sha256(configured.encode("utf-8")).digest()
    secret = _key_file_secret(Path(data_dir).resolve())
    _check_owner_only(Path(data_dir).resolve() / KEY_FILE_NAME)
    return secret


def _check_owner_only(path: Path) -> None:
    """A key others may read is no secret: refused (checked at every use, so a loosened file is noticed)."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretKeyError(f"{path} may be read by others (mode {stat.S_IMODE(mode):o}): make it readable by its "
                             f"owner only (chmod 600 {path}).")


@lru_cache(maxsize=32)
def _key_file_secret(data_dir: Path) -> bytes:
    path = data_dir / KEY_FILE_NAME
    data_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        draft = data_dir / f".{KEY_FILE_NAME}.{secrets.token_hex(8)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(draft, path)  # whole or not at all; a second process that got there first wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if len(key) < 32:
        raise SecretKeyError(f"The secret key in {path} is damaged (too short); restore it from a backup of that file.")
    return bytes.fromhex(key) if all(c in "0123456789abcdef" for c in key) else key.encode("utf-8")
