import io
import json
from datetime import date, timedelta

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlmodel import select

from accounts.permissions import PermissionDenied
from evidence.errors import IntakeError
from scoring.dates import add_months
from services.errors import ServiceError
from services.evidence import (
    NewEvidence,
    evidence_register,
    filter_register,
    link_evidence,
    read_evidence_file,
    read_thumbnail,
    revision_history,
    set_classification,
    set_links,
)
from services.reviews import review_revision
from services.scores import score_organisation
from services.uploads import upload_evidence, upload_revision
from standards.loader import get_standard
from storage.models import AuditEntry, Evidence, EvidenceLink
from tests.factories import (
    SYSTEM,
    as_stored,
    jpeg_with_gps,
    make_user,
    register_row,
    simple_pdf,
)

ISSUED = date.today() - timedelta(days=30)
PDF = simple_pdf()
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def upload(haven, principal, organisation, evidence_type="risk_assessment", actions=("3.1.1",), data=None,
           filename="form.pdf", **details):
    data = PDF if data is None else data
    return upload_evidence(haven, principal, organisation_id=organisation,
                           details=NewEvidence(evidence_type, tuple(actions), ISSUED, **details),
                           data=data, filename=filename)


def register(haven, principal, organisation):
    with haven.session() as session:
        return {row.id: row for row in evidence_register(session, principal, organisation_id=organisation)}


def stored_keys(haven):
    return sorted(haven.store.keys())


def audit_actions(haven):
    with haven.session() as session:
        return [(e.actor, e.action) for e in session.exec(select(AuditEntry).order_by(AuditEntry.id))]


def test_an_upload_becomes_a_register_row_with_its_file_stored(haven, organisation, manager):
    evidence_id = upload(haven, manager, organisation, title="Intake risk assessment form")
    row = register(haven, manager, organisation)[evidence_id]
    assert (row.title, row.evidence_type, row.actions, row.classification) == (
        "Intake risk assessment form", "risk_assessment", ["3.1.1"], "internal")
    assert (row.file_name, row.mime_type, row.review_status, row.revision) == (
        "form.pdf", "application/pdf", "pending", 1)
    assert row.current and row.valid_until == add_months(ISSUED, 12)
    with haven.session() as session:
        revision = revision_history(session, manager, evidence_id=evidence_id)[0]
    assert haven.store.get(revision.blob_key) == as_stored(PDF)
    assert ("amira", "evidence.add") in audit_actions(haven)


def test_a_photo_is_stored_without_exif_or_gps_and_gets_a_thumbnail(haven, organisation, manager):
    original = jpeg_with_gps(800, 600)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    evidence_id = upload(haven, manager, organisation, "premises_photos", ("3.2.1",), original, "door.jpg")
    with haven.session() as session:
        revision = revision_history(session, manager, evidence_id=evidence_id)[0]
    stored = Image.open(io.BytesIO(haven.store.get(revision.blob_key)))
    assert stored.size == (800, 600)
    assert not stored.getexif() and not stored.getexif().get_ifd(0x8825)
    thumbnail = Image.open(io.BytesIO(read_thumbnail(haven, manager, revision_id=revision.id)))
    assert max(thumbnail.size) <= 320 and not thumbnail.getexif()


def test_classification_defaults_from_the_type_unless_chosen(haven, organisation, manager):
    cases = [("premises_photos", "3.2.1", None, "restricted"), ("escape_plan", "3.2.1", None, "restricted"),
             ("safety_plan", "3.2.2", None, "restricted"), ("policy", "3.3.1", None, "internal"),
             ("premises_photos", "3.2.1", "internal", "internal"), ("policy", "3.3.1", "restricted", "restricted")]
    # A restricted type stored as internal is a declassification: an administrator's (here the system's) to make.
    ids = [upload(haven, SYSTEM if (evidence_type, chosen) == ("premises_photos", "internal") else manager,
                  organisation, evidence_type, (action,), classification=chosen)
           for evidence_type, action, chosen, _ in cases]
    rows = register(haven, manager, organisation)
    assert [rows[i].classification for i in ids] == [expected for *_, expected in cases]


def test_the_same_file_twice_is_two_items_but_one_stored_file(haven, organisation, manager):
    first = upload(haven, manager, organisation)
    second = upload(haven, manager, organisation, "risk_assessment_training", ("3.1.3",))
    assert first != second and len(register(haven, manager, organisation)) == 2
    assert len(stored_keys(haven)) == 1


def test_a_new_revision_keeps_the_history_and_waits_for_review_again(haven, organisation, manager):
    reviewer = make_user(haven, "quinn", "reviewer", "harbour-house")
    evidence_id = upload(haven, manager, organisation)
    with haven.session() as session:
        first = revision_history(session, manager, evidence_id=evidence_id)[0]
        review_revision(session, reviewer, revision_id=first.id, status="accepted", comment="Signed",
                        checklist=list(get_standard("vse-3").evidence_type("risk_assessment").checklist))
    assert register(haven, manager, organisation)[evidence_id].review_status == "accepted"

    number = upload_revision(haven, manager, evidence_id=evidence_id, issued_on=date.today(), valid_until=None,
                             data=simple_pdf("Version 2"), filename="form-v2.pdf", note="Adds the referral step")
    row = register(haven, manager, organisation)[evidence_id]
    assert number == 2 and (row.revision, row.review_status, row.file_name) == (2, "pending", "form-v2.pdf")
    with haven.session() as session:
        history = revision_history(session, manager, evidence_id=evidence_id)
    assert [(r.number, r.display_name, r.note) for r in history] == [
        (2, "form-v2.pdf", "Adds the referral step"), (1, "form.pdf", "")]
    assert haven.store.get(history[1].blob_key) == as_stored(PDF)
    with haven.session() as session:
        slot = score_organisation(session, manager, organisation_id=1)["engagements"][0]["actions"][0]["slots"][0]
    assert slot["state"] == "pending"


def test_an_on_site_inspection_is_evidence_without_a_file(haven, organisation, manager):
    evidence_id = upload_evidence(
        haven, manager, organisation_id=organisation, data=None,
        details=NewEvidence("premises_photos", ("3.2.1",), ISSUED, title="Door entry inspected",
                            note="Intercom and locked inner door checked by Q. Reviewer"))
    row = register(haven, manager, organisation)[evidence_id]
    assert (row.title, row.has_file, row.file_name, row.note) == (
        "Door entry inspected", False, "", "Intercom and locked inner door checked by Q. Reviewer")
    assert row.classification == "restricted" and stored_keys(haven) == []
    with haven.session() as session:
        revision = revision_history(session, manager, evidence_id=evidence_id)[0]
        slots = score_organisation(session, manager, organisation_id=1)["engagements"][1]["actions"][0]["slots"]
    assert {s["evidence_type"]: s["state"] for s in slots}["premises_photos"] == "pending"
    with pytest.raises(ServiceError, match="on-site inspection record"):
        read_evidence_file(haven, manager, revision_id=revision.id)


def test_linking_refuses_an_action_that_does_not_ask_for_the_type(haven, organisation, manager):
    evidence_id = upload(haven, manager, organisation, "policy", ("3.3.1",))
    with pytest.raises(ServiceError, match="3.1.1 does not ask for a policy"):
        with haven.session() as session:
            link_evidence(session, manager, evidence_id=evidence_id, action_id="3.1.1")
    with pytest.raises(ServiceError, match="does not ask for"):
        upload(haven, manager, organisation, "policy", ("3.3.1", "3.2.1"))
    assert register(haven, manager, organisation)[evidence_id].actions == ["3.3.1"]
    assert len(register(haven, manager, organisation)) == 1


def test_set_links_links_and_unlinks_to_match_the_choice(haven, organisation, manager):
    evidence_id = upload(haven, manager, organisation, "policy", ("3.3.1",))
    with haven.session() as session:
        set_links(session, manager, evidence_id=evidence_id, action_ids=["3.3.3"])
    assert register(haven, manager, organisation)[evidence_id].actions == ["3.3.3"]
    actions = [a for _, a in audit_actions(haven)]
    assert actions[-2:] == ["evidence.link", "evidence.unlink"]


@pytest.mark.parametrize("role", ["board", "reviewer"])
def test_board_and_reviewer_cannot_add_link_or_classify(haven, organisation, manager, role):
    evidence_id = upload(haven, manager, organisation, "policy", ("3.3.1",))
    keys_before = stored_keys(haven)
    other = make_user(haven, "someone", role, "harbour-house")
    with pytest.raises(PermissionDenied):
        upload(haven, other, organisation, data=simple_pdf("Not stored"))
    with pytest.raises(PermissionDenied):
        upload_revision(haven, other, evidence_id=evidence_id, issued_on=ISSUED, valid_until=None,
                        data=jpeg_with_gps(), filename="photo.jpg")
    for change in (lambda s: link_evidence(s, other, evidence_id=evidence_id, action_id="3.3.3"),
                   lambda s: set_links(s, other, evidence_id=evidence_id, action_ids=[]),
                   lambda s: set_classification(s, other, evidence_id=evidence_id, classification="restricted")):
        with pytest.raises(PermissionDenied):
            with haven.session() as session:
                change(session)
    row = register(haven, manager, organisation)[evidence_id]
    assert (row.actions, row.classification, row.revision) == (["3.3.1"], "internal", 1)
    assert stored_keys(haven) == keys_before
    with haven.session() as session:
        assert len(session.exec(select(Evidence)).all()) == 1
        assert len(session.exec(select(EvidenceLink)).all()) == 1


def test_the_board_cannot_open_files_or_thumbnails_and_nothing_is_audited(haven, organisation, manager):
    evidence_id = upload(haven, manager, organisation, "premises_photos", ("3.2.1",), jpeg_with_gps(), "door.jpg")
    board = make_user(haven, "trustee", "board", "harbour-house")
    with haven.session() as session:
        revision_id = revision_history(session, manager, evidence_id=evidence_id)[0].id
    with pytest.raises(PermissionDenied):
        read_evidence_file(haven, board, revision_id=revision_id)
    with pytest.raises(PermissionDenied):
        read_thumbnail(haven, board, revision_id=revision_id)
    with pytest.raises(PermissionDenied):
        register(haven, board, organisation)
    assert "evidence.download" not in [a for _, a in audit_actions(haven)]


@pytest.mark.parametrize("role", ["manager", "reviewer"])
def test_a_download_returns_the_stored_file_and_is_audited(haven, organisation, manager, role):
    evidence_id = upload(haven, manager, organisation, title="Risk form")
    reader = manager if role == "manager" else make_user(haven, "quinn", "reviewer", "harbour-house")
    with haven.session() as session:
        revision_id = revision_history(session, manager, evidence_id=evidence_id)[0].id
    stored_before = {key: haven.store.get(key) for key in haven.store.keys()}
    content, name, mime_type = read_evidence_file(haven, reader, revision_id=revision_id)
    assert (name, mime_type) == ("form.pdf", "application/pdf")
    with haven.session() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "evidence.download")).one()
    assert (entry.actor, entry.target) == (reader.username, f"evidence:{evidence_id}")
    code = json.loads(entry.detail)["watermark"]
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert "Intake risk assessment form" in text  # the file itself, with the reader's mark at its foot
    assert f"Confidential · {reader.username} · {date.today().isoformat()} · {code}" in text
    assert {key: haven.store.get(key) for key in haven.store.keys()} == stored_before  # the stored file stays clean


def test_an_intake_refusal_stores_no_row_and_no_file(haven, organisation, manager):
    with pytest.raises(IntakeError, match="HTML document"):
        upload(haven, manager, organisation, "premises_photos", ("3.2.1",), HTML, "photo.jpg")
    assert register(haven, manager, organisation) == {}
    assert stored_keys(haven) == []
    assert "evidence.add" not in [a for _, a in audit_actions(haven)]


def test_details_that_cannot_be_stored_are_refused_before_the_file_is_kept(haven, organisation, manager):
    tomorrow = date.today() + timedelta(days=1)
    for details, message in [
        (NewEvidence("risk_assessment", (), ISSUED), "at least one action"),
        (NewEvidence("risk_assessment", ("3.1.1",), tomorrow), "in the future"),
        (NewEvidence("risk_assessment", ("3.1.1",), ISSUED, valid_until=ISSUED - timedelta(days=1)), "before the issued"),
        (NewEvidence("unicorns", ("3.1.1",), ISSUED), "Unknown evidence type"),
    ]:
        with pytest.raises(ServiceError, match=message):
            upload_evidence(haven, manager, organisation_id=organisation, details=details, data=PDF,
                            filename="form.pdf")
    assert register(haven, manager, organisation) == {} and stored_keys(haven) == []


def row(evidence_type="policy", actions=("3.3.1",), current=True, review="pending", classification="internal"):
    return register_row(evidence_type, actions, current=current, review_status=review, classification=classification)


def test_register_filters_combine_as_a_reader_expects():
    rows = [row(), row(current=False, review="accepted"), row("premises_photos", ("3.2.1",), review="rejected",
                                                               classification="restricted")]
    assert filter_register(rows) == rows
    assert filter_register(rows, evidence_types=["policy"]) == rows[:2]
    assert filter_register(rows, actions=["3.2.1", "3.3.3"]) == rows[2:]
    assert filter_register(rows, states=["pending", "rejected"]) == [rows[0], rows[2]]
    assert filter_register(rows, states=["current", "accepted"]) == []
    assert filter_register(rows, states=["expired", "accepted"]) == [rows[1]]
    assert filter_register(rows, classifications=["restricted"]) == rows[2:]


def test_a_file_cleaned_away_by_a_failed_twin_upload_is_stored_again(haven):
    """Two uploads of one file: if the other's failure removed the stored copy before this row committed,
    the upload puts it back, so no row is left without its file."""
    from datetime import date

    from services.evidence import NewEvidence
    from services.integrity import check_integrity
    from services.uploads import upload_evidence
    from tests.factories import SYSTEM, make_organisation, simple_pdf

    organisation = make_organisation(haven)
    pdf = simple_pdf("Confidentiality policy")
    real_put = haven.store.put
    lost: set[str] = set()

    def put_then_lose(content, key=None):
        key = real_put(content, key=key)
        if key not in lost:
            lost.add(key)
            haven.store.delete(key)  # what the failed twin's cleanup does at the worst moment
        return key

    haven.store.put = put_then_lose
    try:
        upload_evidence(haven, SYSTEM, organisation_id=organisation, data=pdf, filename="policy.pdf",
                        details=NewEvidence("policy", ("3.3.1",), date(2026, 11, 1)))
    finally:
        haven.store.put = real_put
    assert check_integrity(haven, SYSTEM).faults == []
