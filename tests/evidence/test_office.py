"""Office and OpenDocument files: accepted when plain; macros, bombs and tricks refused."""
from __future__ import annotations

import io
import zipfile

import pytest

from evidence.errors import IntakeError
from evidence.office import check_office, unsafe_entry_name
from tests.evidence import corpus
from tests.evidence.corpus import intake, odt, ooxml, refusal, zip_bytes

MACROS = "This document contains macros or scripts"
OOXML = "application/vnd.openxmlformats-officedocument"


@pytest.mark.parametrize(
    ("kind", "name", "mime", "extension", "shown"),
    [
        ("docx", "Policy.doc", f"{OOXML}.wordprocessingml.document", ".docx", "Policy.docx"),
        ("xlsx", "Rota.xlsx", f"{OOXML}.spreadsheetml.sheet", ".xlsx", "Rota.xlsx"),
        ("pptx", "Training.zip", f"{OOXML}.presentationml.presentation", ".pptx", "Training.pptx"),
    ],
)
def test_minimal_ooxml_documents_are_accepted(kind, name, mime, extension, shown):
    data = ooxml(kind)
    result = intake(data, name)
    assert (result.mime_type, result.extension, result.kind, result.display_name) == (mime, extension, "office", shown)
    assert result.thumbnail is None
    with zipfile.ZipFile(io.BytesIO(result.content)) as stored, zipfile.ZipFile(io.BytesIO(data)) as sent:
        parts = [(info.filename, stored.read(info)) for info in stored.infolist()]
        assert parts == [(info.filename, sent.read(info)) for info in sent.infolist()]


def test_bytes_hidden_around_the_entries_are_not_stored():
    data = ooxml("docx")
    end = data.rfind(b"PK\x05\x06")
    with_comment = data[: end + 20] + b"\x0c\x00" + b"hidden note"  # a zip comment
    assert zipfile.ZipFile(io.BytesIO(with_comment)).comment == b"hidden note"
    appended = with_comment + b"<html><script>alert(1)</script></html>"
    for hidden in (with_comment, appended):
        stored = intake(hidden, "policy.docx").content
        assert b"hidden note" not in stored and b"<script>" not in stored


def test_minimal_odt_is_accepted():
    result = intake(odt(), "Minutes.odt")
    assert (result.mime_type, result.extension, result.display_name) == (
        "application/vnd.oasis.opendocument.text", ".odt", "Minutes.odt"
    )


def test_docm_with_vba_project_is_refused():
    data = ooxml(
        "docm",
        extra=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 fake vba")],
        extra_types='<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>',
    )
    assert MACROS in refusal(data, "report.docx")


def test_vba_project_in_a_docx_content_type_is_refused():
    assert MACROS in refusal(ooxml("docx", extra=[("word/vbaProject.bin", b"vba")]))


def test_macro_enabled_content_type_alone_is_refused():
    assert MACROS in refusal(ooxml("docm"))


def test_activex_controls_are_refused():
    assert MACROS in refusal(ooxml("docx", extra=[("word/activeX/activeX1.bin", b"ocx")]))


def test_odt_with_basic_macros_is_refused():
    data = odt(extra=[("Basic/Standard/Module1.xml", b"<script:module>Shell(\"calc\")</script:module>")])
    assert MACROS in refusal(data, "agenda.odt")


def test_odt_with_script_event_handler_is_refused():
    content = (
        '<office:text><text:a xlink:href="vnd.sun.star.script:LibreLogo|LibreLogo.py$run?location=share" '
        'xlink:type="simple">x</text:a></office:text>'
    )
    assert MACROS in refusal(odt(content=content))


def test_zip_bomb_disguised_as_docx_is_refused():
    bomb = ooxml("docx", extra=[("word/media/padding.xml", b"\x00" * (30 * 1024 * 1024))])
    assert len(bomb) < 200_000
    message = refusal(bomb, "innocent.docx")
    assert "This document was refused: it expands" in message
    assert "zip bomb" in message


def test_total_expanded_size_has_a_limit():
    data = ooxml("docx", extra=[("word/media/big.bin", bytes(range(256)) * 8_000)])
    with pytest.raises(IntakeError, match="it expands to 2 MB; the limit is 1 MB"):
        check_office(data, max_total_bytes=1024 * 1024)


def test_sizes_that_lie_in_the_headers_are_caught_while_reading():
    honest = ooxml("docx", extra=[("word/media/filler.xml", b"A" * 500_000)])
    lying = corpus.with_lying_sizes(honest, "word/media/filler.xml", 100)
    assert zipfile.ZipFile(io.BytesIO(lying)).getinfo("word/media/filler.xml").file_size == 100
    assert "damaged or incomplete" in refusal(lying)


@pytest.mark.parametrize(
    "name", ["../evil", "word/../../evil", "/etc/cron.d/evil", "C:/evil", "word\\..\\evil", "a\x01b"]
)
def test_entries_that_escape_are_refused(name):
    message = refusal(ooxml("docx", extra=[(name, b"x")]))
    assert "an entry whose name could escape its folder" in message


@pytest.mark.parametrize("name", ["word/document.xml", "ppt/slides/slide1.xml", "docProps/app.xml", "a..b/c"])
def test_ordinary_entry_names_are_fine(name):
    assert not unsafe_entry_name(name)


def test_duplicate_entries_are_refused():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = ooxml("docx", extra=[("word/document.xml", b"<other/>")])
    assert "two entries with the same name" in refusal(data)


def test_too_many_entries_are_refused():
    data = ooxml("docx", extra=[(f"word/media/{number}.xml", b"x") for number in range(20)])
    with pytest.raises(IntakeError, match="entries; the limit is 10"):
        check_office(data, max_entries=10)


def test_encrypted_entries_are_refused():
    data = corpus.with_encrypted_flag(ooxml("docx", extra=[("word/secret.xml", b"<x/>")]), "word/secret.xml")
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo("word/secret.xml").flag_bits & 0x1
    assert "password-protected (encrypted)" in refusal(data)


def test_plain_zip_is_refused_as_a_zip():
    data = zip_bytes([("notes.txt", b"hello"), ("photo.jpg", b"\xff\xd8")])
    assert "This file is a ZIP archive, not one of the accepted types" in refusal(data, "report.docx")


def test_zip_with_programs_says_so():
    data = zip_bytes([("setup.exe", b"MZ")])
    assert "a ZIP archive containing programs or scripts" in refusal(data, "policy.docx")


def test_other_opendocument_types_are_named():
    data = odt(mimetype="application/vnd.oasis.opendocument.spreadsheet")
    assert "This file is an OpenDocument spreadsheet (ODS)" in refusal(data, "budget.odt")


def test_ooxml_without_its_main_part_folder_is_refused():
    types = (
        f'<?xml version="1.0"?><Types xmlns="{corpus.CT_NS}">'
        '<Override PartName="/word/document.xml" ContentType="'
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    data = zip_bytes([("[Content_Types].xml", types.encode()), ("other/document.xml", b"<x/>")])
    assert "damaged or incomplete" in refusal(data)


def test_content_types_with_a_dtd_are_refused():
    types = b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa">]><Types/>'
    data = zip_bytes([("[Content_Types].xml", types), ("word/document.xml", b"<x/>")])
    assert "damaged or incomplete" in refusal(data)


def test_damaged_zip_is_refused():
    data = ooxml("docx")
    assert "damaged or incomplete" in refusal(data[: len(data) - 30])
