"""Text another person typed (an organisation's name, evidence titles, review comments, plan items) cannot make
the browser of a manager, a reviewer or a board member fetch another host, hold a script link or a picture."""
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import go_to, open_app, sign_in
from tests.factories import write_bundle

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
HOSTILE = ("### :green[Accepted] ![t](https://tracker.example/t.png) <img src=https://tracker.example/i.png> "
           "[go](javascript:alert(1)) write to ops@tracker.example")
PAGES = {"manager": ("Overview", "Evidence library", "Board dashboard"), "quinn": ("Overview", "Review queue"),
         "bea": ("Overview", "Board dashboard")}


def test_hostile_text_makes_no_request_leave_and_no_picture_or_link_appear(haven_server, page, tmp_path, shots):
    server = haven_server()
    bundle = write_bundle(tmp_path / "bundle", **{
        "organisation.name": f"Harbour {HOSTILE}", "evidence.0.title": HOSTILE, "evidence.1.title": HOSTILE,
        "evidence.2.title": HOSTILE, "evidence.0.review.comment": HOSTILE, "evidence.2.review.comment": HOSTILE,
        "plan.0.description": HOSTILE, "ratings.0.justification": HOSTILE})
    server.manage("create-user", "founder", "--admin", "--password-stdin", stdin=PASSWORD)
    server.manage("import", str(bundle))
    server.manage("create-user", "manager", "--role", "manager", "--org", "harbour-house", "--password-stdin",
                  stdin=PASSWORD)
    server.manage("create-user", "quinn", "--role", "reviewer", "--password-stdin", stdin=PASSWORD)
    server.manage("create-user", "bea", "--role", "board", "--org", "harbour-house", "--password-stdin",
                  stdin=PASSWORD)
    requested: list[str] = []
    shown_on: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    for username, titles in PAGES.items():
        page.context.clear_cookies()
        open_app(page, server)
        sign_in(page, username, PASSWORD)
        for title in titles:
            go_to(page, title)
            if "tracker.example" in page.get_by_test_id("stMain").inner_text():
                shown_on.append(f"{username}: {title}")
            injected = page.locator("img[src*='tracker'], a[href^='javascript'], a[href*='//tracker'], a[href^='mailto']").count()
            shots.take(page, f"{username}-{title}")
            assert injected == 0, (username, title, page.locator(
                "img[src*='tracker'], a[href^='javascript'], a[href*='//tracker'], a[href^='mailto']").evaluate_all(
                "els => els.map(e => e.outerHTML)"))

    assert len(shown_on) >= len(PAGES), shown_on  # the hostile text was on the screens, as text
    elsewhere = sorted({url for url in requested
                        if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != "127.0.0.1"})
    assert elsewhere == []
