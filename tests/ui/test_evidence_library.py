import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from bundles.importer import import_bundle
from services.evidence import NewEvidence, evidence_register, revision_history
from services.uploads import upload_evidence
from storage.models import AuditEntry
from tests.app_pages import APP_FILE, errors, open_app, seen
from tests.factories import SYSTEM, jpeg_with_gps, make_user, simple_pdf, write_bundle
from ui.navigation import pages_for
from ui.session import PRINCIPAL_KEY

PAGE = "views/evidence_library.py"
PDF = simple_pdf("Confidentiality policy")
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
UPLOAD = "library:1:upload"  # the organisation made first has id 1 on both backends
INSPECTION = "library:1:inspection"
ADDRESS_WARNING = "Check the photo shows no street signs, house numbers or views from windows that reveal the address"


def register(haven, principal, organisation) -> dict:
    with haven.session() as session:
        return {row.title: row for row in evidence_register(session, principal, organisation_id=organisation)}


def add_evidence(haven, principal, organisation, title, evidence_type="policy", actions=("3.3.1",), data=PDF):
    return upload_evidence(haven, principal, organisation_id=organisation, data=data, filename="file.pdf",
                           details=NewEvidence(evidence_type, actions, date.today() - timedelta(days=10), title=title))


def choose_type(app, type_id):
    app.selectbox(key=f"{UPLOAD}:type").set_value(type_id).run()


def test_the_page_says_what_haven_holds_and_warns_about_addresses_in_photos(app_haven, organisation, manager):
    app = open_app(manager, PAGE)
    assert not app.exception
    assert "never victims' case files" in seen(app)
    assert ADDRESS_WARNING not in seen(app)
    choose_type(app, "premises_photos")
    assert ADDRESS_WARNING in seen(app)
    assert app.selectbox(key=f"{UPLOAD}:classification:premises_photos").value == "restricted"
    assert app.multiselect(key=f"{UPLOAD}:actions:premises_photos").options == ["3.2.1 Take certain measures to make your premises safe and secure"]
    choose_type(app, "policy")
    assert app.selectbox(key=f"{UPLOAD}:classification:policy").value == "internal"
    assert [o.split(" ")[0] for o in app.multiselect(key=f"{UPLOAD}:actions:policy").options] == ["3.3.1", "3.3.3"]


def test_a_batch_goes_in_file_by_file_and_a_disguised_file_is_refused_by_name(app_haven, organisation, manager):
    app = open_app(manager, PAGE)
    choose_type(app, "premises_photos")
    uploader = app.file_uploader(key=f"{UPLOAD}:files:0")
    uploader.upload("reception.jpg", jpeg_with_gps(640, 480), "image/jpeg")
    uploader.upload("door.jpg", HTML, "image/jpeg")
    app.run()
    app.button(key=f"{UPLOAD}:upload").click().run()

    assert not app.exception
    assert "door.jpg: This file is an HTML document, not one of the accepted types" in errors(app)
    assert "Stored 1 of 2: reception.jpg." in seen(app)
    rows = register(app_haven, manager, organisation)
    assert list(rows) == ["reception.jpg"]
    photo = rows["reception.jpg"]
    assert (photo.evidence_type, photo.actions, photo.classification) == ("premises_photos", ["3.2.1"], "restricted")
    with app_haven.session() as session:
        revision = revision_history(session, manager, evidence_id=photo.id)[0]
    stored = Image.open(io.BytesIO(app_haven.store.get(revision.blob_key)))
    assert not stored.getexif() and not stored.getexif().get_ifd(0x8825)
    assert len(list(app_haven.store.keys())) == 2  # the photo and its thumbnail; nothing of the HTML file
    assert app.file_uploader(key=f"{UPLOAD}:files:1").value in (None, [])
    assert not [u for u in app.file_uploader if u.key == f"{UPLOAD}:files:0"]
    assert len(app.get("image")) == 0  # no picture is sent to the browser until asked
    app.toggle(key="library:show_photos").set_value(True).run()
    assert len(app.get("image")) == 2  # its thumbnail in the gallery and beside the chosen item

    choose_type(app, "policy")
    app.multiselect(key=f"{UPLOAD}:actions:policy").select("3.3.3")
    app.text_input(key=f"{UPLOAD}:title").input("Confidentiality policy")
    app.file_uploader(key=f"{UPLOAD}:files:1").upload("policy.pdf", PDF, "application/pdf").run()
    app.button(key=f"{UPLOAD}:upload").click().run()
    policy = register(app_haven, manager, organisation)["Confidentiality policy"]
    assert (policy.file_name, policy.actions, policy.classification) == ("policy.pdf", ["3.3.3"], "internal")
    assert app.dataframe[0].value["Title"].tolist() == ["Confidentiality policy", "reception.jpg"]


def test_an_upload_without_an_action_is_refused_and_nothing_is_stored(app_haven, organisation, manager):
    app = open_app(manager, PAGE)
    choose_type(app, "policy")
    app.file_uploader(key=f"{UPLOAD}:files:0").upload("policy.pdf", PDF, "application/pdf").run()
    app.button(key=f"{UPLOAD}:upload").click().run()
    assert "Link the evidence to at least one action." in errors(app)
    assert register(app_haven, manager, organisation) == {} and list(app_haven.store.keys()) == []
    # The refused file is no longer chosen: the uploader is a new, empty one and the button waits for a file.
    assert app.file_uploader(key=f"{UPLOAD}:files:1").value in (None, [])
    assert not [u for u in app.file_uploader if u.key == f"{UPLOAD}:files:0"]
    assert app.button(key=f"{UPLOAD}:upload").disabled


def test_an_on_site_inspection_is_recorded_without_a_file(app_haven, organisation, manager):
    app = open_app(manager, PAGE)
    app.selectbox(key=f"{INSPECTION}:type").set_value("premises_photos").run()
    app.text_input(key=f"{INSPECTION}:title").input("Door entry inspected")
    app.text_area(key=f"{INSPECTION}:note").input("Intercom and locked inner door seen working")
    app.button(key=f"{INSPECTION}:record").click().run()

    assert "The on-site inspection is recorded." in seen(app)
    row = register(app_haven, manager, organisation)["Door entry inspected"]
    assert (row.has_file, row.actions, row.note) == (False, ["3.2.1"], "Intercom and locked inner door seen working")
    assert app.dataframe[0].value["Title"].tolist() == ["Door entry inspected"]
    assert "On-site inspection: no file." in seen(app)


def test_filters_narrow_the_table_and_a_rejection_shows_its_reason(app_haven, tmp_path):
    import_bundle(app_haven, SYSTEM, write_bundle(tmp_path / "bundle"))
    manager = make_user(app_haven, "amira", "manager", "harbour-house")
    app = open_app(manager, PAGE)
    assert "Rejected by q.reviewer" in seen(app) and "Out of date" in seen(app)
    assert len(app.dataframe[0].value) == 3
    app.multiselect(key="library:filter:state").select("rejected").run()
    table = app.dataframe[0].value
    assert table["Title"].tolist() == ["Door entry inspection"] and table["Review"].tolist() == ["Rejected: Out of date"]
    app.multiselect(key="library:filter:state").unselect("rejected").run()
    app.multiselect(key="library:filter:class").select("restricted").run()
    assert sorted(app.dataframe[0].value["Title"]) == ["Door entry inspection", "Reception door"]
    app.multiselect(key="library:filter:type").select("risk_assessment").run()
    assert app.dataframe[0].value.empty and "0 of 3 items shown" in seen(app)


def test_the_manager_revises_reclassifies_relinks_and_downloads_an_item(app_haven, organisation, manager, downloads):
    evidence_id = add_evidence(app_haven, manager, organisation, "Confidentiality policy")
    item = f"library:item:{evidence_id}"
    app = open_app(manager, PAGE)

    app.file_uploader(key=f"{item}:revision:file:0").upload("policy-v2.pdf", simple_pdf("Version 2"), "application/pdf")
    app.run()
    app.text_input(key=f"{item}:revision:note").input("Adds the review date")
    app.button(key=f"{item}:revision:upload").click().run()
    assert "Revision 2 is stored and waits for review." in seen(app)

    app.selectbox(key=f"{item}:classification:classification").set_value("restricted").run()
    app.button(key=f"{item}:classification:save").click().run()
    app.multiselect(key=f"{item}:links:actions").select("3.3.3").run()
    app.button(key=f"{item}:links:save").click().run()

    row = register(app_haven, manager, organisation)["Confidentiality policy"]
    assert (row.revision, row.file_name, row.classification, row.actions) == (
        2, "policy-v2.pdf", "restricted", ["3.3.1", "3.3.3"])
    history = app.dataframe[-1].value
    assert history["Revision"].tolist() == [2, 1] and history["Note"].tolist() == ["Adds the review date", ""]

    assert {"Download revision 1", "Download revision 2"} <= set(downloads.labels())
    copy = downloads["Download revision 1"]
    with app_haven.session() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "evidence.download")).one()
    assert (entry.actor, entry.target) == ("amira", f"evidence:{evidence_id}")
    text = PdfReader(io.BytesIO(copy)).pages[0].extract_text()  # the file, marked for the manager
    assert "Confidentiality policy" in text
    assert f"Confidential · amira · {date.today().isoformat()} · {json.loads(entry.detail)['watermark']}" in text


def test_a_disguised_revision_is_refused_and_the_item_is_unchanged(app_haven, organisation, manager):
    evidence_id = add_evidence(app_haven, manager, organisation, "Confidentiality policy")
    item = f"library:item:{evidence_id}"
    app = open_app(manager, PAGE)
    app.file_uploader(key=f"{item}:revision:file:0").upload("policy.pdf", HTML, "application/pdf").run()
    app.button(key=f"{item}:revision:upload").click().run()
    assert "policy.pdf: This file is an HTML document" in errors(app)
    assert register(app_haven, manager, organisation)["Confidentiality policy"].revision == 1


def test_the_reviewer_reads_and_downloads_but_changes_nothing(app_haven, organisation, manager, downloads):
    add_evidence(app_haven, manager, organisation, "Reception", "premises_photos", ("3.2.1",), jpeg_with_gps())
    reviewer = make_user(app_haven, "quinn", "reviewer", "harbour-house")
    app = open_app(reviewer, PAGE)
    assert not app.exception
    assert app.dataframe[0].value["Title"].tolist() == ["Reception"]
    assert not app.file_uploader and not app.text_input and not app.text_area
    labels = {b.label for b in app.button}
    assert not labels & {"Add the files", "Record the inspection", "Upload the new revision", "Change the classification",
                         "Save the links"}
    assert "Download revision 1" in downloads.labels()


def test_the_board_never_reaches_the_library(app_haven, organisation, manager):
    add_evidence(app_haven, manager, organisation, "Escape plan, ground floor", "escape_plan", ("3.2.1",))
    board = make_user(app_haven, "trustee", "board", "harbour-house")
    assert PAGE not in [entry.path for entry in pages_for(board, organisation)]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_app(board, PAGE)
    app = AppTest.from_file(str(Path(APP_FILE).parent / PAGE), default_timeout=30)  # a typed address
    app.session_state[PRINCIPAL_KEY] = board
    app.run()
    assert "This page is not available to your role." in seen(app) and not app.exception
    assert "Escape plan" not in seen(app) and "file.pdf" not in seen(app)
    assert not app.dataframe and not app.button and not app.file_uploader


def test_titles_are_shown_as_text(app_haven, organisation, manager):
    title = "<script>alert('x')</script> **bold** ![x](https://example.org/t.png)"
    add_evidence(app_haven, manager, organisation, title)
    app = open_app(manager, PAGE)
    assert not app.exception
    assert app.dataframe[0].value["Title"].tolist() == [title]
    assert all(not m.allow_html for m in app.markdown)
    drawn = [m.value for m in app.markdown if "script" in m.value]
    assert drawn and all("\\<script\\>" in value and "\\!\\[x\\]" in value for value in drawn)
