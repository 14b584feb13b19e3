"""Haven works without the internet and tells no third party who uses it: every request a page makes,
signed out and signed in, goes to the Haven server on 127.0.0.1."""
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import go_to, open_app, sign_in

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


def test_no_page_asks_anything_of_another_host(haven_server, page, shots):
    server = haven_server()
    server.manage("create-user", "founder", "--admin", "--password-stdin", stdin=PASSWORD)
    server.manage("demo")
    server.manage("create-user", "amira", "--role", "manager", "--org", "harbour-house", "--password-stdin",
                  stdin=PASSWORD)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    open_app(page, server)
    shots.take(page, "sign-in")
    sign_in(page, "amira", PASSWORD)
    for title in ("Evidence library", "Board dashboard", "Reports and export"):
        go_to(page, title)
    shots.take(page, "reports")

    icons = page.locator("link[rel~='icon']").evaluate_all("links => links.map(link => link.href)")
    # Haven's own PNG, inside the page (a data: address: nothing of it sits at a /media/ address)
    assert icons and all(href.startswith("data:image/png;base64,") or urlsplit(href).hostname == "127.0.0.1"
                         for href in icons), icons
    assert any(href.startswith("data:image/png;base64,") for href in icons), icons

    assert len(requested) > 20, "the recorder saw the page load"
    elsewhere = sorted({url for url in requested
                        if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != "127.0.0.1"})
    assert elsewhere == []
