"""The demo organisation's pages in real Chromium against the empty page, in the same run (issue 12).

Haven runs as a user runs it, `streamlit run app.py` (through benchmarks/chromium_server.py, which adds the
empty page to the navigation), on a fresh instance with the demo loaded as `manage.py demo` loads it.
Debian's Chromium, headless through Playwright, signs in as the organisation's manager and as a board member
and opens each page from the sidebar, in pairs with the empty page. A page is usable when its script has
finished and what it is for is on the screen (the board's two charts drawn and its three tables, the
self-assessment's tabs and rating forms, ...). Each line gives the median of the pairs' ratios; goal: every
page within 2x the empty page. `--screenshots DIR` also saves each page at 1280 and 390 px wide.

    python -m benchmarks.bench_chromium_pages [--repeat 7] [--screenshots DIR]
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks.common import compared, paired_ratio

REPO = Path(__file__).resolve().parents[1]
GOAL = 2.0
PASSWORD = "benchmark passphrase, long enough"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
TIMEOUT_MS = 120_000
SCRIPT_DONE = 'document.querySelector(\'[data-testid="stApp"]\')?.dataset.testScriptState === "notRunning"'


def count(selector: str) -> str:
    return f"document.querySelectorAll('{selector}').length"


def has_text(text: str) -> str:
    return f"(document.querySelector('[data-testid=\"stMain\"]')?.innerText || '').includes({text!r})"


# name: (title in the sidebar, address, who reads it, what shows the page is usable, as a JavaScript test)
PAGES = {
    "empty page": ("Empty", "empty_page", None, has_text("Empty page: the floor")),
    "board dashboard": ("Board dashboard", "board", "board",
                        f"{count('[data-testid=stPlotlyChart] svg.main-svg')} >= 2 && "
                        f"{count('[data-testid=stTable]')} >= 3"),
    "self-assessment": ("Self-assessment", "self_assessment", "manager",
                        f"{count('[data-testid=stTab]')} >= 1 && {has_text('Save rating')}"),
    "overview": ("Overview", "overview", "manager",
                 f"{count('[data-testid=stMetric]')} >= 3 && {count('[data-testid=stDataFrame]')} >= 1"),
    "gaps and action plan": ("Gaps and action plan", "gaps_plan", "manager",
                             f"{has_text('Action plan')} && {count('[data-testid=stDataFrame]')} >= 1"),
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env: dict[str, str], *args: str, stdin: str = "") -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, input=stdin, text=True, check=True,
                   capture_output=True)


def demo_server(folder: Path) -> tuple[subprocess.Popen, str]:
    """A new instance in `folder` with the demo, its manager and a board member, served on a free port."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
    env.update({"HAVEN_DATA_DIR": str(folder / "data"), "PYTHONUNBUFFERED": "1"})
    manage(env, "init")
    manage(env, "demo")
    for role in ("manager", "board"):
        manage(env, "create-user", f"bench-{role}", "--role", role, "--org", "harbour-house", "--password-stdin",
               stdin=PASSWORD)
    port = free_port()
    log = open(folder / "server.log", "ab")  # noqa: SIM115 (the server writes to it until it stops)
    server = subprocess.Popen([sys.executable, "-m", "benchmarks.chromium_server", "--port", str(port)], cwd=REPO,
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return server, url
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError("Haven did not start: " + (folder / "server.log").read_text()[-2000:])


def sign_in(page, url: str, username: str) -> None:
    page.goto(url)
    page.wait_for_function(SCRIPT_DONE, timeout=TIMEOUT_MS)
    form = page.get_by_test_id("stForm")
    form.get_by_label("User name", exact=True).fill(username)
    form.get_by_label("User name", exact=True).press("Tab")
    form.get_by_label("Password", exact=True).fill(PASSWORD)
    form.get_by_label("Password", exact=True).press("Tab")
    form.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("stSidebar").get_by_text("Signed in as").wait_for(timeout=TIMEOUT_MS)


def opener(page, name: str):
    """A function that opens the page from the sidebar and returns once it is usable."""
    title, address, _, usable = PAGES[name]
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)
    ready = f"() => location.pathname.endsWith('/{address}') && ({usable}) && {SCRIPT_DONE}"

    def open_page() -> None:
        link.click()
        page.wait_for_function(ready, timeout=TIMEOUT_MS, polling="raf")
    return open_page


def screenshots(page, name: str, folder: Path) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(800)
        page.screenshot(path=str(folder / f"{name.replace(' ', '-')}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--screenshots", type=Path, help="save each page at 1280 and 390 px wide here")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    scratch = Path(tempfile.mkdtemp(prefix="haven-bench-chromium-"))
    server, url = demo_server(scratch)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=os.environ.get("HAVEN_CHROMIUM", CHROMIUM),
                                                 args=CHROMIUM_ARGS, headless=True)
            sessions = {}
            for who in ("board", "manager"):
                page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
                sign_in(page, url, f"bench-{who}")
                sessions[who] = page
            ratios = []
            for name, (_, _, who, _) in PAGES.items():
                if who is None:
                    continue
                page = sessions[who]
                figure, floor = compared(opener(page, name), opener(page, "empty page"), repeat=args.repeat)
                ratio = paired_ratio(figure, floor)
                ratios.append(ratio)
                print(f"RATIO {name} usable in Chromium as {who} (demo organisation): "
                      f"{figure.median * 1000:.0f} ms / empty page {floor.median * 1000:.0f} ms = {ratio:.2f}x "
                      f"(goal <= {GOAL:g}x) {'MET' if ratio <= GOAL else 'NOT MET'}; best {figure.best * 1000:.0f} "
                      f"/ {floor.best * 1000:.0f} ms; {len(figure.runs)} pairs", flush=True)
                if args.screenshots:
                    args.screenshots.mkdir(parents=True, exist_ok=True)
                    opener(page, name)()
                    screenshots(page, name, args.screenshots)
            print(f"FIGURE every page within {GOAL:g}x of the empty page: worst {max(ratios):.2f}x, median "
                  f"{statistics.median(ratios):.2f}x {'MET' if max(ratios) <= GOAL else 'NOT MET'}")
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
