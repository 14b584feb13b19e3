"""The one intake pipeline: sniff, validate, sanitise, thumbnail, hash. Pure: no storage."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from evidence import sniff
from evidence.errors import IntakeError
from evidence.images import sanitise_image
from evidence.names import clean_display_name
from evidence.office import check_office
from evidence.pdfs import sanitise_pdf
from evidence.text import classify_text

_IMAGE_FORMATS = (sniff.JPEG, sniff.PNG, sniff.WEBP, sniff.HEIC)


@dataclass(frozen=True)
class IntakeResult:
    content: bytes
    sha256: str
    mime_type: str
    extension: str
    kind: str
    display_name: str
    thumbnail: bytes | None
    width: int | None
    height: int | None


def run_intake(data: bytes, filename: str, *, max_bytes: int, max_pixels: int) -> IntakeResult:
    """Accept ``data`` as evidence, or raise IntakeError saying why not.

    The type comes from the content only; ``filename`` gives the display name, whose
    extension is corrected to the detected type.
    """
    check_size(data, max_bytes)
    fmt = sniff.sniff(data)
    if fmt in _IMAGE_FORMATS:
        image = sanitise_image(data, fmt, max_pixels=max_pixels)
        return _result(
            image.content, image.mime_type, image.extension, "image", filename,
            thumbnail=image.thumbnail, width=image.width, height=image.height,
        )
    if fmt == sniff.PDF:
        return _result(sanitise_pdf(data, max_pixels=max_pixels), "application/pdf", ".pdf", "pdf", filename)
    if fmt == sniff.ZIP:
        mime_type, extension = check_office(data)
        return _result(data, mime_type, extension, "office", filename)
    mime_type, extension = classify_text(data)
    return _result(data, mime_type, extension, "text", filename)


def check_size(data: bytes, max_bytes: int) -> None:
    if not data:
        raise IntakeError("This file is empty.", code="empty")
    if len(data) > max_bytes:
        raise IntakeError(
            f"This file is {len(data) / (1024 * 1024):.1f} MB; the limit is {max_bytes / (1024 * 1024):g} MB.",
            code="size",
        )


def _result(
    content: bytes,
    mime_type: str,
    extension: str,
    kind: str,
    filename: str,
    *,
    thumbnail: bytes | None = None,
    width: int | None = None,
    height: int | None = None,
) -> IntakeResult:
    return IntakeResult(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        mime_type=mime_type,
        extension=extension,
        kind=kind,
        display_name=clean_display_name(filename, extension),
        thumbnail=thumbnail,
        width=width,
        height=height,
    )
