"""The audit key and the audit anchor: what lets `verify` tell a genuine audit log from a rewritten one.

The audit key is derived from the instance's secret key, kept outside the database and outside backups
(storage.secret_key: `HAVEN_SECRET_KEY`, else `secret.key` in the data folder, owner-only). Audit entries are
keyed with it (HMAC-SHA256), so someone who can write to the database but does not hold the key cannot
recompute the chain after editing it; backups are signed with it too.

The anchor is the newest entry this instance has committed (its id and hash, keyed), kept in the data folder
(`audit-anchor.json`), so cutting the newest entries off the log is caught: the anchored entry must still be
there. It is written after each commit that appended an entry and only ever moves forward.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import weakref
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession

from errors import HavenError
from storage.files import write_whole

ANCHOR_FILE = "audit-anchor.json"
_HEAD = "haven_audit_head"


class AuditKeyError(HavenError, RuntimeError):
    """The audit key cannot be read or is not usable; the message says what to do."""


@dataclass(frozen=True)
class Anchor:
    entry_id: int
    hash: str


@dataclass(frozen=True)
class AuditSecrets:
    key: bytes
    anchor_path: Path

    def mac(self, purpose: str, payload: bytes) -> str:
        """HMAC-SHA256 of `payload` for one purpose (audit entries, the anchor, backups never share a MAC)."""
        return hmac.new(self.key, purpose.encode("ascii") + b"\0" + payload, hashlib.sha256).hexdigest()

    def read_anchor(self) -> Anchor | None:
        """The anchored entry, or None when there is no anchor; AuditKeyError when it was tampered with."""
        try:
            raw = json.loads(self.anchor_path.read_text(encoding="utf-8"))
            anchor = Anchor(int(raw["entry"]), str(raw["hash"]))
            mac = str(raw["mac"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise AuditKeyError(f"The audit anchor {self.anchor_path} cannot be read ({error}).") from None
        if not hmac.compare_digest(mac, self._anchor_mac(anchor)):
            raise AuditKeyError(f"The audit anchor {self.anchor_path} does not carry a valid key: it was edited or "
                                "written with another audit key.")
        return anchor

    def advance_anchor(self, anchor: Anchor) -> None:
        """Moves the anchor to `anchor` unless it already names a newer entry (processes take turns)."""
        self.anchor_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.anchor_path.with_name(ANCHOR_FILE + ".lock"), "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                held = self.read_anchor()
            except AuditKeyError:
                held = None
            if held is not None and held.entry_id >= anchor.entry_id:
                return
            self.write_anchor(anchor)

    def write_anchor(self, anchor: Anchor) -> None:
        document = {"entry": anchor.entry_id, "hash": anchor.hash, "mac": self._anchor_mac(anchor)}
        write_whole(self.anchor_path, json.dumps(document).encode("utf-8"), private=True)

    def _anchor_mac(self, anchor: Anchor) -> str:
        return self.mac("anchor", f"{anchor.entry_id}:{anchor.hash}".encode("ascii"))


_registry: weakref.WeakKeyDictionary[Engine, AuditSecrets] = weakref.WeakKeyDictionary()


def register(engine: Engine, secrets: AuditSecrets) -> None:
    _registry[engine] = secrets


def secrets_for(bind) -> AuditSecrets:
    """The audit secrets of the database a session or connection is bound to."""
    engine = bind if isinstance(bind, Engine) else getattr(bind, "engine", None)
    secrets = _registry.get(engine) if engine is not None else None
    if secrets is None:
        raise AuditKeyError("This database was opened without its audit key: open it through "
                            "services.instance (open_instance or Haven).")
    return secrets


def remember_head(session, entry_id: int, entry_hash: str) -> None:
    """Called when an entry is appended: the anchor moves to it once the session commits."""
    session.info[_HEAD] = Anchor(entry_id, entry_hash)


@event.listens_for(OrmSession, "after_commit")
def _anchor_after_commit(session) -> None:
    head = session.info.pop(_HEAD, None)
    if head is None:
        return
    try:
        secrets_for(session.get_bind())
    except AuditKeyError:
        return
    with contextlib.suppress(OSError):  # the change is committed; a lagging anchor only narrows what verify sees
        secrets_for(session.get_bind()).advance_anchor(head)


@event.listens_for(OrmSession, "after_rollback")
def _forget_head(session) -> None:
    session.info.pop(_HEAD, None)
