"""The app as a page test drives it: app.py through AppTest, and what a user reads on the page."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from accounts.permissions import Principal
from ui.session import PRINCIPAL_KEY

APP_FILE = str(Path(__file__).resolve().parents[1] / "app.py")


def open_app(principal: Principal | None = None, page: str | None = None, timeout: float = 30) -> AppTest:
    """Runs app.py signed in as `principal`, then opens `page` (a path under views/) when given."""
    app = AppTest.from_file(APP_FILE, default_timeout=timeout)
    if principal is not None:
        app.session_state[PRINCIPAL_KEY] = principal
    app.run()
    if page is not None:
        app.switch_page(page)
        app.run()
    return app


def texts(app: AppTest) -> str:
    """Everything the page shows as text, for assertions about what a user reads."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info", "success", "warning",
                 "error", "exception"):
        parts.extend(str(getattr(element, "value", "")) for element in getattr(app, kind))
    for metric in app.metric:
        parts.append(f"{metric.label} {metric.value}")
    return "\n".join(parts)


def seen(app: AppTest) -> str:
    """The page's text as a user reads it: Markdown escapes are not drawn."""
    return texts(app).replace("\\", "")


def errors(app: AppTest) -> str:
    return " ".join(e.value for e in app.error).replace("\\", "")
