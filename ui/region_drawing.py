"""The uploader's preview of a photo with every region outlined, numbered and labelled. Pure Pillow: no Streamlit.

Drawn on the downscaled preview the scan made (never on the full-size file): red for a region that
will be blurred, green for one kept legible.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from privacy.model import Box

BLUR_COLOUR = (220, 38, 38)
KEEP_COLOUR = (22, 163, 74)
FONT_FILE = "DejaVuSans-Bold.ttf"


@dataclass(frozen=True)
class Outline:
    box: Box  # in pixels of the full-size upright photo
    number: int
    label: str
    blur: bool


@cache
def _font(size: int):
    try:
        return ImageFont.truetype(FONT_FILE, size)
    except OSError:
        return ImageFont.load_default(size=size)


def outlined_preview(preview: bytes, scale: float, outlines: list[Outline]) -> bytes:
    """The preview JPEG with each region's outline and a numbered label above it, as PNG bytes."""
    picture = Image.open(io.BytesIO(preview)).convert("RGB")
    draw = ImageDraw.Draw(picture)
    line = max(2, round(min(picture.size) / 250))
    font = _font(max(14, round(min(picture.size) / 32)))
    for outline in outlines:
        colour = BLUR_COLOUR if outline.blur else KEEP_COLOUR
        left, top = outline.box.x * scale, outline.box.y * scale
        right, bottom = left + outline.box.width * scale, top + outline.box.height * scale
        draw.rectangle((left, top, right, bottom), outline=colour, width=line)
        caption = f"{outline.number} {outline.label} · {'blur' if outline.blur else 'keep'}"
        text_box = draw.textbbox((0, 0), caption, font=font)
        width, height = text_box[2] - text_box[0] + 8, text_box[3] - text_box[1] + 6
        x = min(max(0, left), max(0, picture.width - width))
        y = top - height if top - height >= 0 else min(bottom, picture.height - height)
        draw.rectangle((x, y, x + width, y + height), fill=colour)
        draw.text((x + 4, y + 3 - text_box[1]), caption, fill=(255, 255, 255), font=font)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()
