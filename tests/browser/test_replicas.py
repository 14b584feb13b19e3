"""Two replicas behind Debian's nginx behave as one app.

Two `streamlit run app.py` processes share one PostgreSQL database and one S3 bucket (moto's server); nginx,
started here on loopback with the shipped deploy/nginx.conf (its upstream pointed at the two replicas, HTTP
on a free port instead of HTTPS, and the documented cookie hash instead of the address hash so the test can
steer a browser), keeps each browser on one replica and carries the websocket. A manager signs in through the
proxy, uploads a file and rates an action on one replica; when the browser moves to the other, it signs in
again (session state lives in the replica that served it) and finds the file and the rating there.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import time
import tomllib
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.browser.conftest import (
    ROOT,
    add_choice,
    choose,
    click_button,
    fill_text,
    free_port,
    go_to,
    keyed,
    sign_in,
    upload_files,
    wait_for_app,
)
from tests.conftest import _empty_postgres
from tests.factories import PASSWORD, simple_pdf, write_bundle
from tests.s3_support import DUMMY_CREDENTIALS, make_s3_bucket
from tests.support import require_or_skip

SHIPPED = ROOT / "deploy" / "nginx.conf"
ROUTE_COOKIE = "haven_route"


def upload_limit_mb() -> int:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]


def test_the_shipped_proxy_config_is_sticky_carries_websockets_and_allows_the_upload_limit():
    text = SHIPPED.read_text()
    assert re.search(r"^\s*ip_hash;", text, re.M)
    assert "proxy_set_header Upgrade $http_upgrade;" in text
    assert "proxy_set_header Connection $connection_upgrade;" in text
    assert "proxy_http_version 1.1;" in text
    assert f"client_max_body_size {upload_limit_mb()}m;" in text
    assert "listen 443 ssl;" in text and "return 301 https://" in text


def proxy_config(folder: Path, listen_port: int, replica_ports: list[int]) -> str:
    """The shipped config with the test's replicas, plain HTTP on loopback, and the cookie hash."""
    site = SHIPPED.read_text()
    site = re.sub(r"^\s*server 127\.0\.0\.1:\d+.*\n", "", site, flags=re.M)
    servers = "".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=30s;\n" for port in replica_ports)
    site = site.replace("    ip_hash;\n", f"    hash $cookie_{ROUTE_COOKIE} consistent;\n{servers}")
    site = re.sub(r"server \{\n    listen 80;.*?\n\}\n", "", site, flags=re.S)
    site = re.sub(r"^\s*(ssl_\w+|add_header Strict-Transport-Security).*\n", "", site, flags=re.M)
    site = site.replace("listen 443 ssl;", f"listen 127.0.0.1:{listen_port};")
    site = site.replace("        proxy_pass http://haven_replicas;\n", "        proxy_pass http://haven_replicas;\n"
                        "        add_header X-Haven-Replica $upstream_addr always;\n")
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (f"daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
            f"events {{ worker_connections 256; }}\nhttp {{\n"
            "    log_format replica '$request $status $upstream_addr $upstream_status $request_time';\n"
            f"    access_log {folder / 'access.log'} replica;\n{temp}\n"
            f"{site}\n}}\n")


class Proxy:
    def __init__(self, folder: Path, replica_ports: list[int]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.port = folder, free_port()
        (folder / "nginx.conf").write_text(proxy_config(folder, self.port, replica_ports))
        self.process = subprocess.Popen([shutil.which("nginx"), "-p", str(folder), "-c", str(folder / "nginx.conf")],
                                        stdout=subprocess.DEVNULL, stderr=open(folder / "stderr.log", "wb"),
                                        start_new_session=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                self.replica_for("probe")
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError((folder / "stderr.log").read_text()) from None
                time.sleep(0.2)
        raise RuntimeError("nginx did not answer")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def replica_for(self, route: str) -> str:
        """The replica address nginx sends a browser with this route cookie to."""
        request = urllib.request.Request(f"{self.url}/_stcore/health", headers={"Cookie": f"{ROUTE_COOKIE}={route}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.headers["X-Haven-Replica"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def shared_backends(request, s3_server_url):
    """One PostgreSQL database and one S3 bucket, as every replica's environment sees them."""
    database_url = request.getfixturevalue("postgres_database_url")
    _empty_postgres(database_url)
    bucket = make_s3_bucket(s3_server_url, f"haven-{uuid.uuid4().hex[:12]}")
    return {"HAVEN_DATABASE_URL": database_url, "HAVEN_BLOB_URL": f"s3://{bucket}/evidence",
            "HAVEN_S3_ENDPOINT_URL": s3_server_url, **DUMMY_CREDENTIALS,
            "STREAMLIT_SERVER_COOKIE_SECRET": uuid.uuid4().hex, "HAVEN_SECRET_KEY": uuid.uuid4().hex * 2}


def open_through(page, proxy: Proxy, route: str) -> str:
    page.context.add_cookies([{"name": ROUTE_COOKIE, "value": route, "url": proxy.url}])
    response = page.goto(proxy.url)
    wait_for_app(page)
    return response.headers["x-haven-replica"]


def test_two_replicas_behind_nginx_behave_as_one_app(haven_server, shared_backends, page, shots, artifacts, tmp_path):
    require_or_skip(shutil.which("nginx") is not None, "nginx is not installed (apt-get install -y nginx)")
    first = haven_server(**shared_backends)
    second = haven_server(**shared_backends)
    first.manage("import", str(write_bundle(tmp_path / "bundle")))
    slug = "harbour-house"
    second.manage("create-user", "amira", "--role", "manager", "--org", slug, "--password-stdin", stdin=PASSWORD)
    proxy = Proxy(artifacts / "nginx", [first.port, second.port])
    try:
        replicas = {f"127.0.0.1:{first.port}": None, f"127.0.0.1:{second.port}": None}
        for n in range(64):
            replicas[proxy.replica_for(f"r{n}")] = replicas.get(proxy.replica_for(f"r{n}")) or f"r{n}"
        route_first, route_second = replicas[f"127.0.0.1:{first.port}"], replicas[f"127.0.0.1:{second.port}"]
        assert route_first and route_second, replicas
        assert {proxy.replica_for(route_first) for _ in range(5)} == {f"127.0.0.1:{first.port}"}  # sticky

        assert open_through(page, proxy, route_first) == f"127.0.0.1:{first.port}"
        sign_in(page, "amira", PASSWORD)
        go_to(page, "Evidence library")
        choose(page, "Evidence type", "Policy")
        add_choice(page, "Actions it supports", "3.3.1")
        upload_files(page, "Files", [("replica policy.pdf", simple_pdf("Policy written on the first replica"),
                                      "application/pdf")])
        fill_text(page, "Title", "Policy from the first replica", within=keyed(page, "library:1:upload:title"))
        click_button(page, "Add the files", exact=False)
        page.get_by_text("Stored 1 of 1: replica policy.pdf.").wait_for()
        shots.take(page, "uploaded-on-the-first-replica")

        assert open_through(page, proxy, route_second) == f"127.0.0.1:{second.port}"
        assert "Signed in as amira" in page.get_by_test_id("stSidebar").inner_text()  # the sign-in moved along
        go_to(page, "Evidence library")
        page.get_by_text("Policy from the first replica").first.wait_for(state="attached")  # a row of the grid
        shots.take(page, "seen-on-the-second-replica")
    finally:
        proxy.stop()
    for server in (first, second):
        assert "Traceback" not in server.log_text()
