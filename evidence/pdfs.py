"""PDFs: refuse encrypted, malformed or active ones; a PDF that passes is stored unchanged."""
from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from evidence.errors import IntakeError

MAX_PDF_OBJECTS = 2_000_000

# PDF names that mean active content, and how to say so to a person.
_ACTIVE_NAMES = {
    "JS": "JavaScript",
    "JavaScript": "JavaScript",
    "Launch": "a launch action (it can start programs)",
    "EmbeddedFiles": "embedded files",
    "EmbeddedFile": "embedded files",
    "EF": "embedded files",
    "FileAttachment": "a file attachment",
    "GoToE": "a link into an embedded file",
    "RichMedia": "rich media (Flash or video)",
}
_RAW_ACTIVE_NAMES = {name.encode(): reason for name, reason in _ACTIVE_NAMES.items()}

_STREAM_START = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
# Literal strings and comments are matched only so that names inside them are skipped.
_TOKEN = re.compile(rb"\((?:\\.|[^\\()])*\)|%[^\r\n]*|/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)", re.S)
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def check_pdf(data: bytes) -> None:
    """Raise IntakeError unless ``data`` is a readable, unencrypted PDF without active content."""
    reader = _open(data)
    if reader.is_encrypted:
        raise IntakeError(
            "This PDF is encrypted or password-protected. Save a copy without the password and upload that.",
            code="pdf",
        )
    raw_reason = active_name_in_raw_bytes(data)
    if raw_reason is not None:
        raise _active(raw_reason)
    try:
        _walk_objects(reader)
    except IntakeError:
        raise
    except Exception as exc:  # pypdf raises many kinds of error on broken files
        raise _damaged() from exc


def _open(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if not reader.is_encrypted and len(reader.pages) == 0:
            raise IntakeError("This PDF has no pages.", code="pdf")
    except IntakeError:
        raise
    except Exception as exc:
        raise _damaged() from exc
    return reader


def _damaged() -> IntakeError:
    return IntakeError(
        "This PDF is damaged or malformed and cannot be read. Save or print it to a new PDF and upload that.",
        code="damaged",
    )


def _active(reason: str) -> IntakeError:
    return IntakeError(
        f"This PDF contains {reason}, which Haven refuses for safety. "
        "Print or save it to a new PDF without it and upload that.",
        code="pdf",
    )


def _walk_objects(reader: PdfReader) -> None:
    """Check every object in the cross-reference tables and everything the trailer reaches."""
    pending: list = [reader.trailer, *_all_references(reader)]
    seen: set[tuple[int, int]] = set()
    visited = 0
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            ref = (item.idnum, item.generation)
            if ref in seen:
                continue
            seen.add(ref)
            item = item.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise IntakeError("This PDF is too complex to check safely.", code="pdf")
        if isinstance(item, DictionaryObject):
            for key, value in dict.items(item):
                _check_name(key)
                _queue(value, pending)
        elif isinstance(item, ArrayObject):
            for value in item:
                _queue(value, pending)


def _queue(value, pending: list) -> None:
    if isinstance(value, NameObject):
        _check_name(value)
    elif isinstance(value, (DictionaryObject, ArrayObject, IndirectObject)):
        pending.append(value)


def _check_name(name) -> None:
    reason = _ACTIVE_NAMES.get(str(name).lstrip("/"))
    if reason is not None:
        raise _active(reason)


def _all_references(reader: PdfReader) -> list[IndirectObject]:
    refs = [
        IndirectObject(idnum, generation, reader)
        for generation, table in getattr(reader, "xref", {}).items()
        for idnum in table
    ]
    refs += [IndirectObject(idnum, 0, reader) for idnum in getattr(reader, "xref_objStm", {})]
    return refs


def active_name_in_raw_bytes(data: bytes) -> str | None:
    """Belt and braces: look for active-content name tokens outside streams and strings.

    Names are matched as whole tokens after decoding ``#xx`` escapes, so ``/JSON`` or the
    word "JavaScript" in text is not a hit, while ``/J#53`` is.
    """
    for segment in _outside_streams(data):
        for match in _TOKEN.finditer(segment):
            name = match.group(1)
            if name:
                reason = _RAW_ACTIVE_NAMES.get(_NAME_ESCAPE.sub(lambda m: bytes.fromhex(m.group(1).decode()), name))
                if reason is not None:
                    return reason
    return None


def _outside_streams(data: bytes):
    position = 0
    while True:
        start = _STREAM_START.search(data, position)
        if start is None:
            yield data[position:]
            return
        yield data[position : start.start()]
        end = data.find(b"endstream", start.end())
        if end < 0:
            return
        position = end + len(b"endstream")

