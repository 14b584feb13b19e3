"""The privacy scan of one upright image or one document's text, and the blur that hides what it found.

Detection runs on downscaled copies (faces on a grey copy of at most FACE_EDGE pixels on its
longest side, text detection on a copy of at most TEXT_EDGE); each text line is then read from
the full-size pixels, so small print is read as well as the photo allows. Boxes are returned in
full-size pixels of the upright image.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from privacy import documents, text_rules
from privacy.blur import blur_regions
from privacy.engines import text_engine
from privacy.faces import find_faces
from privacy.model import Box, DocumentScan, ImageScan, Region, RegionKind

FACE_EDGE = 1024
TEXT_EDGE = 1280
MIN_TEXT_SCORE = 0.5
FACE_MARGIN = 0.15  # a face box is widened by this share of its size on each side (hair, ears, chin)
TEXT_MARGIN = 0.12

__all__ = ["FACE_EDGE", "TEXT_EDGE", "blur_regions", "scan_document_text", "scan_image"]


def scan_document_text(text: str) -> DocumentScan:
    """Personal data in a document's text, and whether it looks like a victim's case file."""
    return documents.scan_document_text(text)


def scan_image(image: Image.Image) -> ImageScan:
    """Faces and text regions of an upright image; each text region is classified sensitive or not."""
    rgb = _rgb(image)
    width, height = rgb.size
    regions = [Region(box, RegionKind.FACE) for box in _faces(rgb)]
    regions += _text_regions(rgb)
    return ImageScan(width=width, height=height, regions=tuple(regions))


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, (0, 0), rgba)
        return background
    if image.mode in ("I", "I;16", "F"):
        return image.convert("I").point(lambda value: value / 256).convert("RGB")
    return image.convert("RGB")


def _downscaled(image: Image.Image, edge: int) -> tuple[Image.Image, float]:
    """A copy at most ``edge`` pixels on its longest side, and the factor back to full size."""
    longest = max(image.size)
    if longest <= edge:
        return image, 1.0
    scale = edge / longest
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0), longest / edge


def _faces(rgb: Image.Image) -> list[Box]:
    small, factor = _downscaled(rgb, FACE_EDGE)
    grey = np.asarray(small.convert("L"))
    boxes = []
    for x, y, w, h in find_faces(grey):
        box = _grown(Box(round(x * factor), round(y * factor), max(1, round(w * factor)), max(1, round(h * factor))),
                     FACE_MARGIN, rgb.size)
        if box is not None:
            boxes.append(box)
    return boxes


def _text_regions(rgb: Image.Image) -> list[Region]:
    engine = text_engine()
    small, factor = _downscaled(rgb, TEXT_EDGE)
    bgr = np.ascontiguousarray(np.asarray(small)[:, :, ::-1])
    quads, _ = engine.text_det(bgr)
    if quads is None or len(quads) == 0:
        return []
    full = np.asarray(rgb)
    crops, boxes = [], []
    for quad in quads:
        points = np.asarray(quad, dtype=np.float32) * factor
        crop = _crop(full, points)
        box = _bounding_box(points, rgb.size)
        if crop is None or box is None:
            continue
        crops.append(np.ascontiguousarray(crop[:, :, ::-1]))
        boxes.append(box)
    if not crops:
        return []
    readings, _ = engine.text_rec(crops)
    regions = []
    for box, (text, score) in zip(boxes, readings, strict=True):
        text = (text or "").strip()
        if not text or score < MIN_TEXT_SCORE:
            continue
        verdict = text_rules.classify(text)
        kind = RegionKind.SENSITIVE_TEXT if verdict.sensitive else RegionKind.TEXT
        grown = _grown(box, TEXT_MARGIN, rgb.size) if verdict.sensitive else box
        regions.append(Region(grown or box, kind, text=text, reason=verdict.reason))
    return regions


def _crop(full: np.ndarray, points: np.ndarray) -> np.ndarray | None:
    """The text line under a four-point box, straightened; tall lines are turned to read left to right."""
    import cv2

    width = int(max(np.linalg.norm(points[0] - points[1]), np.linalg.norm(points[2] - points[3])))
    height = int(max(np.linalg.norm(points[0] - points[3]), np.linalg.norm(points[1] - points[2])))
    if width < 2 or height < 2:
        return None
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(points.astype(np.float32), target)
    crop = cv2.warpPerspective(full, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE,
                               flags=cv2.INTER_AREA if height > 64 else cv2.INTER_CUBIC)
    if height >= 1.5 * width:
        crop = np.rot90(crop)
    return crop


def _bounding_box(points: np.ndarray, size: tuple[int, int]) -> Box | None:
    left, top = np.floor(points.min(axis=0))
    right, bottom = np.ceil(points.max(axis=0))
    if right - left < 1 or bottom - top < 1:
        return None
    return Box(int(left), int(top), int(right - left), int(bottom - top)).clipped(*size)


def _grown(box: Box, share: float, size: tuple[int, int]) -> Box | None:
    dx, dy = round(box.width * share), round(box.height * share)
    return Box(box.x - dx, box.y - dy, box.width + 2 * dx, box.height + 2 * dy).clipped(*size)


def blur_default(image: Image.Image, scan: ImageScan, keep: Sequence[Box] = ()) -> Image.Image:
    """The image with every region blurred that is blurred by default, except the boxes in ``keep``."""
    return blur_regions(image, [box for box in scan.to_blur if box not in keep])
