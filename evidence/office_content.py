"""What is inside an Office or OpenDocument package: active content refused, hidden data removed.

Refused: Excel 4.0 macro sheets, links that load something from elsewhere when the file opens
(attached templates, pictures, frames, linked objects, other workbooks, data connections),
DDE and other fetching fields, OLE objects and embedded packages or programs, DDE and
web-calling formulas, PowerPoint program or macro actions, OpenDocument event listeners, scripts
and plug-ins. Web links (http, https, mailto) that a person has to click stay.

Cleaned: every picture re-encoded from its pixels through ``evidence.embedded_images``; the personal
document properties (author, last editor, company, manager, template path, custom properties, custom XML
data such as SharePoint library properties), the
names of who wrote comments and tracked changes, the folder Excel saved a workbook in, and OpenDocument's
printer names removed.
XML is read with defusedxml: no DTDs, no entities.
"""
from __future__ import annotations

import io
import re
import struct
from collections.abc import Iterator
from xml.etree import ElementTree

import defusedxml.ElementTree as SafeTree
from defusedxml.common import DefusedXmlException
from PIL import Image

from evidence.embedded_images import clean_embedded_image
from evidence.errors import IntakeError
from evidence.images import JPEG_QUALITY, check_pixel_count

_WEB_LINK = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)
_HAS_SCHEME = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|\\\\|//)", re.IGNORECASE)
_SCRIPT_ADDRESS = re.compile(r"^\s*(?:vnd\.sun\.star\.script:|macro:|(?:java|vb)script:|ppaction://(?:program|macro|ole))",
                             re.IGNORECASE)

# Relationship types (the last part of the type URI) that refuse a package, whether internal or external.
_REFUSED_RELATIONSHIPS = {
    "oleObject": "an embedded or linked object (OLE)",
    "package": "an embedded file or document (for example the data behind a chart)",
    "control": "an ActiveX control",
    "activeXControlBinary": "an ActiveX control",
    "vbaProject": "macros",
    "xlMacrosheet": "an Excel 4.0 macro sheet",
    "xlIntlMacrosheet": "an Excel 4.0 macro sheet",
    "macrosheet": "an Excel 4.0 macro sheet",
    "dialogsheet": "an Excel 5 dialog sheet (used by macros)",
    "externalLink": "a link to another workbook or program (external link)",
    "connections": "a data connection that fetches data from elsewhere",
    "queryTable": "a web or database query",
    "aFChunk": "an imported web page or document (altChunk)",
    "attachedTemplate": "a link to a template on another computer or web site (attached template)",
    "subDocument": "a linked sub-document",
    "frame": "a frame loaded from another address",
    "externalLinkPath": "a link to another workbook",
    "webextension": "an Office add-in (web extension), which loads from the internet",
    "webextensionTaskpanes": "an Office add-in (web extension), which loads from the internet",
}
_EXTERNAL_REASONS = {
    "image": "a picture loaded from another computer or web site when the file opens",
    "oleObject": "a linked object loaded from another computer",
}
# Parts that refuse a package wherever they are, by folder.
_REFUSED_FOLDERS = {
    "embeddings/": "an embedded or linked object (OLE) or an embedded file",
    "macrosheets/": "an Excel 4.0 macro sheet",
    "dialogsheets/": "an Excel 5 dialog sheet (used by macros)",
    "externallinks/": "a link to another workbook or program (external link)",
    "querytables/": "a web or database query",
    "activex/": "an ActiveX control",
    "webextensions/": "an Office add-in (web extension), which loads from the internet",
}
_PROGRAM_SIGNATURES = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",
                       b"\xca\xfe\xba\xbe", b"#!", b"\x00asm")
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MEDIA_SIGNATURES = ((4, b"ftyp"), (0, b"ID3"), (0, b"OggS"), (0, b"\x1aE\xdf\xa3"), (0, b"fLaC"))
_PROGRAM_SUFFIXES = (".exe", ".dll", ".js", ".vbs", ".bat", ".cmd", ".ps1", ".scr", ".lnk", ".msi", ".jar", ".hta",
                     ".wsf", ".com", ".cpl", ".sh")

# Word fields that fetch or run something: DDE, other files, pictures from addresses, OLE links.
_REFUSED_FIELDS = {
    "DDE": "a DDE field (it can run programs)",
    "DDEAUTO": "a DDE field (it can run programs)",
    "INCLUDETEXT": "a field that pulls in text from another file (INCLUDETEXT)",
    "INCLUDEPICTURE": "a field that loads a picture from another file or address (INCLUDEPICTURE)",
    "IMPORT": "a field that loads a picture from another file (IMPORT)",
    "LINK": "a field linked to another file (LINK)",
    "INCLUDE": "a field that pulls in another file (INCLUDE)",
}
# Spreadsheet functions that call out (web, DLLs, DDE, add-ins) or are Excel 4.0 macro commands.
_REFUSED_FUNCTIONS = re.compile(
    r"(?<![\w.])(?:_xlfn\.|_xlws\.)*(WEBSERVICE|FILTERXML|IMAGE|CALL|REGISTER(?:\.ID)?|EXEC|RTD|DDE|EVALUATE|"
    r"FOPEN|FWRITE(?:LN)?|FREAD(?:LN)?|HALT|RUN|EXECUTE|SEND\.KEYS|SET\.VALUE|FORMULA(?:\.FILL|\.ARRAY)?|"
    r"APP\.[A-Z.]+|FILES|DIRECTORY|GET\.WORKSPACE|GET\.CELL|GET\.DOCUMENT|GET\.WINDOW|ALERT)\s*\(",
    re.IGNORECASE,
)
_FORMULA_ELEMENTS = frozenset({"f", "formula", "formula1", "formula2", "calculatedColumnFormula",
                               "totalsRowFormula"})
_STRING_LITERAL = re.compile(r'"(?:[^"]|"")*"')
_AUTO_NAMES = re.compile(r"^(?:_xlnm\.)?auto_(?:open|close|activate|deactivate)", re.IGNORECASE)

# OpenDocument elements that run, fetch or embed something.
_ODF_REFUSED_ELEMENTS = {
    "event-listener": "an event handler that runs a macro or script",
    "script": "a script",
    "object-ole": "an embedded or linked object (OLE)",
    "plugin": "a plug-in",
    "applet": "a Java applet",
    "floating-frame": "a frame loaded from another address",
    "dde-connection-decl": "a DDE link (it can run programs)",
    "dde-source": "a DDE link (it can run programs)",
    "dde-link": "a DDE link (it can run programs)",
    "section-source": "a section linked to another file",
    "execute-macro": "a field that runs a macro",
    "binary-data": "a picture written into the text as data, which Haven cannot clean",
}
# Elements whose address is loaded when the document opens (not a link a person clicks).
_LOADING_ELEMENTS = frozenset({"imagedata", "fill", "image", "object", "fill-image", "background-image", "auto-reload",
                               "plugin", "applet", "floating-frame", "object-ole", "section-source", "imagefile"})
_PERSONAL_PROPERTIES = {  # by lower-case part name: package part names ignore case
    "docprops/core.xml": ("creator", "lastModifiedBy"),
    "docprops/app.xml": ("Company", "Manager", "Template", "HyperlinkBase"),
    "meta.xml": ("initial-creator", "creator", "printed-by", "user-defined", "template"),
}
_NAMESPACES = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "dcmitype": "http://purl.org/dc/dcmitype/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "ooo": "http://openoffice.org/2004/office",
    "grddl": "http://www.w3.org/2003/g/data-view#",
}
_XML_SUFFIXES = (".xml", ".rels", ".vml")


def refuse(reason: str, fix: str = "") -> IntakeError:
    fix = fix or ("Remove it (or save the document as PDF, or paste pictures and charts as plain pictures) "
                  "and upload that.")
    return IntakeError(f"This document contains {reason}, which Haven refuses for safety. {fix}", code="archive")


def _macros(reason: str = "macros or scripts") -> IntakeError:
    return IntakeError(
        f"This document contains {reason}, which Haven refuses for safety. "
        "Save it as a document without macros (docx, xlsx, pptx or odt) and upload that.",
        code="macros",
    )


# --- active content -------------------------------------------------------------------------------


def check_active_content(entries: dict[str, bytes], *, odf: bool) -> None:
    """Raise IntakeError for anything in the package that runs, fetches or hides a program."""
    for name, data in entries.items():
        _check_part_by_name_and_bytes(name, data)
    for name, data in entries.items():
        if name.lower().endswith(_XML_SUFFIXES) or looks_like_xml(data):
            _check_xml_part(name, data, odf=odf)


def looks_like_xml(data: bytes) -> bool:
    """True for XML whatever the part is called: Office finds parts by relationship, not by extension."""
    head = data[:64]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return b"<" in head.decode("utf-16", "ignore").encode()[:8]
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"<"


def _check_part_by_name_and_bytes(name: str, data: bytes) -> None:
    lowered = name.lower()
    for folder, reason in _REFUSED_FOLDERS.items():
        if f"/{folder}" in f"/{lowered}":
            if folder in ("macrosheets/", "dialogsheets/", "activex/"):
                raise _macros(reason)
            raise refuse(reason)
    if lowered.endswith(_PROGRAM_SUFFIXES) or data.startswith(_PROGRAM_SIGNATURES):
        raise refuse(f"a program or script file ({ascii(name)[1:-1][:80]})")
    if data.startswith(_OLE_SIGNATURE):
        raise refuse("an embedded or linked object (OLE)")
    if any(data[offset : offset + len(signature)] == signature for offset, signature in _MEDIA_SIGNATURES):
        raise refuse("a video or sound file, which can carry hidden data such as a location",
                     "Remove it and upload the document again.")
    if lowered.startswith(("object ", "objectreplacements/")) and lowered.endswith(".bin"):
        raise refuse("an embedded or linked object (OLE)")


def _check_xml_part(name: str, data: bytes, *, odf: bool) -> None:
    if name.lower().endswith(".rels") or "/_rels/" in f"/{name.lower()}":
        _check_relationships(_parse(name, data))
        return
    if name.lower().endswith(".vml"):
        try:
            root = SafeTree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except ElementTree.ParseError:  # Office writes VML that is not always well-formed XML
            _check_loose_vml(data)
            return
        except (DefusedXmlException, ValueError):
            root = _parse(name, data)
    else:
        root = _parse(name, data)
    word = name.lower().startswith("word/")
    spreadsheet = name.lower().startswith("xl/")
    fields = _FieldReader() if word else None
    for event, element in _walk(root):
        local = _local(element.tag)
        if event == "end":
            if fields is not None:
                fields.end(local)
            continue
        if odf:
            _check_odf_element(element, local)
        if spreadsheet:
            _check_spreadsheet_element(element, local)
        _check_attributes(element, local, odf=odf)
        if fields is not None:
            fields.start(element, local)
        if local == "FmlaMacro" and (element.text or "").strip():
            raise _macros("a button that runs a macro")
        if word and local == "mailMerge":
            raise refuse("a mail merge connected to a data source", "Finish or remove the mail merge and upload that.")
    if fields is not None:
        fields.finish()


_LOOSE_VML_RISKS = re.compile(
    rb"<(?:\w+:)?FmlaMacro>\s*[^<\s]|<(?:\w+:)?OLEObject\b|\s(?:\w+:)?(?:href|src)\s*=\s*[\"']?\s*(?:[a-z][a-z0-9+.-]*:|\\\\|//)",
    re.IGNORECASE,
)


def _check_loose_vml(data: bytes) -> None:
    found = _LOOSE_VML_RISKS.search(data)
    if found is not None:
        raise refuse(f"a drawing (VML) that runs a macro, holds an object or loads from another address "
                     f"({ascii(found.group()[:40].decode('latin-1'))[1:-1]})")


def _parse(name: str, data: bytes) -> ElementTree.Element:
    try:
        return SafeTree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ElementTree.ParseError, ValueError) as exc:
        raise IntakeError(
            f"This document has a part that is not well-formed XML or uses XML tricks ({ascii(name)[1:-1][:80]}). "
            "Save it again and upload the new copy.",
            code="damaged",
        ) from exc


def _walk(root: ElementTree.Element) -> Iterator[tuple[str, ElementTree.Element]]:
    """("start", element) and ("end", element) in document order, without recursion."""
    stack: list[tuple[ElementTree.Element, int]] = [(root, 0)]
    yield "start", root
    while stack:
        element, index = stack[-1]
        if index < len(element):
            stack[-1] = (element, index + 1)
            child = element[index]
            yield "start", child
            stack.append((child, 0))
        else:
            stack.pop()
            yield "end", element


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _check_relationships(root: ElementTree.Element) -> None:
    for relationship in root.iter():
        if _local(relationship.tag) != "Relationship":
            continue
        kind = relationship.get("Type", "").rstrip("/").rsplit("/", 1)[-1]
        target = relationship.get("Target", "").strip()
        external = relationship.get("TargetMode", "").lower() == "external"
        if kind == "attachedTemplate" and not _is_remote(target):
            continue  # a template on this computer: the path (and the user name in it) is removed when stored
        if kind in _REFUSED_RELATIONSHIPS:
            if kind in ("vbaProject", "xlMacrosheet", "xlIntlMacrosheet", "macrosheet", "dialogsheet", "control",
                        "activeXControlBinary"):
                raise _macros(_REFUSED_RELATIONSHIPS[kind])
            raise refuse(_REFUSED_RELATIONSHIPS[kind])
        if not external:
            continue
        if kind == "hyperlink":
            if _SCRIPT_ADDRESS.match(target):
                raise _macros("a link that runs a script or program")
            if not _WEB_LINK.match(target) and not target.startswith("#"):
                raise refuse(f"a link to a file on another computer ({ascii(target)[1:-1][:60]})",
                             "Link to a web address (https://…) instead, or remove the link, and upload that.")
            continue
        raise refuse(_EXTERNAL_REASONS.get(kind, f"something loaded from another address ({ascii(kind)[1:-1][:40]})"),
                     "Insert the picture or content into the document itself (not as a link) and upload that.")


def _is_remote(target: str) -> bool:
    """True for web, FTP and network-share addresses; False for a path on the author's own computer."""
    lowered = target.strip().lower().replace("\\", "/")
    if lowered.startswith("file:"):
        rest = lowered[len("file:"):]
        if rest.startswith("///"):
            return rest.startswith("////")  # file:////server/share is a network share
        return rest.startswith("//") and rest[2:].split("/", 1)[0] not in ("", "localhost")
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]{1,}:|//)", lowered))


def _check_attributes(element: ElementTree.Element, local: str, *, odf: bool) -> None:
    for attribute, value in element.attrib.items():
        name = _local(attribute)
        if _SCRIPT_ADDRESS.match(value) and name in ("href", "action", "src", "macro", "onAction", "language"):
            raise _macros("a link or button that runs a macro, a script or a program")
        if name == "macro" and value.strip():
            raise _macros("a button or shape that runs a macro")
        if name == "src" and _HAS_SCHEME.match(value.strip()):
            raise refuse("a picture or object loaded from another address when the file opens",
                         "Insert it into the document itself (not as a link) and upload that.")
        if name == "href" and value.strip() and local != "template":  # ODF's template path is removed when stored
            target = value.strip()
            loads = local in _LOADING_ELEMENTS
            outside = _HAS_SCHEME.match(target) or target.startswith(("/", "../"))
            if loads and outside:
                raise refuse("a picture or object loaded from another address when the file opens",
                             "Insert it into the document itself (not as a link) and upload that.")
            if not loads and outside and not _WEB_LINK.match(target):
                raise refuse(f"a link to a file on another computer ({ascii(target)[1:-1][:60]})",
                             "Link to a web address (https://…) instead, or remove the link, and upload that.")


def _check_spreadsheet_element(element: ElementTree.Element, local: str) -> None:
    if local in _FORMULA_ELEMENTS and element.text:
        _check_formula(element.text)
    elif local == "definedName":
        if _AUTO_NAMES.match(element.get("name", "")) or any(
            element.get(flag) in ("1", "true") for flag in ("xlm", "function", "vbProcedure")
        ):
            raise _macros("an Excel 4.0 macro (a name that runs on opening)")
        if element.text:
            _check_formula(element.text)
    elif local == "sheet" and element.get("type", "").lower() in ("macro", "xlm", "dialog"):
        raise _macros("an Excel 4.0 macro sheet")


def _check_formula(formula: str) -> None:
    code = _STRING_LITERAL.sub('""', formula)
    called = _REFUSED_FUNCTIONS.search(code)
    if called is not None:
        raise refuse(f"a formula that calls out or runs a command ({called.group(1).upper()})",
                     "Replace the formula with its value (copy, paste values) and upload that.")
    if "|" in code:
        raise refuse("a DDE formula (it can run programs)",
                     "Replace the formula with its value (copy, paste values) and upload that.")


def _check_odf_element(element: ElementTree.Element, local: str) -> None:
    if local in _ODF_REFUSED_ELEMENTS:
        reason = _ODF_REFUSED_ELEMENTS[local]
        if local in ("event-listener", "script", "execute-macro"):
            raise _macros(reason)
        raise refuse(reason)
    if local == "form" and _attribute(element, "href").strip():
        raise refuse("a form that sends what is typed into it to an address")
    if local == "connection-resource":
        raise refuse("a connection to a database")
    if local == "scripts" and len(element):
        raise _macros("scripts or macros")
    if local == "event-listeners" and len(element):
        raise _macros("an event handler that runs a macro or script")


class _FieldReader:
    """Word fields, simple and complex, with their instruction text joined across runs.

    A complex field is ``fldChar begin``, ``instrText``… (maybe split over many runs, maybe with
    nested fields), ``fldChar separate``, its result, ``fldChar end``.
    """

    def __init__(self) -> None:
        self.stack: list[list[str]] = []  # instruction pieces of each open field
        self.collecting: list[bool] = []
        self.nested_first: list[bool] = []
        self.in_instruction = False

    def start(self, element: ElementTree.Element, local: str) -> None:
        if local == "fldSimple":
            _check_field(_attribute(element, "instr"), nested_first=False)
        elif local == "fldChar":
            kind = _attribute(element, "fldCharType")
            if kind == "begin":
                if self.stack and self.collecting[-1] and not "".join(self.stack[-1]).strip():
                    self.nested_first[-1] = True  # the outer field's name comes from this field's result
                self.stack.append([])
                self.collecting.append(True)
                self.nested_first.append(False)
            elif kind == "separate" and self.stack:
                self._close_instruction()
            elif kind == "end" and self.stack:
                if self.collecting[-1]:
                    self._close_instruction()
                self.stack.pop()
                self.collecting.pop()
                self.nested_first.pop()
        elif local in ("instrText", "delInstrText"):
            self.in_instruction = True
            if self.stack and self.collecting[-1]:
                self.stack[-1].append(element.text or "")

    def end(self, local: str) -> None:
        if local in ("instrText", "delInstrText"):
            self.in_instruction = False

    def finish(self) -> None:
        while self.stack:
            if self.collecting[-1]:
                self._close_instruction()
            self.stack.pop()
            self.collecting.pop()
            self.nested_first.pop()

    def _close_instruction(self) -> None:
        self.collecting[-1] = False
        _check_field("".join(self.stack[-1]), nested_first=self.nested_first[-1])


def _attribute(element: ElementTree.Element, name: str) -> str:
    for attribute, value in element.attrib.items():
        if _local(attribute) == name:
            return value
    return ""


def _check_field(instruction: str, *, nested_first: bool) -> None:
    words = instruction.replace('"', " ").replace("\\", " ").split()
    keyword = words[0].upper() if words else ""
    if keyword in _REFUSED_FIELDS:
        raise refuse(_REFUSED_FIELDS[keyword], "Delete the field (or turn it into plain text) and upload that.")
    if nested_first:
        raise refuse("a field whose command is built by another field (a way to hide DDE)",
                     "Delete the field (or turn it into plain text) and upload that.")
    if re.search(r"\bDDE(?:AUTO)?\b", instruction, re.IGNORECASE):
        raise refuse(_REFUSED_FIELDS["DDE"], "Delete the field (or turn it into plain text) and upload that.")
    if keyword == "HYPERLINK" and len(words) > 1:
        target = next((word for word in words[1:] if not word.startswith("\\") and len(word) > 2), "")
        if _SCRIPT_ADDRESS.match(target):
            raise _macros("a link that runs a script or program")
        if _HAS_SCHEME.match(target) and not _WEB_LINK.match(target):
            raise refuse(f"a link to a file on another computer ({ascii(target)[1:-1][:60]})",
                         "Link to a web address (https://…) instead, or remove the link, and upload that.")


# --- the copy that is stored --------------------------------------------------------------------------

_RASTER_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
)


def clean_parts(entries: dict[str, bytes], *, max_pixels: int) -> bool:
    """Re-encode pictures and remove personal properties in place; True when anything changed."""
    changed = False
    for name in list(entries):
        data = entries[name]
        cleaned = _clean_picture(name, data, max_pixels)
        lowered = name.lower()
        if cleaned is None and lowered in _PERSONAL_PROPERTIES:
            cleaned = _without_properties(name, data, _PERSONAL_PROPERTIES[lowered])
        elif cleaned is None and lowered.endswith(".rels") and b"attachedTemplate" in data:
            cleaned = _ATTACHED_TEMPLATE.sub(_template_file_name_only, data)
        elif cleaned is None and lowered == "docprops/custom.xml":
            cleaned = _without_children(name, data)
        elif cleaned is None and _CUSTOM_XML_ITEM.match(lowered):
            cleaned = _without_children(name, data, text_too=True)
        elif cleaned is None and lowered.endswith(".xml"):
            cleaned = _without_people(lowered, data)
        elif cleaned is None:
            _check_other_picture(name, data)
        if cleaned is not None and cleaned != data:
            entries[name] = cleaned
            changed = True
    return changed


_ATTACHED_TEMPLATE = re.compile(rb"<[^<>]*attachedTemplate[^<>]*>")
# Custom XML data (SharePoint library properties, bound content controls): people and addresses out of sight.
# Its itemProps parts (an id and schema names) stay, and so does each item's root, so the package still opens.
_CUSTOM_XML_ITEM = re.compile(r"^(?:.*/)?customxml/item\d*\.xml$")
_TARGET = re.compile(rb'(Target=["\'])([^"\']*)')


def _template_file_name_only(match: re.Match[bytes]) -> bytes:
    return _TARGET.sub(lambda target: target.group(1) + re.split(rb"[/\\]", target.group(2))[-1], match.group(0))


def _picture_format(data: bytes) -> str | None:
    for signature, fmt in _RASTER_SIGNATURES:
        if data.startswith(signature) and (fmt != "BMP" or (len(data) >= 26 and data[6:10] == b"\0\0\0\0")):
            return fmt
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _clean_picture(name: str, data: bytes, max_pixels: int) -> bytes | None:
    fmt = _picture_format(data)
    if fmt is None:
        return None
    try:
        with Image.open(io.BytesIO(data)) as opened:
            check_pixel_count(*opened.size, max_pixels)
            opened.load()
            lossless_webp = fmt == "WEBP" and b"VP8L" in data[:64]
            picture = opened.convert("RGBA") if opened.mode == "P" and "transparency" in opened.info else opened.copy()
    except IntakeError as error:
        raise IntakeError(f"A picture inside this document is too large: {error.message}", code="pixels") from error
    except Exception as exc:
        raise IntakeError(
            f"This document holds a picture Haven cannot read to remove its hidden data ({ascii(name)[1:-1][:80]}). "
            "Insert the picture again (as JPEG or PNG), or save the document as PDF, and upload that.",
            code="archive",
        ) from exc
    clean = clean_embedded_image(picture, name)
    out = io.BytesIO()
    if fmt == "JPEG":
        (clean if clean.mode in ("RGB", "L") else clean.convert("RGB")).save(out, format="JPEG", quality=JPEG_QUALITY)
    elif fmt == "WEBP":
        clean.save(out, format="WEBP", lossless=lossless_webp, quality=JPEG_QUALITY if not lossless_webp else 80)
    else:  # PNG, GIF, TIFF and BMP stay what they were, so the part's name and content type still fit
        clean.save(out, format=fmt)
    return out.getvalue()


_WMF_SIGNATURES = (b"\xd7\xcd\xc6\x9a", b"\x01\x00\x09\x00", b"\x02\x00\x09\x00")
_WMF_PLACEABLE = b"\xd7\xcd\xc6\x9a"
# Records that paint a bitmap: EMF's BITBLT, STRETCHBLT, MASKBLT, PLGBLT, SETDIBITSTODEVICE, STRETCHDIBITS,
# ALPHABLEND, TRANSPARENTBLT and pattern brushes made of a bitmap; WMF's DIB and bitmap blits and brushes.
_EMF_BITMAP_RECORDS = frozenset({76, 77, 78, 79, 80, 81, 93, 94, 114, 116})
_WMF_BITMAP_FUNCTIONS = frozenset({0x0922, 0x0940, 0x0B23, 0x0B41, 0x0D33, 0x0F43, 0x0142, 0x01F9})


def _check_other_picture(name: str, data: bytes) -> None:
    """Windows metafiles may wrap a photo (a JPEG or PNG with its metadata, or raw bitmap pixels that the
    privacy scan cannot reach); SVG may run scripts or fetch."""
    lowered = name.lower()
    metafile = data[40:44] == b" EMF" or data.startswith(_WMF_SIGNATURES)
    if metafile and (b"\xff\xd8\xff" in data or b"\x89PNG" in data or b"Exif" in data or _paints_a_bitmap(data)):
        raise refuse("a photo wrapped in a Windows drawing (EMF/WMF), which Haven cannot check for faces and "
                     "addresses and which can keep hidden data such as a location",
                     "Insert the photo again as a JPEG or PNG picture (or save the document as PDF) and upload that.")
    if lowered.endswith((".svg", ".svgz")) or (not lowered.endswith(_XML_SUFFIXES) and b"<svg" in data[:2048]):
        _check_svg(name, data)


def _paints_a_bitmap(data: bytes) -> bool:
    """Does the metafile hold a record that paints bitmap pixels? A record that cannot be walked counts as one."""
    if data[40:44] == b" EMF":  # records: type, size in bytes; EMR_EOF (14) ends them
        return _bitmap_record(data, 0, struct.Struct("<II"), lambda kind, size: (kind, size),
                              _EMF_BITMAP_RECORDS, end=14, smallest=8)
    offset = 22 if data.startswith(_WMF_PLACEABLE) else 0
    if offset + 18 > len(data):
        return False
    offset += struct.unpack_from("<H", data, offset + 2)[0] * 2  # the header's size, in 16-bit words
    # records: size in 16-bit words, function; META_EOF (0) ends them
    return _bitmap_record(data, offset, struct.Struct("<IH"), lambda words, function: (function, words * 2),
                          _WMF_BITMAP_FUNCTIONS, end=0, smallest=6)


def _bitmap_record(data: bytes, offset: int, head: struct.Struct, kind_and_size, bitmap_kinds: frozenset[int], *,
                   end: int, smallest: int) -> bool:
    while offset + head.size <= len(data):
        kind, size = kind_and_size(*head.unpack_from(data, offset))
        if kind in bitmap_kinds:
            return True
        if kind == end:
            return False
        if size < smallest:
            return True
        offset += size
    return False


def _check_svg(name: str, data: bytes) -> None:
    root = _parse(name, data)
    for element in root.iter():
        local = _local(element.tag)
        if local in ("script", "foreignObject", "iframe", "embed", "object", "handler", "listener"):
            raise refuse("a drawing (SVG) with a script or embedded content",
                         "Insert it again as a PNG picture and upload that.")
        for attribute, value in element.attrib.items():
            attribute_name = _local(attribute).lower()
            target = value.strip()
            if attribute_name.startswith("on") or (
                attribute_name in ("href", "src") and target and not target.startswith(("#", "data:image/"))
            ):
                raise refuse("a drawing (SVG) with a script or a link to another address",
                             "Insert it again as a PNG picture and upload that.")


# Who wrote a comment or a tracked change: attributes blanked in place (re-serialising Word's XML would
# rename the prefixes that mc:Ignorable names), plus Excel's comment authors and PowerPoint's.
_PEOPLE_ATTRIBUTES = re.compile(
    rb"""(\s(?:[\w.-]+:)?(?:author|initials|userId|providerId|displayName)\s*=\s*)("[^"]*"|'[^']*')"""
)
_DOCUMENT_VARIABLES = re.compile(rb"<w:docVars>.*?</w:docVars>|<w:docVars/>", re.S)
_SLIDE_AUTHORS = re.compile(rb"""(\s(?:name|initials)\s*=\s*)("[^"]*"|'[^']*')""")
# The folder Excel saved a workbook in (x15ac:absPath), whose path names the Windows user, in whatever part.
_SAVED_IN_FOLDER = re.compile(rb"""(<(?:[\w.-]+:)?absPath\b[^<>]*?\surl\s*=\s*)("[^"]*"|'[^']*')""")
_EXCEL_USER_NAMES = re.compile(rb"""(\s(?:[\w.-]+:)?userName\s*=\s*)("[^"]*"|'[^']*')""")
_SHEET_AUTHORS = re.compile(rb"(<(?:[\w.-]+:)?author>)[^<]*(</(?:[\w.-]+:)?author>)")
_ODF_PRINTER = re.compile(
    rb"""(<config:config-item\s+config:name="(?:PrinterName|PrinterSetup)"[^>]*>)[^<]*(</config:config-item>)"""
)


def _without_people(lowered: str, data: bytes) -> bytes:
    data = _SAVED_IN_FOLDER.sub(rb'\1""', data)
    if lowered == "word/settings.xml":  # document variables: hidden values a template or add-in kept
        data = _DOCUMENT_VARIABLES.sub(b"", data)
    if lowered.startswith("word/") or lowered.startswith("xl/persons/") or lowered.startswith("xl/threadedcomments/"):
        return _PEOPLE_ATTRIBUTES.sub(rb'\1""', data)
    if lowered.startswith("xl/comments"):
        return _SHEET_AUTHORS.sub(rb"\1\2", data)
    if lowered == "xl/revisions/usernames.xml":  # who tracked changes in a shared workbook
        return _EXCEL_USER_NAMES.sub(rb'\1""', _SLIDE_AUTHORS.sub(rb'\1""', data))
    if lowered.startswith("xl/"):  # fileSharing and revision headers name the user
        return _EXCEL_USER_NAMES.sub(rb'\1""', data)
    if lowered == "ppt/commentauthors.xml" or lowered.startswith("ppt/authors"):
        return _PEOPLE_ATTRIBUTES.sub(rb'\1""', _SLIDE_AUTHORS.sub(rb'\1""', data))
    if lowered == "settings.xml":
        return _ODF_PRINTER.sub(rb"\1\2", data)
    if lowered in ("content.xml", "styles.xml"):  # OpenDocument comments and tracked changes
        return re.sub(rb"(<dc:creator>)[^<]*(</dc:creator>)", rb"\1\2", data)
    return data


def _without_properties(name: str, data: bytes, local_names: tuple[str, ...]) -> bytes:
    root = _parse(name, data)
    _register_namespaces()
    removed = False
    for parent in list(root.iter()):
        for child in list(parent):
            if _local(child.tag) in local_names:
                parent.remove(child)
                removed = True
    if not removed:
        return data
    return ElementTree.tostring(root, encoding="UTF-8", xml_declaration=True)


def _without_children(name: str, data: bytes, *, text_too: bool = False) -> bytes:
    root = _parse(name, data)
    if not len(root) and not (text_too and (root.text or "").strip()):
        return data
    _register_namespaces()
    for child in list(root):
        root.remove(child)
    if text_too:
        root.text = None
    return ElementTree.tostring(root, encoding="UTF-8", xml_declaration=True)


def _register_namespaces() -> None:
    """Keep the usual prefixes: ``xsi:type="dcterms:W3CDTF"`` names a prefix inside an attribute value."""
    for prefix, uri in _NAMESPACES.items():
        ElementTree.register_namespace(prefix, uri)
