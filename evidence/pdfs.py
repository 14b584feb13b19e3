"""PDFs: refuse encrypted, malformed or active ones; store a rewritten copy without hidden data.

The checks read every object the file holds (in its cross-reference tables, in compressed object
streams, and whatever the trailer reaches), decode the streams that could carry a script, and
judge actions by an allow-list. The stored copy is what pypdf writes from the document's object
graph: no earlier revisions (incremental updates), no unreferenced objects, no document
information (author, creator...), no XMP metadata, no page thumbnails or application data, no
comment authors, and every picture re-encoded from its pixels (see ``evidence.embedded_images``).
"""
from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field

from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
)

from evidence.embedded_images import clean_embedded_image, has_transform
from evidence.errors import IntakeError
from evidence.images import JPEG_QUALITY, check_pixel_count
from evidence.pdf_hidden_pictures import as_grey, check_unblurrable, inline_picture, unreadable

MAX_PDF_OBJECTS = 2_000_000
# Decoded bytes of the streams the checks and the picture cleaning read, all together.
MAX_DECODED_BYTES = 400 * 1024 * 1024

_REPRINT = "Print or save it to a new PDF without it and upload that."
_NO_LINKS = (
    "A link can tell a web site who opened the file and when. Save it again without links "
    "(printing to a new PDF, for example with \u201cMicrosoft Print to PDF\u201d, "
    "drops them) and upload that."
)

# PDF names that mean active content or hidden files wherever they appear, and how to say so.
_ACTIVE_NAMES = {
    "JS": "JavaScript",
    "JavaScript": "JavaScript",
    "Launch": "a launch action (it can start programs)",
    "EmbeddedFiles": "embedded files",
    "EmbeddedFile": "embedded files",
    "EF": "embedded files",
    "FileAttachment": "a file attachment",
    "GoToE": "a link into an embedded file",
    "GoToR": "a link that opens another file (GoToR action)",
    "ImportData": "an action that imports data from another file (ImportData)",
    "SubmitForm": "a form that sends what is typed into it to an address (SubmitForm)",
    "URI": "a web link (URI action)",
    "Rendition": "a media action (Rendition) that plays sound or video",
    "Sound": "sound",
    "Movie": "a movie",
    "Screen": "a media player area (Screen annotation)",
    "RichMedia": "rich media (Flash or video)",
    "RichMediaExecute": "rich media (Flash or video)",
    "XFA": "an XFA form (Adobe LiveCycle), which can run scripts",
    "3D": "a 3D model, which can carry JavaScript",
    "3DD": "a 3D model, which can carry JavaScript",
    "GoTo3DView": "a 3D model, which can carry JavaScript",
}
_LINK_NAMES = frozenset({"URI"})
_RAW_ACTIVE_NAMES = {name.encode(): name for name in _ACTIVE_NAMES}

# Actions that only move around the document or show and hide parts of it.
_SAFE_ACTIONS = frozenset({"GoTo", "GoToDp", "Thread", "Named", "Hide", "SetOCGState", "Trans", "ResetForm"})
_SAFE_NAMED_ACTIONS = frozenset({"NextPage", "PrevPage", "FirstPage", "LastPage"})
_ACTION_KEYS = frozenset({"/A", "/OpenAction", "/Next", "/PA"})

# Script in a decoded stream: an XFA <script>, a script content type, a javascript: address.
_SCRIPT_IN_STREAM = re.compile(
    rb"<script\b|(?:java|ecma)script\s*:|application/(?:x-)?(?:java|ecma)script|x-formcalc|this\.(?:submitForm|exportDataObject|launchURL)|app\.launchURL",
    re.IGNORECASE,
)

# Keys that hold hidden data: XMP, application data, page thumbnails, alternate or proxy images.
_HIDDEN_DATA_KEYS = ("/Metadata", "/PieceInfo", "/Thumb", "/Alternates", "/OPI")

_STREAM_START = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
# Literal strings and comments are matched only so that names inside them are skipped.
_TOKEN = re.compile(rb"\((?:\\.|[^\\()])*\)|%[^\r\n]*|/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)", re.S)
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_INLINE_IMAGE = re.compile(rb"(?:^|[\s\]>)])BI[\s/]")
_INLINE_IMAGE_FILTERS = re.compile(rb"/(?:F|Filter)\s*\[?\s*(?:/\w+\s*)*/(?:DCT|DCTDecode|JPX|JPXDecode)\b")


def check_pdf(data: bytes) -> None:
    """Raise IntakeError unless ``data`` is a readable, unencrypted PDF without active content."""
    _checked_reader(data)


def sanitise_pdf(data: bytes, *, max_pixels: int) -> bytes:
    """The PDF to store: checked like :func:`check_pdf`, then rewritten without hidden data."""
    reader = _checked_reader(data)
    try:
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        identifier = ByteStringObject(hashlib.sha256(data).digest()[:16])
        writer._ID = ArrayObject([identifier, identifier])
        _Cleaner(writer, max_pixels).run()
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
    except IntakeError:
        raise
    except Exception as exc:  # pypdf and Pillow raise many kinds of error on broken files
        raise _damaged() from exc
    return out.getvalue()


def _checked_reader(data: bytes) -> PdfReader:
    reader = _open(data)
    if reader.is_encrypted:
        raise IntakeError(
            "This PDF is encrypted or password-protected. Save a copy without the password and upload that.",
            code="pdf",
        )
    raw_name = active_name_in_raw_bytes(data)
    if raw_name is not None:
        raise _active_name(raw_name)
    try:
        _Walk(reader).run()
    except IntakeError:
        raise
    except Exception as exc:  # pypdf raises many kinds of error on broken files
        raise _damaged() from exc
    return reader


def _open(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if not reader.is_encrypted and len(reader.pages) == 0:
            raise IntakeError("This PDF has no pages.", code="pdf")
    except IntakeError:
        raise
    except Exception as exc:
        raise _damaged() from exc
    return reader


def _damaged() -> IntakeError:
    return IntakeError(
        "This PDF is damaged or malformed and cannot be read. Save or print it to a new PDF and upload that.",
        code="damaged",
    )


def _active(reason: str, fix: str = _REPRINT) -> IntakeError:
    return IntakeError(f"This PDF contains {reason}, which Haven refuses for safety. {fix}", code="pdf")


def _active_name(name: str) -> IntakeError:
    return _active(_ACTIVE_NAMES[name], _NO_LINKS if name in _LINK_NAMES else _REPRINT)


def _plain(name: object) -> str:
    return str(name).removeprefix("/")


class _Walk:
    """Every object in the cross-reference tables and everything the trailer reaches, once each."""

    def __init__(self, reader: PdfReader) -> None:
        self.reader = reader
        self.decoded = 0
        self.page_contents = _page_content_ids(reader)

    def run(self) -> None:
        pending: list = [self.reader.trailer, *_all_references(self.reader)]
        seen: set[tuple[int, int]] = set()
        visited = 0
        while pending:
            item = pending.pop()
            ref = None
            if isinstance(item, IndirectObject):
                ref = (item.idnum, item.generation)
                if ref in seen:
                    continue
                seen.add(ref)
                item = item.get_object()
            visited += 1
            if visited > MAX_PDF_OBJECTS:
                raise IntakeError("This PDF is too complex to check safely.", code="pdf")
            if isinstance(item, NameObject):  # a name kept as an object of its own (``7 0 obj /JavaScript``)
                _check_name(item)
            elif isinstance(item, DictionaryObject):
                self._check_dictionary(item, pending)
                if isinstance(item, StreamObject) and ref is not None:
                    self._check_stream(item, ref)
            elif isinstance(item, ArrayObject):
                for value in item:
                    _queue(value, pending)

    def _check_dictionary(self, item: DictionaryObject, pending: list) -> None:
        if _plain(item.get("/Type", "")) == "Action":
            _check_actions(item)
        for key, value in dict.items(item):
            _check_name(key)
            if key in _ACTION_KEYS:
                _check_actions(value)
            elif key == "/AA":
                additional = value.get_object()
                if isinstance(additional, DictionaryObject):
                    for action in dict.values(additional):
                        _check_actions(action)
            elif key == "/Names":
                leaf = value.get_object()
                if isinstance(leaf, ArrayObject):  # a name tree's values: in /JavaScript and others, actions
                    for action in leaf[1::2]:
                        _check_actions(action)
            _queue(value, pending)

    def _check_stream(self, stream: StreamObject, ref: tuple[int, int]) -> None:
        """Decode streams that are neither page content, pictures nor fonts, and look for script in them."""
        if ref in self.page_contents or _stream_kind(stream) != "other":
            return
        data = stream.get_data()
        self.decoded += len(data)
        if self.decoded > MAX_DECODED_BYTES:
            raise IntakeError("This PDF is too large to check safely once its contents are unpacked.", code="pdf")
        found = _SCRIPT_IN_STREAM.search(data)
        if found is not None:
            raise _active(f"a script hidden in its data ({ascii(found.group().decode('latin-1'))})")


def _stream_kind(stream: StreamObject) -> str:
    subtype = _plain(stream.get("/Subtype", ""))
    kind = _plain(stream.get("/Type", ""))
    if subtype in ("Image", "Form", "PS") or kind in ("XRef", "ObjStm", "Metadata", "XObject", "Pattern"):
        return "drawing"
    if any(key in stream for key in ("/Length1", "/Length2", "/Length3")) or subtype in (
        "Type1C", "CIDFontType0C", "OpenType"
    ):
        return "font"
    return "other"


def _page_content_ids(reader: PdfReader) -> set[tuple[int, int]]:
    ids: set[tuple[int, int]] = set()
    for page in reader.pages:
        contents = page.get("/Contents")
        if isinstance(contents, IndirectObject):
            ids.add((contents.idnum, contents.generation))
            contents = contents.get_object()
        if isinstance(contents, ArrayObject):
            ids.update((part.idnum, part.generation) for part in contents if isinstance(part, IndirectObject))
    return ids


def _check_actions(value) -> None:
    """Refuse any action (or chain of actions) that is not on the allow-list."""
    value = value.get_object() if isinstance(value, IndirectObject) else value
    actions = value if isinstance(value, ArrayObject) else [value]
    for action in actions:
        action = action.get_object() if isinstance(action, IndirectObject) else action
        if not isinstance(action, DictionaryObject) or "/S" not in action:
            continue  # a destination, or an outline item's next sibling
        kind = _plain(action["/S"])
        if kind in _ACTIVE_NAMES:
            raise _active_name(kind)
        if kind not in _SAFE_ACTIONS:
            raise _active(f"an action of a kind Haven does not allow ({ascii(kind)[1:-1][:40]})")
        if kind == "Named" and _plain(action.get("/N", "")) not in _SAFE_NAMED_ACTIONS:
            raise _active(f"a menu command action ({ascii(_plain(action.get('/N', '')))[1:-1][:40]})")


def _queue(value, pending: list) -> None:
    if isinstance(value, NameObject):
        _check_name(value)
    elif isinstance(value, (DictionaryObject, ArrayObject, IndirectObject)):
        pending.append(value)


def _check_name(name) -> None:
    plain = _plain(name)
    if plain in _ACTIVE_NAMES:
        raise _active_name(plain)


def _all_references(reader: PdfReader) -> list[IndirectObject]:
    refs = [
        IndirectObject(idnum, generation, reader)
        for generation, table in getattr(reader, "xref", {}).items()
        for idnum in table
    ]
    refs += [IndirectObject(idnum, 0, reader) for idnum in getattr(reader, "xref_objStm", {})]
    return refs


def active_name_in_raw_bytes(data: bytes) -> str | None:
    """Belt and braces: the first active-content name token outside streams and strings, e.g. "JS".

    Names are matched as whole tokens after decoding ``#xx`` escapes, so ``/JSON`` or the
    word "JavaScript" in text is not a hit, while ``/J#53`` is.
    """
    for segment in _outside_streams(data):
        for match in _TOKEN.finditer(segment):
            name = match.group(1)
            if name:
                found = _RAW_ACTIVE_NAMES.get(_NAME_ESCAPE.sub(lambda m: bytes.fromhex(m.group(1).decode()), name))
                if found is not None:
                    return found
    return None


def _outside_streams(data: bytes):
    position = 0
    while True:
        start = _STREAM_START.search(data, position)
        if start is None:
            yield data[position:]
            return
        yield data[position : start.start()]
        end = data.find(b"endstream", start.end())
        if end < 0:
            return
        position = end + len(b"endstream")


# --- the copy that is stored ----------------------------------------------------------------------


@dataclass
class _Cleaner:
    """Strips hidden data from every object of ``writer`` and re-encodes its pictures."""

    writer: PdfWriter
    max_pixels: int
    decoded: int = 0
    masks: set[int] = field(default_factory=set)
    places: dict[int, str] = field(default_factory=dict)

    def run(self) -> None:
        objects = self.writer._objects
        self._name_places()
        contents = {
            part.idnum
            for page in self.writer.pages
            for part in _content_parts(page.get("/Contents"))
        }
        for item in objects:
            if isinstance(item, StreamObject):
                for key in ("/SMask", "/Mask"):
                    mask = item.get(key)
                    if isinstance(mask, IndirectObject):
                        self.masks.add(mask.idnum)
        drawn = _drawn_pictures(objects)
        page_resources = {
            part.idnum: page.get("/Resources")
            for page in self.writer.pages
            for part in _content_parts(page.get("/Contents"))
        }
        for number, item in list(enumerate(objects, start=1)):  # new soft masks are added on the way
            if isinstance(item, DictionaryObject):
                _strip_hidden_data(item)
            is_image = isinstance(item, StreamObject) and _plain(item.get("/Subtype", "")) == "Image"
            if is_image and (item.get("/ImageMask", False) or (number in self.masks and number in drawn)):
                self._check_mask(number, item)  # a stencil, or a soft mask also drawn as a picture of its own
            elif is_image and number in self.masks:
                continue  # a soft mask only: the guard sees it as its picture's transparency
            elif is_image:
                self._clean_picture(number, item)
            elif isinstance(item, StreamObject) and (number in contents or _drawn_content(item)):
                # page content, forms, patterns and Type 3 glyphs can all hold pictures written into them
                resources = page_resources.get(number) if number in contents else item.get("/Resources")
                self._check_inline_pictures(item, resources)

    def _name_places(self) -> None:
        """"PDF page 2, picture /Im0" for each picture a page draws directly (first page wins)."""
        for page_number, page in enumerate(self.writer.pages, start=1):
            resources = page.get("/Resources")
            resources = resources.get_object() if resources is not None else None
            pictures = resources.get("/XObject") if isinstance(resources, DictionaryObject) else None
            pictures = pictures.get_object() if pictures is not None else None
            if not isinstance(pictures, DictionaryObject):
                continue
            for name, reference in dict.items(pictures):
                if isinstance(reference, IndirectObject):
                    self.places.setdefault(reference.idnum, f"PDF page {page_number}, picture {name}")

    def _clean_picture(self, number: int, image: StreamObject) -> None:
        where = self.places.get(number, f"picture {number} of the PDF")
        filters = image.get("/Filter", ())
        filters = [_plain(f) for f in (filters if isinstance(filters, ArrayObject) else [filters])]
        photo = bool({"DCTDecode", "JPXDecode", "DCT", "JPX"} & set(filters))
        soft_mask = image.get("/SMask")
        if not (photo or soft_mask is not None or has_transform()):
            return  # raw samples carry no metadata, and nothing asked to see the pixels
        width, height = int(image.get("/Width", 0)), int(image.get("/Height", 0))
        check_pixel_count(width, height, self.max_pixels)
        picture = self._decode(image, where)
        if isinstance(soft_mask, IndirectObject):
            alpha = self._decode(soft_mask.get_object(), where).convert("L")
            if alpha.size != picture.size:
                alpha = alpha.resize(picture.size)
            picture = picture.convert("RGBA") if picture.mode not in ("L", "LA") else picture.convert("LA")
            picture.putalpha(alpha)
        clean = clean_embedded_image(picture, where)
        replacement = _image_stream(clean, photo)
        if clean.mode in ("RGBA", "LA"):
            mask = _image_stream(clean.getchannel("A"), photo=False)
            replacement[NameObject("/SMask")] = self.writer._add_object(mask)
        for key in ("/Interpolate", "/Intent"):
            if key in image:
                replacement[NameObject(key)] = image[key]
        if isinstance(image.get("/Mask"), IndirectObject):  # a stencil mask still hides what it hid
            replacement[NameObject("/Mask")] = image["/Mask"]
        replacement.indirect_reference = IndirectObject(number, 0, self.writer)
        self.writer._objects[number - 1] = replacement

    def _decode(self, image: StreamObject, where: str) -> Image.Image:
        from pypdf.generic._image_xobject import _xobj_to_image  # the decoder behind pypdf's page.images

        self.decoded += 4 * int(image.get("/Width", 0)) * int(image.get("/Height", 0))
        if self.decoded > MAX_DECODED_BYTES:
            raise IntakeError("This PDF is too large to check safely once its pictures are unpacked.", code="pdf")
        image.pop("/SMask", None)  # the soft mask is read on its own; the object is replaced afterwards
        try:
            picture = _plain_jpeg(image) or _xobj_to_image(image)[2]
            if picture is None:
                raise ValueError("no picture")
            picture.load()
        except Exception as exc:
            raise IntakeError(
                f"This PDF holds a picture Haven cannot read to remove its hidden data ({where}). "
                "Print or save it to a new PDF (or re-export it with pictures as JPEG or PNG) and upload that.",
                code="pdf",
            ) from exc
        return picture

    def _check_inline_pictures(self, stream: StreamObject, resources) -> None:
        """JPEG or JPEG 2000 pictures written into page content carry their own metadata: refuse them. Every
        other picture written into a content stream passes the privacy guard (evidence.pdf_hidden_pictures)."""
        data = stream.get_data()
        self.decoded += len(data)
        if self.decoded > MAX_DECODED_BYTES:
            raise IntakeError("This PDF is too large to check safely once its pages are unpacked.", code="pdf")
        if not _INLINE_IMAGE.search(data):
            return
        if _INLINE_IMAGE_FILTERS.search(data):
            raise IntakeError(
                "This PDF holds a JPEG picture written into the page itself (an inline image), which can carry "
                "hidden data such as a location. Print or save it to a new PDF and upload that.",
                code="pdf",
            )
        if not has_transform():
            return
        from pypdf.generic import ContentStream
        from pypdf.generic._image_xobject import _xobj_to_image

        resources = resources.get_object() if resources is not None else None
        where = "a picture written into the page itself"
        try:
            operations = ContentStream(stream, self.writer).operations
        except Exception as exc:
            raise unreadable(where) from exc
        for operands, operator in operations:
            if operator != b"INLINE IMAGE":
                continue
            try:
                inline = inline_picture(operands["settings"], operands["data"], resources)
                check_pixel_count(int(inline.get("/Width", 0)), int(inline.get("/Height", 0)), self.max_pixels)
                self.decoded += 4 * int(inline["/Width"]) * int(inline["/Height"])
                picture = _xobj_to_image(inline)[2]
                picture.load()
            except IntakeError:
                raise
            except Exception as exc:
                raise unreadable(where) from exc
            check_unblurrable(as_grey(picture) if inline.get("/ImageMask", False) else picture, where)

    def _check_mask(self, number: int, image: StreamObject) -> None:
        """A stencil or a soft or explicit mask: its shape is what the page shows, so the guard looks at it."""
        if not has_transform():
            return
        where = self.places.get(number, f"mask {number} of the PDF")
        check_pixel_count(int(image.get("/Width", 0)), int(image.get("/Height", 0)), self.max_pixels)
        saved = image.get("/SMask")
        try:
            picture = self._decode(image, where)
        except IntakeError as error:
            raise unreadable(where) from error
        finally:
            if saved is not None:
                image[NameObject("/SMask")] = saved
        check_unblurrable(as_grey(picture), where)


def _drawn_pictures(objects: list) -> set[int]:
    """Object numbers named in any /XObject resource dictionary (of a page, a form, a pattern, a Type 3 font)."""
    numbers: set[int] = set()
    for item in objects:
        if not isinstance(item, DictionaryObject):
            continue
        resources = item.get("/Resources") if "/XObject" not in item else item
        resources = resources.get_object() if resources is not None else None
        pictures = resources.get("/XObject") if isinstance(resources, DictionaryObject) else None
        pictures = pictures.get_object() if pictures is not None else None
        if isinstance(pictures, DictionaryObject):
            numbers.update(value.idnum for value in dict.values(pictures) if isinstance(value, IndirectObject))
    return numbers


def _drawn_content(stream: StreamObject) -> bool:
    """A form, a tiling pattern or (no type at all: neither a font, a colour profile nor a function) a Type 3 glyph."""
    if _plain(stream.get("/Subtype", "")) == "Form" or "/PatternType" in stream:
        return True
    return (not any(key in stream for key in ("/Type", "/Subtype", "/N", "/FunctionType"))
            and _stream_kind(stream) != "font")


def _plain_jpeg(image: StreamObject) -> Image.Image | None:
    """An RGB or grey JPEG read straight by Pillow (pypdf's reader decodes and re-encodes it once more)."""
    filters = image.get("/Filter")
    if isinstance(filters, ArrayObject):
        filters = filters[0] if len(filters) == 1 else None
    colour = image.get("/ColorSpace")
    if filters != "/DCTDecode" or colour not in ("/DeviceRGB", "/DeviceGray") or "/Decode" in image:
        return None
    picture = Image.open(io.BytesIO(image.get_data()), formats=["JPEG"])
    picture.load()
    if picture.mode not in ("RGB", "L") or picture.size != (image.get("/Width"), image.get("/Height")):
        return None
    return picture


def _content_parts(contents) -> list[IndirectObject]:
    if isinstance(contents, IndirectObject):
        resolved = contents.get_object()
        if isinstance(resolved, ArrayObject):
            return [part for part in resolved if isinstance(part, IndirectObject)]
        return [contents]
    if isinstance(contents, ArrayObject):
        return [part for part in contents if isinstance(part, IndirectObject)]
    return []


def _image_stream(picture: Image.Image, photo: bool) -> StreamObject:
    """An image XObject holding only ``picture``'s pixels: JPEG for photos, lossless Flate otherwise."""
    stream = DecodedStreamObject()
    colour = "/DeviceGray" if picture.mode in ("L", "LA") else "/DeviceRGB"
    base = picture.convert("L" if colour == "/DeviceGray" else "RGB")
    stream.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(base.width),
            NameObject("/Height"): NumberObject(base.height),
            NameObject("/ColorSpace"): NameObject(colour),
            NameObject("/BitsPerComponent"): NumberObject(8),
        }
    )
    if photo:
        out = io.BytesIO()
        base.save(out, format="JPEG", quality=JPEG_QUALITY)
        stream.set_data(out.getvalue())
        stream[NameObject("/Filter")] = NameObject("/DCTDecode")
        return stream
    stream.set_data(base.tobytes())
    return stream.flate_encode()


def _is_comment(item: DictionaryObject) -> bool:
    """An annotation other than a form field's widget (whose /T is the field's name): one with a /Rect, typed
    /Annot, or replying to another (/IRT), even when it leaves out what the specification requires."""
    if _plain(item.get("/Subtype", "Widget")) == "Widget":
        return False
    return "/Rect" in item or "/IRT" in item or "/Popup" in item or _plain(item.get("/Type", "")) == "Annot"


def _strip_hidden_data(item: DictionaryObject) -> None:
    """Remove hidden-data keys from ``item`` and the dictionaries written inside it."""
    pending = [item]
    while pending:
        current = pending.pop()
        if isinstance(current, ArrayObject):
            pending.extend(v for v in current if isinstance(v, (DictionaryObject, ArrayObject)))
            continue
        for key in _HIDDEN_DATA_KEYS:
            current.pop(key, None)
        if _is_comment(current):
            current.pop("/T", None)  # a comment's author
        for value in dict.values(current):
            if isinstance(value, (DictionaryObject, ArrayObject)) and not isinstance(value, StreamObject):
                pending.append(value)
