"""Settings: one source for each value."""
from __future__ import annotations

import tomllib

from config import STREAMLIT_CONFIG, get_settings


def test_the_upload_limit_is_streamlits_own_so_the_two_never_disagree(monkeypatch):
    monkeypatch.delenv("STREAMLIT_SERVER_MAX_UPLOAD_SIZE", raising=False)
    configured_mb = tomllib.loads(STREAMLIT_CONFIG.read_text())["server"]["maxUploadSize"]
    assert get_settings().max_upload_bytes == configured_mb * 1024 * 1024

    monkeypatch.setenv("STREAMLIT_SERVER_MAX_UPLOAD_SIZE", "7")  # what Streamlit itself reads at start
    assert get_settings().max_upload_bytes == 7 * 1024 * 1024


def test_every_setting_is_read_somewhere():
    """A field nothing reads is a second source waiting to disagree with the first."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    sources = "\n".join(path.read_text() for path in root.rglob("*.py")
                        if "tests" not in path.parts and "benchmarks" not in path.parts and path.name != "config.py")
    unread = [name for name in get_settings().__dataclass_fields__ if f".{name}" not in sources]
    assert unread == []
