"""What a privacy scan finds: typed values shared by the scanners, the app and the command line."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RegionKind(StrEnum):
    FACE = "face"
    SENSITIVE_TEXT = "sensitive_text"
    TEXT = "text"
    MANUAL = "manual"


_BLURRED_BY_DEFAULT = frozenset({RegionKind.FACE, RegionKind.SENSITIVE_TEXT, RegionKind.MANUAL})


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels of the upright image: left, top, width, height."""

    x: int
    y: int
    width: int
    height: int

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"a box needs a positive width and height, not {self.width} × {self.height}")

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    @property
    def area(self) -> int:
        return self.width * self.height

    def as_list(self) -> list[int]:
        return [self.x, self.y, self.width, self.height]

    def clipped(self, width: int, height: int) -> Box | None:
        """This box cut to an image of ``width`` × ``height``; None when nothing of it is inside."""
        left, top = max(0, self.x), max(0, self.y)
        right, bottom = min(width, self.right), min(height, self.bottom)
        if right <= left or bottom <= top:
            return None
        return Box(left, top, right - left, bottom - top)

    def intersection(self, other: Box) -> int:
        width = min(self.right, other.right) - max(self.x, other.x)
        height = min(self.bottom, other.bottom) - max(self.y, other.y)
        return max(0, width) * max(0, height)

    def overlap(self, other: Box) -> float:
        """Intersection over union, 0..1."""
        shared = self.intersection(other)
        return shared / (self.area + other.area - shared) if shared else 0.0


@dataclass(frozen=True)
class Region:
    box: Box
    kind: RegionKind
    text: str | None = None
    reason: str | None = None

    @property
    def blur_by_default(self) -> bool:
        return self.kind in _BLURRED_BY_DEFAULT


@dataclass(frozen=True)
class ImageScan:
    """Everything found in one upright image of ``width`` × ``height`` pixels."""

    width: int
    height: int
    regions: tuple[Region, ...] = ()

    @property
    def faces(self) -> tuple[Region, ...]:
        return tuple(region for region in self.regions if region.kind is RegionKind.FACE)

    @property
    def sensitive(self) -> tuple[Region, ...]:
        return tuple(region for region in self.regions if region.kind is RegionKind.SENSITIVE_TEXT)

    @property
    def plain(self) -> tuple[Region, ...]:
        return tuple(region for region in self.regions if region.kind is RegionKind.TEXT)

    @property
    def to_blur(self) -> tuple[Box, ...]:
        """The boxes blurred when nobody decides otherwise."""
        return tuple(region.box for region in self.regions if region.blur_by_default)


class PersonalDataKind(StrEnum):
    DATE_OF_BIRTH = "date_of_birth"
    PHONE_NUMBER = "phone_number"
    EMAIL_ADDRESS = "email_address"
    POSTAL_ADDRESS = "postal_address"
    POSTCODE = "postcode"
    CLIENT_NAME = "client_name"
    CASE_NUMBER = "case_number"
    NATIONAL_ID = "national_id"


PERSONAL_DATA_LABELS = {
    PersonalDataKind.DATE_OF_BIRTH: "date of birth",
    PersonalDataKind.PHONE_NUMBER: "phone number",
    PersonalDataKind.EMAIL_ADDRESS: "e-mail address",
    PersonalDataKind.POSTAL_ADDRESS: "postal address",
    PersonalDataKind.POSTCODE: "postcode",
    PersonalDataKind.CLIENT_NAME: "client or victim name",
    PersonalDataKind.CASE_NUMBER: "case number",
    PersonalDataKind.NATIONAL_ID: "national insurance or ID number",
}


@dataclass(frozen=True)
class PersonalDataFinding:
    kind: PersonalDataKind
    excerpt: str  # at most EXCERPT_LENGTH characters of the text around it, cut with "…"

    @property
    def label(self) -> str:
        return PERSONAL_DATA_LABELS[self.kind]


@dataclass(frozen=True)
class DocumentScan:
    personal_data: tuple[PersonalDataFinding, ...] = ()
    case_file: bool = False
    case_file_reasons: tuple[str, ...] = ()

    def kinds(self) -> frozenset[PersonalDataKind]:
        return frozenset(finding.kind for finding in self.personal_data)

    def message(self) -> str:
        """What a person is told about a document that looks like a case file ('' otherwise)."""
        if not self.case_file:
            return ""
        return ("This looks like a victim's case file: " + "; ".join(self.case_file_reasons) + ". "
                "Haven holds an organisation's own evidence, never case files about the people it supports.")


@dataclass(frozen=True)
class EmbeddedImageScan:
    """An image inside a PDF or Office file: where it sits (page number, or the part's name) and what it shows."""

    where: str
    scan: ImageScan


@dataclass(frozen=True)
class FileScan:
    """The privacy scan of one file that intake accepted.

    ``image`` is set for a photo (boxes in its upright pixels); ``document`` for a file with a
    text layer (PDF, Office, plain text); ``embedded`` for images inside a PDF or Office file.
    """

    filename: str
    media_type: str
    image: ImageScan | None = None
    document: DocumentScan | None = None
    embedded: tuple[EmbeddedImageScan, ...] = ()

    @property
    def case_file(self) -> bool:
        return self.document is not None and self.document.case_file

    @property
    def faces(self) -> int:
        """Faces in the photo and in the images inside a document."""
        return sum(len(scan.faces) for scan in self._image_scans())

    @property
    def sensitive_text(self) -> int:
        return sum(len(scan.sensitive) for scan in self._image_scans())

    def _image_scans(self) -> tuple[ImageScan, ...]:
        return ((self.image,) if self.image else ()) + tuple(item.scan for item in self.embedded)
