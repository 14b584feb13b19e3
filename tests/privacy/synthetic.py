"""Labelled test pictures made in code: faces pasted onto backgrounds, signs rendered in several fonts.

Faces come from scikit-image's astronaut photo, which its wheel carries (read from the package
folder, never downloaded). Text is drawn with Pillow in DejaVu (Debian's fonts-dejavu-core) and
Pillow's own default font, at several heights, angles and contrasts.
"""
from __future__ import annotations

import importlib.util
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from privacy.model import Box

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = ("DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf", None)  # None: Pillow's default font

SENSITIVE_TEXTS = (
    # house and flat numbers
    "27", "12a", "148", "Flat 3", "No. 61", "Apartment 4B", "9",
    # street and place names
    "Harbour Road", "Mill Lane", "Church Street", "Victoria Terrace", "Station Road", "Hauptstraße 12",
    "Kingsley Avenue", "Manchester", "Rue de la Paix",
    # postcodes
    "LS1 4AB", "M1 1AE", "BS8 2PX", "SW1A 1AA",
    # number plates
    "AB12 CDE", "YK68 XRT", "B-MK 4521", "GH-482-KT",
    # phone numbers and e-mail addresses
    "0161 496 0000", "07700 900123", "info@harbourhouse.org.uk", "Tel 020 7946 0958",
    # names on door plates and post boxes
    "The Smiths", "J. Patel", "Mrs Jones", "Sarah Williams",
)
PLAIN_TEXTS = (
    "FIRE EXIT", "NO SMOKING", "Assembly Point", "Kitchen", "Stairs", "Fire Extinguisher", "Push Bar To Open",
    "Fire Alarm Call Point", "Exit", "Way Out", "Staff Only", "First Aid", "You Are Here", "Fire Door Keep Shut",
    "Emergency Exit", "Reception", "Toilets", "Laundry", "Meeting Room", "Keep Clear",
)


@dataclass(frozen=True)
class Label:
    box: Box
    text: str
    height: int  # pixel height of the drawn text


@dataclass(frozen=True)
class Picture:
    image: Image.Image
    labels: tuple[Label, ...]


# Where the face (forehead to chin, ear to ear) lies in the head picture, as shares of its width and height.
FACE_IN_HEAD = (0.16, 0.23, 0.78, 0.83)


def astronaut_face() -> Image.Image:
    """The head from scikit-image's astronaut.png (a file inside the scikit-image wheel)."""
    spec = importlib.util.find_spec("skimage")
    assert spec is not None and spec.origin, "scikit-image is a test dependency (requirements-dev.txt)"
    path = Path(spec.origin).parent / "data" / "astronaut.png"
    with Image.open(path) as photo:
        return photo.convert("RGB").crop((150, 20, 310, 220))


def font(name: str | None, size: int) -> ImageFont.FreeTypeFont:
    if name is None:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(str(DEJAVU / name), size)


def background(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A wall: a flat colour, a gradient or brick-like noise."""
    kind = rng.choice(("flat", "gradient", "noise"))
    base = tuple(rng.randint(90, 210) for _ in range(3))
    if kind == "flat":
        return Image.new("RGB", size, base)
    if kind == "gradient":
        ramp = Image.linear_gradient("L").resize(size).rotate(rng.choice((0, 90)), expand=False)
        return ImageOps.colorize(ramp, black=tuple(max(0, c - 70) for c in base), white=base)
    noise = Image.effect_noise(size, 40).convert("RGB").filter(ImageFilter.GaussianBlur(1.2))
    return Image.blend(Image.new("RGB", size, base), noise, 0.35)


def faces_picture(rng: random.Random, sizes: tuple[int, ...], canvas: tuple[int, int] = (1280, 960)) -> Picture:
    """Faces of the given widths placed apart on a background, some mirrored, darker or greyer."""
    image = background(rng, canvas)
    face = astronaut_face()
    labels: list[Label] = []
    columns = len(sizes)
    for index, width in enumerate(sizes):
        head = face.resize((width, round(width * face.height / face.width)), Image.Resampling.LANCZOS)
        left, top, right, bottom = FACE_IN_HEAD
        if rng.random() < 0.5:
            head = ImageOps.mirror(head)
            left, right = 1 - right, 1 - left
        if rng.random() < 0.3:
            head = ImageOps.grayscale(head).convert("RGB")
        gain = rng.uniform(0.75, 1.15)
        head = head.point([min(255, int(value * gain)) for value in range(256)] * 3)
        cell_width = canvas[0] // columns
        x = index * cell_width + rng.randint(0, max(0, cell_width - head.width))
        y = rng.randint(0, canvas[1] - head.height)
        image.paste(head, (x, y))
        face_box = Box(x + round(left * head.width), y + round(top * head.height),
                       round((right - left) * head.width), round((bottom - top) * head.height))
        labels.append(Label(face_box, "face", face_box.height))
    return Picture(image, tuple(labels))


def sign_picture(rng: random.Random, items: list[tuple[str, str | None, int, float, str]],
                 canvas: tuple[int, int] = (1280, 960)) -> Picture:
    """Text items (text, font, pixel height, angle, contrast) on plates, packed in rows over one background."""
    pictures = pack(rng, items, canvas)
    if len(pictures) != 1:
        raise ValueError("too many items for one picture")
    return pictures[0]


def pack(rng: random.Random, items: list[tuple[str, str | None, int, float, str]],
         canvas: tuple[int, int] = (1280, 960)) -> list[Picture]:
    """The items drawn as plates and packed in rows onto as few backgrounds as they fit on."""
    plates = [(_plate(text, font_name, height, angle, contrast, rng), text, height)
              for text, font_name, height, angle, contrast in items]
    pictures: list[Picture] = []
    placed: list[tuple[Image.Image, str, int, int, int]] = []
    x, y, row_height = 20, 20, 0
    for plate, text, height in plates:
        if x + plate.width > canvas[0] - 20:
            x, y, row_height = 20, y + row_height + 24, 0
        if y + plate.height > canvas[1] - 20:
            pictures.append(_compose(rng, placed, canvas))
            placed, x, y, row_height = [], 20, 20, 0
        placed.append((plate, text, height, x, y))
        x += plate.width + 28
        row_height = max(row_height, plate.height)
    if placed:
        pictures.append(_compose(rng, placed, canvas))
    return pictures


def _compose(rng: random.Random, placed, canvas: tuple[int, int]) -> Picture:
    image = background(rng, canvas)
    labels = []
    for plate, text, height, x, y in placed:
        image.paste(plate, (x, y))
        inner = plate.info["text_box"]
        labels.append(Label(Box(x + inner[0], y + inner[1], inner[2], inner[3]), text, height))
    return Picture(image, tuple(labels))


_CONTRASTS = {
    "dark_on_light": ((245, 245, 240), (20, 20, 25)),
    "light_on_dark": ((25, 40, 60), (250, 250, 250)),
    "fire_green": ((0, 130, 70), (255, 255, 255)),
    "plate_yellow": ((250, 205, 30), (15, 15, 15)),
    "low": ((150, 150, 150), (70, 70, 70)),
}


def _plate(text: str, font_name: str | None, height: int, angle: float, contrast: str,
           rng: random.Random) -> Image.Image:
    """A sign: text of about ``height`` pixels (ascender to descender of what is drawn) on a plate."""
    paper, ink = _CONTRASTS[contrast]
    size = height
    face = font(font_name, size)
    for _ in range(6):  # find the font size whose drawn text is ``height`` pixels tall
        left, top, right, bottom = face.getbbox(text)
        drawn = bottom - top
        if abs(drawn - height) <= 1:
            break
        size = max(6, round(size * height / max(1, drawn)))
        face = font(font_name, size)
    left, top, right, bottom = face.getbbox(text)
    pad = max(6, height // 2)
    plate = Image.new("RGB", (right - left + 2 * pad, bottom - top + 2 * pad), paper)
    ImageDraw.Draw(plate).text((pad - left, pad - top), text, font=face, fill=ink)
    text_box = (pad, pad, right - left, bottom - top)
    if angle:
        turned = plate.convert("RGBA").rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
        flat = Image.new("RGB", turned.size, paper)
        flat.paste(turned, (0, 0), turned)
        # the label becomes the turned plate's text area: the whole turned plate less its padding
        shrink = pad // 2
        text_box = (shrink, shrink, flat.width - 2 * shrink, flat.height - 2 * shrink)
        plate = flat
    plate.info["text_box"] = text_box
    return plate


def text_items(rng: random.Random, texts: tuple[str, ...], heights: tuple[int, ...], count: int,
               angles: tuple[float, ...] = (0, 0, 6, -8),
               contrasts: tuple[str, ...] = tuple(_CONTRASTS)) -> list[tuple[str, str | None, int, float, str]]:
    """``count`` combinations of text, font, height, angle and contrast, every text used in turn."""
    items = []
    for index in range(count):
        items.append((texts[index % len(texts)], FONT_FILES[index % len(FONT_FILES)], heights[index % len(heights)],
                      rng.choice(angles), rng.choice(contrasts)))
    rng.shuffle(items)
    return items


KEYPAD_LABELS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#")


def keypad(height: int, font_name: str | None = "DejaVuSans-Bold.ttf") -> tuple[Image.Image, tuple[Label, ...]]:
    """A door entry keypad: 12 keys in four rows of three, each labelled with a digit, * or # of ``height`` px."""
    key = round(height * 2.2)
    gap = round(height * 0.5)
    margin = height
    panel = Image.new("RGB", (2 * margin + 3 * key + 2 * gap, 2 * margin + 4 * key + 3 * gap), (186, 190, 194))
    draw = ImageDraw.Draw(panel)
    face = font(font_name, height)
    labels = []
    for index, text in enumerate(KEYPAD_LABELS):
        x = margin + (index % 3) * (key + gap)
        y = margin + (index // 3) * (key + gap)
        draw.rounded_rectangle((x, y, x + key, y + key), radius=max(2, key // 8), fill=(232, 232, 228),
                               outline=(120, 124, 128), width=2)
        left, top, right, bottom = face.getbbox(text)
        tx, ty = x + (key - (right - left)) // 2 - left, y + (key - (bottom - top)) // 2 - top
        draw.text((tx, ty), text, font=face, fill=(30, 30, 34))
        labels.append(Label(Box(tx + left, ty + top, right - left, bottom - top), text, bottom - top))
    return panel, tuple(labels)
