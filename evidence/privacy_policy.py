"""The privacy guard's rules: what the uploader decided, checked against what the scan found. Pure.

The policy: faces and sensitive text (house numbers, street names, number plates...) are blurred,
other text (a FIRE EXIT sign) stays legible, and regions the uploader marks are blurred. Keeping a
face or sensitive text legible needs a reason. A document that looks like a victim's case file is
refused unless the uploader gives a reason to store it.

Only kinds, boxes and reasons are recorded, never the text the scan read: a house number written
into the database would give away what the blur hid.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum

from evidence.errors import IntakeError
from privacy.model import Box, DocumentScan, ImageScan, Region, RegionKind

MAX_REASON = 500
MAX_LABEL = 120
DEFAULT_MANUAL_LABEL = "a region marked by the uploader"
KIND_WORDS = {
    RegionKind.FACE: "face",
    RegionKind.SENSITIVE_TEXT: "sensitive text",
    RegionKind.TEXT: "other text",
    RegionKind.MANUAL: "region marked by the uploader",
}


def counted(number: int, word: str) -> str:
    """"1 face", "2 faces", "2 sensitive texts"."""
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


class PrivacyRefused(IntakeError):
    """The uploader's choices break the policy (a face kept without a reason...); nothing is stored."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="privacy")


class CaseFileRefused(IntakeError):
    """A document that looks like a victim's case file, refused unless a reason is given."""

    def __init__(self, scan: DocumentScan) -> None:
        self.reasons = tuple(scan.case_file_reasons)
        self.personal_data = tuple(dict.fromkeys(str(finding.kind) for finding in scan.personal_data))
        super().__init__(case_file_message(self.reasons), code="case_file")


def case_file_message(reasons: tuple[str, ...]) -> str:
    found = "; ".join(reasons) or "personal details of one person"
    return (f"This document looks like a victim's case file ({found}). Haven holds your organisation's evidence, "
            "never victims' case files, so it was not stored. If it is your organisation's own document, store it "
            "only with a reason: it is then flagged to the reviewer and recorded in the audit log.")


class RegionAction(StrEnum):
    BLURRED = "blurred"
    KEPT = "kept"


@dataclass(frozen=True)
class KeptRegion:
    """A detected face or sensitive text the uploader keeps legible, and why."""

    box: Box
    reason: str


@dataclass(frozen=True)
class ManualRegion:
    """A region the uploader marks to blur (a window view, a car), with their own words for it."""

    box: Box
    label: str = ""


@dataclass(frozen=True)
class PrivacyDecision:
    """The uploader's choices; the empty decision is the default policy.

    Detected regions are named by their box. A face or sensitive text is blurred unless it is in
    `kept_with_reason`; other text is kept unless it is in `regions_to_blur`. `keep_detected_reason`
    (the command line's --keep-detected) keeps every detection, in the file and in the images inside
    a document. `allow_personal_data_reason` stores a document that looks like a case file.
    """

    regions_to_blur: tuple[Box, ...] = ()
    kept_with_reason: tuple[KeptRegion, ...] = ()
    manual_regions: tuple[ManualRegion, ...] = ()
    keep_detected_reason: str | None = None
    allow_personal_data_reason: str | None = None

    @property
    def has_region_choices(self) -> bool:
        return bool(self.regions_to_blur or self.kept_with_reason or self.manual_regions)


DEFAULT_POLICY = PrivacyDecision()
# privacy-scan: the intake checks the file and nothing is blurred or refused, because nothing is stored.
REPORT_ONLY = PrivacyDecision(keep_detected_reason="privacy-scan: a report, nothing is stored",
                              allow_personal_data_reason="privacy-scan: a report, nothing is stored")


@dataclass(frozen=True)
class RegionOutcome:
    """One region of a stored image and what was done to it (no text the scan read)."""

    kind: RegionKind
    box: Box
    action: RegionAction
    reason: str = ""  # the uploader's reason for keeping a face or sensitive text legible
    label: str = ""  # the uploader's words for a region of their own
    found_as: str = ""  # the detector's reason for calling text sensitive ("house number")
    source: str = ""  # "" for the file itself; "image 2 inside the document" for an embedded image

    @property
    def kept_with_reason(self) -> bool:
        return self.action == RegionAction.KEPT and self.kind in (RegionKind.FACE, RegionKind.SENSITIVE_TEXT)


@dataclass(frozen=True)
class PrivacyRecord:
    """What the guard found in one stored file and what was decided; kept with the evidence revision."""

    regions: tuple[RegionOutcome, ...] = ()
    images_scanned: int = 0
    text_scanned: bool = False
    personal_data: tuple[str, ...] = ()  # kinds found in a document's text ("date_of_birth"), no excerpts
    case_file: bool = False
    case_file_reasons: tuple[str, ...] = ()
    allowed_reason: str = ""  # why a document that looks like a case file was stored anyway

    def count(self, kind: RegionKind, action: RegionAction | None = None) -> int:
        return sum(1 for r in self.regions if r.kind == kind and (action is None or r.action == action))

    @property
    def blurred(self) -> int:
        return sum(1 for r in self.regions if r.action == RegionAction.BLURRED)

    @property
    def kept_with_reason(self) -> tuple[RegionOutcome, ...]:
        return tuple(r for r in self.regions if r.kept_with_reason)

    def summary(self) -> str:
        """One sentence for people: the counts, what was kept and the case-file flag."""
        parts = []
        if self.images_scanned:
            found = [counted(self.count(kind), KIND_WORDS[kind]) for kind in
                     (RegionKind.FACE, RegionKind.SENSITIVE_TEXT, RegionKind.TEXT) if self.count(kind)]
            parts.append(("found " + ", ".join(found)) if found else "found no face or text")
            parts.append(f"{counted(self.blurred, 'region')} blurred")
            if self.count(RegionKind.MANUAL):
                parts.append(f"{self.count(RegionKind.MANUAL)} marked by the uploader")
            if self.kept_with_reason:
                parts.append(f"{len(self.kept_with_reason)} kept legible with a reason")
        if self.case_file:
            parts.append("looks like a case file, stored with a reason")
        elif self.personal_data:
            parts.append("personal data in the text: " + ", ".join(personal_data_words(k) for k in self.personal_data))
        return "; ".join(parts) if parts else "nothing to scan"

    def audit_detail(self) -> dict:
        """The figures for the audit log entry of the upload."""
        detail = {
            "faces": self.count(RegionKind.FACE), "sensitive_text": self.count(RegionKind.SENSITIVE_TEXT),
            "other_text": self.count(RegionKind.TEXT), "manual": self.count(RegionKind.MANUAL),
            "blurred": self.blurred, "images_scanned": self.images_scanned,
            "kept_with_reason": [{"kind": str(r.kind), "reason": r.reason} for r in self.kept_with_reason],
        }
        if self.text_scanned:
            detail.update(case_file=self.case_file, personal_data=list(self.personal_data))
        if self.case_file:
            detail.update(case_file_reasons=list(self.case_file_reasons), allowed_reason=self.allowed_reason)
        return detail

    def to_json(self) -> str:
        return json.dumps({
            "regions": [{"kind": str(r.kind), "box": [r.box.x, r.box.y, r.box.width, r.box.height],
                         "action": str(r.action), "reason": r.reason, "label": r.label, "found_as": r.found_as,
                         "source": r.source} for r in self.regions],
            "images_scanned": self.images_scanned, "text_scanned": self.text_scanned,
            "personal_data": list(self.personal_data), "case_file": self.case_file,
            "case_file_reasons": list(self.case_file_reasons), "allowed_reason": self.allowed_reason,
        }, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> PrivacyRecord:
        raw = json.loads(text)
        return cls(
            regions=tuple(RegionOutcome(kind=RegionKind(r["kind"]), box=Box(*r["box"]),
                                        action=RegionAction(r["action"]), reason=r["reason"], label=r["label"],
                                        found_as=r["found_as"], source=r["source"]) for r in raw["regions"]),
            images_scanned=raw["images_scanned"], text_scanned=raw["text_scanned"],
            personal_data=tuple(raw["personal_data"]), case_file=raw["case_file"],
            case_file_reasons=tuple(raw["case_file_reasons"]), allowed_reason=raw["allowed_reason"],
        )


NOT_SCANNED = PrivacyRecord()


@dataclass
class RecordBuilder:
    """Collects the outcomes of one file's images and text while the intake runs."""

    regions: list[RegionOutcome] = field(default_factory=list)
    images_scanned: int = 0
    document: DocumentScan | None = None
    allowed_reason: str = ""

    def build(self) -> PrivacyRecord:
        """The record to keep. A case file's reasons are kept as the kinds of personal data found, without the
        excerpts the scan quotes: those are shown to the uploader, never written to the database or the log."""
        document = self.document
        kinds = tuple(dict.fromkeys(str(f.kind) for f in document.personal_data)) if document else ()
        case_file = bool(document and document.case_file)
        return PrivacyRecord(
            regions=tuple(self.regions), images_scanned=self.images_scanned, text_scanned=document is not None,
            personal_data=kinds, case_file=case_file,
            case_file_reasons=tuple(personal_data_words(kind) for kind in kinds) if case_file else (),
            allowed_reason=self.allowed_reason if case_file else "",
        )


def personal_data_words(kind: str) -> str:
    """"date_of_birth" -> "date of birth"."""
    return kind.replace("_", " ")


def clean_reason(text: str | None) -> str:
    return " ".join((text or "").split())[:MAX_REASON]


def decide_regions(scan: ImageScan, decision: PrivacyDecision, *, source: str = "") -> tuple[RegionOutcome, ...]:
    """Every detected region with its action under `decision`, then the uploader's own regions.

    Refuses (PrivacyRefused) a choice that names no detected region, a kept face or sensitive text
    without a reason, and a region of one's own that lies outside the image.
    """
    detected = {region.box for region in scan.regions}
    for box in (*decision.regions_to_blur, *(kept.box for kept in decision.kept_with_reason)):
        if box not in detected:
            raise PrivacyRefused(f"The choice names a region at {_where(box)} that the scan did not find; "
                                 "scan the photo again and choose again.")
    kept = {k.box: clean_reason(k.reason) for k in decision.kept_with_reason}
    to_blur = set(decision.regions_to_blur)
    keep_all = clean_reason(decision.keep_detected_reason)
    if decision.keep_detected_reason is not None and not keep_all:
        raise PrivacyRefused("Keeping what the scan found legible needs a reason.")
    outcomes = [_outcome(region, kept, to_blur, keep_all, source) for region in scan.regions]
    outcomes += [_manual(region, scan, source) for region in decision.manual_regions]
    return tuple(outcomes)


def _outcome(region: Region, kept: dict[Box, str], to_blur: set[Box], keep_all: str, source: str) -> RegionOutcome:
    def outcome(action: RegionAction, reason: str = "") -> RegionOutcome:
        return RegionOutcome(kind=region.kind, box=region.box, action=action, reason=reason,
                             found_as=(region.reason or "")[:MAX_LABEL], source=source)

    if not region.blur_by_default:
        return outcome(RegionAction.BLURRED if region.box in to_blur else RegionAction.KEPT)
    if keep_all:
        return outcome(RegionAction.KEPT, keep_all)
    if region.box in kept and region.box not in to_blur:
        if not kept[region.box]:
            raise PrivacyRefused(f"Keeping the {KIND_WORDS[region.kind]} at {_where(region.box)} legible needs a "
                                 "reason; give one or let it be blurred.")
        return outcome(RegionAction.KEPT, kept[region.box])
    return outcome(RegionAction.BLURRED)


def _manual(region: ManualRegion, scan: ImageScan, source: str) -> RegionOutcome:
    box = region.box
    if box.width <= 0 or box.height <= 0 or box.x < 0 or box.y < 0 or box.x + box.width > scan.width \
            or box.y + box.height > scan.height:
        raise PrivacyRefused(f"The region at {_where(box)} does not lie inside the photo "
                             f"({scan.width} × {scan.height} pixels).")
    label = " ".join(region.label.split())[:MAX_LABEL] or DEFAULT_MANUAL_LABEL
    return RegionOutcome(kind=RegionKind.MANUAL, box=box, action=RegionAction.BLURRED, label=label, source=source)


def decide_document(scan: DocumentScan, decision: PrivacyDecision) -> str:
    """The reason a case-file-like document is stored ("" when it is not one); CaseFileRefused without one."""
    if not scan.case_file:
        return ""
    reason = clean_reason(decision.allow_personal_data_reason)
    if not reason:
        raise CaseFileRefused(scan)
    return reason


def _where(box: Box) -> str:
    return f"x {box.x}, y {box.y} ({box.width} × {box.height} px)"
