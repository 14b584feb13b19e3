"""The privacy guard through the upload service: the pixels stored, the record kept, the refusals that store nothing."""
from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from PIL import Image, ImageChops, ImageStat
from sqlmodel import select

from evidence.privacy_policy import CaseFileRefused, KeptRegion, ManualRegion, PrivacyDecision, PrivacyRefused
from privacy.model import Box, RegionKind
from services.evidence import NewEvidence, evidence_register, privacy_records, scan_before_upload
from services.uploads import upload_evidence, upload_revision
from storage.models import AuditEntry, Evidence, PrivacyCheck
from tests import guard_samples as samples
from tests.factories import make_organisation, make_user

ISSUED = date.today() - timedelta(days=10)
PHOTO = NewEvidence("premises_photos", ("3.2.1",), ISSUED, title="Front door")
POLICY = NewEvidence("policy", ("3.3.1",), ISSUED, title="Confidentiality policy")


@pytest.fixture
def organisation(sqlite_haven):
    return make_organisation(sqlite_haven)


@pytest.fixture
def manager(sqlite_haven, organisation):
    return make_user(sqlite_haven, "amira", "manager", "harbour-house")


@pytest.fixture(scope="module")
def photo_scan(tmp_path_factory):
    """The scan an uploader is shown for the sample photo, made once for the module (OCR takes seconds)."""
    from evidence.intake import scan_upload

    return scan_upload(samples.face_and_number_jpeg(), max_bytes=25 << 20, max_pixels=50_000_000)


def region(scan, kind: RegionKind):
    found = [r for r in scan.scan.regions if r.kind == kind]
    assert len(found) == 1, f"the sample photo should show exactly one {kind}: {scan.scan.regions}"
    return found[0]


def stored_picture(haven, evidence_id: int) -> Image.Image:
    with haven.session() as session:
        evidence = session.get(Evidence, evidence_id)
        from services.facts import latest_revisions

        revision = latest_revisions(session, [evidence.id])[evidence.id]
        key = revision.blob_key
    return Image.open(io.BytesIO(haven.store.get(key))).convert("RGB")


def as_stored_unblurred() -> Image.Image:
    """The sample as the intake would store it with nothing blurred (decoded, re-encoded at the intake's quality)."""
    from evidence.images import JPEG_QUALITY

    decoded = Image.open(io.BytesIO(samples.face_and_number_jpeg())).convert("RGB")
    return Image.open(io.BytesIO(samples.jpeg(decoded, quality=JPEG_QUALITY))).convert("RGB")


def difference(a: Image.Image, b: Image.Image, box: Box) -> float:
    """The mean absolute difference of two pictures inside `box`, in 8-bit levels."""
    area = (box.x, box.y, box.x + box.width, box.y + box.height)
    return sum(ImageStat.Stat(ImageChops.difference(a.crop(area), b.crop(area))).mean) / 3


def record_of(haven, evidence_id: int):
    with haven.session() as session:
        from services.facts import latest_revisions

        revision = latest_revisions(session, [evidence_id])[evidence_id]
        return privacy_records(session, [revision.id])[revision.id]


def audit_details(haven, action: str) -> list[dict]:
    with haven.session() as session:
        return [json.loads(e.detail) for e in session.exec(select(AuditEntry).where(AuditEntry.action == action))]


def nothing_stored(haven) -> bool:
    with haven.session() as session:
        rows = session.exec(select(Evidence)).all() + session.exec(select(PrivacyCheck)).all()
    return not rows and not list(haven.store.keys()) and not audit_details(haven, "evidence.add")


def test_the_scan_finds_the_face_the_house_number_and_the_sign(sqlite_haven, organisation, manager, photo_scan):
    assert photo_scan is not None and (photo_scan.scan.width, photo_scan.scan.height) == samples.PHOTO_SIZE
    assert region(photo_scan, RegionKind.SENSITIVE_TEXT).text == "27"
    assert "FIRE EXIT" in region(photo_scan, RegionKind.TEXT).text
    face = region(photo_scan, RegionKind.FACE).box
    left, top, right, bottom = samples.FACE_AREA
    assert left <= face.x + face.width / 2 <= right and top <= face.y + face.height / 2 <= bottom
    again = scan_before_upload(sqlite_haven, manager, organisation_id=organisation, data=samples.text_pdf("Policy"))
    assert again is None  # only photos are scanned before the upload


def test_by_default_the_face_and_the_number_are_blurred_in_the_stored_pixels_and_the_sign_stays(
        sqlite_haven, organisation, manager, photo_scan):
    from privacy.scan import scan_image

    evidence_id = upload_evidence(sqlite_haven, manager, organisation_id=organisation, details=PHOTO,
                                  data=samples.face_and_number_jpeg(), filename="front-door.jpg",
                                  upload_scan=photo_scan)
    original, stored = as_stored_unblurred(), stored_picture(sqlite_haven, evidence_id)
    face, number = region(photo_scan, RegionKind.FACE).box, region(photo_scan, RegionKind.SENSITIVE_TEXT).box
    sign = region(photo_scan, RegionKind.TEXT).box
    assert difference(original, stored, face) > 20 and difference(original, stored, number) > 20
    assert difference(original, stored, sign) < 1.5

    rescan = scan_image(stored)
    for found in rescan.regions:  # nothing legible or recognisable is left where the blur went
        centre = (found.box.x + found.box.width / 2, found.box.y + found.box.height / 2)
        for blurred in (face, number):
            inside = blurred.x <= centre[0] <= blurred.x + blurred.width and \
                blurred.y <= centre[1] <= blurred.y + blurred.height
            assert not inside, f"{found} found again inside the blurred region {blurred}"
    assert not [r for r in rescan.regions if r.kind == RegionKind.SENSITIVE_TEXT]
    assert any("FIRE EXIT" in (r.text or "") for r in rescan.regions)

    record = record_of(sqlite_haven, evidence_id)
    assert (record.count(RegionKind.FACE), record.count(RegionKind.SENSITIVE_TEXT), record.count(RegionKind.TEXT),
            record.blurred, record.kept_with_reason) == (1, 1, 1, 2, ())
    [added] = audit_details(sqlite_haven, "evidence.add")
    assert added["privacy"]["faces"] == 1 and added["privacy"]["blurred"] == 2
    assert '"27"' not in json.dumps(added) and "FIRE" not in json.dumps(added)


def test_the_thumbnail_is_made_from_the_blurred_pixels(sqlite_haven, organisation, manager, photo_scan):
    evidence_id = upload_evidence(sqlite_haven, manager, organisation_id=organisation, details=PHOTO,
                                  data=samples.face_and_number_jpeg(), filename="door.jpg", upload_scan=photo_scan)
    with sqlite_haven.session() as session:
        [row] = evidence_register(session, manager, organisation_id=organisation)
    thumbnail = Image.open(io.BytesIO(sqlite_haven.store.get(row.thumbnail_key))).convert("RGB")
    scale = thumbnail.width / samples.PHOTO_SIZE[0]
    number = region(photo_scan, RegionKind.SENSITIVE_TEXT).box
    small = Box(int(number.x * scale), int(number.y * scale), int(number.width * scale), int(number.height * scale))
    from_stored = stored_picture(sqlite_haven, evidence_id).resize(thumbnail.size)
    from_original = samples.face_and_number_picture().resize(thumbnail.size)
    assert difference(thumbnail, from_stored, small) < difference(thumbnail, from_original, small)


def test_a_face_kept_with_a_reason_stays_legible_and_the_reason_is_recorded(
        sqlite_haven, organisation, manager, photo_scan):
    face = region(photo_scan, RegionKind.FACE).box
    decision = PrivacyDecision(kept_with_reason=(KeptRegion(face, "Our volunteer agreed to be shown"),))
    evidence_id = upload_evidence(sqlite_haven, manager, organisation_id=organisation, details=PHOTO,
                                  data=samples.face_and_number_jpeg(), filename="door.jpg", privacy=decision,
                                  upload_scan=photo_scan)
    original, stored = as_stored_unblurred(), stored_picture(sqlite_haven, evidence_id)
    assert difference(original, stored, face) < 1.5
    assert difference(original, stored, region(photo_scan, RegionKind.SENSITIVE_TEXT).box) > 20
    record = record_of(sqlite_haven, evidence_id)
    assert [(r.kind, r.reason) for r in record.kept_with_reason] == [
        (RegionKind.FACE, "Our volunteer agreed to be shown")]
    with sqlite_haven.session() as session:
        check = session.exec(select(PrivacyCheck)).one()
    assert (check.faces, check.kept_with_reason, check.blurred) == (1, 1, 1)
    [added] = audit_details(sqlite_haven, "evidence.add")
    assert added["privacy"]["kept_with_reason"] == [{"kind": "face", "reason": "Our volunteer agreed to be shown"}]


def test_keeping_a_face_without_a_reason_is_refused_and_nothing_is_stored(
        sqlite_haven, organisation, manager, photo_scan):
    face = region(photo_scan, RegionKind.FACE).box
    with pytest.raises(PrivacyRefused, match="needs a reason"):
        upload_evidence(sqlite_haven, manager, organisation_id=organisation, details=PHOTO,
                        data=samples.face_and_number_jpeg(), filename="door.jpg",
                        privacy=PrivacyDecision(kept_with_reason=(KeptRegion(face, "   "),)), upload_scan=photo_scan)
    assert nothing_stored(sqlite_haven)


def test_a_region_of_the_uploaders_own_is_blurred_and_labelled(sqlite_haven, organisation, manager, photo_scan):
    window = Box(480, 560, 400, 70)  # plain wall under the sign in the sample
    evidence_id = upload_evidence(
        sqlite_haven, manager, organisation_id=organisation, details=PHOTO, data=samples.face_and_number_jpeg(),
        filename="door.jpg", upload_scan=photo_scan,
        privacy=PrivacyDecision(manual_regions=(ManualRegion(window, "a window view"),),
                                regions_to_blur=(region(photo_scan, RegionKind.TEXT).box,)))
    stored = stored_picture(sqlite_haven, evidence_id)
    original = as_stored_unblurred()
    assert difference(original, stored, region(photo_scan, RegionKind.TEXT).box) > 20
    assert ImageStat.Stat(stored.crop((480, 560, 880, 630))).stddev != ImageStat.Stat(
        original.crop((480, 560, 880, 630))).stddev  # flat wall now carries the blur's noise
    record = record_of(sqlite_haven, evidence_id)
    assert [(r.kind, r.label) for r in record.regions if r.kind == RegionKind.MANUAL] == [
        (RegionKind.MANUAL, "a window view")]
    assert record.blurred == 4


def test_a_region_outside_the_photo_is_refused_and_nothing_is_stored(sqlite_haven, organisation, manager, photo_scan):
    with pytest.raises(PrivacyRefused, match="inside the photo"):
        upload_evidence(sqlite_haven, manager, organisation_id=organisation, details=PHOTO,
                        data=samples.face_and_number_jpeg(), filename="door.jpg", upload_scan=photo_scan,
                        privacy=PrivacyDecision(manual_regions=(ManualRegion(Box(900, 600, 200, 200), "car"),)))
    assert nothing_stored(sqlite_haven)


def test_a_scan_of_other_bytes_is_not_trusted(sqlite_haven, organisation, manager, photo_scan):
    """A scan made of another file cannot vouch for this one: the intake scans this file itself."""
    other = samples.jpeg(samples.face_and_number_picture(), quality=70)
    evidence_id = upload_evidence(sqlite_haven, manager, organisation_id=organisation, details=PHOTO, data=other,
                                  filename="door.jpg", upload_scan=photo_scan)
    assert record_of(sqlite_haven, evidence_id).count(RegionKind.SENSITIVE_TEXT) == 1
    assert difference(samples.face_and_number_picture(), stored_picture(sqlite_haven, evidence_id),
                      region(photo_scan, RegionKind.SENSITIVE_TEXT).box) > 20


def test_a_case_file_is_refused_with_what_was_found_and_nothing_is_stored(sqlite_haven, organisation, manager):
    with pytest.raises(CaseFileRefused) as refused:
        upload_evidence(sqlite_haven, manager, organisation_id=organisation, details=POLICY,
                        data=samples.text_pdf(samples.CASE_FILE_TEXT), filename="procedure.pdf")
    message = str(refused.value)
    assert "case file" in message and "date of birth" in message and "never victims' case files" in message
    assert nothing_stored(sqlite_haven)


def test_a_case_file_stored_with_a_reason_is_flagged_and_audited_without_its_contents(
        sqlite_haven, organisation, manager):
    evidence_id = upload_evidence(
        sqlite_haven, manager, organisation_id=organisation, details=POLICY,
        data=samples.text_pdf(samples.CASE_FILE_TEXT), filename="procedure.pdf",
        privacy=PrivacyDecision(allow_personal_data_reason="Fictitious example in our training pack"))
    record = record_of(sqlite_haven, evidence_id)
    assert record.case_file and record.allowed_reason == "Fictitious example in our training pack"
    assert "date of birth" in record.case_file_reasons and "case number" in record.case_file_reasons
    with sqlite_haven.session() as session:
        check = session.exec(select(PrivacyCheck)).one()
        log = [e.detail for e in session.exec(select(AuditEntry))]
    assert check.case_file and check.allowed_reason == "Fictitious example in our training pack"
    [added] = audit_details(sqlite_haven, "evidence.add")
    assert added["privacy"]["case_file"] is True
    assert added["privacy"]["allowed_reason"] == "Fictitious example in our training pack"
    for secret in ("Maria", "12/03/1987", "HH-2026", "07700", "Mill Lane"):
        assert secret not in check.detail and not any(secret in detail for detail in log)


def test_a_poster_with_the_helpline_number_is_no_case_file(sqlite_haven, organisation, manager):
    evidence_id = upload_evidence(sqlite_haven, manager, organisation_id=organisation, details=POLICY,
                                  data=samples.text_pdf(samples.POSTER_TEXT), filename="poster.pdf")
    record = record_of(sqlite_haven, evidence_id)
    assert not record.case_file and "phone_number" in record.personal_data


@pytest.mark.parametrize("make", [
    lambda: samples.docx(samples.CASE_FILE_TEXT.splitlines()),
    lambda: samples.CASE_FILE_TEXT.encode(),
    samples.client_list_xlsx,
], ids=["docx", "text", "xlsx"])
def test_a_case_file_in_word_or_plain_text_is_refused_too(sqlite_haven, organisation, manager, make):
    with pytest.raises(CaseFileRefused):
        upload_evidence(sqlite_haven, manager, organisation_id=organisation, details=POLICY, data=make(),
                        filename="notes")
    assert nothing_stored(sqlite_haven)


def test_a_new_revision_passes_the_guard_too(sqlite_haven, organisation, manager):
    evidence_id = upload_evidence(sqlite_haven, manager, organisation_id=organisation, details=POLICY,
                                  data=samples.text_pdf(samples.POSTER_TEXT), filename="poster.pdf")
    with pytest.raises(CaseFileRefused):
        upload_revision(sqlite_haven, manager, evidence_id=evidence_id, issued_on=ISSUED, valid_until=None,
                        data=samples.text_pdf(samples.CASE_FILE_TEXT), filename="poster-v2.pdf")
    with sqlite_haven.session() as session:
        assert len(session.exec(select(PrivacyCheck)).all()) == 1
    assert len(audit_details(sqlite_haven, "evidence.revise")) == 0


def test_a_flat_picture_is_recorded_as_scanned_with_nothing_found(haven):
    """On each database: the record of a picture in which nothing can be found (the scan short-circuits)."""
    organisation = make_organisation(haven)
    manager = make_user(haven, "amira", "manager", "harbour-house")
    flat = samples.jpeg(Image.new("RGB", (2000, 1500), (120, 130, 140)))
    evidence_id = upload_evidence(haven, manager, organisation_id=organisation, details=PHOTO, data=flat,
                                  filename="wall.jpg")
    record = record_of(haven, evidence_id)
    assert record.images_scanned == 1 and record.regions == () and record.summary().startswith("found no face")


def test_a_bundle_import_blurs_the_photo_by_default(sqlite_haven, tmp_path, photo_scan):
    from bundles.importer import import_bundle
    from tests.factories import SYSTEM, write_bundle

    folder = write_bundle(tmp_path / "bundle")
    (folder / "files" / "reception.jpg").write_bytes(samples.face_and_number_jpeg())
    import_bundle(sqlite_haven, SYSTEM, folder)
    with sqlite_haven.session() as session:
        photo = session.exec(select(Evidence).where(Evidence.title == "Reception door")).one()
    stored = stored_picture(sqlite_haven, photo.id)
    for kind in (RegionKind.FACE, RegionKind.SENSITIVE_TEXT):
        assert difference(as_stored_unblurred(), stored, region(photo_scan, kind).box) > 20
    assert difference(as_stored_unblurred(), stored, region(photo_scan, RegionKind.TEXT).box) < 1.5
    assert record_of(sqlite_haven, photo.id).blurred == 2


def test_a_photo_inside_a_pdf_is_blurred_in_the_stored_pdf(sqlite_haven, organisation, manager, photo_scan):
    from pypdf import PdfReader

    evidence_id = upload_evidence(sqlite_haven, manager, organisation_id=organisation, details=POLICY,
                                  data=samples.pdf_with_picture(samples.face_and_number_picture()),
                                  filename="premises-report.pdf")
    with sqlite_haven.session() as session:
        from services.facts import latest_revisions

        key = latest_revisions(session, [evidence_id])[evidence_id].blob_key
    [embedded] = PdfReader(io.BytesIO(sqlite_haven.store.get(key))).pages[0].images
    picture = embedded.image.convert("RGB").resize(samples.PHOTO_SIZE)
    original = as_stored_unblurred()
    for kind in (RegionKind.FACE, RegionKind.SENSITIVE_TEXT):
        assert difference(original, picture, region(photo_scan, kind).box) > 20
    assert difference(original, picture, region(photo_scan, RegionKind.TEXT).box) < 6
    record = record_of(sqlite_haven, evidence_id)
    assert (record.images_scanned, record.count(RegionKind.FACE), record.blurred) == (1, 1, 2)
    sources = {r.source for r in record.regions}  # where in the PDF the intake found the picture
    assert len(sources) == 1 and "PDF" in sources.pop()


def test_a_photo_inside_a_word_document_is_blurred_in_the_stored_document(
        sqlite_haven, organisation, manager, photo_scan):
    import zipfile

    evidence_id = upload_evidence(sqlite_haven, manager, organisation_id=organisation, details=POLICY,
                                  data=samples.docx(["Our front entrance"], samples.face_and_number_picture()),
                                  filename="entrance.docx")
    with sqlite_haven.session() as session:
        from services.facts import latest_revisions

        key = latest_revisions(session, [evidence_id])[evidence_id].blob_key
    with zipfile.ZipFile(io.BytesIO(sqlite_haven.store.get(key))) as archive:
        [media] = [name for name in archive.namelist() if name.startswith("word/media/")]
        picture = Image.open(io.BytesIO(archive.read(media))).convert("RGB")
    original = samples.face_and_number_picture()  # the picture went in as a PNG, without JPEG's loss
    for kind in (RegionKind.FACE, RegionKind.SENSITIVE_TEXT):
        assert difference(original, picture, region(photo_scan, kind).box) > 20
    assert difference(original, picture, region(photo_scan, RegionKind.TEXT).box) < 1.5
    record = record_of(sqlite_haven, evidence_id)
    faces = record.count(RegionKind.FACE)  # the detector may see a second "face" in the lossless copy
    assert record.images_scanned == 1 and faces >= 1 and record.count(RegionKind.SENSITIVE_TEXT) == 1
    assert record.blurred == faces + 1


KEPT_REASON = "Our volunteer agreed in writing to be shown"


def test_a_face_kept_with_a_reason_stays_kept_through_an_export_and_import_and_a_photo_without_a_decision_is_blurred(
        sqlite_haven, organisation, manager, photo_scan, tmp_path, request):
    import copy
    import zipfile

    import yaml

    from bundles.exporter import export_bundle
    from bundles.importer import import_bundle
    from tests.conftest import build_haven
    from tests.factories import SYSTEM

    face = region(photo_scan, RegionKind.FACE)
    evidence_id = upload_evidence(sqlite_haven, manager, organisation_id=organisation, details=PHOTO,
                                  data=samples.face_and_number_jpeg(), filename="front-door.jpg", upload_scan=photo_scan,
                                  privacy=PrivacyDecision(kept_with_reason=(KeptRegion(face.box, KEPT_REASON),)))
    as_stored = stored_picture(sqlite_haven, evidence_id)
    pack = export_bundle(sqlite_haven, SYSTEM, organisation_id=1, out=tmp_path / "pack.zip", include_restricted=True)

    folder = tmp_path / "pack"
    with zipfile.ZipFile(pack) as archive:
        archive.extractall(folder)
    manifest = yaml.safe_load((folder / "bundle.yaml").read_text(encoding="utf-8"))
    [entry] = manifest["evidence"]
    assert entry["privacy"] == {"kept": [{"kind": "face", "box": face.box.as_list(), "reason": KEPT_REASON}],
                                "image_size": list(samples.PHOTO_SIZE)}
    # The same photo, unblurred, added to the bundle by hand with no recorded decision: the default policy applies.
    (folder / "files" / "waiting-room.jpg").write_bytes(samples.face_and_number_jpeg())
    manifest["evidence"].append({key: value for key, value in copy.deepcopy(entry).items() if key != "privacy"}
                                | {"title": "Waiting room", "file": "files/waiting-room.jpg"})
    (folder / "bundle.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")

    second = build_haven("sqlite", tmp_path / "second", request)
    import_bundle(second, SYSTEM, folder)
    with second.session() as session:
        kept_id, default_id = (session.exec(select(Evidence.id).where(Evidence.title == title)).one()
                               for title in ("Front door", "Waiting room"))

    round_trip = stored_picture(second, kept_id)  # matches what was stored: the face still legible, the number not
    assert difference(as_stored, round_trip, face.box) < 6
    assert difference(as_stored_unblurred(), round_trip, face.box) < 6
    assert difference(as_stored_unblurred(), round_trip, region(photo_scan, RegionKind.SENSITIVE_TEXT).box) > 20
    record = record_of(second, kept_id)
    assert [(r.kind, r.reason) for r in record.kept_with_reason] == [(RegionKind.FACE, KEPT_REASON)]

    blurred = stored_picture(second, default_id)
    assert difference(as_stored_unblurred(), blurred, face.box) > 20
    assert difference(as_stored_unblurred(), blurred, region(photo_scan, RegionKind.SENSITIVE_TEXT).box) > 20
    default_record = record_of(second, default_id)
    assert default_record.kept_with_reason == () and default_record.blurred >= 2

    added = {e.target: json.loads(e.detail)["privacy"]["kept_with_reason"] for e in audit_entries(second, "evidence.add")}
    assert added == {f"evidence:{kept_id}": [{"kind": "face", "reason": KEPT_REASON}], f"evidence:{default_id}": []}
    [imported] = audit_details(second, "bundle.import")
    assert imported["kept_with_reason"] == 1


def test_a_case_file_stored_with_a_reason_is_imported_with_that_reason_and_without_it_is_refused(
        sqlite_haven, organisation, manager, tmp_path, request):
    import zipfile

    import yaml

    from bundles.exporter import export_bundle
    from bundles.importer import import_bundle
    from bundles.model import BundleError
    from tests.conftest import build_haven
    from tests.factories import SYSTEM

    reason = "Blank template; the example person is made up"
    upload_evidence(sqlite_haven, manager, organisation_id=organisation, details=POLICY, filename="template.pdf",
                    data=samples.text_pdf(samples.CASE_FILE_TEXT),
                    privacy=PrivacyDecision(allow_personal_data_reason=reason))
    pack = export_bundle(sqlite_haven, SYSTEM, organisation_id=1, out=tmp_path / "pack.zip")
    folder = tmp_path / "pack"
    with zipfile.ZipFile(pack) as archive:
        archive.extractall(folder)
    manifest = yaml.safe_load((folder / "bundle.yaml").read_text(encoding="utf-8"))
    assert manifest["evidence"][0]["privacy"] == {"allowed_personal_data": reason}

    second = build_haven("sqlite", tmp_path / "second", request)
    without = dict(manifest, evidence=[{k: v for k, v in manifest["evidence"][0].items() if k != "privacy"}])
    (folder / "bundle.yaml").write_text(yaml.safe_dump(without, sort_keys=False), encoding="utf-8")
    with pytest.raises(BundleError, match="looks like a victim's case file"):
        import_bundle(second, SYSTEM, folder)
    assert nothing_stored(second)

    import_bundle(second, SYSTEM, pack)
    with second.session() as session:
        evidence_id = session.exec(select(Evidence.id)).one()
    record = record_of(second, evidence_id)
    assert record.case_file and record.allowed_reason == reason
    assert audit_details(second, "bundle.import")[0]["case_files_allowed"] == 1


def audit_entries(haven, action: str) -> list[AuditEntry]:
    with haven.session() as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))
