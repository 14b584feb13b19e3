"""Irreversible blurring: each region is averaged into coarse blocks, noise is added, and the blocks are softened.

Averaging throws the detail away (a block of many pixels keeps one colour) and the noise hides
what the averages still say, so nothing of the original region can be computed back. Only the
returned image holds the result; nothing is written anywhere.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageFilter

from privacy.model import Box

# A region becomes at most this many blocks along its shorter side. With four, the reader still made
# "20HartwourBouo" of a blurred 40-pixel "27 Harbour Road"; with two it reads nothing at any size tried.
BLOCKS_ACROSS = 2
MIN_BLOCK = 6  # pixels
NOISE = 24  # the largest change, in 8-bit levels, that the noise makes to a block


def blur_regions(image: Image.Image, boxes: Sequence[Box], *, in_place: bool = False) -> Image.Image:
    """A new image: ``image`` with every box pixelated beyond recovery. ``image`` itself is not changed,
    unless ``in_place``: then the boxes are blurred in ``image`` itself (for a caller that owns the pixels
    and keeps no unblurred copy; a 12-megapixel photo saves a 36 MB copy) and ``image`` is returned."""
    result = image if in_place else image.copy()
    rng = np.random.default_rng()
    for box in boxes:
        clipped = box.clipped(*result.size)
        if clipped is None:
            continue
        area = (clipped.x, clipped.y, clipped.right, clipped.bottom)
        result.paste(_obscured(result.crop(area), rng), area[:2])
    return result


def block_size(box: Box) -> int:
    return max(MIN_BLOCK, math.ceil(min(box.width, box.height) / BLOCKS_ACROSS))


def _obscured(patch: Image.Image, rng: np.random.Generator) -> Image.Image:
    mode = patch.mode
    working = patch.convert("RGBA" if "A" in mode else "RGB") if mode not in ("RGB", "RGBA", "L") else patch
    block = block_size(Box(0, 0, *working.size))
    small_size = (max(1, math.ceil(working.width / block)), max(1, math.ceil(working.height / block)))
    small = np.asarray(working.resize(small_size, Image.Resampling.BOX), dtype=np.int16)
    noise = rng.integers(-NOISE, NOISE + 1, size=small.shape, dtype=np.int16)
    if small.ndim == 3 and small.shape[2] == 4:
        noise[..., 3] = 0
    noisy = Image.fromarray(np.clip(small + noise, 0, 255).astype(np.uint8), working.mode)
    blocks = noisy.resize(working.size, Image.Resampling.NEAREST)
    softened = blocks.filter(ImageFilter.BoxBlur(max(1, block // 3)))
    return softened if softened.mode == mode else softened.convert(mode)
