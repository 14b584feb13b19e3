"""Haven's settings, read from the environment in one place."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    blob_url: str
    encryption_key: str | None
    s3_endpoint_url: str | None
    secret_key: str | None = None
    max_upload_bytes: int = 25 * 1024 * 1024
    max_image_pixels: int = 50_000_000
    idle_timeout_minutes: int = 30
    lockout_failures: int = 5
    lockout_minutes: int = 15
    client_lockout_failures: int = 20


STREAMLIT_CONFIG = Path(__file__).parent / ".streamlit" / "config.toml"
DEFAULT_UPLOAD_LIMIT_MB = 25


def streamlit_upload_limit_mb() -> int:
    """The upload limit, one knob for Streamlit and Haven alike: Streamlit's own `server.maxUploadSize`
    (the STREAMLIT_SERVER_MAX_UPLOAD_SIZE variable, else `.streamlit/config.toml`). Streamlit refuses a
    larger file before Haven sees it, and Haven's intake, imports and ingest refuse the same size."""
    raw = os.environ.get("STREAMLIT_SERVER_MAX_UPLOAD_SIZE", "").strip()
    if raw:
        return int(raw)
    try:
        with STREAMLIT_CONFIG.open("rb") as config:
            return int(tomllib.load(config).get("server", {}).get("maxUploadSize", DEFAULT_UPLOAD_LIMIT_MB))
    except (OSError, tomllib.TOMLDecodeError):
        return DEFAULT_UPLOAD_LIMIT_MB


def get_settings() -> Settings:
    """Settings from HAVEN_* variables; defaults give SQLite and a local folder in ./data."""
    data_dir = Path(os.environ.get("HAVEN_DATA_DIR", "data")).resolve()
    database_url = os.environ.get("HAVEN_DATABASE_URL") or f"sqlite:///{data_dir / 'haven.db'}"
    blob_url = os.environ.get("HAVEN_BLOB_URL") or f"file://{data_dir / 'evidence'}"
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        blob_url=blob_url,
        encryption_key=os.environ.get("HAVEN_ENCRYPTION_KEY") or None,
        s3_endpoint_url=os.environ.get("HAVEN_S3_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL") or None,
        max_upload_bytes=streamlit_upload_limit_mb() * 1024 * 1024,
        idle_timeout_minutes=_int_env("HAVEN_IDLE_TIMEOUT_MINUTES", 30),
        secret_key=os.environ.get("HAVEN_SECRET_KEY") or None,
    )
