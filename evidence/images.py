"""Images: refuse oversized or damaged ones, then re-encode the pixels and nothing else."""
from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from evidence import image_headers, sniff
from evidence.errors import IntakeError

JPEG_QUALITY = 88
THUMBNAIL_EDGE = 320
THUMBNAIL_QUALITY = 80

_PILLOW_FORMATS = {
    sniff.JPEG: ["JPEG", "MPO"],
    sniff.PNG: ["PNG"],
    sniff.WEBP: ["WEBP"],
    sniff.HEIC: ["HEIF"],
}
_NAMES = {sniff.JPEG: "JPEG image", sniff.PNG: "PNG image", sniff.WEBP: "WebP image", sniff.HEIC: "HEIC image"}
# EXIF orientation -> the transpose that shows the picture upright (as ImageOps.exif_transpose).
_ORIENTATION_FIXES = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_PNG_MODES = frozenset({"1", "L", "LA", "RGB", "RGBA", "I", "I;16"})


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    mime_type: str
    extension: str
    thumbnail: bytes
    width: int
    height: int


def sanitise_image(
    data: bytes, fmt: str, *, max_pixels: int, transform: Callable[[Image.Image], Image.Image] | None = None,
) -> CleanImage:
    """Decode fully, turn upright, and re-encode from pixel data only (HEIC becomes JPEG).

    No EXIF, GPS, XMP, IPTC, ICC profile, comment, text chunk or embedded thumbnail survives,
    because the output is encoded from a fresh image that never had any. `transform` (the privacy
    guard's blur) gets the upright pixels before anything is encoded; what it returns is stored.
    """
    clean = upright_pixels(data, fmt, max_pixels=max_pixels)
    if transform is not None:
        clean = transform(clean)
    content, mime_type, extension = _encode(clean, fmt, data)
    return CleanImage(
        content=content,
        mime_type=mime_type,
        extension=extension,
        thumbnail=make_thumbnail(clean),
        width=clean.width,
        height=clean.height,
    )


def upright_pixels(data: bytes, fmt: str, *, max_pixels: int) -> Image.Image:
    """The picture turned upright, as a plain image holding only its pixels (no metadata)."""
    width, height = _declared_size(data, fmt)
    check_pixel_count(width, height, max_pixels)
    picture = _decode(data, fmt, max_pixels)
    upright = _upright(picture)
    return _pixels_only(upright, fmt, decoded=picture)  # the decoded file object is dropped on return


def check_pixel_count(width: int, height: int, max_pixels: int) -> None:
    if width <= 0 or height <= 0:
        raise IntakeError(
            "This image declares no pixels (width or height is zero), so it cannot be read.", code="damaged"
        )
    pixels = width * height
    if pixels > max_pixels:
        raise IntakeError(
            f"This image is {width} × {height} pixels, which is {pixels / 1_000_000:.1f} megapixels; "
            f"the limit is {max_pixels / 1_000_000:g}. Resize it and upload it again.",
            code="pixels",
        )


def _declared_size(data: bytes, fmt: str) -> tuple[int, int]:
    if fmt == sniff.JPEG:
        return image_headers.jpeg_size(data)
    if fmt == sniff.PNG:
        return image_headers.png_size(data)
    if fmt == sniff.WEBP:
        return image_headers.webp_size(data)
    heif = _heif_module()
    try:
        return heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True).size
    except Exception as exc:  # libheif raises assorted errors on hostile input
        raise image_headers.damaged("HEIC image") from exc


@functools.cache
def _heif_module():
    """pillow-heif, registered with Pillow once per process."""
    try:
        import pillow_heif
    except ImportError as exc:
        raise IntakeError("HEIC images cannot be read on this server (pillow-heif is missing).", code="type") from exc
    pillow_heif.register_heif_opener()
    return pillow_heif


def _decode(data: bytes, fmt: str, max_pixels: int) -> Image.Image:
    """The first frame, fully decoded: a truncated or corrupt file fails here, not later."""
    try:
        picture = Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS[fmt])
        check_pixel_count(*picture.size, max_pixels)
        picture.load()
    except IntakeError:
        raise
    except Image.DecompressionBombError as exc:
        raise IntakeError(
            f"This image is too large to open safely; the limit is {max_pixels / 1_000_000:g} megapixels.",
            code="pixels",
        ) from exc
    except Exception as exc:  # decoders raise OSError, SyntaxError, ValueError, EOFError...
        raise image_headers.damaged(_NAMES[fmt]) from exc
    return picture


def _upright(picture: Image.Image) -> Image.Image:
    try:
        orientation = picture.getexif().get(0x0112, 1)
    except Exception:  # unreadable EXIF: keep the pixels as they are
        orientation = 1
    fix = _ORIENTATION_FIXES.get(orientation)
    return picture.transpose(fix) if fix is not None else picture


def _pixels_only(picture: Image.Image, fmt: str, decoded: Image.Image | None = None) -> Image.Image:
    """A new image holding only the pixels, in a mode the output format can store.

    The result is a plain image (not the decoded file object) with no metadata at all. Its pixels are not
    copied again: turning or converting made a new plain image already, and the decoded file's pixels are
    taken over by a plain image of their own (the file object is dropped right after). A 12-megapixel
    photo would otherwise cost one more full pass over 48 MB.
    """
    mode = _output_mode(picture, fmt)
    source = picture if picture.mode == mode else _converted(picture, mode)
    if source is decoded:
        source = decoded._new(decoded.im)
    if type(source) is Image.Image:
        source.info = {}
        return clear_transparent_pixels(source)
    clean = Image.new(mode, source.size)
    clean.paste(source, (0, 0))
    return clear_transparent_pixels(clean)


def clear_transparent_pixels(picture: Image.Image) -> Image.Image:
    """Zero the colour under every fully transparent pixel (in place), so nothing "erased" can be recovered.

    An editor's eraser often only sets alpha to 0 and leaves the colour; undoing the alpha would show it.
    """
    if picture.mode not in ("RGBA", "LA"):
        return picture
    alpha = picture.getchannel("A")
    lowest, _ = alpha.getextrema()
    if lowest == 0:
        invisible = alpha.point(lambda value: 255 if value == 0 else 0, mode="1")
        picture.paste((0,) * len(picture.getbands()), (0, 0, *picture.size), invisible)
    return picture


def _output_mode(picture: Image.Image, fmt: str) -> str:
    if fmt in (sniff.JPEG, sniff.HEIC):
        return "L" if picture.mode in ("L", "1") else "RGB"
    if fmt == sniff.PNG and picture.mode in _PNG_MODES:
        return picture.mode
    return "RGBA" if _has_alpha(picture) else "RGB"


def _has_alpha(picture: Image.Image) -> bool:
    return picture.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in picture.info


def _converted(picture: Image.Image, mode: str) -> Image.Image:
    if mode in ("RGB", "L") and _has_alpha(picture):
        return _on_white(picture).convert(mode)
    return picture.convert(mode)


def _on_white(picture: Image.Image) -> Image.Image:
    rgba = picture.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, (0, 0), rgba)
    return background


def _encode(clean: Image.Image, fmt: str, original: bytes) -> tuple[bytes, str, str]:
    out = io.BytesIO()
    if fmt == sniff.PNG:
        clean.save(out, format="PNG")
        return out.getvalue(), "image/png", ".png"
    if fmt == sniff.WEBP:
        lossless = image_headers.webp_is_lossless(original)
        clean.save(out, format="WEBP", lossless=lossless, quality=JPEG_QUALITY if not lossless else 80)
        return out.getvalue(), "image/webp", ".webp"
    clean.save(out, format="JPEG", quality=JPEG_QUALITY)
    return out.getvalue(), "image/jpeg", ".jpg"


def make_thumbnail(picture: Image.Image) -> bytes:
    """A JPEG no larger than THUMBNAIL_EDGE on its longest side; transparency over white."""
    if picture.mode in ("I", "I;16"):
        picture = picture.convert("I").point(lambda value: value / 256).convert("L")
    elif picture.mode == "1":
        picture = picture.convert("L")
    scale = min(1.0, THUMBNAIL_EDGE / max(picture.size))
    size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    small = picture.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if _has_alpha(small):
        small = _on_white(small)
    elif small.mode not in ("RGB", "L"):
        small = small.convert("RGB")
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=THUMBNAIL_QUALITY)
    return out.getvalue()
