"""The text layer of an accepted document, for the privacy scan: PDF pages, Office and ODT parts, plain text.

Called only after the document passed its own checks (no bombs, no active content). The text is
capped: a case file shows itself in its first pages.
"""
from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree

MAX_PAGES = 200
MAX_CHARS = 2_000_000
MAX_PART_BYTES = 20 * 1024 * 1024

# Parts of Office and OpenDocument files that carry the words a person reads.
_TEXT_PARTS = re.compile(
    r"^(word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml"
    r"|xl/sharedStrings\.xml|xl/worksheets/sheet\d+\.xml"
    r"|ppt/(slides/slide\d+|notesSlides/notesSlide\d+)\.xml"
    r"|content\.xml|styles\.xml)$"
)
# Elements after which a reader sees a line break (paragraphs, table cells and rows, shared strings).
_BREAKS = {"p", "tc", "tr", "si", "row", "c", "br", "tab", "h", "table-cell", "line-break", "list-item"}


def document_text(data: bytes, kind: str) -> str:
    """The readable text of a document of intake kind "pdf", "office" or "text"; "" for anything else."""
    if kind == "pdf":
        return _pdf_text(data)
    if kind == "office":
        return _office_text(data)
    if kind == "text":
        return data[:MAX_CHARS].decode("utf-8-sig", errors="replace")
    return ""


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    pieces: list[str] = []
    total = 0
    for page in reader.pages[:MAX_PAGES]:
        try:
            text = page.extract_text() or ""
        except Exception:  # a page pypdf cannot read adds no text; the document passed its checks already
            text = ""
        pieces.append(text)
        total += len(text)
        if total >= MAX_CHARS:
            break
    return "\n".join(pieces)[:MAX_CHARS]


def _office_text(data: bytes) -> str:
    pieces: list[str] = []
    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "xl/workbook.xml" in archive.namelist():
            from privacy.files import spreadsheet_text  # a row per line, as privacy-scan reads a workbook

            return spreadsheet_text(data)[:MAX_CHARS]
        for info in sorted(archive.infolist(), key=lambda i: _natural(i.filename)):
            if not _TEXT_PARTS.match(info.filename) or info.file_size > MAX_PART_BYTES:
                continue
            xml = archive.read(info)
            if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
                continue
            text = _xml_text(xml)
            pieces.append(text)
            total += len(text)
            if total >= MAX_CHARS:
                break
    return "\n".join(pieces)[:MAX_CHARS]


def _xml_text(xml: bytes) -> str:
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return ""
    out: list[str] = []
    _walk(root, out)
    return re.sub(r"\n{3,}", "\n\n", "".join(out))


def _walk(element, out: list[str]) -> None:
    """Text in reading order: an element's text, its children, a break after paragraph-like elements, its tail."""
    stack = [(element, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            if node.tag.rsplit("}", 1)[-1] in _BREAKS:
                out.append("\n")
            if node.tail:
                out.append(node.tail)
            continue
        if node.text and node.tag.rsplit("}", 1)[-1] != "instrText":
            out.append(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))


def _natural(name: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
