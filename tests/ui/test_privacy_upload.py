"""The upload form's privacy check and the reviewer's view of it, through the real app."""
from __future__ import annotations

import io
import json
from datetime import date, timedelta

from PIL import Image, ImageChops, ImageStat
from sqlmodel import select

from evidence.privacy_policy import KeptRegion, PrivacyDecision
from privacy.model import RegionKind
from services.evidence import NewEvidence, evidence_register, privacy_records, revision_history
from services.facts import latest_revisions
from services.uploads import upload_evidence
from storage.models import AuditEntry, PrivacyCheck
from tests import guard_samples as samples
from tests.app_pages import errors, open_app, seen
from tests.factories import make_user

PAGE = "views/evidence_library.py"
UPLOAD = "library:1:upload"
SCAN_TIMEOUT = 180  # the scan reads text with OCR: seconds on a busy machine


def record(haven, manager, organisation, title):
    with haven.session() as session:
        row = next(r for r in evidence_register(session, manager, organisation_id=organisation) if r.title == title)
        revision = latest_revisions(session, [row.id])[row.id]
        return row, privacy_records(session, [revision.id]).get(revision.id)


def checkbox(app, words: str):
    found = [box for box in app.checkbox if words in box.label.replace("\\", "")]
    assert len(found) == 1, [box.label for box in app.checkbox]
    return found[0]


def stored(haven, row) -> Image.Image:
    with haven.session() as session:
        revision = latest_revisions(session, [row.id])[row.id]
        return Image.open(io.BytesIO(haven.store.get(revision.blob_key))).convert("RGB")


def changed(a: Image.Image, b: Image.Image, area) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a.crop(area), b.crop(area))).mean) / 3


def test_the_photo_is_shown_with_its_regions_and_each_can_be_switched(app_haven, organisation, manager):
    app = open_app(manager, PAGE)
    app.selectbox(key=f"{UPLOAD}:type").set_value("premises_photos").run()
    app.text_input(key=f"{UPLOAD}:title").input("Front door").run()
    app.file_uploader(key=f"{UPLOAD}:files:0").upload("front-door.jpg", samples.face_and_number_jpeg(), "image/jpeg")
    app.run(timeout=SCAN_TIMEOUT)

    assert not app.exception
    assert "Privacy check · front-door.jpg" in seen(app)
    assert "Found 1 face, 1 sensitive text, 1 other text." in seen(app)
    face, number, sign = checkbox(app, "Face"), checkbox(app, "“27” (house number)"), checkbox(app, "FIRE EXIT")
    assert (face.value, number.value, sign.value) == (True, True, False)  # faces and sensitive text start blurred
    assert len(app.get("image")) == 1  # the outlined preview

    face.uncheck().run()
    assert "Give a reason, or tick Blur again" in seen(app)
    app.button(key=f"{UPLOAD}:upload").click().run()
    assert "give a reason for every face or sensitive text you keep legible" in errors(app)
    assert "Nothing was stored" in errors(app)
    with app_haven.session() as session:
        assert session.exec(select(PrivacyCheck)).all() == []
    assert list(app_haven.store.keys()) == []

    [reason] = [t for t in app.text_input if t.label.startswith("Why keep region")]
    reason.input("Our volunteer agreed in writing to be shown").run()
    app.number_input(key=[n.key for n in app.number_input if ":new_region:x:" in n.key][0]).set_value(480).run()
    app.number_input(key=[n.key for n in app.number_input if ":new_region:y:" in n.key][0]).set_value(560).run()
    app.number_input(key=[n.key for n in app.number_input if ":new_region:w:" in n.key][0]).set_value(400).run()
    app.number_input(key=[n.key for n in app.number_input if ":new_region:h:" in n.key][0]).set_value(70).run()
    app.text_input(key=[t.key for t in app.text_input if ":new_region:label:" in t.key][0]).input("a car").run()
    [add] = [b for b in app.button if b.label == "Add the region"]
    add.click().run()
    assert checkbox(app, "Your region: a car").value is True

    app.button(key=f"{UPLOAD}:upload").click().run(timeout=SCAN_TIMEOUT)
    assert not app.exception and not errors(app)
    assert "Stored 1 of 1: front-door.jpg." in seen(app)
    row, kept = record(app_haven, manager, organisation, "Front door")
    assert [(r.kind, r.reason) for r in kept.kept_with_reason] == [
        (RegionKind.FACE, "Our volunteer agreed in writing to be shown")]
    assert [r.label for r in kept.regions if r.kind == RegionKind.MANUAL] == ["a car"]
    assert (kept.count(RegionKind.SENSITIVE_TEXT), kept.blurred) == (1, 2)
    picture, original = stored(app_haven, row), samples.face_and_number_picture()
    assert changed(original, picture, samples.NUMBER_PLATE) > 10  # the house number is blurred
    assert changed(original, picture, (130, 110, 260, 260)) < 6  # the face kept (JPEG noise only)
    assert "Privacy check" not in seen(app)  # the uploader is empty again and the scan forgotten


def test_a_case_file_is_stopped_with_what_was_found_and_stored_only_after_a_confirmation_with_a_reason(
        app_haven, organisation, manager):
    app = open_app(manager, PAGE)
    app.selectbox(key=f"{UPLOAD}:type").set_value("risk_assessment").run()
    app.file_uploader(key=f"{UPLOAD}:files:0").upload("procedure.pdf", samples.text_pdf(samples.CASE_FILE_TEXT),
                                                      "application/pdf")
    app.run()
    app.button(key=f"{UPLOAD}:upload").click().run()
    assert "procedure.pdf: This document looks like a victim's case file" in errors(app)
    assert "date of birth" in errors(app) and "never victims' case files" in errors(app)
    with app_haven.session() as session:
        assert evidence_register(session, manager, organisation_id=organisation) == []

    [store] = [b for b in app.button if b.label == "Store it with this reason"]
    store.click().run()
    assert "tick the confirmation and give the reason" in errors(app)
    [confirm] = [c for c in app.checkbox if "not a victim's case file" in c.label]
    confirm.check().run()
    [reason] = [t for t in app.text_input if t.label == "Why it may be stored"]
    reason.input("Blank template; the example person is made up").run()
    [store] = [b for b in app.button if b.label == "Store it with this reason"]
    store.click().run()
    assert "Stored procedure.pdf, flagged to the reviewer" in seen(app)
    assert not [b for b in app.button if b.label == "Store it with this reason"]
    _, flagged = record(app_haven, manager, organisation, "procedure.pdf")
    assert flagged.case_file and flagged.allowed_reason == "Blank template; the example person is made up"


def test_the_reviewer_sees_what_was_found_and_decided_beside_the_checklist(app_haven, organisation, manager):
    issued = date.today() - timedelta(days=5)
    photo = samples.jpeg(Image.new("RGB", (64, 64), (90, 90, 90)))
    upload_evidence(app_haven, manager, organisation_id=organisation, data=photo, filename="wall.jpg",
                    details=NewEvidence("premises_photos", ("3.2.1",), issued, title="Waiting room wall"))
    upload_evidence(app_haven, manager, organisation_id=organisation, data=samples.text_pdf(samples.CASE_FILE_TEXT),
                    filename="procedure.pdf", details=NewEvidence("service_procedures", ("3.3.2",), issued),
                    privacy=PrivacyDecision(allow_personal_data_reason="Blank template with a made-up example"))
    reviewer = make_user(app_haven, "quinn", "reviewer", "harbour-house")
    app = open_app(reviewer, "views/review_queue.py")
    assert not app.exception
    table = app.dataframe[0].value
    assert list(table["Privacy"]) == ["nothing sensitive found", "possible case file"]
    app.selectbox[0].select_index(1).run()
    assert "Possible case file." in seen(app)
    assert "Blank template with a made-up example" in seen(app)
    assert "Checklist" in seen(app)
    assert "Maria" not in seen(app)


def test_the_reviewer_sees_a_face_kept_with_its_reason(app_haven, organisation, manager, monkeypatch):
    from evidence import privacy_step
    from privacy.model import Box, ImageScan, Region

    face = Region(Box(10, 10, 30, 30), RegionKind.FACE)
    picture = Image.new("RGB", (120, 80), (200, 200, 200))
    picture.paste((40, 40, 40), (10, 10, 40, 40))
    monkeypatch.setattr(privacy_step, "scan_picture", lambda image: ImageScan(120, 80, (face,)))
    upload_evidence(app_haven, manager, organisation_id=organisation, data=samples.png(picture), filename="staff.png",
                    details=NewEvidence("premises_photos", ("3.2.1",), date.today(), title="Staff room"),
                    privacy=PrivacyDecision(kept_with_reason=(KeptRegion(face.box, "Staff member agreed"),)))
    reviewer = make_user(app_haven, "quinn", "reviewer", "harbour-house")
    app = open_app(reviewer, "views/review_queue.py")
    assert not app.exception
    assert list(app.dataframe[0].value["Privacy"]) == ["1 kept legible with a reason"]
    assert "**Face kept legible**: “Staff member agreed”" in seen(app)
    assert "found 1 face; 0 regions blurred" in seen(app).lower()


def test_a_case_file_as_a_new_revision_is_stopped_and_stored_only_with_a_confirmed_reason(
        app_haven, organisation, manager):
    evidence_id = upload_evidence(app_haven, manager, organisation_id=organisation,
                                  data=samples.text_pdf(samples.POSTER_TEXT), filename="procedure.pdf",
                                  details=NewEvidence("service_procedures", ("3.3.2",), date.today() - timedelta(days=9),
                                                      title="Referral procedure"))
    files_before = set(app_haven.store.keys())
    item = f"library:item:{evidence_id}:revision"
    app = open_app(manager, PAGE)
    app.file_uploader(key=f"{item}:file:0").upload("procedure-v2.pdf", samples.text_pdf(samples.CASE_FILE_TEXT),
                                                   "application/pdf")
    app.run()
    app.text_input(key=f"{item}:note").input("Adds the referral form")
    app.button(key=f"{item}:upload").click().run()

    def nothing_new_stored():
        assert [r.number for r in revision_history_of(app_haven, manager, evidence_id)] == [1]
        assert set(app_haven.store.keys()) == files_before
        assert audit_of(app_haven, "evidence.revise") == []

    assert not app.exception
    assert "procedure-v2.pdf: This document looks like a victim's case file" in errors(app)
    assert "date of birth" in errors(app) and "never victims' case files" in errors(app)
    nothing_new_stored()

    [confirm] = [c for c in app.checkbox if "not a victim's case file" in c.label]
    confirm.check().run()
    [store] = [b for b in app.button if b.label == "Store it with this reason"]
    store.click().run()  # confirmed, but with no reason
    assert "tick the confirmation and give the reason" in errors(app)
    nothing_new_stored()

    [reason] = [t for t in app.text_input if t.label == "Why it may be stored"]
    reason.input("The referral form template; the example client is made up").run()
    [store] = [b for b in app.button if b.label == "Store it with this reason"]
    store.click().run()
    assert not app.exception
    assert "Stored procedure-v2.pdf as revision 2, flagged to the reviewer as a possible case file" in seen(app)
    assert not [b for b in app.button if b.label == "Store it with this reason"]
    [latest, _] = revision_history_of(app_haven, manager, evidence_id)
    assert (latest.number, latest.display_name, latest.note) == (2, "procedure-v2.pdf", "Adds the referral form")
    assert latest.blob_key in set(app_haven.store.keys()) - files_before
    [entry] = audit_of(app_haven, "evidence.revise")
    assert entry["revision"] == 2 and entry["privacy"]["case_file"] is True
    assert entry["privacy"]["allowed_reason"] == "The referral form template; the example client is made up"

    reviewer = make_user(app_haven, "quinn", "reviewer", "harbour-house")
    queue = open_app(reviewer, "views/review_queue.py")
    assert not queue.exception
    assert list(queue.dataframe[0].value["Privacy"]) == ["possible case file"]
    assert "Possible case file." in seen(queue)
    assert "The referral form template; the example client is made up" in seen(queue)
    assert "Maria" not in seen(queue)


def revision_history_of(haven, principal, evidence_id):
    with haven.session() as session:
        return revision_history(session, principal, evidence_id=evidence_id)


def audit_of(haven, action: str) -> list[dict]:
    with haven.session() as session:
        return [json.loads(entry.detail) for entry in session.exec(select(AuditEntry).where(AuditEntry.action == action))]
