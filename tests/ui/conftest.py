"""AppTest fixtures: the real app.py on a test instance, signed in as a given user."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from accounts.permissions import Principal
from tests.factories import make_organisation, make_user
from tests.ui.downloads import downloads  # noqa: F401  (a fixture for every page test)
from ui.database import get_haven
from ui.session import PRINCIPAL_KEY

APP_FILE = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def app_haven(haven, monkeypatch):
    """The test instance, made the one the app opens (through the same settings variables a user sets)."""
    monkeypatch.setenv("HAVEN_DATA_DIR", str(haven.settings.data_dir))
    monkeypatch.setenv("HAVEN_DATABASE_URL", haven.settings.database_url)
    monkeypatch.delenv("HAVEN_BLOB_URL", raising=False)
    monkeypatch.delenv("HAVEN_ENCRYPTION_KEY", raising=False)
    get_haven.clear()
    yield haven
    get_haven.clear()


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


@pytest.fixture
def organisation(app_haven) -> int:
    """Harbour House, the organisation the page tests work in."""
    return make_organisation(app_haven)


@pytest.fixture
def manager(app_haven, organisation):
    return make_user(app_haven, "amira", "manager", "harbour-house")


def seen(app: AppTest) -> str:
    """The page's text as a user reads it: Markdown escapes are not drawn."""
    return texts(app).replace("\\", "")


def errors(app: AppTest) -> str:
    return " ".join(e.value for e in app.error).replace("\\", "")
