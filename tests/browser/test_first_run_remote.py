"""The first administrator is created only by a browser on the machine that runs Haven, even when Haven listens on
more than 127.0.0.1 (an office LAN address, a container's 0.0.0.0): a browser elsewhere can name `localhost` in
its Host header, so the name it asked for proves nothing; the address the connection comes from does.

Here Chromium asks for http://localhost:PORT but its resolver sends the connection to this machine's network
address, as a computer on the office network would: Haven sees `Host: localhost` from a peer that is not
the loopback address."""
from __future__ import annotations

import socket

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


def network_address() -> str | None:
    """An address of this machine that is not the loopback one (the one it reaches the outside from)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # nothing is sent: UDP connect only picks the outgoing address
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


def test_a_browser_on_another_computer_naming_localhost_cannot_claim_a_new_haven(haven_server, chromium_browser,
                                                                                   artifacts):
    address = network_address()
    if address is None:
        pytest.skip("this machine has no network address besides the loopback one")
    server = haven_server()
    server.stop()
    server.extra["address"] = "0.0.0.0"  # the setting README warns against, or a container's
    server.start()
    elsewhere = chromium_browser.browser_type.launch(
        executable_path=chromium_path(), headless=True,
        args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP localhost {address}"])
    try:
        page = elsewhere.new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        page.goto(f"http://localhost:{server.port}/")
        wait_for_app(page)
        page.get_by_text("The first administrator is created only on the machine that runs Haven").wait_for()
        page.screenshot(path=str(artifacts / "refused.png"), full_page=True)
        assert page.get_by_role("textbox", name="User name").count() == 0  # no form to fill in
        assert page.get_by_role("button", name="Create administrator").count() == 0
    finally:
        elsewhere.close()
    assert accounts(server) == 0

    # The owner, on the machine itself, still creates it.
    the_owner_creates_the_administrator(chromium_browser, server, PASSWORD)
