"""PDFs: clean ones stored as given; encrypted, active or malformed ones refused."""
from __future__ import annotations

import pytest
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from evidence.pdfs import active_name_in_raw_bytes
from tests.evidence import corpus
from tests.evidence.corpus import intake, raw_pdf, refusal

PREFIX = "This PDF contains"


def test_clean_pdf_is_accepted_unchanged():
    data = corpus.pypdf_pdf()
    result = intake(data, "Policy final.PDF")
    assert result.content == data
    assert (result.mime_type, result.extension, result.kind) == ("application/pdf", ".pdf", "pdf")
    assert result.display_name == "Policy final.pdf"
    assert result.thumbnail is None and result.width is None


def test_hand_written_clean_pdf_with_tricky_text_is_accepted():
    """Names in strings, streams and longer names (/JSON) are not active content."""
    content = b"BT /F1 12 Tf (see /JavaScript and /Launch) Tj ET /JS"
    objects = corpus.minimal_pdf_objects(catalog_extra=b"/JSON (x) /Lang (en)", content=content)
    objects.append(b"<< /Title (About /JS and /Launch actions) >>")
    data = raw_pdf(*objects, trailer_extra=b"/Info 5 0 R ")
    assert intake(data, "notes.pdf").content == data


def _open_action_js(writer):
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )


def test_pdf_with_javascript_open_action_is_refused():
    assert f"{PREFIX} JavaScript" in refusal(corpus.pypdf_pdf(_open_action_js), "invoice.pdf")


def test_pdf_with_document_javascript_is_refused():
    from pypdf.actions import JavaScript

    message = refusal(corpus.pypdf_pdf(lambda writer: writer.add_open_action(JavaScript("app.alert('hi');"))))
    assert f"{PREFIX} JavaScript" in message


def test_pdf_with_javascript_name_tree_is_refused():
    objects = corpus.minimal_pdf_objects(catalog_extra=b"/Names << /JavaScript 5 0 R >>")
    objects.append(b"<< /Names [(init) << /S /JavaScript /JS (app.alert(3)) >>] >>")
    assert f"{PREFIX} JavaScript" in refusal(raw_pdf(*objects))


def test_pdf_with_javascript_in_annotation_additional_action_is_refused():
    annotation = (
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 50 50] "
        b"/AA << /E << /S /JavaScript /JS (app.alert(2)) >> >> >>"
    )
    objects = corpus.minimal_pdf_objects(page_extra=b"/Annots [5 0 R]")
    objects.append(annotation)
    assert f"{PREFIX} JavaScript" in refusal(raw_pdf(*objects))


def test_pdf_with_hex_escaped_javascript_name_is_refused():
    objects = corpus.minimal_pdf_objects(catalog_extra=b"/OpenAction << /S /Java#53cript /J#53 (x) >>")
    data = raw_pdf(*objects)
    assert active_name_in_raw_bytes(data) == "JavaScript"
    assert f"{PREFIX} JavaScript" in refusal(data)


def _launch(writer):
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
    )


def test_pdf_with_launch_action_is_refused():
    assert f"{PREFIX} a launch action" in refusal(corpus.pypdf_pdf(_launch))


def test_pdf_with_embedded_file_is_refused():
    message = refusal(corpus.pypdf_pdf(lambda writer: writer.add_attachment("payload.exe", b"MZ...")))
    assert f"{PREFIX} embedded files" in message


def test_pdf_with_file_attachment_annotation_is_refused():
    annotation = b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 20 20] /Contents (see attached) >>"
    objects = corpus.minimal_pdf_objects(page_extra=b"/Annots [5 0 R]")
    objects.append(annotation)
    assert f"{PREFIX} a file attachment" in refusal(raw_pdf(*objects))


def test_active_content_in_compressed_object_streams_is_found_by_the_object_walk():
    """Objects inside a compressed object stream are out of reach of the raw byte scan."""
    data = corpus.pdf_with_object_stream(b"<< /S /Launch /F (cmd.exe) >>")
    assert active_name_in_raw_bytes(data) is None
    assert f"{PREFIX} a launch action" in refusal(data)


def test_clean_pdf_with_object_stream_is_accepted():
    data = corpus.pdf_with_object_stream(b"<< /S /URI /URI (https://example.org) >>")
    assert intake(data).content == data


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_encrypted_pdf_is_refused(algorithm):
    try:
        data = corpus.pypdf_pdf(lambda writer: writer.encrypt("secret", algorithm=algorithm))
    except Exception as error:  # AES needs pypdf's crypto extra
        pytest.skip(f"pypdf cannot write {algorithm} here: {error}")
    assert "This PDF is encrypted or password-protected" in refusal(data)


def test_pdf_encrypted_with_empty_user_password_is_still_refused():
    data = corpus.pypdf_pdf(lambda writer: writer.encrypt("", owner_password="owner"))
    assert "encrypted or password-protected" in refusal(data)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\nthis is not a pdf at all\n",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
    ],
)
def test_malformed_pdf_is_refused(data):
    message = refusal(data)
    assert "This PDF is damaged or malformed" in message or "This PDF has no pages" in message


def test_truncated_pdf_is_refused():
    data = corpus.pypdf_pdf()
    assert "This PDF is damaged or malformed" in refusal(data[: len(data) // 3])
