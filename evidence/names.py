"""Display names for evidence: what people see, never a path and never the storage key."""
from __future__ import annotations

import re
import unicodedata

MAX_NAME_CHARS = 120
DEFAULT_STEM = "evidence"

# Cc (controls), Cf (format: bidi overrides and isolates, LRM/RLM/ALM, zero-width characters,
# BOM, soft hyphen), Cs (lone surrogates), Co (private use) and Cn (unassigned).
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_KNOWN_EXTENSIONS = frozenset(
    "jpg jpeg jpe jfif png webp heic heif gif bmp tif tiff svg pdf doc docx docm dot dotx xls xlsx "
    "xlsm xlsb ppt pptx pptm pps ppsx odt ods odp rtf txt text csv tsv htm html xml exe dll bat cmd "
    "js vbs ps1 scr com msi sh zip rar 7z gz".split()
)
_SHORT_EXTENSION = re.compile(r"[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*")
_DRIVE = re.compile(r"^[A-Za-z]:")


def clean_display_name(name: str, extension: str | None = None) -> str:
    """A safe, readable file name of at most MAX_NAME_CHARS characters.

    Keeps only the last path part (``/`` and ``\\`` both count), drops control, bidirectional
    and zero-width characters, NFC-normalises and collapses white space. With ``extension``
    (such as ".pdf", the detected type), the name's own extension is replaced by it.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = "".join(" " if char.isspace() else char for char in text)
    text = "".join(char for char in text if unicodedata.category(char) not in _DROPPED_CATEGORIES)
    text = re.split(r"[/\\]", text)[-1]
    text = _DRIVE.sub("", text)
    text = unicodedata.normalize("NFC", " ".join(text.split())).strip(" .")
    stem, current = split_extension(text)
    if extension is not None:
        current = extension.lower() if extension.startswith(".") else f".{extension.lower()}"
    return _fit(stem or DEFAULT_STEM, current)


def split_extension(name: str) -> tuple[str, str]:
    """(stem, ".ext") when the name ends in something that looks like a file extension."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        return name, ""
    known = suffix.lower() in _KNOWN_EXTENSIONS
    if known or (len(suffix) <= 4 and _SHORT_EXTENSION.fullmatch(suffix)):
        return stem.rstrip(" ."), f".{suffix.lower() if known else suffix}"
    return name, ""


def _fit(stem: str, extension: str) -> str:
    extension = extension[:16]
    room = MAX_NAME_CHARS - len(extension)
    if len(stem) > room:
        stem = stem[:room].rstrip(" .")
        while stem and unicodedata.combining(stem[-1]):
            stem = stem[:-1]
    return f"{stem or DEFAULT_STEM}{extension}"
