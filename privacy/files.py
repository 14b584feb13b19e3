"""The privacy scan of a whole file: intake first (type, safety, orientation), then pixels or text.

A photo is scanned in its upright, re-encoded form (what Haven would store). A PDF or an
Office file is scanned through its text layer, and the images inside it are scanned as photos
(up to MAX_EMBEDDED_IMAGES of them, the largest first).
"""
from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree

from defusedxml import ElementTree as SafeElementTree
from PIL import Image

from evidence import sniff
from evidence.intake import IntakeResult, run_intake, scan_upload
from evidence.privacy_policy import REPORT_ONLY
from privacy.model import EmbeddedImageScan, FileScan
from privacy.scan import scan_document_text, scan_image

MAX_EMBEDDED_IMAGES = 8
MIN_EMBEDDED_EDGE = 48  # icons and rules are not photos
MAX_PART_BYTES = 50 * 1024 * 1024
_TEXT_PARTS = re.compile(
    r"^(?:word/(?:document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml"
    r"|xl/(?:sharedStrings|worksheets/sheet\d+)\.xml|ppt/(?:slides/slide\d+|notesSlides/notesSlide\d+)\.xml"
    r"|content\.xml|styles\.xml)$"
)
_MEDIA_PARTS = re.compile(r"^(?:word/media/|xl/media/|ppt/media/|Pictures/)[^/]+$")
_IMAGE_FORMATS = (sniff.JPEG, sniff.PNG, sniff.WEBP)


def scan_file(data: bytes, filename: str, *, max_bytes: int, max_pixels: int) -> FileScan:
    """Run ``data`` through intake (an IntakeError for a file intake refuses), then scan what it holds.

    The intake runs with REPORT_ONLY: a photo is scanned upright and unblurred (the scan the uploader
    is shown), and a document that looks like a case file is reported, not refused. Nothing is stored.
    """
    upload = scan_upload(data, max_bytes=max_bytes, max_pixels=max_pixels)
    result = run_intake(data, filename, max_bytes=max_bytes, max_pixels=max_pixels, privacy=REPORT_ONLY,
                        upload_scan=upload)
    if upload is not None:
        return FileScan(result.display_name, result.mime_type, image=upload.scan)
    return scan_intake_result(result, max_pixels=max_pixels)


def scan_intake_result(result: IntakeResult, *, max_pixels: int) -> FileScan:
    """Scan a file that intake accepted (its cleaned content, so boxes are in the stored image's pixels)."""
    name, media_type = result.display_name, result.mime_type
    if result.kind == "image":
        with Image.open(io.BytesIO(result.content)) as picture:
            picture.load()
            return FileScan(name, media_type, image=scan_image(picture))
    if result.kind == "pdf":
        text, images = _pdf_contents(result.content, max_pixels)
    elif result.kind == "office":
        text, images = _office_contents(result.content, max_pixels)
    else:
        text, images = result.content.decode("utf-8", "replace"), []
    embedded = tuple(EmbeddedImageScan(where, scan_image(picture)) for where, picture in images)
    return FileScan(name, media_type, document=scan_document_text(text), embedded=embedded)


def pdf_text(data: bytes) -> str:
    """The text layer of every page, pages separated by form feeds."""
    return _pdf_contents(data, max_pixels=0, with_images=False)[0]


def _pdf_contents(data: bytes, max_pixels: int, with_images: bool = True) -> tuple[str, list[tuple[str, Image.Image]]]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    pages: list[str] = []
    candidates: list[tuple[int, str, Image.Image]] = []
    try:
        for number, page in enumerate(document, start=1):
            text_page = page.get_textpage()
            pages.append(text_page.get_text_bounded())
            text_page.close()
            if with_images and len(candidates) < 4 * MAX_EMBEDDED_IMAGES:
                candidates += _pdf_page_images(page, number, max_pixels)
            page.close()
    finally:
        document.close()
    return "\f".join(pages), _largest(candidates)


def _pdf_page_images(page, number: int, max_pixels: int) -> list[tuple[int, str, Image.Image]]:
    import pypdfium2.raw as pdfium_c

    found = []
    for item in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2):
        try:
            width, height = item.get_px_size()
            if min(width, height) < MIN_EMBEDDED_EDGE or width * height > max_pixels:
                continue
            picture = item.get_bitmap(render=False).to_pil()
        except Exception:  # an image pdfium cannot decode is skipped, not fatal
            continue
        found.append((width * height, f"page {number}", picture))
    return found


def _office_contents(data: bytes, max_pixels: int) -> tuple[str, list[tuple[str, Image.Image]]]:
    texts: list[str] = []
    candidates: list[tuple[int, str, Image.Image]] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.file_size > MAX_PART_BYTES:
                continue
            if _TEXT_PARTS.match(info.filename):
                texts.append(_xml_text(archive.read(info)))
            elif _MEDIA_PARTS.match(info.filename):
                picture = _open_embedded(archive.read(info), max_pixels)
                if picture is not None:
                    candidates.append((picture.width * picture.height, info.filename, picture))
        if "xl/workbook.xml" in archive.namelist():
            texts = [spreadsheet_text(data)]
    return "\n".join(texts), _largest(candidates)


MAX_SHEET_ROWS = 5_000


def spreadsheet_text(data: bytes) -> str:
    """A workbook's cells, a line per row and a tab between cells, so a list of people reads as a table."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # an unreadable workbook gives no text rather than failing the scan
        return ""
    lines: list[str] = []
    try:
        for sheet in workbook.worksheets:
            for number, row in enumerate(sheet.iter_rows(values_only=True)):
                if number >= MAX_SHEET_ROWS:
                    break
                lines.append("\t".join("" if value is None else str(value) for value in row))
    finally:
        workbook.close()
    return "\n".join(lines)


def _xml_text(xml: bytes) -> str:
    """The text of an XML part, a line per paragraph-like element and a tab per cell."""
    try:
        root = SafeElementTree.fromstring(xml)
    except (ElementTree.ParseError, ValueError):  # defusedxml's refusals are ValueErrors
        return ""
    lines: list[str] = []
    current: list[str] = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in ("p", "si", "row", "h") and current:
            lines.append("".join(current))
            current = []
        if tag in ("tab", "c", "tc"):
            current.append("\t")
        if tag in ("br", "line-break"):
            current.append("\n")
        if element.text and tag in ("t", "v", "p", "span", "h", "s"):
            current.append(element.text)
        if element.tail and tag in ("span", "s", "tab", "line-break"):
            current.append(element.tail)
    if current:
        lines.append("".join(current))
    return "\n".join(lines)


def _open_embedded(data: bytes, max_pixels: int) -> Image.Image | None:
    if sniff.sniff(data) not in _IMAGE_FORMATS:
        return None
    try:
        picture = Image.open(io.BytesIO(data))
        width, height = picture.size
        if min(width, height) < MIN_EMBEDDED_EDGE or width * height > max_pixels:
            return None
        picture.load()
        return picture
    except Exception:  # a damaged image inside a document is skipped
        return None


def _largest(candidates: list[tuple[int, str, Image.Image]]) -> list[tuple[str, Image.Image]]:
    ordered = sorted(candidates, key=lambda item: -item[0])[:MAX_EMBEDDED_IMAGES]
    return [(where, picture) for _, where, picture in ordered]
