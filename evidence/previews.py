"""Small renderings of an evidence file for a reviewer's look before deciding: never the file itself.

An image becomes a downscaled copy, a PDF its first page drawn small, a text or CSV its first lines.
"""
from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from enum import Enum

from PIL import Image

PREVIEW_LONGEST_SIDE_PX = 640
TEXT_PREVIEW_LINES = 30
TEXT_PREVIEW_LINE_CHARS = 200
TEXT_KINDS = ("text/plain", "text/csv")

_pdfium_lock = threading.Lock()  # PDFium must not be entered from two threads at once


class PreviewKind(Enum):
    IMAGE = "image"  # png holds a small rendering (of a photo, or a PDF's first page)
    TEXT = "text"
    NONE = "none"  # no preview for this kind of file, or it could not be drawn


@dataclass(frozen=True)
class Preview:
    kind: PreviewKind
    png: bytes = b""
    text: str = ""
    caption: str = ""


NO_PREVIEW = "There is no preview for this kind of file. Download it to read it."
UNDRAWABLE = {"image": "This image cannot be shown here. Download it to see it.",
              "pdf": "This PDF cannot be shown here. Download it to read it."}


def render_preview(data: bytes, mime_type: str) -> Preview:
    """The preview of a file; a NONE preview's text says why there is none."""
    if mime_type.startswith("image/"):
        png = image_thumbnail_png(data)
        return Preview(PreviewKind.IMAGE, png=png, caption="Reduced copy") if png else \
            Preview(PreviewKind.NONE, text=UNDRAWABLE["image"])
    if mime_type == "application/pdf":
        png = pdf_first_page_png(data)
        return Preview(PreviewKind.IMAGE, png=png, caption="First page") if png else \
            Preview(PreviewKind.NONE, text=UNDRAWABLE["pdf"])
    if mime_type in TEXT_KINDS:
        return Preview(PreviewKind.TEXT, text=text_first_lines(data), caption="First lines")
    return Preview(PreviewKind.NONE, text=NO_PREVIEW)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def image_thumbnail_png(data: bytes, longest_side: int = PREVIEW_LONGEST_SIDE_PX) -> bytes | None:
    """The image reduced so its longest side is at most `longest_side` pixels, as a PNG without metadata."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (longest_side, longest_side))  # JPEG: decode at a reduced size
            small = image.convert("RGB")
    except Exception:
        return None
    small.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
    return _png(small)


def pdf_first_page_png(data: bytes, longest_side: int = PREVIEW_LONGEST_SIDE_PX) -> bytes | None:
    """The first page of a PDF drawn with its longest side about `longest_side` pixels, or None."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        return None
    with _pdfium_lock:
        document = None
        try:
            document = pdfium.PdfDocument(data)
            if len(document) == 0:
                return None
            page = document[0]
            width, height = page.get_size()
            if width <= 0 or height <= 0:
                return None
            scale = min(longest_side / max(width, height), 4.0)
            return _png(page.render(scale=scale).to_pil())
        except Exception:
            return None
        finally:
            if document is not None:
                document.close()


def text_first_lines(data: bytes) -> str:
    """The first lines of a text or CSV file, each cut to a readable length."""
    text = data[: 64 * 1024].decode("utf-8-sig", errors="replace")
    lines = text.splitlines()[:TEXT_PREVIEW_LINES]
    return "\n".join(line if len(line) <= TEXT_PREVIEW_LINE_CHARS else line[:TEXT_PREVIEW_LINE_CHARS] + "…"
                     for line in lines)
