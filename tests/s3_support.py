"""A real S3 API (moto's server) on loopback, shared by every test folder that needs one.

Use it from a conftest.py with ``from tests.s3_support import s3_server_url  # noqa: F401``;
the server starts once per test session however many folders import the fixture.
"""
from __future__ import annotations

import atexit
import threading

import pytest

from tests.support import require_or_skip

DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}

_lock = threading.Lock()
_server_url: str | None = None
_start_error: str | None = None


def start_s3_server(timeout: float = 15) -> str | None:
    """The endpoint URL of the shared moto server, started on first use; None if it cannot start."""
    global _server_url, _start_error
    with _lock:
        if _server_url is not None or _start_error is not None:
            return _server_url
        try:
            from moto.server import ThreadedMotoServer
        except ImportError as error:
            _start_error = f"moto[server] is not installed ({error})"
            return None
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        starter = threading.Thread(target=server.start, daemon=True)
        starter.start()
        starter.join(timeout)
        if starter.is_alive():
            _start_error = f"the moto S3 server did not start within {timeout:g} s"
            return None
        host, port = server.get_host_and_port()
        atexit.register(server.stop)
        _server_url = f"http://{host}:{port}"
        return _server_url


def make_s3_client(endpoint_url: str, **config):
    """A boto3 S3 client for the test server with dummy credentials and path-style addressing."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=DUMMY_CREDENTIALS["AWS_DEFAULT_REGION"],
        config=Config(s3={"addressing_style": "path"}, **config),
    )


def make_s3_bucket(endpoint_url: str, name: str) -> str:
    """Create bucket ``name`` on the test server (fine if it exists already) and return its name."""
    client = make_s3_client(endpoint_url)
    existing = {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}
    if name not in existing:
        client.create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="session")
def s3_server_url() -> str:
    """The moto server's URL, with dummy AWS credentials in the environment for the session."""
    url = start_s3_server()
    require_or_skip(url is not None, f"no S3 API server for the tests: {_start_error}")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in DUMMY_CREDENTIALS.items():
            patch.setenv(name, value)
        yield url
