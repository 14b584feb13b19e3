"""The privacy scan of one upright image or one document's text, and the blur that hides what it found.

Detection runs on smaller copies made with one pass over the full-size pixels: faces on a grey copy
of at most 960 pixels on its longest side, text on a copy of 800 (made from the first); each text line
is then read from the full-size pixels, so small print is read as well as the photo allows. Boxes are
returned in full-size pixels of the upright image. Why these sizes (benchmarks/RESULTS.md): on the
labelled test pictures faces were all found at 960 and 3 of 20 lost at 800; text was found
as well at 640-800 as at 960, and the text detector's working memory grows with its pixels (about
150 MB at 800, 200 MB at 960), which keeps the upload of a 12-megapixel photo well under 500 MB. What
it costs: text smaller than about 1/65 of the photo's longest side (12 px on the 800 copy) and faces
smaller than about 1/45 of it (20 px on the 960 copy) are not detected.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from privacy import documents, text_rules
from privacy.blur import blur_regions
from privacy.engines import TEXT_DETECTION_EDGE, detector_turn, text_engine
from privacy.faces import find_faces
from privacy.model import Box, DocumentScan, ImageScan, Region, RegionKind

FACE_EDGE = 960
TEXT_EDGE = TEXT_DETECTION_EDGE
MIN_TEXT_SCORE = 0.5
# A face box is grown by these shares of its size on each side: the cascades frame eyes to mouth,
# the blur must also cover forehead, chin and ears.
FACE_MARGIN = (0.15, 0.25)
TEXT_MARGIN = 0.12

# A smaller copy of the picture and the factor from its pixels back to the full-size ones.
Copy = tuple[Image.Image, float]

__all__ = ["FACE_EDGE", "TEXT_EDGE", "blur_regions", "detect_faces", "read_text", "scan_document_text", "scan_image"]


def scan_document_text(text: str) -> DocumentScan:
    """Personal data in a document's text, and whether it looks like a victim's case file."""
    return documents.scan_document_text(text)


def scan_image(image: Image.Image) -> ImageScan:
    """Faces and text regions of an upright image; each text region is classified sensitive or not."""
    rgb = _rgb(image)
    width, height = rgb.size
    for_faces, for_text = _copies(rgb)
    _give_back_free_memory()
    regions = [Region(box, RegionKind.FACE) for box in _faces(rgb.size, for_faces)]
    del for_faces
    _give_back_free_memory()  # the cascades' working memory, before the text detector takes its own
    regions += _text_regions(rgb, for_text)
    del for_text
    _give_back_free_memory()  # and the detector's, so that a long-running server does not keep it
    return ImageScan(width=width, height=height, regions=tuple(regions))


def _give_back_free_memory() -> None:
    """Return memory freed by decoding and by the detectors (held by the C allocator) to the system.

    The text detector's threads allocate from heaps of their own and cannot reuse what the main thread
    freed, so without this a photo's decoding buffers, the face detector's working memory and the
    text detector's add up. It costs a few milliseconds.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def detect_faces(image: Image.Image) -> list[Box]:
    """Only the face boxes of an upright image (the part of ``scan_image`` that finds faces)."""
    rgb = _rgb(image)
    return _faces(rgb.size, _copy_at((rgb, 1.0), FACE_EDGE))


def read_text(image: Image.Image) -> list[Region]:
    """Only the text regions of an upright image, each classified (the part of ``scan_image`` that reads)."""
    rgb = _rgb(image)
    return _text_regions(rgb, _copies(rgb)[1])


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


def _copies(rgb: Image.Image) -> tuple[Copy, Copy]:
    """The copy the face detector scans and the (smaller) one the text detector scans, with one pass over
    the full-size pixels: the second is made from the first."""
    for_faces = _copy_at((rgb, 1.0), FACE_EDGE)
    return for_faces, _copy_at(for_faces, TEXT_EDGE, enlarge=True)


def _copy_at(source: Copy, edge: int, *, enlarge: bool = False) -> Copy:
    """``source`` at most ``edge`` pixels on its longest side (exactly ``edge`` when ``enlarge``)."""
    image, factor = source
    longest = max(image.size)
    if longest == edge or (longest < edge and not enlarge):
        return image, factor
    scale = edge / longest
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    if scale > 1:
        return image.resize(size, Image.Resampling.BICUBIC), factor / scale
    return image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0), factor / scale


def _faces(size: tuple[int, int], copy: Copy) -> list[Box]:
    """Face boxes in full-size pixels (``size``) found on ``copy``."""
    small, factor = copy
    grey = np.asarray(small.convert("L"))
    boxes = []
    for x, y, w, h in find_faces(grey):
        box = _grown(Box(round(x * factor), round(y * factor), max(1, round(w * factor)), max(1, round(h * factor))),
                     FACE_MARGIN, size)
        if box is not None:
            boxes.append(box)
    return boxes


def _text_regions(rgb: Image.Image, copy: Copy) -> list[Region]:
    engine = text_engine()
    small, factor = copy
    bgr = np.ascontiguousarray(np.asarray(small)[:, :, ::-1])
    with detector_turn:
        quads, _ = engine.text_det(bgr)
    del bgr
    if quads is None or len(quads) == 0:
        return []
    crops, boxes = [], []
    for quad in quads:
        points = np.asarray(quad, dtype=np.float32) * factor
        box = _bounding_box(points, rgb.size)
        if box is None:
            continue
        # only the pixels under the line are taken from the full-size picture, not a copy of all of it
        around = np.asarray(rgb.crop((box.x, box.y, box.right, box.bottom)))
        crop = _crop(around, points - np.array([box.x, box.y], dtype=np.float32))
        if crop is None:
            continue
        crops.append(np.ascontiguousarray(crop[:, :, ::-1]))
        boxes.append(box)
    if not crops:
        return []
    readings, _ = engine.text_rec(crops)
    del crops
    pieces = [(box, (text or "").strip()) for box, (text, score) in zip(boxes, readings, strict=True)
              if (text or "").strip() and score >= MIN_TEXT_SCORE]
    verdicts = _classify_with_neighbours(pieces)
    regions = []
    for (box, text), verdict in zip(pieces, verdicts, strict=True):
        kind = RegionKind.SENSITIVE_TEXT if verdict.sensitive else RegionKind.TEXT
        grown = _grown(box, TEXT_MARGIN, rgb.size) if verdict.sensitive else box
        regions.append(Region(grown or box, kind, text=text, reason=verdict.reason))
    return regions


def _classify_with_neighbours(pieces: list[tuple[Box, str]]) -> list[text_rules.TextVerdict]:
    """Each piece's verdict, also reading it with the pieces beside it on the same line.

    The detector can split one sign into parts ("BS8" and "2PX", "Victoria" and "Terrace"); a part
    is sensitive when the line it belongs to is, unless the part is only sign vocabulary (a FIRE
    EXIT sign beside a phone number stays legible). The keys of a keypad are plain text, alone and together.
    """
    keys = text_rules.keypad_keys(pieces)
    verdicts = [text_rules.PLAIN if index in keys else text_rules.classify(text)
                for index, (_, text) in enumerate(pieces)]
    for line in _lines([box for box, _ in pieces]):
        line = [index for index in line if index not in keys]
        if len(line) < 2:
            continue
        joined = text_rules.classify(" ".join(pieces[index][1] for index in line))
        if joined.sensitive:
            for index in line:
                if not verdicts[index].sensitive and not text_rules.is_sign_vocabulary(pieces[index][1]):
                    verdicts[index] = joined
    return verdicts


def _lines(boxes: list[Box]) -> list[list[int]]:
    """Indexes of boxes grouped into lines: similar height, overlapping rows, small gaps, left to right."""
    order = sorted(range(len(boxes)), key=lambda index: (boxes[index].x, boxes[index].y))
    lines: list[list[int]] = []
    for index in order:
        box = boxes[index]
        for line in lines:
            last = boxes[line[-1]]
            rows = min(box.bottom, last.bottom) - max(box.y, last.y)
            similar = 0.6 <= box.height / last.height <= 1.67
            gap = box.x - last.right
            near = -0.5 * last.height <= gap <= 0.8 * last.height  # a word space, not the gap between two signs
            if similar and near and rows >= 0.5 * min(box.height, last.height):
                line.append(index)
                break
        else:
            lines.append([index])
    return lines


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


def _grown(box: Box, share: float | tuple[float, float], size: tuple[int, int]) -> Box | None:
    across, down = share if isinstance(share, tuple) else (share, share)
    dx, dy = round(box.width * across), round(box.height * down)
    return Box(box.x - dx, box.y - dy, box.width + 2 * dx, box.height + 2 * dy).clipped(*size)


def blur_default(image: Image.Image, scan: ImageScan, keep: Sequence[Box] = ()) -> Image.Image:
    """The image with every region blurred that is blurred by default, except the boxes in ``keep``."""
    return blur_regions(image, [box for box in scan.to_blur if box not in keep])
