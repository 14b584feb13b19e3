"""Recall and precision of the image scan on the synthetic, labelled pictures (shared by tests and benchmark)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

from privacy.model import Box, Region, RegionKind
from privacy.scan import detect_faces, read_text
from tests.privacy import synthetic

FACE_SIZES = ((56, 90, 160, 260), (64, 120, 200, 72), (56, 100, 140, 300), (60, 80, 180, 110), (240, 64, 96, 150))
SENSITIVE_HEIGHTS = (20, 26, 34, 48)
PLAIN_HEIGHTS = (20, 30, 44)
COVERED = 0.5  # a label counts as blurred when at least half its pixels are inside boxes blurred by default


@dataclass
class Score:
    hits: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.hits}/{self.total} = {self.rate:.2f}"


def covered_share(label: Box, boxes: list[Box], size: tuple[int, int]) -> float:
    """The share of the label's pixels that lie inside any of ``boxes``."""
    mask = np.zeros((size[1], size[0]), dtype=bool)
    for box in boxes:
        mask[box.y : box.bottom, box.x : box.right] = True
    inside = mask[label.y : label.bottom, label.x : label.right]
    return float(inside.mean()) if inside.size else 0.0


def face_found(label: Box, found: list[Box]) -> bool:
    """The face (forehead to chin) lies at least 80% inside the boxes that will be blurred."""
    return covered_share(label, found, (max(box.right for box in [label, *found]),
                                        max(box.bottom for box in [label, *found]))) >= 0.8


def face_recall(seed: int = 5) -> tuple[Score, int]:
    """(recall over pasted faces, detections away from every face)."""
    rng = random.Random(seed)
    score, stray = Score(), 0
    for sizes in FACE_SIZES:
        picture = synthetic.faces_picture(rng, sizes)
        found = detect_faces(picture.image)
        for label in picture.labels:
            score.total += 1
            if face_found(label.box, found):
                score.hits += 1
            else:
                score.misses.append(f"face {label.box.width}px")
        stray += sum(1 for box in found if not any(box.intersection(label.box) for label in picture.labels))
    return score, stray


def sign_pictures(seed: int = 11) -> list[synthetic.Picture]:
    rng = random.Random(seed)
    items = synthetic.text_items(rng, synthetic.SENSITIVE_TEXTS, SENSITIVE_HEIGHTS, 2 * len(synthetic.SENSITIVE_TEXTS))
    items += synthetic.text_items(rng, synthetic.PLAIN_TEXTS, PLAIN_HEIGHTS, 2 * len(synthetic.PLAIN_TEXTS))
    rng.shuffle(items)
    return synthetic.pack(rng, items)


def text_scores(pictures: list[synthetic.Picture], readings: list[list[Region]]) -> tuple[Score, Score, dict]:
    """(sensitive text blurred, plain signs blurred, recall by height) over the sign pictures."""
    sensitive, plain = Score(), Score()
    by_height: dict[int, Score] = {}
    for picture, regions in zip(pictures, readings, strict=True):
        blurred = [region.box for region in regions if region.blur_by_default]
        for label in picture.labels:
            share = covered_share(label.box, blurred, picture.image.size)
            if label.text in synthetic.SENSITIVE_TEXTS:
                height = by_height.setdefault(label.height, Score())
                for score in (sensitive, height):
                    score.total += 1
                    score.hits += share >= COVERED
                if share < COVERED:
                    read = [region.text for region in regions if region.box.intersection(label.box)]
                    sensitive.misses.append(f"{label.text!r} {label.height}px read as {read}")
            else:
                plain.total += 1
                if share >= COVERED:
                    plain.hits += 1
                    read = [(region.text, region.reason) for region in regions
                            if region.box.intersection(label.box) and region.kind is not RegionKind.TEXT]
                    plain.misses.append(f"{label.text!r} blurred because of {read}")
    return sensitive, plain, by_height


def read_all(pictures: list[synthetic.Picture]) -> list[list[Region]]:
    return [read_text(picture.image) for picture in pictures]
