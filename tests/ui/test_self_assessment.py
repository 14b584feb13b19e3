from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from services.evidence import NewEvidence, evidence_register
from services.ratings import ratings_of_organisation
from services.uploads import upload_evidence
from tests.app_pages import APP_FILE, errors, open_app, seen, texts
from tests.factories import make_user, simple_pdf
from ui.navigation import pages_for
from ui.session import PRINCIPAL_KEY

PAGE = "views/self_assessment.py"
PDF = simple_pdf("Intake risk assessment form")


def rating_key(organisation, action_id, field):
    return f"rating:{organisation}:{action_id}:{field}"


def slot_key(organisation, action_id, evidence_type, field):
    return f"slot:{organisation}:{action_id}:{evidence_type}:{field}"


def open_tab(app, organisation, engagement_id):
    """Opens an engagement's tab, as a click on it does (only the open tab is drawn)."""
    (label,) = [tab.label for tab in app.tabs if tab.label.startswith(f"{engagement_id} ")]
    app.session_state[f"engagements:{organisation}"] = label
    return app.run()


def open_slot(app, organisation, action_id, evidence_type):
    """Opens a slot's "Link or upload evidence" panel in its engagement's tab, as clicks on them do (only the open
    tab is drawn, and a slot's forms once its panel is open)."""
    open_tab(app, organisation, action_id.rsplit(".", 1)[0])
    app.session_state[slot_key(organisation, action_id, evidence_type, "panel")] = True
    return app.run()


def saved_ratings(haven, principal, organisation):
    with haven.session() as session:
        return ratings_of_organisation(session, principal, organisation_id=organisation)


def register(haven, principal, organisation):
    with haven.session() as session:
        return evidence_register(session, principal, organisation_id=organisation)


def add_evidence(haven, principal, organisation, title, evidence_type="risk_assessment", actions=("3.1.1",)):
    return upload_evidence(haven, principal, organisation_id=organisation, data=PDF, filename="form.pdf",
                           details=NewEvidence(evidence_type, actions, date.today() - timedelta(days=10), title=title))


def test_the_manager_sees_each_action_with_the_standards_guidance_and_rates_it(app_haven, organisation, manager):
    app = open_app(manager, PAGE)
    assert not app.exception
    shown = seen(app)
    assert "Self-assessment" in shown and "3.1.1 Work out a risk assessment for victims to identify risks" in shown
    assert "In the first contact with a victim, it is important to identify any ongoing risks" in shown
    assert "Have a look at data protection protocols in your own country" in seen(open_tab(app, organisation, "3.3"))
    assert len(app.tabs) >= 3
    open_tab(app, organisation, "3.1")

    app.selectbox(key=rating_key(organisation, "3.1.1", "rating")).set_value("partially_met")
    app.text_area(key=rating_key(organisation, "3.1.1", "justification")).input("Form in use; staff not yet trained")
    app.text_input(key=rating_key(organisation, "3.1.1", "owner")).input("Amira Hassan")
    app.button(key=rating_key(organisation, "3.1.1", "save")).click().run()

    assert not app.exception
    assert "The rating of 3.1.1 is saved." in seen(app)
    saved = saved_ratings(app_haven, manager, organisation)["3.1.1"]
    assert (saved["rating"], saved["justification"], saved["owner"]) == (
        "partially_met", "Form in use; staff not yet trained", "Amira Hassan")
    assert "Self-assessed 50%" in seen(app)


def test_not_applicable_without_a_justification_is_refused_and_nothing_is_stored(app_haven, organisation, manager):
    app = open_tab(open_app(manager, PAGE), organisation, "3.2")
    app.selectbox(key=rating_key(organisation, "3.2.2", "rating")).set_value("not_applicable")
    app.button(key=rating_key(organisation, "3.2.2", "save")).click().run()

    assert "a justification is required for 'not applicable'" in errors(app)
    assert saved_ratings(app_haven, manager, organisation) == {}

    app.text_area(key=rating_key(organisation, "3.2.2", "justification")).input("No premises open to victims")
    app.button(key=rating_key(organisation, "3.2.2", "save")).click().run()
    assert saved_ratings(app_haven, manager, organisation)["3.2.2"]["rating"] == "not_applicable"
    assert "Not applicable: left out of the scores." in seen(app)


def test_a_slot_shows_its_state_and_evidence_and_takes_an_upload(app_haven, organisation, manager):
    app = open_app(manager, PAGE)
    assert ":red-badge[Missing]" in texts(app) and "No evidence is linked yet." in seen(app)
    open_slot(app, organisation, "3.1.1", "risk_assessment")
    uploader_key = slot_key(organisation, "3.1.1", "risk_assessment", "upload:files:0")
    app.file_uploader(key=uploader_key).upload("risk-form.pdf", PDF, "application/pdf").run()
    app.button(key=slot_key(organisation, "3.1.1", "risk_assessment", "upload:upload")).click().run()

    assert not app.exception
    assert "Stored 1 of 1: risk-form.pdf." in seen(app)
    rows = register(app_haven, manager, organisation)
    assert [(r.title, r.evidence_type, r.actions) for r in rows] == [
        ("risk-form.pdf", "risk_assessment", ["3.1.1"])]
    assert ":blue-badge[Pending review]" in texts(app)
    assert not [u for u in app.file_uploader if u.key == uploader_key]
    assert app.file_uploader(key=slot_key(organisation, "3.1.1", "risk_assessment", "upload:files:1")).value in (None, [])


def test_an_html_file_named_jpg_is_refused_in_a_slot_with_its_message(app_haven, organisation, manager):
    app = open_slot(open_app(manager, PAGE), organisation, "3.2.1", "premises_photos")
    uploader_key = slot_key(organisation, "3.2.1", "premises_photos", "upload:files:0")
    app.file_uploader(key=uploader_key).upload("door.jpg", b"<html><body>not a photo</body></html>", "image/jpeg").run()
    app.button(key=slot_key(organisation, "3.2.1", "premises_photos", "upload:upload")).click().run()

    refusal = errors(app)
    assert "door.jpg" in refusal and "HTML document, not one of the accepted types" in refusal
    assert register(app_haven, manager, organisation) == []
    assert list(app_haven.store.keys()) == []


def test_evidence_already_in_the_library_is_linked_to_another_action(app_haven, organisation, manager):
    evidence_id = add_evidence(app_haven, manager, organisation, "Confidentiality policy", "policy", ("3.3.1",))
    app = open_slot(open_app(manager, PAGE), organisation, "3.3.3", "policy")
    app.selectbox(key=slot_key(organisation, "3.3.3", "policy", "link:pick")).set_value(evidence_id)
    app.button(key=slot_key(organisation, "3.3.3", "policy", "link:link")).click().run()

    assert "Linked to 3.3.3." in seen(app)
    assert register(app_haven, manager, organisation)[0].actions == ["3.3.1", "3.3.3"]


def test_the_reviewer_reads_the_self_assessment_without_controls(app_haven, organisation, manager):
    add_evidence(app_haven, manager, organisation, "Intake risk assessment form")
    reviewer = make_user(app_haven, "quinn", "reviewer", "harbour-house")
    app = open_app(reviewer, PAGE)
    assert not app.exception
    shown = seen(app)
    assert "only the organisation's managers change it" in shown
    assert "Intake risk assessment form" in shown and "Not assessed" in shown
    assert not [b for b in app.button if b.label in ("Save rating", "Link", "Add the files")]
    assert len(app.file_uploader) == 0 and len(app.text_area) == 0


def test_the_board_has_no_self_assessment_page(app_haven, organisation, manager):
    add_evidence(app_haven, manager, organisation, "Intake risk assessment form")
    board = make_user(app_haven, "trustee", "board", "harbour-house")
    assert PAGE not in [entry.path for entry in pages_for(board, organisation)]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_app(board, PAGE)
    app = AppTest.from_file(str(Path(APP_FILE).parent / PAGE), default_timeout=30)  # a typed address
    app.session_state[PRINCIPAL_KEY] = board
    app.run()
    assert "This page is not available to your role." in seen(app) and not app.exception
    assert "Intake risk assessment form" not in seen(app)
    assert not app.button and not app.file_uploader and not app.selectbox


def test_titles_are_shown_as_text(app_haven, organisation, manager):
    add_evidence(app_haven, manager, organisation, "<script>alert('x')</script> **bold** [link](https://example.org)")
    app = open_app(manager, PAGE)
    assert not app.exception
    markdown = [m for m in app.markdown if "script" in m.value]
    assert markdown and all(not m.allow_html for m in app.markdown)
    assert "\\<script\\>" in markdown[0].value and "\\*\\*bold\\*\\*" in markdown[0].value
    assert "\\[link\\]" in markdown[0].value
