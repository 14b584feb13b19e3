"""Office Open XML (docx/xlsx/pptx) and OpenDocument text: safe zips without macros."""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from evidence.errors import IntakeError
from evidence.office_content import check_active_content, clean_parts

MAX_ENTRIES = 10_000
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
_CHUNK = 1024 * 1024

DOCX = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
XLSX = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")
PPTX = ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx")
ODT = ("application/vnd.oasis.opendocument.text", ".odt")

_OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": ("word/", DOCX),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": ("xl/", XLSX),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": ("ppt/", PPTX),
}
_OOXML_OTHER_MAIN_PARTS = {
    "wordprocessingml.template.main+xml": "a Word template (dotx)",
    "spreadsheetml.template.main+xml": "an Excel template (xltx)",
    "presentationml.template.main+xml": "a PowerPoint template (potx)",
    "presentationml.slideshow.main+xml": "a PowerPoint slide show (ppsx)",
}
_ODF_OTHER_TYPES = {
    "application/vnd.oasis.opendocument.spreadsheet": "an OpenDocument spreadsheet (ODS)",
    "application/vnd.oasis.opendocument.presentation": "an OpenDocument presentation (ODP)",
    "application/vnd.oasis.opendocument.graphics": "an OpenDocument drawing (ODG)",
    "application/epub+zip": "an EPUB e-book",
}
# Event handlers in ODF XML that call macros or scripts, with or without a Basic/ folder.
_ODF_SCRIPT_MARKERS = (b"vnd.sun.star.script:", b"macro:///")
_PARTS_TO_KEEP = {"mimetype": 1024, "[Content_Types].xml": 1024 * 1024}
_DRIVE = re.compile(r"^[A-Za-z]:")
_PROGRAM_SUFFIXES = (".exe", ".dll", ".js", ".vbs", ".bat", ".cmd", ".ps1", ".scr", ".lnk", ".msi", ".jar")


@dataclass
class _Contents:
    kept: dict[str, bytes] = field(default_factory=dict)
    script_markers: bool = False
    entries: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class CleanOffice:
    content: bytes
    mime_type: str
    extension: str


def check_office(
    data: bytes,
    *,
    max_entries: int = MAX_ENTRIES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_ratio: int = MAX_RATIO,
) -> tuple[str, str]:
    """(mime type, extension) of a safe docx/xlsx/pptx/odt; an IntakeError for anything else."""
    kind, contents, _ = _inspect(data, max_entries, max_total_bytes, max_ratio)
    check_active_content(contents.entries, odf=kind == ODT)
    return kind


def sanitise_office(
    data: bytes,
    *,
    max_pixels: int,
    max_entries: int = MAX_ENTRIES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_ratio: int = MAX_RATIO,
) -> CleanOffice:
    """The document to store: checked like :func:`check_office`, then rewritten without hidden data.

    Every picture inside is re-encoded from its pixels (through ``evidence.embedded_images``) and the
    personal document properties (author, last editor, company, manager...) are removed.
    """
    kind, contents, infos = _inspect(data, max_entries, max_total_bytes, max_ratio)
    check_active_content(contents.entries, odf=kind == ODT)
    clean_parts(contents.entries, max_pixels=max_pixels)
    # Always written again: a zip comment, bytes between or after the entries, and extra fields go.
    return CleanOffice(_rezip(infos, contents.entries), *kind)


def _inspect(data: bytes, max_entries: int, max_total_bytes: int, max_ratio: int):
    _check_declared_entry_count(data, max_entries)
    archive = _open_zip(data)
    infos = archive.infolist()
    _check_entries(infos, max_entries)
    _check_declared_sizes(infos, max_total_bytes, max_ratio)
    names = {info.filename for info in infos}
    if "mimetype" in names:
        contents = _read_everything(archive, infos, max_total_bytes, scan_for_scripts=True)
        return _odf_type(contents, names), contents, infos
    if "[Content_Types].xml" in names:
        contents = _read_everything(archive, infos, max_total_bytes, scan_for_scripts=False)
        return _ooxml_type(contents, names), contents, infos
    raise IntakeError.wrong_type(_describe_other_zip(names))


def _damaged() -> IntakeError:
    return IntakeError(
        "This document is damaged or incomplete (its ZIP structure cannot be read). "
        "Save it again and upload the new copy.",
        code="damaged",
    )


def _refuse_archive(reason: str) -> IntakeError:
    return IntakeError(f"This document was refused: {reason}.", code="archive")


def _check_declared_entry_count(data: bytes, max_entries: int) -> None:
    """Read the entry count from the end-of-central-directory record before parsing the directory."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 12 > len(data):
        return
    count = int.from_bytes(data[end + 10 : end + 12], "little")
    if count != 0xFFFF and count > max_entries:
        raise _refuse_archive(f"it holds {count} entries; the limit is {max_entries}")


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, NotImplementedError, ValueError, OSError...
        raise _damaged() from exc


def _check_entries(infos: list[zipfile.ZipInfo], max_entries: int) -> None:
    if len(infos) > max_entries:
        raise _refuse_archive(f"it holds {len(infos)} entries; the limit is {max_entries}")
    seen: set[str] = set()
    for info in infos:
        if info.flag_bits & 0x1:
            raise IntakeError(
                "This document is password-protected (encrypted). Save a copy without the password and upload that.",
                code="archive",
            )
        if unsafe_entry_name(info.filename):
            raise _refuse_archive(f"it has an entry whose name could escape its folder ({ascii(info.filename)[:80]})")
        if info.filename in seen:
            raise _refuse_archive(f"it has two entries with the same name ({ascii(info.filename)[:80]})")
        seen.add(info.filename)


def unsafe_entry_name(name: str) -> bool:
    """True for empty, absolute, drive-letter, backslash, control-character or ``..`` names."""
    return (
        not name
        or name.startswith("/")
        or "\\" in name
        or bool(_DRIVE.match(name))
        or any(ord(char) < 0x20 or ord(char) == 0x7F for char in name)
        or ".." in name.split("/")
    )


def _check_declared_sizes(infos: list[zipfile.ZipInfo], max_total_bytes: int, max_ratio: int) -> None:
    expanded = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos)
    limit_mb = max_total_bytes / (1024 * 1024)
    if expanded > max_total_bytes:
        raise _refuse_archive(
            f"it expands to {expanded / (1024 * 1024):.0f} MB; the limit is {limit_mb:g} MB (a possible zip bomb)"
        )
    if expanded > max_ratio * max(compressed, 1) and expanded > _CHUNK:
        raise _refuse_archive(
            f"it expands {expanded / max(compressed, 1):.0f} times in size; the limit is {max_ratio} "
            "(a possible zip bomb)"
        )


def _read_everything(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], max_total_bytes: int, *, scan_for_scripts: bool
) -> _Contents:
    """Decompress every entry with a running cap, so sizes that lie in the headers are caught.

    zipfile checks each entry's CRC at its end, which catches a corrupt or forged entry.
    """
    contents = _Contents()
    total = 0
    try:
        for info in infos:
            keep_limit = _PARTS_TO_KEEP.get(info.filename)
            kept = bytearray()
            whole = bytearray()
            tail = b""
            with archive.open(info) as entry:
                while chunk := entry.read(_CHUNK):
                    total += len(chunk)
                    if total > max_total_bytes:
                        raise _refuse_archive(
                            f"it expands to more than {max_total_bytes / (1024 * 1024):g} MB (a possible zip bomb)"
                        )
                    if keep_limit is not None and len(kept) <= keep_limit:
                        kept += chunk
                    whole += chunk
                    if scan_for_scripts:
                        window = tail + chunk
                        if any(marker in window for marker in _ODF_SCRIPT_MARKERS):
                            contents.script_markers = True
                        tail = window[-32:]
            contents.entries[info.filename] = bytes(whole)
            if keep_limit is not None:
                if len(kept) > keep_limit:
                    raise _damaged()
                contents.kept[info.filename] = bytes(kept)
    except IntakeError:
        raise
    except Exception as exc:  # CRC mismatch, bad deflate data, unsupported compression...
        raise _damaged() from exc
    return contents


def _odf_type(contents: _Contents, names: set[str]) -> tuple[str, str]:
    mimetype = contents.kept.get("mimetype", b"").decode("ascii", "replace").strip()
    if mimetype != ODT[0]:
        raise IntakeError.wrong_type(_ODF_OTHER_TYPES.get(mimetype, "a ZIP-based document of another kind"))
    if "content.xml" not in names:
        raise _damaged()
    if contents.script_markers or any(name.lower().startswith(("basic/", "scripts/")) for name in names):
        raise _macros()
    return ODT


def _macros() -> IntakeError:
    return IntakeError(
        "This document contains macros or scripts, which Haven refuses for safety. "
        "Save it as a document without macros (docx, xlsx, pptx or odt) and upload that.",
        code="macros",
    )


def _ooxml_type(contents: _Contents, names: set[str]) -> tuple[str, str]:
    content_types = _content_types(contents.kept.get("[Content_Types].xml", b""))
    lowered = [value.lower() for value in content_types]
    if (
        any("macroenabled" in value or "vbaproject" in value or "activex" in value for value in lowered)
        or any(name.lower().rsplit("/", 1)[-1] in ("vbaproject.bin", "vbadata.xml") for name in names)
        or any(name.lower().startswith(("word/activex/", "xl/activex/", "ppt/activex/")) for name in names)
    ):
        raise _macros()
    for value in content_types:
        if value in _OOXML_MAIN_PARTS:
            folder, kind = _OOXML_MAIN_PARTS[value]
            if not any(name.startswith(folder) for name in names):
                raise _damaged()
            return kind
    for suffix, description in _OOXML_OTHER_MAIN_PARTS.items():
        if any(value.endswith(suffix) for value in lowered):
            raise IntakeError.wrong_type(description)
    raise IntakeError.wrong_type("an Office file of a kind Haven does not accept (only docx, xlsx and pptx)")


def _content_types(xml: bytes) -> list[str]:
    """Every ContentType named in [Content_Types].xml (DTDs refused: no entity tricks)."""
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise _damaged()
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise _damaged() from exc
    return [element.attrib["ContentType"] for element in root.iter() if "ContentType" in element.attrib]


def _describe_other_zip(names: set[str]) -> str:
    if "META-INF/MANIFEST.MF" in names:
        return "a Java archive (JAR)"
    if "AndroidManifest.xml" in names:
        return "an Android app (APK)"
    if any(name.lower().endswith(_PROGRAM_SUFFIXES) for name in names):
        return "a ZIP archive containing programs or scripts"
    return "a ZIP archive"


def _rezip(infos: list[zipfile.ZipInfo], entries: dict[str, bytes]) -> bytes:
    """The package again, entries in their order and with their dates; ``mimetype`` stays first and stored."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in infos:
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            archive.writestr(entry, entries[info.filename])
    return out.getvalue()
