"""Documents with active content are refused by the upload service with nothing stored; clean ones are stored clean."""
import io
import zipfile
from datetime import date, timedelta

import pytest
from sqlmodel import select

from evidence.errors import IntakeError
from services.evidence import NewEvidence, revision_history
from services.uploads import upload_evidence
from storage.models import AuditEntry, Evidence
from tests.evidence import corpus
from tests.factories import make_organisation, make_user

ISSUED = date.today() - timedelta(days=10)

HOSTILE = {
    "xfa.pdf": corpus.packed_page_pdf(
        catalog_extra=b"/AcroForm 5 0 R",
        more={5: b"<< /Fields [] /X#46A [(template) 6 0 R] >>"},
        streams={6: corpus.flate_stream(b"<template><script>app.launchURL('https://evil.example')</script></template>")},
    ),
    "link.pdf": corpus.packed_page_pdf(catalog_extra=b"/OpenAction << /S /#55RI /URI (https://tracker.example) >>"),
    "dde.docx": corpus.ooxml("docx", body=(
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
        '<w:fldSimple w:instr="DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe &quot;/k calc&quot;"/></w:p>'
        "</w:body></w:document>"
    )),
    "webservice.xlsx": corpus.ooxml("xlsx", extra=[(
        "xl/worksheets/sheet1.xml",
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row><c>'
        b'<f>WEBSERVICE("https://evil.example")</f></c></row></sheetData></worksheet>',
    )]),
    "formula.csv": b"item,status\n" + b"Door lock,checked\n" * 50 + b"Fire exits,=cmd|' /C calc'!A0\n",
    "late-script.txt": b"Drill notes.\n" * 200 + b"<script>alert(1)</script>\n",
}


EXPECTED = {
    "xfa.pdf": "This PDF contains an XFA form",
    "link.pdf": "This PDF contains a web link (URI action)",
    "dde.docx": "This document contains a DDE field",
    "webservice.xlsx": "This document contains a formula that calls out or runs a command (WEBSERVICE)",
    "formula.csv": "This CSV file has a cell that a spreadsheet would run as a formula (line 52",
    "late-script.txt": "This file is a text file containing HTML, XML or script (on line 201",
}


@pytest.fixture
def manager(haven):
    organisation = make_organisation(haven)
    return make_user(haven, "amira", "manager", "harbour-house"), organisation


def upload(haven, manager, data, filename):
    principal, organisation = manager
    return upload_evidence(haven, principal, organisation_id=organisation,
                           details=NewEvidence("policy", ("3.3.1",), ISSUED), data=data, filename=filename)


@pytest.mark.parametrize("filename", list(HOSTILE))
def test_a_hostile_document_is_refused_and_nothing_is_stored(haven, manager, filename):
    with pytest.raises(IntakeError) as caught:
        upload(haven, manager, HOSTILE[filename], filename)
    assert str(caught.value).startswith(EXPECTED[filename])
    assert list(haven.store.keys()) == []
    with haven.session() as session:
        assert session.exec(select(Evidence)).all() == []
        assert "evidence.add" not in [entry.action for entry in session.exec(select(AuditEntry))]


def test_a_docx_with_a_gps_photo_is_stored_without_it(haven, manager):
    data = corpus.ooxml("docx", extra=[("word/media/image1.jpeg", corpus.jpeg_with_everything())])
    evidence_id = upload(haven, manager, data, "premises.docx")
    with haven.session() as session:
        revision = revision_history(session, manager[0], evidence_id=evidence_id)[0]
    stored = haven.store.get(revision.blob_key)
    with zipfile.ZipFile(io.BytesIO(stored)) as archive:
        picture = archive.read("word/media/image1.jpeg")
    assert corpus.CAMERA_MAKE.encode() not in picture and b"Exif" not in picture
