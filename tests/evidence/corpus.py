"""Files for the intake tests, made in code: hostile, damaged and ordinary ones."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

CAMERA_MAKE = "HavenTestCam"
GPS_LATITUDE = (51, 30, 12)
XMP_SECRET = "xmp-secret-location"
COMMENT_SECRET = "comment-secret-text"
IPTC_SECRET = "iptc-secret-caption"
PNG_TEXT_SECRETS = ("text-chunk-secret", "ztxt-chunk-secret", "itxt-chunk-secret")

ASCII, SHORT, LONG, RATIONAL = 2, 3, 4, 5


# --- JPEG with every kind of metadata -------------------------------------------------------


def _tiff_value(kind: int, value) -> tuple[int, bytes]:
    if kind == ASCII:
        raw = value.encode() + b"\x00"
        return len(raw), raw
    if kind == SHORT:
        return 1, struct.pack("<H", value)
    if kind == LONG:
        return 1, struct.pack("<I", value)
    raw = b"".join(struct.pack("<II", num, den) for num, den in value)
    return len(value), raw


def _ifd_length(entries: list[tuple[int, int, object]]) -> int:
    extra = 0
    for _tag, kind, value in entries:
        raw = _tiff_value(kind, value)[1]
        if len(raw) > 4:
            extra += len(raw) + (len(raw) & 1)
    return 2 + 12 * len(entries) + 4 + extra


def _ifd(entries: list[tuple[int, int, object]], offset: int, next_ifd: int) -> bytes:
    """One little-endian TIFF IFD placed at ``offset``, its long values right after it."""
    data_offset = offset + 2 + 12 * len(entries) + 4
    head = struct.pack("<H", len(entries))
    tail = b""
    for tag, kind, value in sorted(entries, key=lambda entry: entry[0]):
        count, raw = _tiff_value(kind, value)
        if len(raw) <= 4:
            head += struct.pack("<HHI", tag, kind, count) + raw.ljust(4, b"\x00")
        else:
            head += struct.pack("<HHII", tag, kind, count, data_offset + len(tail))
            tail += raw + (b"\x00" if len(raw) & 1 else b"")
    return head + struct.pack("<I", next_ifd) + tail


def exif_block(orientation: int, thumbnail: bytes) -> bytes:
    """APP1 payload: camera make/model, orientation, an Exif IFD, a GPS IFD and an IFD1 thumbnail."""
    exif_ifd = [(0x9003, ASCII, "2024:05:01 10:00:00"), (0xA434, ASCII, "SecretLens 50mm")]
    gps_ifd = [
        (0x0001, ASCII, "N"),
        (0x0002, RATIONAL, [(GPS_LATITUDE[0], 1), (GPS_LATITUDE[1], 1), (GPS_LATITUDE[2], 1)]),
        (0x0003, ASCII, "W"),
        (0x0004, RATIONAL, [(0, 1), (7, 1), (39, 1)]),
    ]
    ifd0 = [
        (0x010F, ASCII, CAMERA_MAKE),
        (0x0110, ASCII, "Model X"),
        (0x0112, SHORT, orientation),
        (0x8769, LONG, 0),
        (0x8825, LONG, 0),
    ]
    ifd1 = [(0x0103, SHORT, 6), (0x0201, LONG, 0), (0x0202, LONG, len(thumbnail))]
    ifd0_at = 8
    exif_at = ifd0_at + _ifd_length(ifd0)
    gps_at = exif_at + _ifd_length(exif_ifd)
    ifd1_at = gps_at + _ifd_length(gps_ifd)
    thumb_at = ifd1_at + _ifd_length(ifd1)
    pointers = {0x8769: exif_at, 0x8825: gps_at}
    ifd0 = [(entry[0], LONG, pointers[entry[0]]) if entry[0] in pointers else entry for entry in ifd0]
    ifd1 = [entry if entry[0] != 0x0201 else (0x0201, LONG, thumb_at) for entry in ifd1]
    tiff = (
        b"II*\x00" + struct.pack("<I", ifd0_at)
        + _ifd(ifd0, ifd0_at, ifd1_at)
        + _ifd(exif_ifd, exif_at, 0)
        + _ifd(gps_ifd, gps_at, 0)
        + _ifd(ifd1, ifd1_at, 0)
        + thumbnail
    )
    return b"Exif\x00\x00" + tiff


def insert_jpeg_segment(jpeg: bytes, marker: int, payload: bytes) -> bytes:
    """``jpeg`` with one more marker segment right after SOI."""
    segment = bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def jpeg_bytes(image: Image.Image, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", **params)
    return out.getvalue()


def marked_picture(width: int = 40, height: int = 30) -> Image.Image:
    """Blue, with a red block in the top-left corner to tell orientation by."""
    picture = Image.new("RGB", (width, height), (0, 0, 255))
    picture.paste((255, 0, 0), (0, 0, 10, 10))
    return picture


def jpeg_with_everything() -> bytes:
    """A 40x30 photo with orientation 6, GPS, camera EXIF, thumbnail, XMP, IPTC, ICC and a comment."""
    thumbnail = jpeg_bytes(marked_picture(8, 6))
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    plain = jpeg_bytes(marked_picture(), quality=95, comment=COMMENT_SECRET.encode(), icc_profile=icc)
    xmp = (
        b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF>"
        + XMP_SECRET.encode()
        + b"</rdf:RDF></x:xmpmeta>"
    )
    caption = IPTC_SECRET.encode()
    iptc = b"\x1c\x02\x78" + struct.pack(">H", len(caption)) + caption
    photoshop = (
        b"Photoshop 3.0\x00" + b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    )
    with_app13 = insert_jpeg_segment(plain, 0xED, photoshop)
    with_xmp = insert_jpeg_segment(with_app13, 0xE1, xmp)
    return insert_jpeg_segment(with_xmp, 0xE1, exif_block(6, thumbnail))


def truncated_jpeg() -> bytes:
    noise = Image.effect_noise((256, 256), 64).convert("RGB")
    data = jpeg_bytes(noise, quality=90)
    return data[: len(data) * 6 // 10]


# --- PNG ---------------------------------------------------------------------------------------


def png_with_text_chunks() -> bytes:
    info = PngInfo()
    info.add_text("Comment", PNG_TEXT_SECRETS[0])
    info.add_text("Description", PNG_TEXT_SECRETS[1], zip=True)
    info.add_itxt("Author", PNG_TEXT_SECRETS[2], lang="en", tkey="Author")
    exif = Image.Exif()
    exif[0x010F] = CAMERA_MAKE
    out = io.BytesIO()
    marked_picture().save(out, format="PNG", pnginfo=info, exif=exif)
    return out.getvalue()


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bomb(width: int = 10_000, height: int = 10_000) -> bytes:
    """A PNG header declaring width x height pixels over a few bytes of image data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + _png_chunk(b"IEND", b"")
    )


# --- PDF ---------------------------------------------------------------------------------------


def raw_pdf(*objects: bytes, trailer_extra: bytes = b"") -> bytes:
    """A PDF from object bodies numbered 1..n (object 1 is the catalog), with a correct xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, trailer_extra, xref_at
    )
    return bytes(out)


def pdf_with_object_stream(hidden: bytes) -> bytes:
    """A PDF 1.5 whose catalog's /OpenAction (object 6) sits in a compressed object stream."""
    packed_header = b"6 0 "
    packed = zlib.compress(packed_header + hidden)
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
        b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(packed_header), len(packed))
        + packed + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in enumerate(bodies, start=1):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    offsets[7] = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 1, offsets[number], 0) for number in range(1, 6)]
    rows += [struct.pack(">BIH", 2, 5, 0), struct.pack(">BIH", 1, offsets[7], 0)]
    table = b"".join(rows)
    out += (
        b"7 0 obj\n<< /Type /XRef /Size 8 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(table)
        + table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[7]
    )
    return bytes(out)


def packed_pdf(packed: dict[int, bytes], streams: dict[int, bytes] | None = None) -> bytes:
    """A PDF 1.5 whose objects ``packed`` (number -> body) all sit in one compressed object stream.

    Only ``streams`` (number -> whole stream object) are written plainly, so a scan of the raw bytes
    sees nothing of the packed objects. Object 1 is the catalog.
    """
    streams = streams or {}
    numbers = sorted(packed)
    body = b""
    offsets = []
    for number in numbers:
        offsets.append(len(body))
        body += packed[number] + b"\n"
    header = b" ".join(b"%d %d" % (number, offset) for number, offset in zip(numbers, offsets, strict=True)) + b"\n"
    compressed = zlib.compress(header + body)
    object_stream = max([*packed, *streams]) + 1
    xref_number = object_stream + 1
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    plain_offsets = {}
    for number in sorted(streams):
        plain_offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + streams[number] + b"\nendobj\n"
    plain_offsets[object_stream] = len(out)
    out += (
        b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (object_stream, len(numbers), len(header), len(compressed))
        + compressed + b"\nendstream\nendobj\n"
    )
    plain_offsets[xref_number] = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for number in range(1, xref_number + 1):
        if number in plain_offsets:
            rows.append(struct.pack(">BIH", 1, plain_offsets[number], 0))
        elif number in packed:
            rows.append(struct.pack(">BIH", 2, object_stream, numbers.index(number)))
        else:
            rows.append(struct.pack(">BIH", 0, 0, 0))
    table = b"".join(rows)
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % (xref_number, xref_number + 1, len(table))
        + table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % plain_offsets[xref_number]
    )
    return bytes(out)


def packed_page_pdf(catalog_extra: bytes = b"", page_extra: bytes = b"", more: dict[int, bytes] | None = None,
                    streams: dict[int, bytes] | None = None, content: bytes = b"BT ET") -> bytes:
    """A one-page :func:`packed_pdf`: catalog 1, pages 2, page 3, content stream 4, then ``more`` from 5."""
    packed = {
        1: b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R " + page_extra + b">>",
        **(more or {}),
    }
    plain = {4: b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream", **(streams or {})}
    return packed_pdf(packed, plain)


def flate_stream(data: bytes, extra: bytes = b"") -> bytes:
    compressed = zlib.compress(data)
    return b"<< /Filter /FlateDecode /Length %d %s>>\nstream\n" % (len(compressed), extra) + compressed + b"\nendstream"


def incremental_update(pdf: bytes, number: int, body: bytes) -> bytes:
    """``pdf`` (written by :func:`raw_pdf`) with object ``number`` replaced in an appended revision."""
    previous = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    size = int(pdf.rsplit(b"/Size ", 1)[1].split()[0])
    out = bytearray(pdf)
    offset = len(out)
    out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n%d 1\n%010d 00000 n \n" % (number, offset)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (size, previous, xref_at)
    return bytes(out)


def minimal_pdf_objects(catalog_extra: bytes = b"", page_extra: bytes = b"", content: bytes = b"") -> list[bytes]:
    stream = b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
    return [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R " + page_extra + b">>",
        stream,
    ]


def pypdf_pdf(change=None) -> bytes:
    """A one-page PDF written by pypdf, after ``change(writer)`` when given."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if change is not None:
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- Office and OpenDocument zips ----------------------------------------------------------------

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="{target}"/>'
    "</Relationships>"
)
MAIN_TYPES = {
    "docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "docm": ("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml"),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
}
PART_BODIES = {
    "word/document.xml": '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Policy</w:t></w:r></w:p></w:body></w:document>',
    "xl/workbook.xml": '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>',
    "ppt/presentation.xml": '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>',
}


def zip_bytes(entries: list[tuple[str | zipfile.ZipInfo, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


def ooxml(kind: str = "docx", *, extra: list[tuple[str | zipfile.ZipInfo, bytes]] = (), extra_types: str = "",
          body: str | None = None) -> bytes:
    """A minimal package of ``kind``; ``body`` replaces the main part's XML."""
    part, content_type = MAIN_TYPES[kind]
    types = (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{CT_NS}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{content_type}"/>{extra_types}</Types>'
    )
    return zip_bytes(
        [
            ("[Content_Types].xml", types.encode()),
            ("_rels/.rels", RELS.format(target=part).encode()),
            (part, (PART_BODIES[part] if body is None else body).encode()),
            *extra,
        ]
    )


ODT_MIME = "application/vnd.oasis.opendocument.text"


def odt(*, mimetype: str = ODT_MIME, content: str = "<office:text>Minutes</office:text>", extra=()) -> bytes:
    stored = zipfile.ZipInfo("mimetype")
    stored.compress_type = zipfile.ZIP_STORED
    manifest = (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    body = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">'
        f"<office:body>{content}</office:body></office:document-content>"
    )
    return zip_bytes(
        [
            (stored, mimetype.encode()),
            ("META-INF/manifest.xml", manifest.encode()),
            ("content.xml", body.encode()),
            *extra,
        ]
    )


def _patch_entry(
    data: bytes, name: str, *, local_at: int, central_at: int, size: str, value: int, mask: bool = False
) -> bytes:
    """``data`` (a zip) with one field of ``name`` (struct format ``size``) rewritten in both headers."""
    import io as _io

    patched = bytearray(data)

    def write(at: int) -> None:
        old = struct.unpack_from(size, data, at)[0]
        struct.pack_into(size, patched, at, old | value if mask else value)

    write(zipfile.ZipFile(_io.BytesIO(data)).getinfo(name).header_offset + local_at)
    position = data.find(b"PK\x01\x02")
    while position >= 0:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + name_length] == name.encode():
            write(position + central_at)
        position = data.find(b"PK\x01\x02", position + 4)
    return bytes(patched)


def with_lying_sizes(data: bytes, name: str, declared_size: int) -> bytes:
    """``data`` (a zip) with ``name``'s uncompressed size rewritten in both headers."""
    return _patch_entry(data, name, local_at=22, central_at=24, size="<I", value=declared_size)


def with_encrypted_flag(data: bytes, name: str) -> bytes:
    """``data`` (a zip) with ``name`` marked as encrypted (general purpose flag bit 0)."""
    return _patch_entry(data, name, local_at=6, central_at=8, size="<H", value=0x1, mask=True)


# --- running the pipeline -----------------------------------------------------------------------

MAX_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 50_000_000


def intake(data: bytes, filename: str = "upload", *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS):
    from evidence.intake import run_intake

    return run_intake(data, filename, max_bytes=max_bytes, max_pixels=max_pixels)


def refusal(data: bytes, filename: str = "upload", **limits) -> str:
    """The message of the IntakeError that ``data`` must raise."""
    import pytest

    from evidence.errors import IntakeError

    with pytest.raises(IntakeError) as caught:
        intake(data, filename, **limits)
    return str(caught.value)
