"""Which format a file really is, judged from its first bytes and never from its name."""
from __future__ import annotations

from evidence.errors import IntakeError

JPEG = "jpeg"
PNG = "png"
WEBP = "webp"
HEIC = "heic"
PDF = "pdf"
ZIP = "zip"
TEXT = "text"

_REFUSED_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a Windows program (EXE/DLL)"),
    (b"\x7fELF", "a Linux program (ELF executable)"),
    (b"\xfe\xed\xfa\xce", "a macOS program (Mach-O executable)"),
    (b"\xfe\xed\xfa\xcf", "a macOS program (Mach-O executable)"),
    (b"\xce\xfa\xed\xfe", "a macOS program (Mach-O executable)"),
    (b"\xcf\xfa\xed\xfe", "a macOS program (Mach-O executable)"),
    (b"\xca\xfe\xba\xbe", "a macOS program or Java class file"),
    (b"\x00asm", "a WebAssembly program"),
    (b"#!", "a script"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"8BPS", "a Photoshop document"),
    (b"\x00\x00\x01\x00", "an icon file (ICO)"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old-style Office document (doc/xls/ppt), a password-protected Office file or another OLE file",
    ),
    (b"{\\rtf", "an RTF document"),
    (b"%!PS", "a PostScript document"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"PK\x07\x08", "a split ZIP archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an XZ archive"),
    (b"\x28\xb5\x2f\xfd", "a Zstandard archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"ID3", "an MP3 audio file"),
    (b"OggS", "an Ogg audio or video file"),
    (b"fLaC", "a FLAC audio file"),
    (b"\x1aE\xdf\xa3", "a Matroska/WebM video"),
    (b"wOFF", "a web font (WOFF)"),
    (b"wOF2", "a web font (WOFF2)"),
    (b"\x00\x01\x00\x00\x00", "a font file (TTF)"),
    (b"OTTO", "a font file (OTF)"),
    (b"-----BEGIN ", "a PEM key or certificate"),
    (b"BEGIN:VCARD", "a contact card (vCard)"),
    (b"BEGIN:VCALENDAR", "a calendar file (iCalendar)"),
)

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}
_GENERIC_HEIF_BRANDS = {b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}
_VIDEO_BRANDS = {b"isom", b"iso2", b"mp41", b"mp42", b"qt  ", b"M4V ", b"M4A ", b"3gp4", b"3gp5", b"dash", b"avc1"}


def sniff(data: bytes) -> str:
    """The format of ``data``: one of the constants above, or an IntakeError naming what it is.

    ``TEXT`` means "no binary signature matched"; the text checks decide the rest.
    """
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return ZIP
    if data[:4] == b"RIFF" and len(data) >= 12:
        return _riff_format(data[8:12])
    if data[4:8] == b"ftyp":
        return _iso_media_format(data)
    if data.startswith(b"BM") and len(data) >= 26 and data[6:10] == b"\x00\x00\x00\x00":
        raise IntakeError.wrong_type("a BMP image")
    if len(data) > 262 and data[257:262] == b"ustar":
        raise IntakeError.wrong_type("a TAR archive")
    for signature, description in _REFUSED_SIGNATURES:
        if data.startswith(signature):
            raise IntakeError.wrong_type(description)
    return TEXT


def _riff_format(form: bytes) -> str:
    if form == b"WEBP":
        return WEBP
    if form == b"AVI ":
        raise IntakeError.wrong_type("an AVI video")
    if form == b"WAVE":
        raise IntakeError.wrong_type("a WAV audio file")
    raise IntakeError.wrong_type("a RIFF media file")


def _iso_media_format(data: bytes) -> str:
    """HEIC, or a refusal naming the AVIF image or video that shares the ISO box format."""
    box_size = int.from_bytes(data[0:4], "big")
    end = min(max(box_size, 16), len(data), 256)
    brands = {data[8:12]} | {data[i : i + 4] for i in range(16, end - 3, 4)}
    if brands & _HEIF_BRANDS:
        return HEIC
    if brands & _AVIF_BRANDS:
        raise IntakeError.wrong_type("an AVIF image")
    if brands & _GENERIC_HEIF_BRANDS:
        return HEIC
    if brands & _VIDEO_BRANDS:
        raise IntakeError.wrong_type("a video or audio file (MP4/MOV)")
    raise IntakeError.wrong_type("an ISO media file (video, audio or an unsupported image)")
