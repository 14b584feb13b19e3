"""`streamlit run app.py` with the benchmarks' empty page added to the navigation, for the Chromium benchmark.

The empty page is the floor: the app's own run (sign-in gate, navigation, sidebar) with nothing on the page.
Adding it here, in the server's own process before Streamlit starts, leaves the app's code as it ships.

    python -m benchmarks.chromium_server --port 8599     (run from the repository's folder)
"""
from __future__ import annotations

import argparse
import sys

EMPTY_PAGE = "benchmarks/empty_page.py"


def add_empty_page() -> None:
    from ui import navigation

    if not any(entry.path == EMPTY_PAGE for entry in navigation.PAGES):
        navigation.PAGES = navigation.PAGES + (
            navigation.PageEntry(EMPTY_PAGE, "Empty", ":material/check_box_outline_blank:", "Benchmark", "view_scores"),
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    add_empty_page()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(args.port),
                "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
                "--server.fileWatcherType", "none"]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
