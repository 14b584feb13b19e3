"""The README's own first run, in real Chromium: a new Haven asks for the administrator, who loads the demo
organisation and looks around it as its manager."""
from __future__ import annotations

import pytest

from tests.browser.conftest import create_administrator, go_to, main_text, open_app, wait_for_app
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

DEMO_SECONDS = 240


def test_the_readme_path_create_the_administrator_load_the_demo_and_see_it(haven_server, page, shots):
    server = haven_server()
    open_app(page, server)
    create_administrator(page, "ada", PASSWORD)
    page.get_by_role("button", name="Load the demo organisation").wait_for()
    shots.take(page, "no-organisation-yet")

    page.get_by_role("button", name="Load the demo organisation").click()
    page.get_by_text("ada is now a manager of it.", exact=False).wait_for(timeout=DEMO_SECONDS * 1000)
    wait_for_app(page, timeout_ms=DEMO_SECONDS * 1000)
    shown = main_text(page)
    assert "Loaded the demo organisation Harbour House Victim Support (harbour-house)" in shown
    assert "Harbour House Victim Support" in shown and "Gaps" in shown
    assert "PermissionDenied" not in shown and not page.get_by_test_id("stException").count()
    shots.take(page, "demo-loaded")

    go_to(page, "Self-assessment")  # the administrator manages the demo, so its working screens are open
    assert not page.get_by_test_id("stException").count()
    assert "Save rating" in main_text(page)
    shots.take(page, "demo-self-assessment")
    assert "Traceback" not in server.log_text()
