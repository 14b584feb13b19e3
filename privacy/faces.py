"""Faces in a picture, with OpenCV's Haar cascades on a grey, downscaled copy.

The frontal cascade finds faces turned towards the camera; the profile cascade, run on the
picture and on its mirror image, finds faces turned left and right. (Histogram equalisation
was tried and lost faces on plain walls; the alternative frontal cascade added nothing on the
test set and cost a third more time.)
"""
from __future__ import annotations

import numpy as np

from privacy.engines import face_cascades
from privacy.model import Box

MIN_FACE = 20  # pixels on the scanned copy
_SCALE_FACTOR = 1.1


def find_faces(grey: np.ndarray) -> list[tuple[int, int, int, int]]:
    """(x, y, w, h) of every face in an 8-bit grey image, merged across the cascades."""
    import cv2

    frontal, profile = face_cascades()
    height, width = grey.shape[:2]
    options = {"scaleFactor": _SCALE_FACTOR, "minSize": (MIN_FACE, MIN_FACE)}
    found: list[tuple[int, int, int, int]] = []
    found += _detect(frontal, grey, minNeighbors=5, **options)
    found += _detect(profile, grey, minNeighbors=5, **options)
    mirrored = cv2.flip(grey, 1)
    found += [(width - x - w, y, w, h) for x, y, w, h in _detect(profile, mirrored, minNeighbors=5, **options)]
    return merge([box for box in found if box[2] > 0 and box[3] > 0 and box[1] < height])


def _detect(cascade, grey: np.ndarray, **options) -> list[tuple[int, int, int, int]]:
    boxes = cascade.detectMultiScale(grey, **options)
    return [tuple(int(value) for value in box) for box in boxes]


def merge(boxes: list[tuple[int, int, int, int]], threshold: float = 0.3) -> list[tuple[int, int, int, int]]:
    """One box for each group of boxes that overlap (any cascade's hit on the same face), the union of the group."""
    groups: list[Box] = []
    for x, y, w, h in sorted(boxes, key=lambda b: -b[2] * b[3]):
        box = Box(x, y, w, h)
        for index, group in enumerate(groups):
            if box.overlap(group) >= threshold or box.intersection(group) >= 0.6 * min(box.area, group.area):
                left, top = min(group.x, box.x), min(group.y, box.y)
                right, bottom = max(group.right, box.right), max(group.bottom, box.bottom)
                groups[index] = Box(left, top, right - left, bottom - top)
                break
        else:
            groups.append(box)
    return [(group.x, group.y, group.width, group.height) for group in groups]
