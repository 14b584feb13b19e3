"""What leaves Haven in an export pack: no free text of restricted evidence, no live formula, no declassifying
by a manager to get a restricted file out."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date

import pytest
from pypdf import PdfReader
from sqlmodel import func, select

from accounts.permissions import PermissionDenied
from bundles.exporter import export_bundle
from bundles.importer import import_bundle
from services.evidence import NewEvidence, evidence_register, set_classification
from services.ratings import set_rating
from services.reviews import review_revision
from services.scores import score_organisation
from services.uploads import upload_evidence
from storage.models import AuditEntry, Evidence
from tests.conftest import build_haven
from tests.factories import SYSTEM, jpeg_with_gps, make_organisation, make_user, simple_pdf

AS_OF = date(2026, 11, 23)
SECRETS = ("Flat 3, 27 Harbour Street", "Key safe code 4711", "27-harbour-street-keysafe", "Door code visible on sign")


def _restricted_photo(haven, organisation_id: int) -> int:
    details = NewEvidence("premises_photos", ("3.2.1",), date(2026, 10, 1), title=SECRETS[0], note=SECRETS[1],
                          classification="restricted")
    evidence_id = upload_evidence(haven, SYSTEM, organisation_id=organisation_id, details=details,
                                  data=jpeg_with_gps(), filename=f"{SECRETS[2]}.jpg")
    reviewer = make_user(haven, "q.reviewer", "reviewer", "harbour-house")
    with haven.session() as session:
        revision_id = evidence_register(session, SYSTEM, organisation_id=organisation_id)[0].revision_id
        review_revision(session, reviewer, revision_id=revision_id, status="rejected", comment=SECRETS[3])
        set_rating(session, SYSTEM, organisation_id=organisation_id, action_id="3.2.1", rating="partially_met")
    return evidence_id


def _pack_texts(pack) -> dict[str, str]:
    """Every member of the pack as text a person could read: names, YAML, CSV, the PDF's extracted text."""
    texts = {}
    with zipfile.ZipFile(pack) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            texts[f"name:{name}"] = name
            if name.endswith(".pdf"):
                texts[name] = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
            texts[f"raw:{name}"] = data.decode("latin-1")
    return texts


def test_a_default_export_carries_no_free_text_of_restricted_evidence_and_scores_the_same(haven, tmp_path, request):
    organisation_id = make_organisation(haven)
    _restricted_photo(haven, organisation_id)
    pack = export_bundle(haven, SYSTEM, organisation_id=1, out=tmp_path / "pack.zip", as_of=AS_OF)

    for where, text in _pack_texts(pack).items():
        for secret in SECRETS:
            assert secret.lower() not in text.lower(), (secret, where)
    with zipfile.ZipFile(pack) as archive:
        import yaml

        entry = yaml.safe_load(archive.read("bundle.yaml"))["evidence"][0]
        index = list(csv.DictReader(io.StringIO(archive.read("index.csv").decode("utf-8"))))
    assert entry["withheld"] is True and "file" not in entry and "note" not in entry
    assert entry["review"] == {"status": "rejected"}
    assert index[0]["File"] == "withheld" and index[0]["Review"] == "Rejected"

    empty = build_haven("sqlite", tmp_path / "second", request)
    import_bundle(empty, SYSTEM, pack)
    with haven.session() as session:
        before = score_organisation(session, SYSTEM, organisation_id=1, as_of=AS_OF)
    with empty.session() as session:
        after = score_organisation(session, SYSTEM, organisation_id=1, as_of=AS_OF)
    assert after == before
    assert any(g["kind"] == "rejected_evidence" for g in after["gaps"])


def test_with_include_restricted_the_pack_keeps_the_restricted_text(haven, tmp_path):
    organisation_id = make_organisation(haven)
    _restricted_photo(haven, organisation_id)
    pack = export_bundle(haven, SYSTEM, organisation_id=1, out=tmp_path / "pack.zip", as_of=AS_OF,
                         include_restricted=True)
    with zipfile.ZipFile(pack) as archive:
        manifest = archive.read("bundle.yaml").decode("utf-8")
    assert SECRETS[0] in manifest and SECRETS[1] in manifest and SECRETS[3] in manifest


def _audit_count(haven) -> int:
    with haven.session() as session:
        return session.exec(select(func.count(AuditEntry.id))).one()


def test_only_an_administrator_may_make_restricted_evidence_internal(haven):
    organisation_id = make_organisation(haven)
    evidence_id = _restricted_photo(haven, organisation_id)
    manager = make_user(haven, "amira", "manager", "harbour-house")
    admin = make_user(haven, "root", None, is_admin=True)
    entries = _audit_count(haven)

    with pytest.raises(PermissionDenied, match="only an administrator"):
        with haven.session() as session:
            set_classification(session, manager, evidence_id=evidence_id, classification="internal")
    with haven.session() as session:
        assert session.get(Evidence, evidence_id).classification == "restricted"
    assert _audit_count(haven) == entries

    with haven.session() as session:  # a manager may still restrict, and an administrator declassify
        set_classification(session, admin, evidence_id=evidence_id, classification="internal")
    with haven.session() as session:
        assert session.get(Evidence, evidence_id).classification == "internal"
        last = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (last.actor, last.action) == ("root", "evidence.classify")
    assert '"from": "restricted"' in last.detail and '"to": "internal"' in last.detail
    with haven.session() as session:
        set_classification(session, manager, evidence_id=evidence_id, classification="restricted")
        assert session.get(Evidence, evidence_id).classification == "restricted"


HOSTILE_TITLES = ["Fire exits;=cmd|' /C calc'!A0", "Escape plan,@SUM(1+1)*cmd|' /C calc'!A0",
                  "Policy\t+1+1", "Plan|-2+3", "Rota\n=HYPERLINK(\"http://evil.example\")", "Door\r@A1",
                  "Checklist;  =1+1"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def test_index_csv_has_no_formula_however_a_spreadsheet_splits_it(haven, tmp_path):
    organisation_id = make_organisation(haven)
    for number, title in enumerate(HOSTILE_TITLES):
        details = NewEvidence("policy", ("3.3.1",), date(2026, 3, 1), title=title, classification="internal")
        upload_evidence(haven, SYSTEM, organisation_id=organisation_id, details=details,
                        data=simple_pdf(f"Policy {number}"), filename=f"policy-{number}.pdf")
    pack = export_bundle(haven, SYSTEM, organisation_id=1, out=tmp_path / "pack.zip", as_of=AS_OF)
    with zipfile.ZipFile(pack) as archive:
        text = archive.read("index.csv").decode("utf-8")

    for delimiter in (",", ";", "\t", "|"):  # a spreadsheet that honours the quotes
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            for cell in row:
                for part in re.split(r"[\r\n]", cell):  # one that breaks lines inside quotes too
                    assert not part.lstrip(" ").startswith(TRIGGERS[:4]), (delimiter, cell)
                assert not cell.startswith(TRIGGERS), (delimiter, cell)
    for line in re.split(r"[\r\n]+", text):  # and one that ignores quotes altogether
        for part in re.split(r"[;,\t|]", line):
            assert not part.lstrip(' "').startswith(TRIGGERS[:4]), (line, part)
    titles = [row["Title"] for row in csv.DictReader(io.StringIO(text, newline=""))]
    assert titles[0] == "Fire exits;'=cmd|' /C calc'!A0"


def test_a_manager_cannot_store_a_restricted_type_as_internal(haven):
    organisation_id = make_organisation(haven)
    manager = make_user(haven, "amira", "manager", "harbour-house")
    details = NewEvidence("escape_plan", ("3.2.1",), date(2026, 3, 1), title="Escape plan", classification="internal")
    with pytest.raises(PermissionDenied, match="only an administrator"):
        upload_evidence(haven, manager, organisation_id=organisation_id, details=details, data=simple_pdf(),
                        filename="escape.pdf")
    with haven.session() as session:
        assert session.exec(select(func.count(Evidence.id))).one() == 0
    assert list(haven.store.keys()) == []
    restricted = NewEvidence("escape_plan", ("3.2.1",), date(2026, 3, 1), title="Escape plan")
    evidence_id = upload_evidence(haven, manager, organisation_id=organisation_id, details=restricted,
                                  data=simple_pdf(), filename="escape.pdf")
    with haven.session() as session:
        assert session.get(Evidence, evidence_id).classification == "restricted"
