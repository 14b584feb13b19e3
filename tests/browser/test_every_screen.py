"""Every screen, for every role, at desktop (1280 px) and phone (390 px) width, in real Chromium.

One Haven server (the demo organisation and one account per role) serves the whole module. Each test signs
one role in at one width, opens each screen of its navigation, checks it drew without an error, runs axe-core
on it (no violation of impact "critical" or "serious") and keeps a full-page screenshot under
test-artifacts/browser/every_screen/ to be looked at.

Streamlit's own chrome is Streamlit's to fix; `STREAMLIT_CHROME` names each rule excluded there, the element
it was excluded on, and why. Nothing of Haven's own content is excluded.
"""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import (
    ARTIFACTS,
    ROOT,
    HavenServer,
    _clean_environment,
    free_port,
    main_text,
    open_app,
    sign_in,
    wait_for_app,
)

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
ROLES = {
    "manager": ("amira", ["--role", "manager", "--org", "harbour-house"]),
    "reviewer": ("quinn", ["--role", "reviewer", "--org", "harbour-house"]),
    "board": ("trustee", ["--role", "board", "--org", "harbour-house"]),
    "network-board": ("nora", ["--role", "board"]),
    "admin": ("ada", ["--admin"]),
}
BLOCKING = ("critical", "serious")
# (axe rule, CSS selector of the Streamlit element it fired on): findings in Streamlit's own chrome, not Haven's.
STREAMLIT_CHROME: dict[tuple[str, str], str] = {}


@pytest.fixture(scope="module")
def every_screen_server(chromium_browser, tmp_path_factory):
    folder = ARTIFACTS / "every_screen"
    folder.mkdir(parents=True, exist_ok=True)
    data_dir = tmp_path_factory.mktemp("every-screen") / "data"
    server = HavenServer(data_dir=data_dir, port=free_port(), env=_clean_environment(data_dir, {}),
                         log_path=folder / "server.log")
    server.manage("init")
    server.manage("demo")
    for name, options in ROLES.values():
        server.manage("create-user", name, *options, "--password-stdin", stdin=PASSWORD)
    server.start()
    yield server
    server.stop()


def navigation_titles(page) -> list[str]:
    """The screens in the sidebar navigation (each link carries its icon's name on a line of its own)."""
    return [link.inner_text().strip().splitlines()[-1]
            for link in page.get_by_test_id("stSidebarNav").get_by_role("link").all()]


def open_sidebar(page) -> None:
    """On a phone the sidebar starts closed: open it with its button, as a thumb would."""
    if page.get_by_test_id("stSidebarContent").is_visible():
        return
    page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_test_id("stSidebarNav").wait_for(state="visible")


def sidebar_is_open(page) -> bool:
    sidebar = page.get_by_test_id("stSidebar")
    box = sidebar.bounding_box()
    return sidebar.get_attribute("aria-expanded") == "true" and box is not None and box["x"] + box["width"] > 10


def go_to_screen(page, title: str, phone: bool) -> None:
    if phone:
        open_sidebar(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    wait_for_app(page)
    page.wait_for_timeout(400)  # charts and tables draw after the script ends
    wait_for_app(page)


def serious_violations(page) -> list[str]:
    """axe-core's critical and serious findings on the page, minus the documented Streamlit-chrome ones."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            if any(rule == violation["id"] and re.search(selector, target)
                   for rule, selector in STREAMLIT_CHROME):
                continue
            found.append(f"{violation['id']} ({violation['impact']}): {target} — {node['failureSummary'][:200]}")
    return found


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("role", list(ROLES))
def test_every_screen_draws_and_passes_axe(every_screen_server, chromium_browser, role, width):
    username, _ = ROLES[role]
    viewport_width, viewport_height = WIDTHS[width]
    phone = width == "phone"
    folder = ARTIFACTS / "every_screen"
    context = chromium_browser.new_context(viewport={"width": viewport_width, "height": viewport_height},
                                           locale="en-GB", timezone_id="Europe/London",
                                           is_mobile=phone, has_touch=phone)
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems: list[str] = []
    try:
        open_app(page, every_screen_server)
        problems += [f"sign-in: {v}" for v in serious_violations(page)]
        sign_in(page, username, PASSWORD)
        if phone:
            open_sidebar(page)
        titles = navigation_titles(page)
        assert titles, f"{role} sees no screen"
        for title in titles:
            go_to_screen(page, title, phone)
            if phone:
                assert not sidebar_is_open(page), f"the sidebar stayed open over {title} after the tap"
            shown = main_text(page)
            assert "Traceback" not in shown and "Error" not in page.get_by_test_id("stException").all_inner_texts()
            assert not page.get_by_test_id("stException").count(), f"{title}: {shown[:500]}"
            page.screenshot(path=str(folder / f"{role}-{width}-{re.sub(r'[^a-z]+', '-', title.lower())}.png"),
                            full_page=True)
            problems += [f"{title}: {v}" for v in serious_violations(page)]
    except Exception:
        page.screenshot(path=str(folder / f"{role}-{width}-failure.png"), full_page=True)
        raise
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert "Traceback" not in every_screen_server.log_text()


def test_the_chrome_exclusions_are_documented():
    """Each exclusion says why it is Streamlit's, not Haven's (and there are few of them)."""
    assert len(STREAMLIT_CHROME) <= 4
    assert all(len(reason) > 40 for reason in STREAMLIT_CHROME.values())
    assert (ROOT / "app.py").is_file()
