"""Visible marks on the copies of PDFs and images that leave Haven for a person.

"Confidential · RECIPIENT · DATE · CODE": a footer drawn into the content of every PDF page (so it prints and
cannot be hidden like an annotation) and a band across the foot of an image. The stored file is never changed:
these functions return a marked copy. The code is short and random; the audit log ties it to the recipient,
the time and the evidence, so `trace CODE` can name who received a copy found elsewhere.
"""
from __future__ import annotations

import io
import math
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter, Transformation

from errors import HavenError

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I/L to misread off a printout
CODE_LENGTH = 8
MAX_RECIPIENT_CHARS = 60
PDF_TYPES = frozenset({"application/pdf"})
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
MIN_FONT_PX = 12  # the smallest mark that stays readable on screen and on paper
LONGEST_UPSCALED_SIDE = 8000


class WatermarkError(HavenError, ValueError):
    """The file could not be marked; it must not leave unmarked."""


@dataclass(frozen=True)
class Watermark:
    recipient: str
    issued_on: date
    code: str

    @property
    def text(self) -> str:
        return f"Confidential · {self.recipient} · {self.issued_on.isoformat()} · {self.code}"


def new_code() -> str:
    """Eight characters from an unambiguous alphabet (40 bits), shown as XXXX-XXXX."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(text: str) -> str:
    """A code as a person types it back (any case, spaces, with or without the dash) in its printed form."""
    raw = "".join(char for char in text.upper() if char in CODE_ALPHABET)
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == CODE_LENGTH else text.strip().upper()


def printable_line(text: str, limit: int = 200) -> str:
    """`text` on one line without control, format (bidirectional) or private characters, at most `limit` long."""
    kept = "".join(" " if char in "\r\n\t" else char for char in text
                   if unicodedata.category(char) not in ("Cc", "Cf", "Co", "Cs") or char in "\r\n\t")
    return " ".join(kept.split())[:limit]


def clean_recipient(name: str) -> str:
    """The recipient as it may be printed: no control or bidirectional characters, one line, not too long."""
    return printable_line(name, MAX_RECIPIENT_CHARS) or "unknown recipient"


def new_watermark(recipient: str, issued_on: date) -> Watermark:
    return Watermark(recipient=clean_recipient(recipient), issued_on=issued_on, code=new_code())


def can_mark(mime_type: str) -> bool:
    return mime_type in PDF_TYPES or mime_type in IMAGE_TYPES


def mark_file(data: bytes, mime_type: str, mark: Watermark) -> bytes:
    """The marked copy of a PDF or an image; any other kind of file unchanged."""
    if mime_type in PDF_TYPES:
        return watermark_pdf(data, mark)
    if mime_type in IMAGE_TYPES:
        return watermark_image(data, mark)
    return data


# --- PDF ------------------------------------------------------------------------------------------------------

def watermark_pdf(data: bytes, mark: Watermark) -> bytes:
    """Every page gets the mark at its foot, drawn into the page's content over what is there."""
    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        footers: dict[tuple[float, float], object] = {}  # one footer (and one font) per page size
        for page in writer.pages:
            if page.get("/Rotate", 0):
                page.transfer_rotation_to_content()  # the foot is then the foot the reader sees
            _balance_graphics_state(writer, page)
            left, bottom, right, top = _visible_box(page)
            size = (round(right - left, 2), round(top - bottom, 2))
            if size not in footers:
                footers[size] = _pdf_footer(*size, mark)
            page.merge_transformed_page(footers[size], Transformation().translate(left, bottom))
            page.compress_content_streams()  # merging leaves the page's content uncompressed
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except Exception as error:  # a PDF intake accepted but pypdf cannot rewrite
        raise WatermarkError("This PDF could not be marked for you, so it is not handed out.") from error


def _visible_box(page) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) of what a viewer shows: the crop box cut to the media box, corners in any order.

    A crop box reaching below the media box, or one written right-to-left, would put the mark where no viewer
    draws it."""
    def ordered(box) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = (float(value) for value in box)
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)

    media = ordered(page.mediabox)
    crop = ordered(page.cropbox)
    left, bottom = max(media[0], crop[0]), max(media[1], crop[1])
    right, top = min(media[2], crop[2]), min(media[3], crop[3])
    return (left, bottom, right, top) if right - left >= 1 and top - bottom >= 1 else media


def _balance_graphics_state(writer: PdfWriter, page) -> None:
    """The page's own content wrapped so that nothing it leaves behind reaches the mark drawn after it.

    Content that restores more graphics states than it saved (an extra ``Q``) pops the wrapper and can leave a
    clipping path (``0 0 0 0 re W n``) in force that hides the footer; an unclosed text object breaks it too.
    """
    from pypdf.generic import ContentStream, DecodedStreamObject, NameObject

    contents = page.get_contents()
    if contents is None:
        return
    depth = lowest = 0
    in_text = False
    for _, operator in ContentStream(contents, writer).operations:
        if operator == b"q":
            depth += 1
        elif operator == b"Q":
            depth -= 1
            lowest = min(lowest, depth)
        elif operator in (b"BT", b"ET"):
            in_text = operator == b"BT"
    extra = -lowest
    stream = DecodedStreamObject()
    stream.set_data(b"q\n" * (extra + 1) + contents.get_data() + (b"\nET" if in_text else b"")
                    + b"\nQ" * (extra + 1 + depth))
    page[NameObject("/Contents")] = writer._add_object(stream)


def _pdf_footer(width: float, height: float, mark: Watermark):
    return PdfReader(io.BytesIO(_pdf_footer_bytes(width, height, mark))).pages[0]


@lru_cache(maxsize=32)
def _pdf_footer_bytes(width: float, height: float, mark: Watermark) -> bytes:
    """A transparent page of the given size with the mark on a light band across its foot."""
    pdf = FPDF(unit="pt", format=(max(width, 1.0), max(height, 1.0)))
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.add_page()
    text = _set_font(pdf, mark.text)
    size = min(9.0, max(4.0, height * 0.02))
    pdf.set_font_size(size)
    while size > 4.0 and pdf.get_string_width(text) > width * 0.94:
        size -= 0.5
        pdf.set_font_size(size)
    band = size * 2.0
    with pdf.local_context(fill_opacity=0.85):
        pdf.set_fill_color(255, 255, 255)
        pdf.rect(0, height - band, width, band, style="F")
    pdf.set_text_color(90, 20, 20)
    pdf.set_xy(0, height - band)
    pdf.cell(width, band, text, align="C")
    return bytes(pdf.output())


def _set_font(pdf: FPDF, text: str) -> str:
    """DejaVu Sans where the system has it (any alphabet), else Helvetica with the text made latin-1."""
    from reports.board_pdf import find_unicode_font, latin1_text

    fonts = find_unicode_font()
    if fonts is not None:
        pdf.add_font("DejaVu", "", str(fonts.regular))
        pdf.set_font("DejaVu")
        return text
    pdf.set_font("Helvetica")
    return latin1_text(text)


# --- images ---------------------------------------------------------------------------------------------------

def watermark_image(data: bytes, mark: Watermark) -> bytes:
    """A dark band across the foot of the image with the mark in white, sized to the image.

    An image too small to carry a readable mark is enlarged first. The copy is saved in the same format,
    without metadata.
    """
    try:
        with Image.open(io.BytesIO(data)) as opened:
            kind = opened.format
            opened.load()
            image = opened.convert("RGBA")
    except Exception as error:
        raise WatermarkError("This image could not be marked for you, so it is not handed out.") from error
    image = _enlarged_to_carry(image, mark.text)
    size = _font_size(image.width, image.height, mark.text)
    font = _image_font(size)
    image = _wide_enough(image, size)
    lines = _wrapped(mark.text, size, image.width * 0.94)
    step = round(size * 1.3)
    band = round(size * 1.9) + step * (len(lines) - 1)
    image = _with_room_for_band(image, band)
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.rectangle((0, image.height - band, image.width, image.height), fill=(0, 0, 0, 190))
    first = image.height - band + round(size * 0.95)
    for index, line in enumerate(lines):
        draw.text((image.width / 2, first + index * step), line, font=font, fill=(255, 255, 255, 255), anchor="mm")
    marked = Image.alpha_composite(image, overlay)
    return _encode(marked, kind)


def _text_width(text: str, size: int) -> float:
    return _image_font(size).getlength(text)


def _font_size(width: int, height: int, text: str) -> int:
    size = max(MIN_FONT_PX, round(min(width, height) * 0.035))
    while size > MIN_FONT_PX and _text_width(text, size) > width * 0.94:
        size -= 1
    return size


def _enlarged_to_carry(image: Image.Image, text: str) -> Image.Image:
    """The image scaled up (when needed) so the mark at the smallest readable size fits across it and its band
    covers at most a fifth of it."""
    needed_width = _text_width(text, MIN_FONT_PX) / 0.94
    needed_height = MIN_FONT_PX * 1.9 * 5
    factor = max(needed_width / image.width, needed_height / image.height, 1.0)
    factor = min(factor, LONGEST_UPSCALED_SIDE / max(image.width, image.height)) if factor > 1.0 else 1.0
    if factor <= 1.0:
        return image
    return image.resize((max(1, round(image.width * factor)), max(1, round(image.height * factor))),
                        Image.Resampling.LANCZOS)


MIN_CHARACTERS_ACROSS = 12  # narrower than this many characters of the mark, a copy is widened to hold them


def _wide_enough(image: Image.Image, size: int) -> Image.Image:
    """A picture too narrow to hold even a part of the mark per line (10 × 8000) on a wider canvas, centred."""
    needed = math.ceil(_text_width("M" * MIN_CHARACTERS_ACROSS, size) / 0.94)
    if image.width >= needed:
        return image
    canvas = Image.new("RGBA", (needed, image.height), (255, 255, 255, 255))
    canvas.paste(image, ((needed - image.width) // 2, 0))
    return canvas


def _wrapped(text: str, size: int, width: float) -> list[str]:
    """The mark in as few lines as fit `width`, broken between its parts (and inside a part only when one is longer
    than a line): a narrow copy shows the whole mark, the code included, instead of clipping both ends."""
    lines: list[str] = []
    for part in text.split(" · "):
        joined = f"{lines[-1]} · {part}" if lines else part
        if lines and _text_width(joined, size) <= width:
            lines[-1] = joined
            continue
        while _text_width(part, size) > width and len(part) > 1:
            cut = max(1, max(n for n in range(1, len(part) + 1) if n == 1 or _text_width(part[:n], size) <= width))
            lines.append(part[:cut])
            part = part[cut:]
        lines.append(part)
    return lines


def _with_room_for_band(image: Image.Image, band: int) -> Image.Image:
    """A picture too flat for the band even when enlarged (8000 × 10) gets the band below it, so the mark is whole."""
    if image.height >= 4 * band:
        return image
    canvas = Image.new("RGBA", (image.width, image.height + band), (255, 255, 255, 255))
    canvas.paste(image, (0, 0))
    return canvas


@lru_cache(maxsize=64)
def _image_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from reports.board_pdf import find_unicode_font

    fonts = find_unicode_font()
    if fonts is not None:
        return ImageFont.truetype(str(fonts.regular), size)
    return ImageFont.load_default(size=size)


def _encode(image: Image.Image, kind: str | None) -> bytes:
    out = io.BytesIO()
    if kind == "PNG":
        image.save(out, "PNG", optimize=False)
    elif kind == "WEBP":
        image.save(out, "WEBP", quality=90)
    else:
        image.convert("RGB").save(out, "JPEG", quality=92)
    return out.getvalue()
