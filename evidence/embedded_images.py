"""The one door every picture inside a PDF or an Office document passes through when it is re-encoded.

The intake decodes each embedded picture, hands it to :func:`clean_embedded_image` and encodes what
comes back with no metadata. The privacy guard (faces, text that locates someone) plugs in here with
:func:`embedded_image_transform`::

    with embedded_image_transform(blur_faces_and_addresses):
        result = run_intake(data, name, max_bytes=..., max_pixels=...)

The transform is given the picture (as the document draws it, pixels only, colour under fully transparent pixels
zeroed) and where it sits in the document (``"PDF page 2, picture /Im0"``, ``"word/media/image1.jpeg"``),
and returns the picture to store, of the same size. It runs in the caller's context only
(a context variable), so two uploads in two threads never see each other's transform.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from PIL import Image

from evidence.errors import IntakeError
from evidence.images import clear_transparent_pixels

EmbeddedImageTransform = Callable[[Image.Image, str], Image.Image]

_transform: ContextVar[EmbeddedImageTransform | None] = ContextVar("embedded_image_transform", default=None)


@contextmanager
def embedded_image_transform(transform: EmbeddedImageTransform | None) -> Iterator[None]:
    """Apply ``transform`` to every embedded picture the intake cleans inside this block."""
    token = _transform.set(transform)
    try:
        yield
    finally:
        _transform.reset(token)


def installed_transform() -> EmbeddedImageTransform | None:
    """The transform installed by the caller, if any (the privacy guard runs before it)."""
    return _transform.get()


def has_transform() -> bool:
    """True when a transform is installed: then every picture is decoded, even ones without metadata."""
    return _transform.get() is not None


def clean_embedded_image(picture: Image.Image, where: str) -> Image.Image:
    """A new plain image holding only ``picture``'s pixels, after the installed transform.

    The mode is one an encoder can store without a palette or profile: RGB, RGBA, L or LA.
    """
    clean = _pixels_only(picture)
    transform = _transform.get()
    if transform is not None:
        changed = transform(clean, where)
        if not isinstance(changed, Image.Image) or changed.size != clean.size:
            raise IntakeError(
                f"The privacy check could not process a picture in this document ({where}).", code="privacy"
            )
        clean = _pixels_only(changed)
    return clean


def _pixels_only(picture: Image.Image) -> Image.Image:
    if picture.mode in ("RGBA", "LA", "RGB", "L"):
        source = picture
    elif picture.mode == "1":
        source = picture.convert("L")
    elif picture.mode in ("I", "I;16", "F"):
        source = picture.convert("I").point(lambda value: value / 256).convert("L")
    elif "A" in picture.getbands() or "transparency" in picture.info:
        source = picture.convert("RGBA")
    else:
        source = picture.convert("RGB")
    clean = Image.new(source.mode, source.size)
    clean.paste(source, (0, 0))
    return clear_transparent_pixels(clean)
