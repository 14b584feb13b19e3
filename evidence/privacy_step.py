"""The privacy step of the intake: scan a picture or a document's text, apply the decision, blur.

The scan itself (faces, text, personal data) lives in the `privacy` package; this module decides
what runs when, and never writes a picture anywhere: it takes pixels and returns pixels.
"""
from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from evidence.privacy_policy import (
    PrivacyDecision,
    RecordBuilder,
    RegionAction,
    decide_document,
    decide_regions,
)
from evidence.scan_views import merged, scan_laid_out, views
from privacy.model import DocumentScan, ImageScan

MIN_SCAN_EDGE = 6  # no legible word fits in fewer pixels than this (a 300 × 15 strip can name a street)
PREVIEW_EDGE = 1200
PREVIEW_QUALITY = 85
# The preview is first halved with a box filter, then resampled: a 12-megapixel photo's preview costs 0.1 s of
# CPU instead of 0.24 s (Lanczos over every full-size pixel), with no difference a person checking outlines sees.
PREVIEW_REDUCING_GAP = 1.5


@dataclass(frozen=True)
class UploadScan:
    """The scan of an upload, made before the uploader decides; tied to the uploaded bytes by their SHA-256."""

    source_sha256: str
    scan: ImageScan
    preview: bytes  # the upright picture, at most PREVIEW_EDGE on its longest side, for the uploader only
    preview_scale: float  # preview pixels per image pixel


def source_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def nothing_to_find(picture: Image.Image) -> bool:
    """True for pictures in which no face or text can be: one flat colour, or too small to hold either."""
    if min(picture.size) < MIN_SCAN_EDGE:
        return True
    extrema = picture.getextrema()  # every band, alpha included: text can be drawn in the alpha alone
    return all(low == high for low, high in (extrema if isinstance(extrema[0], tuple) else (extrema,)))


def scan_picture(picture: Image.Image) -> ImageScan:
    """The privacy scan of upright pixels (a flat or tiny picture short-circuits to "nothing found").

    A picture with transparency is scanned in every way it can be shown, and a long or thin one in
    pieces (evidence.scan_views): what any of them shows is found.
    """
    if nothing_to_find(picture):
        return ImageScan(width=picture.width, height=picture.height, regions=())
    from privacy.scan import scan_image

    regions: list = []
    for view in views(picture, _scannable):
        regions = merged(regions, scan_laid_out(view, scan_image))
    return ImageScan(width=picture.width, height=picture.height, regions=tuple(regions))


def scan_for_upload(picture: Image.Image, data: bytes) -> UploadScan:
    """The scan shown to the uploader with a downscaled preview to draw the regions on."""
    scan = scan_picture(picture)
    scale = min(1.0, PREVIEW_EDGE / max(picture.size))
    small = _scannable(picture)
    if scale < 1.0:
        small = small.resize((max(1, round(picture.width * scale)), max(1, round(picture.height * scale))),
                             Image.Resampling.LANCZOS, reducing_gap=PREVIEW_REDUCING_GAP)
    out = io.BytesIO()
    small.convert("RGB").save(out, format="JPEG", quality=PREVIEW_QUALITY)
    return UploadScan(source_sha256=source_digest(data), scan=scan, preview=out.getvalue(), preview_scale=scale)


def guard_picture(picture: Image.Image, decision: PrivacyDecision, record: RecordBuilder, *,
                  scan: ImageScan | None = None, source: str = "", owned: bool = False) -> Image.Image:
    """`picture` with the regions the decision blurs blurred in its full-size pixels; the outcomes go to `record`.

    `owned`: the caller made `picture` for this intake and keeps no other use of it, so the blur is done in
    its pixels rather than in a copy (the unblurred pixels are then gone, as they should be).
    """
    if scan is None or (scan.width, scan.height) != picture.size:
        scan = scan_picture(picture)
    outcomes = decide_regions(scan, decision, source=source)
    record.regions.extend(outcomes)
    record.images_scanned += 1
    boxes = [outcome.box for outcome in outcomes if outcome.action == RegionAction.BLURRED]
    if not boxes:
        return picture
    from privacy.scan import blur_regions

    blurred = blur_regions(picture, boxes, in_place=owned)
    return blurred if blurred.mode == picture.mode else blurred.convert(picture.mode)


EmbeddedGuard = Callable[[Image.Image, str], Image.Image]


def embedded_picture_guard(decision: PrivacyDecision, record: RecordBuilder) -> EmbeddedGuard:
    """The function every image inside a PDF or Office file passes through when it is re-encoded.

    Embedded images get the default policy (or --keep-detected's reason): the choices an uploader
    makes per region apply to the photo they were shown. `where` names the image in the document.
    """
    policy = PrivacyDecision(keep_detected_reason=decision.keep_detected_reason)

    def guard(picture: Image.Image, where: str) -> Image.Image:
        return guard_picture(picture, policy, record, source=where or "an image inside the document")

    return guard


def guard_document_text(text: str, decision: PrivacyDecision, record: RecordBuilder) -> None:
    """Scans a document's text; a case-file-like document without a reason raises CaseFileRefused."""
    if text.strip():
        from privacy.scan import scan_document_text

        scan = scan_document_text(text)
    else:
        scan = DocumentScan(personal_data=(), case_file=False, case_file_reasons=())
    record.allowed_reason = decide_document(scan, decision)
    record.document = scan


def _scannable(picture: Image.Image) -> Image.Image:
    if picture.mode in ("RGB", "L"):
        return picture
    if picture.mode in ("I", "I;16"):
        return picture.convert("I").point(lambda value: value / 256).convert("L")
    if picture.mode in ("RGBA", "LA", "PA", "P"):
        rgba = picture.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, (0, 0), rgba)
        return background
    return picture.convert("RGB")
