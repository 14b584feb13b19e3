"""The one intake pipeline: sniff, validate, privacy guard, sanitise, thumbnail, hash. Pure: no storage."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from evidence import sniff
from evidence.document_text import document_text
from evidence.embedded_images import embedded_image_transform, installed_transform
from evidence.errors import IntakeError
from evidence.images import sanitise_image, upright_pixels
from evidence.names import clean_display_name
from evidence.office import sanitise_office
from evidence.pdfs import sanitise_pdf
from evidence.privacy_policy import (
    DEFAULT_POLICY,
    NOT_SCANNED,
    PrivacyDecision,
    PrivacyRecord,
    PrivacyRefused,
    RecordBuilder,
)
from evidence.privacy_step import (
    EmbeddedGuard,
    UploadScan,
    embedded_picture_guard,
    guard_document_text,
    guard_picture,
    scan_for_upload,
    source_digest,
)
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
    privacy: PrivacyRecord = NOT_SCANNED


def run_intake(
    data: bytes, filename: str, *, max_bytes: int, max_pixels: int, privacy: PrivacyDecision = DEFAULT_POLICY,
    upload_scan: UploadScan | None = None,
) -> IntakeResult:
    """Accept ``data`` as evidence, or raise IntakeError saying why not.

    The type comes from the content only; ``filename`` gives the display name, whose
    extension is corrected to the detected type. The privacy guard runs on every file: a
    photo's faces and sensitive text are blurred as ``privacy`` decides (``upload_scan``, the
    scan the uploader was shown, is used when it was made of these very bytes); a document's
    text is scanned and a case file refused unless ``privacy`` gives a reason.
    """
    check_size(data, max_bytes)
    fmt = sniff.sniff(data)
    record = RecordBuilder()
    if fmt in _IMAGE_FORMATS:
        scan = upload_scan.scan if upload_scan and upload_scan.source_sha256 == source_digest(data) else None
        image = sanitise_image(data, fmt, max_pixels=max_pixels,
                               transform=lambda picture: guard_picture(picture, privacy, record, scan=scan,
                                                                       owned=True))
        return _result(
            image.content, image.mime_type, image.extension, "image", filename,
            thumbnail=image.thumbnail, width=image.width, height=image.height, privacy=record.build(),
        )
    if privacy.has_region_choices:
        raise PrivacyRefused("Regions to blur or keep can be chosen for photos only, and this file is not a photo.")
    if fmt == sniff.PDF:
        with embedded_image_transform(_after_the_guard(embedded_picture_guard(privacy, record))):
            content = sanitise_pdf(data, max_pixels=max_pixels)  # every picture inside passes the guard
        mime_type, extension, kind = "application/pdf", ".pdf", "pdf"
    elif fmt == sniff.ZIP:
        with embedded_image_transform(_after_the_guard(embedded_picture_guard(privacy, record))):
            document = sanitise_office(data, max_pixels=max_pixels)  # so does every picture in an Office file
        mime_type, extension, kind, content = document.mime_type, document.extension, "office", document.content
    else:
        (mime_type, extension), kind, content = classify_text(data), "text", data
    guard_document_text(document_text(content, kind), privacy, record)
    return _result(content, mime_type, extension, kind, filename, privacy=record.build())


def _after_the_guard(guard: EmbeddedGuard) -> EmbeddedGuard:
    """The privacy guard, then whatever transform the caller installed around the intake."""
    outer = installed_transform()
    if outer is None:
        return guard
    return lambda picture, where: outer(guard(picture, where), where)


def scan_upload(data: bytes, *, max_bytes: int, max_pixels: int) -> UploadScan | None:
    """The privacy scan of an uploaded photo before the uploader decides (None for other files).

    The photo is checked as the intake checks it (size, type, pixels, damage) and turned upright;
    nothing is written anywhere.
    """
    check_size(data, max_bytes)
    fmt = sniff.sniff(data)
    if fmt not in _IMAGE_FORMATS:
        return None
    return scan_for_upload(upright_pixels(data, fmt, max_pixels=max_pixels), data)


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
    privacy: PrivacyRecord = NOT_SCANNED,
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
        privacy=privacy,
    )
