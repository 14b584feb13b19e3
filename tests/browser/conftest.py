"""The real-browser harness: Haven started the way a user starts it, driven by headless Chromium.

`streamlit run app.py` runs in its own process on a free loopback port with a fresh HAVEN_DATA_DIR,
and the tests wait on `/_stcore/health` before opening it in the system Chromium through
Playwright. Screenshots and the server's log go to `test-artifacts/browser/<test>/` (git-ignored),
and a failing test leaves a screenshot of the moment it failed.

Use it from a test module in this folder:

    def test_something(haven_server, page, shots):
        server = haven_server()                       # or haven_server(HAVEN_DATABASE_URL=...)
        server.create_user("amira", "--admin")
        open_app(page, server)
        sign_in(page, "amira", PASSWORD)
        shots.take(page, "signed-in")
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.factories import PASSWORD
from tests.support import require_or_skip

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
STARTUP_SECONDS = 60
STEP_TIMEOUT_MS = 20_000


def chromium_path() -> str | None:
    """The system Chromium: HAVEN_CHROMIUM, else `chromium` on the PATH, else Debian's place for it."""
    candidates = [os.environ.get("HAVEN_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                  "/usr/bin/chromium"]
    return next((c for c in candidates if c and Path(c).is_file() and os.access(c, os.X_OK)), None)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def artifact_folder(nodeid: str) -> Path:
    """test-artifacts/browser/<test>/, emptied of an earlier run's files."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1]).strip("_")[:120]
    folder = ARTIFACTS / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class HavenServer:
    """One `streamlit run app.py` process and the data folder it serves."""

    data_dir: Path
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = None
    extra: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HavenServer:
        command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                   "--server.port", str(self.port), "--server.address", self.extra.get("address", "127.0.0.1"),
                   "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self._wait_until_healthy()
        return self

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}:\n{self.log_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200 and response.read().strip() == b"ok":
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"streamlit did not answer /_stcore/health within {STARTUP_SECONDS} s:\n"
                           f"{self.log_text()[-3000:]}")

    def stop(self) -> None:
        """Stops the process group this server started (and nothing else)."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass

    def manage(self, *args: str, stdin: str = "", check: bool = True) -> subprocess.CompletedProcess:
        """`python manage.py …` against this server's data, as an operator would run it beside the app."""
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, input=stdin,
                                capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed: {result.stderr.strip()}")
        return result

    def create_user(self, username: str, *options: str, password: str = PASSWORD) -> None:
        """`manage.py create-user` with the password given on standard input, e.g. `"--role", "manager"`."""
        self.manage("create-user", username, *options, "--password-stdin", stdin=password)

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""


class Screenshots:
    """Numbered screenshots of a test's steps, kept as test artefacts."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def take(self, page, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{re.sub(r'[^A-Za-z0-9_-]+', '-', name)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


def server_settings(server: HavenServer):
    """The settings of a running test server (its SQLite database and evidence folder), for reading what it stored."""
    from config import Settings

    return Settings(data_dir=server.data_dir, database_url=f"sqlite:///{server.data_dir / 'haven.db'}",
                    blob_url=f"file://{server.data_dir / 'evidence'}", encryption_key=None, s3_endpoint_url=None)


def _clean_environment(data_dir: Path, overrides: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_") or k in ("HAVEN_REQUIRE_ALL",)}
    env.update({"HAVEN_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"})
    env.update(overrides)
    return env


# --- fixtures ------------------------------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.haven_call_failed = report.failed
    return report


@pytest.fixture(scope="session")
def chromium_browser():
    """The system Chromium, headless, through Playwright; skipped (or failed under HAVEN_REQUIRE_ALL=1) when absent."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    require_or_skip(sync_playwright is not None, "Playwright is not installed (pip install -r requirements-dev.txt)")
    executable = chromium_path()
    require_or_skip(executable is not None, "Chromium is not installed (apt-get install -y chromium)")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    except Exception as error:
        playwright.stop()
        require_or_skip(False, f"Chromium could not be started through Playwright: {error}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def artifacts(request) -> Path:
    return artifact_folder(request.node.nodeid)


@pytest.fixture
def haven_server(tmp_path, artifacts, chromium_browser):
    """A factory: `haven_server(**env)` starts Haven on a fresh data folder and returns the HavenServer.

    Extra keyword arguments are environment variables (e.g. HAVEN_DATABASE_URL, HAVEN_IDLE_TIMEOUT_MINUTES).
    Every server started here is stopped when the test ends.
    """
    started: list[HavenServer] = []

    def start(**overrides: str) -> HavenServer:
        data_dir = tmp_path / f"data{len(started) or ''}"
        server = HavenServer(data_dir=data_dir, port=free_port(), env=_clean_environment(data_dir, overrides),
                             log_path=artifacts / f"server{len(started) or ''}.log")
        server.manage("init")
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def browser_context(chromium_browser):
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True,
                                           locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(STEP_TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(browser_context, request, artifacts):
    """A fresh tab; when the test fails, its last state is kept as failure.png."""
    tab = browser_context.new_page()
    yield tab
    if getattr(request.node, "haven_call_failed", False):
        try:
            tab.screenshot(path=str(artifacts / "failure.png"), full_page=True)
        except Exception:
            pass


@pytest.fixture
def shots(artifacts) -> Screenshots:
    return Screenshots(artifacts)


# --- Streamlit helpers ---------------------------------------------------------------------------------------


def wait_for_app(page, timeout_ms: int = STEP_TIMEOUT_MS) -> None:
    """Waits until the app is connected and its script has finished running (as Streamlit's own e2e tests do)."""
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]', timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms)
    page.wait_for_timeout(150)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms)


def open_app(page, server: HavenServer, path: str = "") -> None:
    page.goto(f"{server.url}/{path.lstrip('/')}")
    wait_for_app(page)


def fill_text(page, label: str, value: str, *, within=None) -> None:
    """Types into the text input or area with this label and commits it (Streamlit reads on blur/enter)."""
    scope = within or page
    field_ = scope.get_by_label(label, exact=True)
    field_.fill(value)
    field_.press("Tab")


def click_button(page, name: str, *, within=None, exact: bool = True) -> None:
    """Clicks the button named `name` (exact=False also finds it when an icon adds to its name)."""
    (within or page).get_by_role("button", name=name, exact=exact).click()
    wait_for_app(page)


def sign_in(page, username: str, password: str) -> None:
    """Signs in and waits for the outcome: the signed-in sidebar, or the refusal (a sign-in reruns the app more
    than once, and the script may rest a moment between those runs)."""
    form = page.get_by_test_id("stForm")
    for _ in range(3):  # a rerun still under way (after a sign-out) can redraw the form and empty a field
        fill_text(page, "User name", username, within=form)
        fill_text(page, "Password", password, within=form)
        wait_for_app(page)
        if (form.get_by_label("User name", exact=True).input_value() == username
                and form.get_by_label("Password", exact=True).input_value() == password):
            break
    click_button(page, "Sign in", within=form)
    page.get_by_test_id("stSidebar").get_by_text("Signed in as").or_(
        page.get_by_test_id("stAlertContentError")).first.wait_for()
    wait_for_app(page)


def go_to(page, title: str) -> None:
    """Opens a page from the sidebar navigation by its title (a count after it, as "Review queue (3)", is allowed)."""
    name = re.compile("^" + re.escape(title) + r"( \(\d+\))?$")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
    wait_for_app(page)


def main_text(page) -> str:
    return page.get_by_test_id("stMain").inner_text()


def widget(page, test_id: str, label: str, *, within=None):
    """The Streamlit widget of this kind (stSelectbox, stMultiSelect, stFileUploader…) whose label is `label`."""
    return (within or page).get_by_test_id(test_id).filter(
        has=page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True))


def _open_options(page, box):
    """Opens a select's option list; tries again if a late rerun redraws the widget and closes it."""
    options = page.get_by_role("listbox").get_by_role("option")
    for attempt in range(3):
        box.get_by_role("combobox").click()
        try:
            options.first.wait_for(timeout=3000)
            return options
        except Exception:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            wait_for_app(page)
    return options


def choose(page, label: str, option: str, *, within=None) -> None:
    """Picks `option` in the (visible) selectbox labelled `label`."""
    box = widget(page, "stSelectbox", label, within=within).filter(visible=True)
    _open_options(page, box).filter(has_text=re.compile("^" + re.escape(option) + "$")).click()
    wait_for_app(page)


def add_choice(page, label: str, option: str, *, within=None) -> None:
    """Adds `option` to the multiselect labelled `label`."""
    box = widget(page, "stMultiSelect", label, within=within).filter(visible=True)
    _open_options(page, box).filter(has_text=option).first.click()
    page.keyboard.press("Escape")
    wait_for_app(page)


def upload_files(page, label: str, files: list[tuple[str, bytes, str]], *, within=None) -> None:
    """Puts (name, content, MIME type) files into the file uploader labelled `label`."""
    uploader = widget(page, "stFileUploader", label, within=within).filter(visible=True)
    uploader.locator('input[type="file"]').set_input_files(
        [{"name": name, "mimeType": mime, "buffer": content} for name, content, mime in files])
    for name, _, _ in files:
        uploader.get_by_text(name, exact=True).wait_for()
    wait_for_app(page)


def create_administrator(page, username: str, password: str, *, shots: Screenshots | None = None) -> None:
    """Fills and sends the first visit's form (a new Haven has no account and asks for its administrator); with
    `shots`, the filled form is screenshotted first."""
    form = page.get_by_test_id("stForm")
    fill_text(page, "User name", username, within=form)
    fill_text(page, "Password (at least 12 characters)", password, within=form)
    fill_text(page, "Repeat the password", password, within=form)
    if shots is not None:
        shots.take(page, "first-run-administrator")
    click_button(page, "Create administrator", within=form)


def download_revision(page, evidence: str, revision: int = 1) -> bytes:
    """The copy the evidence library hands out of a revision of `evidence` (its label: "title — type")."""
    choose(page, "Evidence", evidence)
    with page.expect_download() as download:
        click_button(page, f"Download revision {revision}", exact=False)
    return download.value.path().read_bytes()


def sign_out(page) -> None:
    """Signs out and waits for the sign-in form (the browser-session cookie is cleared in a round trip)."""
    click_button(page, "Sign out", within=page.get_by_test_id("stSidebar"), exact=False)
    page.get_by_role("button", name="Sign in").wait_for()
    wait_for_app(page)


def keyed(page, key: str):
    """The element a widget or container was given `key=` for (Streamlit marks it with an st-key-… class)."""
    return page.locator(".st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip()))


def accounts(server) -> int:
    """How many accounts the server's Haven holds, read from its database."""
    from services.instance import open_instance
    from services.users import count_users

    haven = open_instance(server_settings(server))
    try:
        with haven.session() as session:
            return count_users(session)
    finally:
        haven.engine.dispose()


def the_owner_creates_the_administrator(chromium_browser, server, password: str) -> None:
    """The owner, in a browser on the machine itself, creates the first administrator of a new Haven."""
    page = chromium_browser.new_page()
    try:
        page.set_default_timeout(STEP_TIMEOUT_MS)
        page.goto(f"{server.url}/")
        wait_for_app(page)
        create_administrator(page, "ada", password)
        page.get_by_test_id("stSidebar").get_by_text("Signed in as").wait_for()
    finally:
        page.close()
    assert accounts(server) == 1
    assert "Traceback" not in server.log_text()
