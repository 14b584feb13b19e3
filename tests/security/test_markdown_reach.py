"""User text that Streamlit reads as Markdown cannot make the browser fetch another host, carry a link or forge
a heading or badge: every place of every page that renders Markdown shows such text escaped, for the
manager, a network reviewer, the organisation's board member and the administrator."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bundles.importer import import_bundle
from services.evidence import NewEvidence
from services.uploads import upload_evidence
from tests.factories import SYSTEM, make_user, simple_pdf, write_bundle

TRACKER = "![t](https://tracker.example/t.png) <img src=https://tracker.example/i.png> [go](javascript:alert(1))"
HOSTILE = "### :green[Accepted] " + TRACKER  # a forged heading when it starts a line
# Pieces of HOSTILE a Markdown renderer turns into a picture, HTML, a link or a green badge; escaped text never
# holds them, as escaping puts a backslash inside each
RENDERED = ("![t](https://tracker", "<img src=https://tracker", "[go](javascript:", ":green[Accepted] ![t]")
# Markdown links a web address in plain text even when its characters are escaped
AUTOLINKED = "https://tracker"


def rendered(text: str) -> bool:
    return any(piece in text for piece in RENDERED) or AUTOLINKED in text.replace("\\", "")


def markdown_places(app) -> list[tuple[str, str]]:
    """Every string of the page that Streamlit renders as Markdown, with where it is."""
    places = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error",
                 "toast", "latex"):
        places.extend((kind, str(element.value)) for element in getattr(app, kind))
    for kind in ("metric", "expander", "tabs", "checkbox", "toggle", "button", "selectbox", "multiselect",
                 "text_input", "text_area", "date_input", "number_input", "radio"):
        for element in getattr(app, kind, []):
            places.append((f"{kind} label", str(getattr(element, "label", ""))))
            if kind == "radio":
                places.extend((f"{kind} option", str(option)) for option in element.options)
    for table in app.table:
        frame = table.value
        places.extend(("table header", str(column)) for column in frame.columns)
        places.extend(("table cell", str(cell)) for cell in frame.to_numpy().ravel())
    return places


@pytest.fixture
def hostile_haven(app_haven, tmp_path):
    """Harbour House where every field another person types holds a tracking picture, a script link and a
    forged 'Accepted' heading; a restricted photo is among the evidence."""
    import_bundle(app_haven, SYSTEM, write_bundle(tmp_path / "bundle", **{
        "organisation.name": f"Harbour {HOSTILE}", "evidence.0.title": HOSTILE, "evidence.1.title": HOSTILE,
        "evidence.2.title": HOSTILE, "evidence.0.review.comment": HOSTILE, "evidence.2.review.comment": HOSTILE,
        "evidence.0.valid_until": date.today().replace(year=date.today().year + 1).isoformat(),
        "plan.0.description": HOSTILE, "plan.0.owner": HOSTILE, "ratings.0.owner": HOSTILE,
        "ratings.0.justification": HOSTILE, "ratings.2.justification": HOSTILE}))
    manager = make_user(app_haven, "amira", "manager", "harbour-house")
    upload_evidence(app_haven, manager, organisation_id=1, data=simple_pdf(), filename="policy.pdf",
                    details=NewEvidence("policy", ("3.3.1",), date.today(), title=HOSTILE, note=HOSTILE))
    return app_haven, manager


def principals(haven, manager):
    admin = make_user(haven, "root", "manager", "harbour-house", is_admin=True)
    yield "manager", manager
    yield "reviewer", make_user(haven, "quinn", "reviewer", None)
    yield "board", make_user(haven, "bea", "board", "harbour-house")
    yield "admin", replace(admin, memberships=((1, "manager"), (None, "reviewer")))


def test_hostile_markdown_is_shown_escaped_on_every_page_for_every_role(hostile_haven, monkeypatch):
    from tests.app_pages import open_app
    from ui.navigation import pages_for

    monkeypatch.setattr("ui.session.refreshed_principal", lambda session, principal: principal)
    haven, manager = hostile_haven
    drawn, reached = [], 0
    for role, principal in principals(haven, manager):
        for path in [None, *(entry.path for entry in pages_for(principal, 1))]:
            app = open_app(principal, path)
            assert not app.exception, (role, path, [e.value for e in app.exception])
            for where, text in markdown_places(app):
                reached += "tracker" in text
                if rendered(text):
                    drawn.append((role, path, where, text[:160]))
    assert reached  # the hostile text was on the pages
    assert drawn == [], "\n".join(map(str, drawn))


def test_the_administrators_notices_show_a_hostile_organisation_name_escaped(app_haven, tmp_path):
    from tests.app_pages import open_app

    import_bundle(app_haven, SYSTEM, write_bundle(tmp_path / "bundle"))
    admin = make_user(app_haven, "root", None, is_admin=True)
    app = open_app(admin, "views/admin_users.py")
    app.text_input(key="organisation_name_1").input(HOSTILE)
    next(b for b in app.button if b.label == "Rename").click().run()
    next(b for b in app.button if b.label == "Archive").click().run()
    notices = [text for where, text in markdown_places(app) if where in ("success", "toast") and "tracker" in text]
    assert notices  # the renamed organisation was named in the notice
    assert not [text for text in notices if rendered(text)]
