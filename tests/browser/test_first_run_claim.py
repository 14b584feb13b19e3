"""A new Haven has no administrator until its first visit creates one. Nobody but a browser on the machine that runs
it may be that first visit: here Chromium opens it under another name that resolves to 127.0.0.1, as a web page
does by DNS rebinding (its own name, re-pointed at the loopback address, with its own name as the Host), and as a
stranger does through a proxy in front of a freshly deployed Haven."""
from __future__ import annotations

import pytest

from tests.browser.conftest import (
    CHROMIUM_ARGS,
    STEP_TIMEOUT_MS,
    accounts,
    chromium_path,
    the_owner_creates_the_administrator,
    wait_for_app,
)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

REBOUND_NAME = "haven-rebound.example"


def test_a_page_under_another_name_cannot_claim_a_new_haven(haven_server, chromium_browser, artifacts):
    server = haven_server()
    # A second Chromium, from the same Playwright, whose resolver points another name at 127.0.0.1.
    rebinding = chromium_browser.browser_type.launch(
        executable_path=chromium_path(), headless=True,
        args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {REBOUND_NAME} 127.0.0.1"])
    try:
        page = rebinding.new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        page.goto(f"http://{REBOUND_NAME}:{server.port}/")
        wait_for_app(page)
        page.get_by_text("The first administrator is created only on the machine that runs Haven").wait_for()
        assert page.get_by_role("textbox", name="User name").count() == 0  # no form to fill in
        assert page.get_by_role("button", name="Create administrator").count() == 0
        page.screenshot(path=str(artifacts / "refused.png"), full_page=True)
        assert f"http://localhost:{server.port}" in page.get_by_test_id("stMain").inner_text()
    finally:
        rebinding.close()
    assert accounts(server) == 0

    # The owner, on the machine itself, still creates it.
    the_owner_creates_the_administrator(chromium_browser, server, PASSWORD)
