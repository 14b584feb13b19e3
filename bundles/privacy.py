"""The privacy decisions a bundle carries with a file, applied when it is imported. Pure but for the scan.

An export records, for each file, the faces and sensitive text its uploader kept legible (kind,
box, reason) and the reason a case-file-like document was stored. The import scans the file again
and keeps legible only the detected regions that match a recorded one (same kind, overlapping
boxes once scaled to the imported image, which a watermark may have enlarged); everything else
gets the default policy, so a photo with no recorded decision is blurred as any upload is.
"""
from __future__ import annotations

from bundles.model import BundleKeptRegion, BundlePrivacy
from evidence.intake import scan_upload
from evidence.privacy_policy import DEFAULT_POLICY, KeptRegion, PrivacyDecision
from evidence.privacy_step import UploadScan
from privacy.model import Box, ImageScan

MIN_OVERLAP = 0.3  # intersection over union of a recorded box and a box the import's scan found


def imported_privacy(privacy: BundlePrivacy | None, data: bytes, *, max_bytes: int,
                     max_pixels: int) -> tuple[PrivacyDecision, UploadScan | None]:
    """The decision to import a bundle file with, and the scan it was matched against (None when not scanned)."""
    if privacy is None:
        return DEFAULT_POLICY, None
    allowed = privacy.allowed_personal_data or None
    if not privacy.kept:
        return PrivacyDecision(allow_personal_data_reason=allowed), None
    upload_scan = scan_upload(data, max_bytes=max_bytes, max_pixels=max_pixels)
    kept = matched_regions(privacy, upload_scan.scan) if upload_scan is not None else ()
    return PrivacyDecision(kept_with_reason=kept, allow_personal_data_reason=allowed), upload_scan


def matched_regions(privacy: BundlePrivacy, scan: ImageScan) -> tuple[KeptRegion, ...]:
    """Each recorded region matched to the detected region of its kind it overlaps most (each used once)."""
    width, height = privacy.image_size or (scan.width, scan.height)
    taken: set[Box] = set()
    kept = []
    for recorded in privacy.kept:
        box = _scaled(recorded, scan.width / width, scan.height / height)
        candidates = [(box.overlap(region.box), region.box) for region in scan.regions
                      if region.kind == recorded.kind and region.box not in taken]
        overlap, found = max(candidates, default=(0.0, None), key=lambda candidate: candidate[0])
        if found is not None and overlap >= MIN_OVERLAP:
            taken.add(found)
            kept.append(KeptRegion(found, recorded.reason))
    return tuple(kept)


def _scaled(region: BundleKeptRegion, across: float, down: float) -> Box:
    box = region.box
    return Box(round(box.x * across), round(box.y * down), max(1, round(box.width * across)),
               max(1, round(box.height * down)))
