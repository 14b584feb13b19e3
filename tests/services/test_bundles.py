import zipfile

import pytest
import yaml
from sqlmodel import select

from bundles.exporter import export_bundle
from bundles.importer import import_bundle
from bundles.model import BundleError
from services.organisations import get_organisation
from services.scores import score_organisation
from storage.models import Evidence, Organisation
from tests.conftest import build_haven
from tests.factories import BUNDLE_AS_OF, SYSTEM, simple_pdf, write_bundle

AS_OF = BUNDLE_AS_OF


def test_a_bundle_imports_and_scores(haven, tmp_path):
    slug = import_bundle(haven, SYSTEM, write_bundle(tmp_path / "bundle"))
    with haven.session() as session:
        report = score_organisation(session, SYSTEM, organisation_id=get_organisation(session, slug).id, as_of=AS_OF)
    states = {(a["id"], s["evidence_type"]): s["state"] for e in report["engagements"] for a in e["actions"] for s in a["slots"]}
    assert states[("3.1.1", "risk_assessment")] == "verified"
    assert states[("3.2.1", "premises_photos")] == "pending"
    assert states[("3.2.1", "safety_plan")] == "rejected"
    assert states[("3.2.1", "escape_plan")] == "missing"
    assert report["engagements"][1]["actions"][1]["scores"]["self_assessment"] is None


def test_the_photo_is_stored_without_its_gps(haven, tmp_path):
    import io

    from PIL import Image

    import_bundle(haven, SYSTEM, write_bundle(tmp_path / "bundle"))
    with haven.session() as session:
        from services.evidence import evidence_register

        rows = evidence_register(session, SYSTEM, organisation_id=1)
        photo = next(r for r in rows if r.evidence_type == "premises_photos")
        from storage.models import EvidenceRevision

        key = session.get(EvidenceRevision, photo.revision_id).blob_key
    stored = Image.open(io.BytesIO(haven.store.get(key)))
    assert not stored.getexif() and photo.classification == "restricted"


def test_export_then_import_into_an_empty_database_scores_identically(haven, tmp_path, request):
    import_bundle(haven, SYSTEM, write_bundle(tmp_path / "bundle"))
    pack = export_bundle(haven, SYSTEM, organisation_id=1, out=tmp_path / "pack.zip", include_restricted=True,
                         as_of=AS_OF)
    with zipfile.ZipFile(pack) as archive:
        names = archive.namelist()
    assert {"bundle.yaml", "index.csv", "report.pdf"} <= set(names)
    assert sum(name.startswith("files/") for name in names) == 2
    empty = build_haven("sqlite", tmp_path / "second", request)
    import_bundle(empty, SYSTEM, pack)
    with haven.session() as session:
        before = score_organisation(session, SYSTEM, organisation_id=1, as_of=AS_OF)
    with empty.session() as session:
        after = score_organisation(session, SYSTEM, organisation_id=1, as_of=AS_OF)
    assert after == before


def test_without_restricted_the_pack_withholds_restricted_files_and_still_scores_the_same(haven, tmp_path, request):
    import_bundle(haven, SYSTEM, write_bundle(tmp_path / "bundle"))
    pack = export_bundle(haven, SYSTEM, organisation_id=1, out=tmp_path / "pack.zip", as_of=AS_OF)
    with zipfile.ZipFile(pack) as archive:
        names = archive.namelist()
        manifest = yaml.safe_load(archive.read("bundle.yaml"))
        index = archive.read("index.csv").decode()
    photo = next(e for e in manifest["evidence"] if e["type"] == "premises_photos")
    assert photo["withheld"] is True and "file" not in photo
    assert not any("reception" in name for name in names)
    assert "Reception door" not in index and "Reception door" not in yaml.safe_dump(manifest)
    empty = build_haven("sqlite", tmp_path / "second", request)
    import_bundle(empty, SYSTEM, pack)
    with haven.session() as session:
        before = score_organisation(session, SYSTEM, organisation_id=1, as_of=AS_OF)
    with empty.session() as session:
        assert score_organisation(session, SYSTEM, organisation_id=1, as_of=AS_OF) == before


@pytest.mark.parametrize("change, message", [
    ({"ratings.0.action": "3.9.9"}, "ratings[0].action: unknown action '3.9.9'"),
    ({"evidence.0.type": "selfie"}, "evidence[0].type: unknown evidence type 'selfie'"),
    ({"evidence.1.issued_on": "2026-02-30"}, "evidence[1].issued_on: '2026-02-30' is not a date"),
    ({"evidence.0.file": "files/nowhere.pdf"}, "evidence[0].file: file 'files/nowhere.pdf' is missing"),
    ({"ratings.1.rating": "brilliant"}, "ratings[1].rating: 'brilliant' is not one of"),
    ({"evidence.0.file": "../outside.pdf"}, "evidence[0].file: '../outside.pdf' escapes the bundle folder"),
    ({"evidence.0.file": "/etc/passwd"}, "evidence[0].file: '/etc/passwd' escapes the bundle folder"),
    ({"evidence.0.actions": ["3.3.1"]}, "evidence[0].actions: action 3.3.1 does not ask for evidence of type 'risk_assessment'"),
    ({"plan.0.due": "soon"}, "plan[0].due: 'soon' is not a date"),
    ({"evidence.1.privacy": {"kept": [{"kind": "car", "box": [1, 2, 3, 4], "reason": "A car"}], "image_size": [9, 9]}},
     "evidence[1].privacy.kept[0].kind: 'car' is not one of face, sensitive_text"),
    ({"evidence.1.privacy": {"kept": [{"kind": "face", "box": [1, 2, 3], "reason": "Agreed"}], "image_size": [9, 9]}},
     "evidence[1].privacy.kept[0].box: expected a list of 4 whole numbers"),
    ({"evidence.1.privacy": {"kept": [{"kind": "face", "box": [1, 2, 3, 4]}], "image_size": [9, 9]}},
     "evidence[1].privacy.kept[0].reason: missing"),
    ({"evidence.1.privacy": {"kept": [{"kind": "face", "box": [1, 2, 3, 4], "reason": "Agreed"}]}},
     "evidence[1].privacy.image_size: expected a list of 2 whole numbers"),
    ({"evidence.2.privacy": {"allowed_personal_data": "A template"}},
     "evidence[2].privacy: privacy decisions belong to a file"),
])
def test_a_malformed_bundle_is_refused_whole_and_nothing_is_written(haven, tmp_path, change, message):
    (tmp_path / "outside.pdf").write_bytes(simple_pdf())
    folder = write_bundle(tmp_path / "bundle", **change)
    with pytest.raises(BundleError) as refused:
        import_bundle(haven, SYSTEM, folder)
    assert message in str(refused.value)
    with haven.session() as session:
        assert session.exec(select(Organisation)).all() == []
        assert session.exec(select(Evidence)).all() == []
    assert list(haven.store.keys()) == []


def test_a_file_that_fails_intake_refuses_the_bundle_and_leaves_no_file(haven, tmp_path):
    folder = write_bundle(tmp_path / "bundle")
    (folder / "files" / "reception.jpg").write_bytes(b"<html><script>alert(1)</script></html>")
    with pytest.raises(BundleError, match=r"evidence\[1\] \(Reception door\)"):
        import_bundle(haven, SYSTEM, folder)
    assert list(haven.store.keys()) == []
    with haven.session() as session:
        assert session.exec(select(Organisation)).all() == []


def test_a_zip_entry_that_escapes_is_refused(haven, tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as bundle_zip:
        bundle_zip.writestr("bundle.yaml", "organisation: {slug: x, name: X}\nstandard: vse-3\n")
        bundle_zip.writestr("../../escaped.txt", "hello")
    with pytest.raises(BundleError, match="escapes the bundle folder"):
        import_bundle(haven, SYSTEM, archive)
    assert not (tmp_path.parent / "escaped.txt").exists()


def test_importing_an_existing_organisation_is_refused(haven, tmp_path):
    import_bundle(haven, SYSTEM, write_bundle(tmp_path / "one"))
    with pytest.raises(BundleError, match="'harbour-house' already exists"):
        import_bundle(haven, SYSTEM, write_bundle(tmp_path / "two"))
