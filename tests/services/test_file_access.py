"""services.file_access: every file read checks the session and the account at the moment it reads, is audited,
and a copy that leaves carries a watermark that `trace` can follow back."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlmodel import select

from accounts.permissions import PermissionDenied
from bundles.exporter import export_bundle
from services.evidence import NewEvidence, read_evidence_file, read_preview, read_thumbnails, revision_history
from services.file_access import Reader, ReadRefused, SessionClock, describe_trace, trace
from services.uploads import upload_evidence
from services.users import set_membership, set_user_active
from storage.models import AuditEntry, utc_now
from tests.factories import SYSTEM, jpeg_with_gps, make_organisation, make_user, simple_pdf

ISSUED = date.today() - timedelta(days=3)


def add(haven, who, organisation, evidence_type, actions, data, filename, title):
    evidence_id = upload_evidence(haven, who, organisation_id=organisation, data=data, filename=filename,
                                  details=NewEvidence(evidence_type, actions, ISSUED, title=title))
    with haven.session() as session:
        return evidence_id, revision_history(session, who, evidence_id=evidence_id)[0].id


@pytest.fixture
def photo(haven, organisation, manager):
    return add(haven, manager, organisation, "premises_photos", ("3.2.1",), jpeg_with_gps(900, 600), "door.jpg",
               "Front door")


def reader_of(principal, minutes_ago: float = 0, ended: bool = False) -> Reader:
    clock = SessionClock(user_id=principal.user_id, last_seen=utc_now() - timedelta(minutes=minutes_ago), ended=ended)
    return Reader(principal=principal, clock=clock, idle_minutes=30)


def audit(haven, *actions) -> list[AuditEntry]:
    with haven.session() as session:
        return [e for e in session.exec(select(AuditEntry).order_by(AuditEntry.id)) if e.action in actions]


def stored(haven) -> dict[str, str]:
    return {key: hashlib.sha256(haven.store.get(key)).hexdigest() for key in haven.store.keys()}


# --- the check at the moment of reading -------------------------------------------------------------------------


def test_a_live_session_reads_a_marked_copy_and_the_read_is_audited(haven, manager, photo):
    evidence_id, revision_id = photo
    before = stored(haven)
    content, name, mime_type = read_evidence_file(haven, reader_of(manager, minutes_ago=29), revision_id=revision_id)
    assert (name, mime_type, Image.open(io.BytesIO(content)).size) == ("door.jpg", "image/jpeg", (900, 600))
    (download,) = audit(haven, "evidence.download")
    assert (download.actor, download.target) == ("amira", f"evidence:{evidence_id}")
    assert stored(haven) == before  # the stored file stays clean
    assert all(hashlib.sha256(haven.store.get(key)).hexdigest() == key for key in before if len(key) == 64)


@pytest.mark.parametrize("why, reader, refusal", [
    ("idle past the limit", lambda who: reader_of(who, minutes_ago=31), "31|30 minutes without activity"),
    ("signed out", lambda who: reader_of(who, ended=True), "signed out"),
])
def test_a_session_that_ended_reads_nothing(haven, manager, photo, why, reader, refusal):
    with pytest.raises(ReadRefused, match=refusal.split("|")[-1]):
        read_evidence_file(haven, reader(manager), revision_id=photo[1])
    assert audit(haven, "evidence.download", "watermark.issue") == []


def test_a_deactivated_or_demoted_account_reads_nothing_with_the_page_it_still_has(haven, manager, photo):
    reader = reader_of(manager)
    with haven.session() as session:
        set_membership(session, SYSTEM, user_id=manager.user_id, role="board", organisation_id=1)
    with pytest.raises(PermissionDenied, match="amira may not open evidence files"):
        read_evidence_file(haven, reader, revision_id=photo[1])
    with pytest.raises(PermissionDenied):
        read_thumbnails(haven, reader, organisation_id=1, revision_ids=[photo[1]])
    with haven.session() as session:
        set_membership(session, SYSTEM, user_id=manager.user_id, role="manager", organisation_id=1)
        set_user_active(session, SYSTEM, user_id=manager.user_id, active=False)
    with pytest.raises(ReadRefused, match="no longer active"):
        read_evidence_file(haven, reader, revision_id=photo[1])
    assert audit(haven, "evidence.download", "evidence.thumbnails", "watermark.issue") == []


def test_thumbnails_of_another_organisation_are_not_read_through_this_one(haven, manager, photo):
    other = make_organisation(haven, "city-refuge", "City Refuge")
    elsewhere = make_user(haven, "cara", "manager", "city-refuge")
    _, foreign_revision = add(haven, elsewhere, other, "premises_photos", ("3.2.1",), jpeg_with_gps(), "x.jpg",
                              "Safe room")
    found = read_thumbnails(haven, reader_of(manager), organisation_id=1, revision_ids=[photo[1], foreign_revision])
    assert list(found) == [photo[1]]
    (entry,) = audit(haven, "evidence.thumbnails")
    assert json.loads(entry.detail)["revisions"] == [photo[1]]


def test_a_preview_is_a_small_marked_rendering_for_reviewers_only(haven, organisation, manager, photo):
    reviewer = make_user(haven, "quinn", "reviewer", "harbour-house")
    preview = read_preview(haven, reader_of(reviewer), revision_id=photo[1])
    image = Image.open(io.BytesIO(preview.png))
    assert max(image.size) <= 640 and image.format == "PNG"
    assert preview.png not in haven.store.get(next(iter(haven.store.keys())))
    (mark,) = audit(haven, "watermark.issue")
    assert json.loads(mark.detail)["recipient"] == "quinn"
    with pytest.raises(PermissionDenied):
        read_preview(haven, reader_of(manager), revision_id=photo[1])


# --- watermarks and trace ----------------------------------------------------------------------------------------


def test_a_downloaded_pdf_carries_the_readers_mark_on_every_page_and_trace_finds_it(haven, organisation, manager):
    reviewer = make_user(haven, "quinn", "reviewer", "harbour-house")
    pdf = simple_pdf("Data protection protocol")
    evidence_id, revision_id = add(haven, manager, organisation, "policy", ("3.3.1",), pdf, "policy.pdf", "Protocol")
    before = stored(haven)
    content, _, _ = read_evidence_file(haven, reader_of(reviewer), revision_id=revision_id)
    (download,) = audit(haven, "evidence.download")
    code = json.loads(download.detail)["watermark"]
    for page in PdfReader(io.BytesIO(content)).pages:
        assert f"Confidential · quinn · {date.today().isoformat()} · {code}" in page.extract_text()
    assert stored(haven) == before
    with haven.session() as session:
        found = trace(session, code.lower().replace("-", " "))
        described = describe_trace(session, found)
    assert (found.recipient, found.issued_by, found.evidence_ids, found.organisation_id) == (
        "quinn", "quinn", (evidence_id,), organisation)
    assert described.startswith(f"{code}: issued to quinn on ") and f"evidence {evidence_id}: Protocol" in described


def test_every_pdf_and_image_in_a_pack_carries_the_recipients_mark(haven, organisation, manager, photo, tmp_path):
    admin = make_user(haven, "root", "manager", "harbour-house", is_admin=True)
    policy_id, _ = add(haven, manager, organisation, "policy", ("3.3.1",), simple_pdf("Policy"), "policy.pdf", "Policy")
    notes_id, _ = add(haven, manager, organisation, "network_agreements", ("3.1.2",),
                      b"partner,contact\nCity Refuge,Jo\n", "partners.csv", "Partners")
    before = stored(haven)
    out = export_bundle(haven, admin, organisation_id=1, out=tmp_path / "pack.zip", include_restricted=True,
                        recipient="Accreditation Body Ltd", chart_images=False)
    (mark,) = audit(haven, "watermark.issue")
    code = mark.target.removeprefix("watermark:")
    line = f"Confidential · Accreditation Body Ltd · {date.today().isoformat()} · {code}"
    with zipfile.ZipFile(out) as pack:
        files = {name: pack.read(name) for name in pack.namelist()}
    pdfs = [name for name in files if name.endswith(".pdf")]
    assert sorted(pdfs) == ["files/00002-policy.pdf", "report.pdf"]
    for name in pdfs:
        assert all(line in page.extract_text() for page in PdfReader(io.BytesIO(files[name])).pages), name
    door = Image.open(io.BytesIO(files["files/00001-door.jpg"])).convert("L")
    assert door.size == (900, 600) and door.crop((0, 560, 900, 600)).getextrema()[0] < 60  # the dark band
    assert files["files/00003-partners.csv"] == b"partner,contact\nCity Refuge,Jo\n"
    assert stored(haven) == before
    with haven.session() as session:
        found = trace(session, code)
    assert (found.recipient, found.purpose, set(found.evidence_ids)) == (
        "Accreditation Body Ltd", "export", {photo[0], policy_id, notes_id})


def test_an_unknown_code_is_not_found(haven, manager, photo):
    read_evidence_file(haven, reader_of(manager), revision_id=photo[1])
    with haven.session() as session:
        assert trace(session, "AAAA-BBBB") is None
        assert trace(session, "") is None
