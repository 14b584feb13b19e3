"""Writing a file whole or not at all, for the files Haven keeps in folders (evidence, the audit anchor)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_whole(path: Path, data: bytes, *, private: bool = False) -> None:
    """Writes `path` through a temp file beside it (`.<name>-….part`), fsynced and renamed into place, so a reader
    sees the old file or the new one and a crash leaves no half-written file under the name. `private`: readable
    by its owner only. (Making the rename itself durable is the caller's choice: fsync the folder after.)"""
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".part")
    try:
        if private:
            os.fchmod(handle, 0o600)
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
