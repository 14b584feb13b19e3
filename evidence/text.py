"""Plain text and CSV: UTF-8 only, no control characters, no markup in disguise."""
from __future__ import annotations

import csv
import io
import re

from evidence.errors import IntakeError

PLAIN = ("text/plain", ".txt")
CSV = ("text/csv", ".csv")

# Unicode category Cc except tab, line feed, form feed and carriage return.
_FORBIDDEN_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_MARKUP_ANYWHERE = (
    "<script", "<html", "<svg", "<iframe", "<body", "<!doctype", "<?xml", "<object", "<embed",
    "<meta", "<?php",
)
_SNIFF_CHARS = 16 * 1024
_PARSE_CHARS = 64 * 1024


def classify_text(data: bytes) -> tuple[str, str]:
    """(mime type, extension) for acceptable text; an IntakeError for anything else."""
    _refuse_other_encodings(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_utf8(data) from None
    _refuse_control_characters(text)
    if not text.strip():
        raise IntakeError("This file is empty: it holds no text.", code="empty")
    _refuse_markup(text)
    return CSV if looks_like_csv(text) else PLAIN


def _refuse_other_encodings(data: bytes) -> None:
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise IntakeError.wrong_type("text in UTF-32 encoding (save it as UTF-8 and upload it again)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_like_utf16(data[:512]):
        raise IntakeError.wrong_type("text in UTF-16 encoding (save it as UTF-8 and upload it again)")
    if b"\x00" in data:
        raise IntakeError.wrong_type("binary data of an unknown kind")


def _looks_like_utf16(head: bytes) -> bool:
    """True when every other byte is NUL, as in ASCII text saved as UTF-16 without a BOM."""
    if len(head) < 8:
        return False
    even, odd = head[0::2], head[1::2]
    return even.count(0) > 0.9 * len(even) or odd.count(0) > 0.9 * len(odd)


def _not_utf8(data: bytes) -> IntakeError:
    sample = data[:4096]
    binary_bytes = sum(1 for b in sample if b < 0x09 or 0x0E <= b < 0x20)
    if binary_bytes > len(sample) // 100:
        return IntakeError.wrong_type("binary data of an unknown kind")
    return IntakeError.wrong_type("text that is not in UTF-8 (save it as UTF-8 and upload it again)")


def _refuse_control_characters(text: str) -> None:
    found = _FORBIDDEN_CONTROLS.search(text)
    if found:
        raise IntakeError.wrong_type(
            f"binary data or text with control characters (found U+{ord(found.group()):04X})"
        )


def _refuse_markup(text: str) -> None:
    head = text[:1024].lstrip().lower()
    found = _markup_at_start(head)
    if found is None and any(tag in head for tag in _MARKUP_ANYWHERE):
        found = "a text file containing HTML or XML markup"
    if found is not None:
        raise IntakeError.wrong_type(found)


def _markup_at_start(head: str) -> str | None:
    if not head.startswith("<"):
        return None
    if head.startswith("<?php"):
        return "a PHP script"
    if head.startswith("<%"):
        return "a server-side script (ASP/JSP)"
    if "<svg" in head:
        return "an SVG image"
    if head.startswith("<?xml"):
        return "an XML document"
    if head.startswith(("<!doctype html", "<html", "<head", "<body", "<script", "<iframe", "<meta")):
        return "an HTML document"
    if head[1:2].isalpha() or head[1:2] in ("!", "?", "/"):
        return "an HTML or XML document"
    return None


def looks_like_csv(text: str) -> bool:
    """True when the text parses as at least two rows of the same number (>= 2) of fields."""
    sample = text[:_PARSE_CHARS]
    if len(text) > _PARSE_CHARS:
        sample = sample[: sample.rfind("\n") + 1]
    if sample.count("\n") < 1:
        return False
    try:
        dialect = csv.Sniffer().sniff(sample[:_SNIFF_CHARS], delimiters=",;\t|")
        rows = [row for row in csv.reader(io.StringIO(sample), dialect) if any(f.strip() for f in row)]
    except csv.Error:
        return False
    widths = {len(row) for row in rows}
    return len(rows) >= 2 and len(widths) == 1 and widths.pop() >= 2
