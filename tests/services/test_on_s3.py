"""Upload, import, export, verify and backup with the evidence store on an S3 API server (moto on loopback)."""
from __future__ import annotations

import io
import zipfile
from datetime import date

from PIL import Image
from pypdf import PdfReader

from bundles.exporter import export_bundle
from bundles.importer import import_bundle
from services.backups import restore_backup, write_backup
from services.evidence import NewEvidence, evidence_register
from services.integrity import check_integrity
from services.scores import score_organisation
from services.uploads import upload_evidence
from storage.models import EvidenceRevision
from tests.conftest import build_haven, on_s3
from tests.factories import SYSTEM, jpeg_with_gps, make_user, write_bundle
from tests.s3_support import make_s3_client

AS_OF = date(2026, 11, 23)


def bucket_objects(haven) -> dict[str, bytes]:
    client = make_s3_client(haven.settings.s3_endpoint_url)
    bucket = haven.store.bucket
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {item["Key"]: client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read() for item in listed}


def test_an_upload_lands_in_the_bucket_without_its_gps(haven_s3):
    import_bundle(haven_s3, SYSTEM, write_bundle(haven_s3.settings.data_dir / "bundle"))
    manager = make_user(haven_s3, "amira", "manager", "harbour-house")
    evidence_id = upload_evidence(haven_s3, manager, organisation_id=1, filename="door.jpg", data=jpeg_with_gps(),
                                  details=NewEvidence("premises_photos", ("3.2.1",), date(2026, 10, 1), title="Door"))

    with haven_s3.session() as session:
        key = session.get(EvidenceRevision, evidence_id).blob_key
    objects = bucket_objects(haven_s3)
    assert f"evidence/{key[:2]}/{key}" in objects
    assert not Image.open(io.BytesIO(objects[f"evidence/{key[:2]}/{key}"])).getexif()
    assert not list((haven_s3.settings.data_dir / "evidence").rglob("*"))  # nothing went to the local folder
    assert check_integrity(haven_s3, SYSTEM).ok


def test_import_and_export_read_and_write_the_bucket(haven_s3, tmp_path):
    import_bundle(haven_s3, SYSTEM, write_bundle(tmp_path / "bundle"))
    assert len(bucket_objects(haven_s3)) == 3  # the PDF, the photo and its thumbnail

    pack = export_bundle(haven_s3, SYSTEM, organisation_id=1, out=tmp_path / "pack.zip", include_restricted=True,
                         as_of=AS_OF, chart_images=False)

    with zipfile.ZipFile(pack) as archive:
        files = {name: archive.read(name) for name in archive.namelist() if name.startswith("files/")}
    with haven_s3.session() as session:
        register = evidence_register(session, SYSTEM, organisation_id=1)
        keys = [session.get(EvidenceRevision, row.revision_id).blob_key for row in register if row.has_file]
    stored = [haven_s3.store.get(key) for key in keys]
    # The pack holds the watermarked copy of each object read from the bucket: the PDF's own words and the
    # photo's own shape, with the mark added.
    packed_pdf = next(data for data in files.values() if data.startswith(b"%PDF"))
    stored_pdf = next(data for data in stored if data.startswith(b"%PDF"))
    assert PdfReader(io.BytesIO(stored_pdf)).pages[0].extract_text() in PdfReader(io.BytesIO(packed_pdf)).pages[0].extract_text()
    packed_photo = next(data for data in files.values() if not data.startswith(b"%PDF"))
    stored_photo = next(data for data in stored if not data.startswith(b"%PDF"))
    (packed_width, packed_height), (width, height) = (Image.open(io.BytesIO(data)).size
                                                      for data in (packed_photo, stored_photo))
    assert packed_width >= width and abs(packed_width / packed_height - width / height) < 0.01  # a small photo is
    # enlarged so that its band stays readable
    assert len(files) == len(stored) == 2


def test_verify_finds_a_tampered_a_missing_and_an_orphan_object(haven_s3, tmp_path):
    import_bundle(haven_s3, SYSTEM, write_bundle(tmp_path / "bundle"))
    client = make_s3_client(haven_s3.settings.s3_endpoint_url)
    bucket = haven_s3.store.bucket
    first, second, *_ = sorted(key for key in bucket_objects(haven_s3))
    client.put_object(Bucket=bucket, Key=first, Body=b"altered")
    client.delete_object(Bucket=bucket, Key=second)
    orphan = haven_s3.store.put(b"a file nobody refers to")

    faults = check_integrity(haven_s3, SYSTEM).faults

    assert any(fault.startswith("tampered file") and first.rsplit("/", 1)[-1][:12] in fault for fault in faults)
    assert any(fault.startswith("missing file") and second.rsplit("/", 1)[-1][:12] in fault for fault in faults)
    assert any(fault.startswith("orphan file") and orphan[:12] in fault for fault in faults)


def test_a_backup_moves_between_a_bucket_and_a_local_folder(haven_s3, tmp_path, request, s3_server_url):
    import_bundle(haven_s3, SYSTEM, write_bundle(tmp_path / "bundle"))
    files = {key: haven_s3.store.get(key) for key in haven_s3.store.keys()}
    with haven_s3.session() as session:
        score = score_organisation(session, SYSTEM, organisation_id=1, as_of=AS_OF)
    write_backup(haven_s3, tmp_path / "from-s3.zip")

    local = build_haven("sqlite", tmp_path / "local", request)
    restore_backup(local, tmp_path / "from-s3.zip")
    assert {key: local.store.get(key) for key in local.store.keys()} == files
    write_backup(local, tmp_path / "from-local.zip")

    back_on_s3 = on_s3(build_haven("sqlite", tmp_path / "s3-again", request), s3_server_url)
    restore_backup(back_on_s3, tmp_path / "from-local.zip")

    assert {key: back_on_s3.store.get(key) for key in back_on_s3.store.keys()} == files
    with back_on_s3.session() as session:
        assert score_organisation(session, SYSTEM, organisation_id=1, as_of=AS_OF) == score
    assert check_integrity(back_on_s3, SYSTEM).ok
    for instance in (local, back_on_s3):
        instance.engine.dispose()
