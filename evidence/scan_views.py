"""What the privacy scan is shown of a picture, so that nothing a viewer can see escapes it. Pure, in memory.

Two ways a picture can show more than its plain rendering on white:

- **Transparency.** A picture with an alpha channel looks different on a light page, on a dark page and
  with its alpha removed (any editor does that in one click). A house number drawn in colour under
  nearly transparent pixels, or cut into the alpha channel of a white picture, is invisible on white
  and plain to read in the other two. Such a picture is scanned in every view it can be shown in, and
  what any view shows is blurred.
- **Shape.** The text detector works on a copy at most 960 pixels long and reads poorly at the edges of
  a very thin picture: a 12,000 × 300 panorama, or a 300 × 15 strip, hides a street name from it (and
  the detector, which scales the short side up, takes minutes over one). A long picture is cut into
  overlapping pieces laid out one under the other (or side by side) in a near-square canvas with a
  margin round each, scanned once; every box is taken back to the picture's own pixels.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from PIL import Image, ImageStat

from privacy.model import Box, ImageScan, Region

MAX_ASPECT = 2.5  # longer than this (either way) and the picture is laid out in pieces
LINE_SHORT_SIDES = 20  # a piece this many short sides long keeps a line of some 15 characters whole in its overlap
WORKING_EDGE = 960  # the longest side the scan works at (privacy.scan.TEXT_EDGE): longer pieces lose small print
THIN_EDGE = 32  # a picture this thin gets a margin round it: the detector misses text that touches an edge
SAME_REGION = 0.5  # boxes of one kind overlapping this much (intersection over union) from two views are one


def views(picture: Image.Image, scannable: Callable[[Image.Image], Image.Image]) -> list[Image.Image]:
    """The renderings to scan: `scannable(picture)` (on white), and for a picture with transparency also on
    black and, where some pixels are only partly transparent, its colour without the alpha."""
    if picture.mode not in ("RGBA", "LA", "PA", "RGBa", "La") and "transparency" not in picture.info:
        return [scannable(picture)]
    rgba = picture.convert("RGBA")
    histogram = rgba.getchannel("A").histogram()
    if sum(histogram[:255]) == 0:  # fully opaque after all
        return [scannable(picture)]
    shown = [scannable(picture), _on(rgba, (0, 0, 0))]
    if sum(histogram[1:255]):  # partly transparent pixels keep colour a viewer cannot see on white
        shown.append(rgba.convert("RGB"))
    return shown


def _on(rgba: Image.Image, colour: tuple[int, int, int]) -> Image.Image:
    background = Image.new("RGB", rgba.size, colour)
    background.paste(rgba, (0, 0), rgba)
    return background


@dataclass(frozen=True)
class _Piece:
    source: Box  # where the piece is in the picture
    x: int  # where it is in the canvas
    y: int


def scan_laid_out(picture: Image.Image, scan: Callable[[Image.Image], ImageScan]) -> tuple[Region, ...]:
    """`scan` of `picture`, through a near-square canvas of pieces when the picture is long or thin."""
    width, height = picture.size
    aspect = max(width, height) / max(1, min(width, height))
    if aspect <= MAX_ASPECT and min(width, height) >= THIN_EDGE:
        return scan(picture).regions
    canvas, pieces = _layout(picture)
    found = scan(canvas).regions
    regions: list[Region] = []
    for region in found:
        back = _back(region.box, pieces)
        if back is not None:
            regions = merged(regions, [replace(region, box=back)])
    return tuple(regions)


def _layout(picture: Image.Image) -> tuple[Image.Image, list[_Piece]]:
    wide = picture.width >= picture.height
    long_side, short_side = (picture.width, picture.height) if wide else (picture.height, picture.width)
    # near-square canvas (the most detail at the working size), but pieces long enough to keep lines whole
    square = round(math.sqrt(2 * long_side * short_side))
    length = min(long_side, max(square, min(LINE_SHORT_SIDES * short_side, WORKING_EDGE)))
    step = max(1, length // 2)
    starts = list(range(0, max(1, long_side - length) + 1, step))
    if starts[-1] + length < long_side:
        starts.append(long_side - length)
    margin = max(8, short_side // 4)
    fill = tuple(round(value) for value in ImageStat.Stat(picture.convert("RGB")).mean)
    cell = short_side + margin
    across, down = length + 2 * margin, margin + cell * len(starts)
    size = (across, down) if wide else (down, across)
    # a canvas still long (a short strip in one piece) is made taller: the detector scales a thin one up at length
    floor = math.ceil(max(size) / MAX_ASPECT)
    canvas = Image.new("RGB", (max(size[0], floor), max(size[1], floor)), fill)
    pieces = []
    for index, start in enumerate(starts):
        if wide:
            source = Box(start, 0, length, short_side)
            x, y = margin, margin + index * cell
        else:
            source = Box(0, start, short_side, length)
            x, y = margin + index * cell, margin
        canvas.paste(picture.crop((source.x, source.y, source.right, source.bottom)), (x, y))
        pieces.append(_Piece(source, x, y))
    return canvas, pieces


def _back(box: Box, pieces: list[_Piece]) -> Box | None:
    """The box in the picture's pixels: through the piece it overlaps most, cut to that piece."""
    best, best_shared = None, 0
    for piece in pieces:
        shared = box.intersection(Box(piece.x, piece.y, piece.source.width, piece.source.height))
        if shared > best_shared:
            best, best_shared = piece, shared
    if best is None:
        return None
    moved = Box(box.x - best.x, box.y - best.y, box.width, box.height).clipped(best.source.width, best.source.height)
    if moved is None:
        return None
    return Box(moved.x + best.source.x, moved.y + best.source.y, moved.width, moved.height)


def merged(regions: list[Region], more: list[Region] | tuple[Region, ...]) -> list[Region]:
    """`regions` and `more`, one region (the union of the boxes) for the same thing found twice."""
    result = list(regions)
    for region in more:
        for index, other in enumerate(result):
            if other.kind == region.kind and other.box.overlap(region.box) >= SAME_REGION:
                left, top = min(other.box.x, region.box.x), min(other.box.y, region.box.y)
                right, bottom = max(other.box.right, region.box.right), max(other.box.bottom, region.box.bottom)
                result[index] = replace(other, box=Box(left, top, right - left, bottom - top))
                break
        else:
            result.append(region)
    return result
