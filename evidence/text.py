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
# Markup that a browser or an XML reader would act on, wherever it is in the file (matched on lower case).
_TAGS = re.compile(
    r"<(?:script|html|svg|iframe|frame|frameset|body|head|object|embed|applet|meta|link|style|base|form|img"
    r"|video|audio|math|template|xml|\?xml|\?php|!doctype|!entity)\b"
    r"|<[a-z][a-z0-9-]*\s[^<>]*\bon[a-z]+\s*="  # any tag with an event handler (onload=, onerror=...)
)
# Script addresses, found in the text with its white space removed ("java script:" is still one).
_SCRIPT_ADDRESSES = ("javascript:", "vbscript:", "livescript:", "ecmascript:", "data:text/html")
_SCRIPT_ADDRESS = re.compile(
    r"(?:j\s*a\s*v\s*a|v\s*b|l\s*i\s*v\s*e|e\s*c\s*m\s*a)\s*s\s*c\s*r\s*i\s*p\s*t\s*:|d\s*a\s*t\s*a\s*:\s*t\s*e\s*x\s*t\s*/\s*h\s*t\s*m\s*l"
)
# A cell a spreadsheet would evaluate: it starts with = or @, or with + or - followed by more than a number.
_FORMULA_START = re.compile(r"[=@\uff1d\uff20]|[+\-\uff0b\uff0d](?![\d\s.,:/%()+-]*$)")
# Where a cell starts (a line start or a separator, then blanks and an opening quote) with a sign.
_CELL_START = re.compile(r"(?:^|[,;\t|])[^\S\n]*\"?[^\S\n]*[=@+\-\uff1d\uff20\uff0b\uff0d]", re.MULTILINE)
_CELL_END = re.compile(r"[,;\t|\r\n]")
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
    if looks_like_csv(text):
        _refuse_formulas(text)
        return CSV
    return PLAIN


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
    """Refuse markup at the start (named for what it is) or anywhere later in the whole file."""
    head = text[:1024].lstrip().lower()
    found = _markup_at_start(head)
    if found is None:
        found = _markup_anywhere(text)
    if found is not None:
        raise IntakeError.wrong_type(found)


def _markup_anywhere(text: str) -> str | None:
    lowered = text.lower()
    later = _TAGS.search(lowered)
    if later is None:
        compact = "".join(lowered.split())
        if any(address in compact for address in _SCRIPT_ADDRESSES):
            later = _SCRIPT_ADDRESS.search(lowered)
    if later is None:
        return None
    line = lowered.count("\n", 0, later.start()) + 1
    return f"a text file containing HTML, XML or script (on line {line}: {ascii(text[later.start():later.end()][:40])})"


def _refuse_formulas(text: str) -> None:
    """Refuse a CSV with a cell a spreadsheet would run as a formula.

    Cells are split on every separator a spreadsheet might use (comma, semicolon, tab, bar), so
    ``Fire exits;=cmd|...`` in a comma-separated file is caught too. Numbers and phone numbers
    (``-5``, ``+44 20 7946 0000``) are not formulas.
    """
    for candidate in _CELL_START.finditer(text):
        cell_end = _CELL_END.search(text, candidate.end())
        value = text[candidate.end() - 1 : cell_end.start() if cell_end else len(text)]
        if _FORMULA_START.match(value):
            number = text.count("\n", 0, candidate.start()) + 1
            raise IntakeError(
                f"This CSV file has a cell that a spreadsheet would run as a formula (line {number}: "
                f"{ascii(value[:40])}). Formulas in evidence can run commands or send data away when the "
                "file is opened. Remove the leading =, +, - or @ (or put an apostrophe before it) "
                "and upload it again.",
                code="text",
            )


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
