"""Pictures in a PDF that are not image objects of their own, checked by the privacy guard.

A PDF can show a picture without an image object the cleaner re-encodes: written into the page's
content (an inline image, in a page, a form, a pattern or a Type 3 glyph), or as a mask (a 1-bit
stencil painted in the fill colour, an image's soft or explicit mask, which another page can also
draw directly). A house number drawn that way is as plain to read as in a photo. These pictures are
decoded and passed through the guard like every other; Haven cannot write blurred pixels back into
them, so one that shows a face or text to blur refuses the file (the uploader can print it to a new
PDF, or keep what was found with a reason, as the command line's --keep-detected does).
"""
from __future__ import annotations

from PIL import Image, ImageChops
from pypdf.generic import ArrayObject, DictionaryObject, EncodedStreamObject, NameObject, NumberObject, StreamObject

from evidence.embedded_images import clean_embedded_image, has_transform
from evidence.errors import IntakeError

_KEYS = {"/BPC": "/BitsPerComponent", "/CS": "/ColorSpace", "/D": "/Decode", "/DP": "/DecodeParms", "/F": "/Filter",
         "/H": "/Height", "/W": "/Width", "/I": "/Interpolate", "/IM": "/ImageMask"}
_VALUES = {"/G": "/DeviceGray", "/RGB": "/DeviceRGB", "/CMYK": "/DeviceCMYK", "/I": "/Indexed",
           "/AHx": "/ASCIIHexDecode", "/A85": "/ASCII85Decode", "/LZW": "/LZWDecode", "/Fl": "/FlateDecode",
           "/RL": "/RunLengthDecode", "/CCF": "/CCITTFaxDecode", "/DCT": "/DCTDecode"}


def unreadable(where: str) -> IntakeError:
    return IntakeError(
        f"This PDF holds a picture Haven cannot read to check it for faces and addresses ({where}). "
        "Print or save it to a new PDF (or re-export it with pictures as JPEG or PNG) and upload that.",
        code="pdf",
    )


def check_unblurrable(picture: Image.Image, where: str) -> None:
    """Refuses the PDF when the guard would change `picture` (it found a face or text to blur in it)."""
    if not has_transform():
        return
    before = _comparable(picture)
    after = _comparable(clean_embedded_image(picture, where))
    if before.size != after.size or ImageChops.difference(before, after).getbbox() is not None:
        raise IntakeError(
            f"This PDF shows a face or text that can locate someone in a picture Haven cannot blur ({where}: "
            "a picture written into the page itself, or a mask). Print it to a new PDF, or blur it before "
            "saving, and upload that.",
            code="privacy",
        )


def _comparable(picture: Image.Image) -> Image.Image:
    return picture.convert("RGBA") if "A" in picture.getbands() else picture.convert("RGB")


def inline_picture(settings: DictionaryObject, data: bytes, resources) -> StreamObject:
    """An inline image's settings and bytes as an image object pypdf can decode (abbreviations spelled out)."""
    stream = EncodedStreamObject()
    stream._data = data
    stream[NameObject("/Length")] = NumberObject(len(data))
    for key, value in settings.items():
        if key in ("/L", "/Length"):
            continue
        name = _KEYS.get(key, key)
        stream[NameObject(name)] = _spelled(value, resources)
    stream[NameObject("/Subtype")] = NameObject("/Image")
    return stream


def _spelled(value, resources):
    if isinstance(value, ArrayObject):
        return ArrayObject(_spelled(item, resources) for item in value)
    if isinstance(value, NameObject):
        if value in _VALUES:
            return NameObject(_VALUES[value])
        spaces = resources.get("/ColorSpace") if isinstance(resources, DictionaryObject) else None
        spaces = spaces.get_object() if spaces is not None else None
        if isinstance(spaces, DictionaryObject) and value in spaces:
            return spaces[value]
    return value


def as_grey(picture: Image.Image) -> Image.Image:
    """A mask's samples as a grey picture (a stencil's 1 bits white)."""
    return picture.convert("L")
