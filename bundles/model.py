"""A bundle read and checked: the organisation, ratings, evidence and plan, before anything is stored."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

import yaml

from errors import HavenError
from privacy.model import Box, RegionKind
from standards.loader import get_standard
from standards.schema import Standard
from vocabulary import Classification, Rating, ReviewStatus

RATINGS = tuple(Rating)
REVIEW_STATUSES = tuple(ReviewStatus)
CLASSIFICATIONS = tuple(Classification)


class BundleError(HavenError, ValueError):
    """A bundle refused as a whole; the message names the entry at fault."""


@dataclass(frozen=True)
class BundleRating:
    action: str
    rating: str
    justification: str = ""
    owner: str = ""


@dataclass(frozen=True)
class BundleReview:
    status: str
    reviewer: str = ""
    comment: str = ""


@dataclass(frozen=True)
class BundleKeptRegion:
    """A face or sensitive text the uploader kept legible, with their reason, as the export recorded it."""

    kind: RegionKind
    box: Box  # in pixels of the stored image, whose size is the BundlePrivacy's image_size
    reason: str


@dataclass(frozen=True)
class BundlePrivacy:
    """The privacy decisions stored with an evidence file, which an import honours instead of the default policy:
    the regions kept legible (with the size of the image their boxes refer to) and the reason a document that
    looks like a case file was stored."""

    kept: tuple[BundleKeptRegion, ...] = ()
    image_size: tuple[int, int] | None = None
    allowed_personal_data: str = ""


@dataclass(frozen=True)
class BundleEvidence:
    title: str
    evidence_type: str
    actions: tuple[str, ...]
    issued_on: date
    file: Path | None = None
    valid_until: date | None = None
    classification: str | None = None
    review: BundleReview | None = None
    withheld: bool = False
    note: str = ""
    privacy: BundlePrivacy | None = None


@dataclass(frozen=True)
class BundlePlanItem:
    action: str
    description: str
    owner: str = ""
    due: date | None = None
    done: bool = False


@dataclass(frozen=True)
class Bundle:
    slug: str
    name: str
    standard: Standard
    ratings: tuple[BundleRating, ...] = ()
    evidence: tuple[BundleEvidence, ...] = ()
    plan: tuple[BundlePlanItem, ...] = ()
    folder: Path = field(default_factory=Path)


MAX_MANIFEST_BYTES = 5 * 1024 * 1024
TOP_KEYS = ("organisation", "standard", "ratings", "evidence", "plan")
ORGANISATION_KEYS = ("slug", "name")
RATING_KEYS = ("action", "rating", "justification", "owner")
EVIDENCE_KEYS = ("title", "type", "actions", "file", "issued_on", "valid_until", "classification", "review",
                 "withheld", "note", "privacy")
PRIVACY_KEYS = ("kept", "image_size", "allowed_personal_data")
KEPT_KEYS = ("kind", "box", "reason")
KEPT_KINDS = (RegionKind.FACE, RegionKind.SENSITIVE_TEXT)
REVIEW_KEYS = ("status", "reviewer", "comment")
PLAN_KEYS = ("action", "description", "owner", "due", "done")
# Bidirectional controls: they make a terminal or a page show text in another order than it is stored.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class _StrictLoader(yaml.SafeLoader):
    """YAML without anchors, aliases, tags, merge keys or duplicate keys: a refusal names the line.

    An alias is refused at its first event, before anything is expanded, so an alias bomb costs nothing."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise BundleError(f"bundle.yaml {_place(event.start_mark)}: YAML anchors and aliases (&, *) are not "
                              "allowed in a bundle")
        if getattr(event, "tag", None) is not None:
            raise BundleError(f"bundle.yaml {_place(event.start_mark)}: YAML tags ({event.tag}) are not allowed "
                              "in a bundle")
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise BundleError(f"bundle.yaml {_place(key_node.start_mark)}: YAML merge keys (<<) are not allowed "
                                  "in a bundle")
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                raise BundleError(f"bundle.yaml {_place(key_node.start_mark)}: a key must be plain text") from None
            if duplicate:
                raise BundleError(f"bundle.yaml {_place(key_node.start_mark)}: duplicate key '{key}'")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _place(mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "(somewhere)"


def parse_manifest(text: str):
    """The data of a bundle.yaml, read strictly (see _StrictLoader); one document only."""
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or error.__class__.__name__
        raise BundleError(f"bundle.yaml {_place(mark)}: not valid YAML ({problem})") from None
    finally:
        loader.dispose()


def read_manifest_text(manifest: Path) -> str:
    with open(manifest, "rb") as handle:
        data = handle.read(MAX_MANIFEST_BYTES + 1)
    if len(data) > MAX_MANIFEST_BYTES:
        raise BundleError(f"bundle.yaml is larger than {MAX_MANIFEST_BYTES // (1024 * 1024)} MB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BundleError(f"bundle.yaml is not UTF-8 text (byte {error.start})") from None


def read_bundle(folder: Path) -> Bundle:
    """Parses `folder/bundle.yaml` and checks every entry against the standard; refuses the first fault."""
    manifest = folder / "bundle.yaml"
    if not manifest.is_file():
        raise BundleError(f"{folder.name}: no bundle.yaml in the bundle")
    raw = parse_manifest(read_manifest_text(manifest))
    if not isinstance(raw, dict):
        raise BundleError("bundle.yaml must be a mapping with organisation, standard, ratings, evidence and plan")
    _known_keys(raw, TOP_KEYS, "bundle.yaml")
    organisation = _mapping(raw.get("organisation"), "organisation")
    _known_keys(organisation, ORGANISATION_KEYS, "organisation")
    slug, name = _text(organisation.get("slug"), "organisation.slug"), _text(organisation.get("name"), "organisation.name")
    try:
        standard = get_standard(_text(raw.get("standard"), "standard"))
    except KeyError as error:
        raise BundleError(f"standard: {error.args[0]}") from error
    return Bundle(
        slug=slug, name=name, standard=standard, folder=folder,
        ratings=tuple(_rating(entry, f"ratings[{i}]", standard) for i, entry in enumerate(_list(raw, "ratings"))),
        evidence=tuple(_evidence(entry, f"evidence[{i}]", standard, folder) for i, entry in enumerate(_list(raw, "evidence"))),
        plan=tuple(_plan_item(entry, f"plan[{i}]", standard) for i, entry in enumerate(_list(raw, "plan"))),
    )


def _list(raw: dict, key: str) -> list:
    value = raw.get(key) or []
    if not isinstance(value, list):
        raise BundleError(f"{key}: expected a list")
    return value


def _mapping(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise BundleError(f"{where}: expected a mapping")
    return value


def _known_keys(entry: dict, allowed: tuple[str, ...], where: str) -> None:
    for key in entry:
        if key not in allowed:
            raise BundleError(f"{where}: unknown key '{_shown(key)}' (expected one of {', '.join(allowed)})")


def _shown(value) -> str:
    """A value from the file as it may appear in a message: controls and bidirectional characters escaped."""
    return "".join(char if char.isprintable() and char not in BIDI_CONTROLS else f"\\u{ord(char):04x}"
                   for char in str(value))[:80]


def _text(value, where: str, *, required: bool = True, multiline: bool = False) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise BundleError(f"{where}: missing")
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise BundleError(f"{where}: expected text")
    text = str(value).strip()
    for char in text:
        if char in BIDI_CONTROLS or (unicodedata.category(char) == "Cc" and not (multiline and char in "\n\t")):
            raise BundleError(f"{where}: holds the control or bidirectional character U+{ord(char):04X}, "
                              "which could disguise the text; remove it")
    return text


def _flag(value, where: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise BundleError(f"{where}: expected true or false, not '{_shown(value)}'")
    return value


def _date(value, where: str, *, required: bool = True) -> date | None:
    if value is None or value == "":
        if required:
            raise BundleError(f"{where}: missing date")
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise BundleError(f"{where}: '{value}' is not a date (YYYY-MM-DD)") from error


def _action(value, where: str, standard: Standard) -> str:
    action = _text(value, where)
    if not standard.has_action(action):
        raise BundleError(f"{where}: unknown action '{action}' in {standard.id}")
    return action


def _rating(entry, where: str, standard: Standard) -> BundleRating:
    entry = _mapping(entry, where)
    _known_keys(entry, RATING_KEYS, where)
    action = _action(entry.get("action"), f"{where}.action", standard)
    rating = _text(entry.get("rating"), f"{where}.rating")
    if rating not in RATINGS:
        raise BundleError(f"{where}.rating: '{rating}' is not one of {', '.join(RATINGS)}")
    return BundleRating(action, rating, _text(entry.get("justification"), f"{where}.justification", required=False,
                                              multiline=True),
                        _text(entry.get("owner"), f"{where}.owner", required=False))


def _evidence(entry, where: str, standard: Standard, folder: Path) -> BundleEvidence:
    entry = _mapping(entry, where)
    _known_keys(entry, EVIDENCE_KEYS, where)
    evidence_type = _text(entry.get("type"), f"{where}.type")
    if not standard.has_evidence_type(evidence_type):
        raise BundleError(f"{where}.type: unknown evidence type '{evidence_type}' in {standard.id}")
    actions_raw = entry.get("actions")
    if not isinstance(actions_raw, list) or not actions_raw:
        raise BundleError(f"{where}.actions: expected a list of at least one action")
    actions = tuple(_action(a, f"{where}.actions[{i}]", standard) for i, a in enumerate(actions_raw))
    for action in actions:
        if evidence_type not in standard.action(action).evidence_types:
            raise BundleError(f"{where}.actions: action {action} does not ask for evidence of type '{evidence_type}'")
    issued_on = _date(entry.get("issued_on"), f"{where}.issued_on")
    valid_until = _date(entry.get("valid_until"), f"{where}.valid_until", required=False)
    if valid_until and valid_until < issued_on:
        raise BundleError(f"{where}.valid_until: before issued_on")
    classification = entry.get("classification")
    if classification is not None and classification not in CLASSIFICATIONS:
        raise BundleError(f"{where}.classification: '{classification}' is not internal or restricted")
    withheld = _flag(entry.get("withheld"), f"{where}.withheld")
    file_path = None if entry.get("file") in (None, "") else _file_inside(entry.get("file"), f"{where}.file", folder)
    if withheld and file_path is not None:
        raise BundleError(f"{where}: withheld evidence carries no file")
    review = None
    if entry.get("review") is not None:
        raw_review = _mapping(entry.get("review"), f"{where}.review")
        _known_keys(raw_review, REVIEW_KEYS, f"{where}.review")
        status = _text(raw_review.get("status"), f"{where}.review.status")
        if status not in REVIEW_STATUSES:
            raise BundleError(f"{where}.review.status: '{status}' is not one of {', '.join(REVIEW_STATUSES)}")
        review = BundleReview(status, _text(raw_review.get("reviewer"), f"{where}.review.reviewer", required=False),
                              _text(raw_review.get("comment"), f"{where}.review.comment", required=False,
                                    multiline=True))
    privacy = None if entry.get("privacy") is None else _privacy(entry.get("privacy"), f"{where}.privacy")
    if privacy is not None and file_path is None:
        raise BundleError(f"{where}.privacy: privacy decisions belong to a file, and this entry has none")
    return BundleEvidence(
        title=_text(entry.get("title"), f"{where}.title"), evidence_type=evidence_type, actions=actions,
        issued_on=issued_on, file=file_path, valid_until=valid_until, classification=classification,
        review=review, withheld=withheld, note=_text(entry.get("note"), f"{where}.note", required=False, multiline=True),
        privacy=privacy,
    )


def _privacy(value, where: str) -> BundlePrivacy:
    entry = _mapping(value, where)
    _known_keys(entry, PRIVACY_KEYS, where)
    kept_raw = entry.get("kept") or []
    if not isinstance(kept_raw, list):
        raise BundleError(f"{where}.kept: expected a list")
    kept = tuple(_kept_region(region, f"{where}.kept[{i}]") for i, region in enumerate(kept_raw))
    image_size = None
    if entry.get("image_size") is not None or kept:
        width, height = _numbers(entry.get("image_size"), 2, f"{where}.image_size")
        if width <= 0 or height <= 0:
            raise BundleError(f"{where}.image_size: expected a width and a height above 0")
        image_size = (width, height)
    return BundlePrivacy(kept=kept, image_size=image_size, allowed_personal_data=_text(
        entry.get("allowed_personal_data"), f"{where}.allowed_personal_data", required=False))


def _kept_region(value, where: str) -> BundleKeptRegion:
    entry = _mapping(value, where)
    _known_keys(entry, KEPT_KEYS, where)
    kind = _text(entry.get("kind"), f"{where}.kind")
    if kind not in KEPT_KINDS:
        raise BundleError(f"{where}.kind: '{_shown(kind)}' is not one of {', '.join(KEPT_KINDS)}")
    x, y, width, height = _numbers(entry.get("box"), 4, f"{where}.box")
    if x < 0 or y < 0 or width <= 0 or height <= 0:
        raise BundleError(f"{where}.box: expected [x, y, width, height] with x and y from 0 and a size above 0")
    return BundleKeptRegion(RegionKind(kind), Box(x, y, width, height), _text(entry.get("reason"), f"{where}.reason"))


def _numbers(value, count: int, where: str) -> tuple[int, ...]:
    if not isinstance(value, list) or len(value) != count or \
            any(isinstance(number, bool) or not isinstance(number, int) for number in value):
        raise BundleError(f"{where}: expected a list of {count} whole numbers")
    return tuple(value)


def _file_inside(value, where: str, folder: Path) -> Path:
    relative = _text(value, where)
    pure = PurePosixPath(relative.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or ":" in relative:
        raise BundleError(f"{where}: '{relative}' escapes the bundle folder")
    path = (folder / pure).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise BundleError(f"{where}: '{relative}' escapes the bundle folder")
    if not path.is_file():
        raise BundleError(f"{where}: file '{relative}' is missing from the bundle")
    return path


def _plan_item(entry, where: str, standard: Standard) -> BundlePlanItem:
    entry = _mapping(entry, where)
    _known_keys(entry, PLAN_KEYS, where)
    return BundlePlanItem(
        action=_action(entry.get("action"), f"{where}.action", standard),
        description=_text(entry.get("description"), f"{where}.description", multiline=True),
        owner=_text(entry.get("owner"), f"{where}.owner", required=False),
        due=_date(entry.get("due"), f"{where}.due", required=False),
        done=_flag(entry.get("done"), f"{where}.done"),
    )
