"""The board dashboard in real headless Chromium: a board member signs in through the form and sees the demo
organisation's charts, at desktop (1280 px) and phone (390 px) width. The screenshots are kept under
test-artifacts/browser/ to be looked at; the test checks what a trustee would: the charts are drawn, no
restricted title or file name shows, and the board report downloads as a PDF."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest
import yaml

from tests.browser.conftest import (
    ROOT,
    HavenServer,
    _clean_environment,
    free_port,
    go_to,
    main_text,
    open_app,
    sign_in,
    wait_for_app,
)

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
PORTS = range(8541, 8550)  # the ports this suite's servers may take on a shared machine
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
CHART_COUNT = 2  # the three layers and the trend; the rest are tables


def board_port() -> int:
    for port in PORTS:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    return free_port()


def restricted_names() -> list[str]:
    """Titles and file names of the demo's restricted evidence: none may reach a board member's screen."""
    scenario = yaml.safe_load((ROOT / "demo" / "scenario.yaml").read_text(encoding="utf-8"))
    names = []
    for item in scenario["evidence"]:
        if item.get("classification") == "restricted":
            names.append(item["title"])
            if isinstance(item.get("file"), dict):
                names.append(Path(item["file"]["path"]).name)
    return names


@pytest.fixture
def demo_server(tmp_path, artifacts, chromium_browser):
    """Haven with the demo organisation and a trustee on its board."""
    data_dir = tmp_path / "data"
    server = HavenServer(data_dir=data_dir, port=board_port(), env=_clean_environment(data_dir, {}),
                         log_path=artifacts / "server.log")
    server.manage("init")
    server.manage("demo")
    server.manage("create-user", "trustee", "--role", "board", "--org", "harbour-house", "--password-stdin",
                  stdin=PASSWORD)
    server.start()
    yield server
    server.stop()


# Streamlit scrolls inside its main container, so a "full page" screenshot is only the window: measure the
# tallest scrolling element and make the window that tall for the picture.
CONTENT_HEIGHT = """() => Math.max(document.documentElement.scrollHeight, ...[...document.querySelectorAll('*')]
    .filter(e => e.scrollHeight > e.clientHeight + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowY))
    .map(e => e.scrollHeight))"""


def whole_page_screenshot(page, path: Path, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    wait_for_charts(page)
    page.set_viewport_size({"width": width, "height": int(page.evaluate(CONTENT_HEIGHT))})
    wait_for_charts(page)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": height})


def wait_for_charts(page) -> None:
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {CHART_COUNT}")
    page.wait_for_timeout(600)  # Plotly's resize after layout


def test_board_dashboard_screens(demo_server, chromium_browser, artifacts):
    context = chromium_browser.new_context(viewport={"width": WIDTHS["desktop"][0], "height": WIDTHS["desktop"][1]},
                                           accept_downloads=True, locale="en-GB")
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        open_app(page, demo_server)
        sign_in(page, "trustee", PASSWORD)
        go_to(page, "Board dashboard")
        wait_for_charts(page)
        text = main_text(page)
        assert "Board dashboard" in text and "Claimed" in text and "proven" in text
        assert not page.get_by_test_id("stException").count()
        for name in restricted_names():
            assert name not in text and name not in page.content()
        whole_page_screenshot(page, artifacts / "board-1280.png", *WIDTHS["desktop"])

        with page.expect_download(timeout=90_000) as download:
            page.get_by_role("button", name="Download the board report (PDF)").click()
        pdf = Path(download.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF") and download.value.suggested_filename.startswith("harbour-house-board-report")

        page.set_viewport_size({"width": WIDTHS["phone"][0], "height": WIDTHS["phone"][1]})
        wait_for_app(page)
        wait_for_charts(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS["phone"][0] + 1  # nothing sticks out
        whole_page_screenshot(page, artifacts / "board-390.png", *WIDTHS["phone"])
    finally:
        context.close()
    assert (artifacts / "board-1280.png").stat().st_size > 0 and (artifacts / "board-390.png").stat().st_size > 0
