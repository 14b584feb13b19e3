"""Personal data in a document's text, and whether the document looks like a victim's case file.

An organisation's own documents carry its contact details (a helpline number, an office
address, an e-mail address): those are personal-data findings, but not a case file. A case file
is about one person: a date of birth, a filled-in client or victim name field or a national
insurance number, together with at least one more identifier (a case number, an address,
a phone number...); or a case number together with two more kinds of identifier.
"""
from __future__ import annotations

import re

import phonenumbers

from privacy.model import PERSONAL_DATA_LABELS, DocumentScan, PersonalDataFinding, PersonalDataKind
from privacy.text_rules import EMAIL, PHONE_LABEL, PHONE_LIKE, UK_POSTCODE
from privacy.wordlists import STREET_WORDS

EXCERPT_LENGTH = 20
MAX_FINDINGS_PER_KIND = 5
MAX_TEXT = 2_000_000  # characters scanned; a 50-page report is far below this

_DATE = (r"(?:\d{1,2}\s?[./-]\s?\d{1,2}\s?[./-]\s?\d{2,4}|\d{4}-\d{2}-\d{2}"
         r"|\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-zäéû]{3,9}\.?,?\s+\d{4}|[A-Za-z]{3,9}\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})")
DATE_OF_BIRTH = re.compile(
    r"\b(?:date\s+of\s+birth|d\.?\s?o\.?\s?b\.?|birth\s?date|born(?:\s+on)?|geburtsdatum|geboren(?:\s+am)?"
    r"|date\s+de\s+naissance|n[ée]e?\s+le|fecha\s+de\s+nacimiento|geboortedatum)(?:\b|(?<=\.))[ \t]*[:\-–]?[ \t]*"
    + _DATE,
    re.I,
)
_NAME_VALUE = r"(?:(?i:mr|mrs|ms|miss|mx|dr)\.?\s+)?[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’.-]*){0,3}"
# The label is matched in any case, the value only when it is capitalised like a name (not a blank or a sentence).
CLIENT_NAME = re.compile(
    r"\b(?i:client(?:'s)?(?:\s+full)?\s+name|name\s+of\s+(?:the\s+)?(?:client|victim|survivor|service\s+user)"
    r"|victim(?:'s)?(?:\s+name)?|survivor(?:'s)?\s+name|service\s+user(?:\s+name)?|client|survivor"
    r"|patient(?:\s+name)?|full\s+name|nom\s+de\s+la\s+victime|name\s+des\s+opfers|opfer)"
    r"[ \t]*[:\-–][ \t]*" + _NAME_VALUE,
)
CASE_NUMBER = re.compile(
    r"\b(?:(?:case|crime|incident|client|referral|marac|file|police)\s*(?:no\.?|number|ref(?:erence)?\.?|id|#)"
    r"|urn|aktenzeichen)[ \t]*[:\-–#]?[ \t]*(?=[A-Z/\-]*\d)[A-Z0-9][A-Z0-9/\-]{2,}"
    r"|\bref(?:erence)?\.?\s*[:\-–]?\s*[A-Z]{2,5}[-/]\d{2,4}[-/]\d{2,6}\b",
    re.I,
)
NATIONAL_ID = re.compile(r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b")
_STREET = "|".join(sorted((re.escape(word) for word in STREET_WORDS if len(word) > 2), key=len, reverse=True))
POSTAL_ADDRESS = re.compile(
    r"\b\d{1,4}[a-z]?,?\s+(?:[A-Z][\w'’-]+\s+){1,3}(?i:" + _STREET + r")\b\.?"
    r"|\b[A-ZÄÖÜ][\wäöüß-]+(?i:straße|strasse|weg|gasse|allee|platz|straat|laan)\s+\d{1,4}[a-z]?\b"
    r"|\b(?i:(?:home\s+|postal\s+)?address)[ \t]*[:\-–][ \t]*\w[^\n]{5,}",
)

_PATTERNS = (
    (PersonalDataKind.DATE_OF_BIRTH, DATE_OF_BIRTH),
    (PersonalDataKind.CLIENT_NAME, CLIENT_NAME),
    (PersonalDataKind.CASE_NUMBER, CASE_NUMBER),
    (PersonalDataKind.NATIONAL_ID, NATIONAL_ID),
    (PersonalDataKind.EMAIL_ADDRESS, EMAIL),
    (PersonalDataKind.POSTAL_ADDRESS, POSTAL_ADDRESS),
)
_IDENTIFIES_A_PERSON = frozenset({PersonalDataKind.DATE_OF_BIRTH, PersonalDataKind.CLIENT_NAME,
                                  PersonalDataKind.NATIONAL_ID})


def scan_document_text(text: str) -> DocumentScan:
    text = text[:MAX_TEXT]
    findings: list[PersonalDataFinding] = []
    for kind, pattern in _PATTERNS:
        findings += _first(kind, (match.start() for match in pattern.finditer(text)), text)
    findings += _first(PersonalDataKind.PHONE_NUMBER, _phone_numbers(text), text)
    findings += _first(PersonalDataKind.POSTCODE, (m.start() for m in UK_POSTCODE.finditer(text)), text)
    found = {finding.kind for finding in findings}
    findings += [finding for finding in _table_findings(text) if finding.kind not in found]
    kinds = {finding.kind for finding in findings}
    case_file, reasons = _case_file(kinds, findings)
    return DocumentScan(personal_data=tuple(findings), case_file=case_file, case_file_reasons=reasons)


# Column headings of a list of people (a CSV, a spreadsheet, a table copied into text).
_COLUMNS = (
    # a plain "Name" column is not enough: staff lists have one too
    (PersonalDataKind.CLIENT_NAME, re.compile(
        r"^(?:(?:client|victim|survivor|service user)\s*'?s?\s*(?:full\s+)?name"
        r"|client|victim|survivor|service user)$")),
    (PersonalDataKind.DATE_OF_BIRTH, re.compile(r"^(?:dob|d\.o\.b\.?|date of birth|birth ?date|born|birthday)$")),
    (PersonalDataKind.PHONE_NUMBER, re.compile(
        r"^(?:(?:mobile|home|contact)?\s*(?:phone|tel|telephone)(?: no\.?| number)?|mobile)$")),
    (PersonalDataKind.POSTAL_ADDRESS, re.compile(r"^(?:(?:home |postal )?address(?: line ?1)?|street)$")),
    (PersonalDataKind.CASE_NUMBER, re.compile(
        r"^(?:case|crime|client|referral|marac)\s*(?:no\.?|number|ref(?:erence)?|id)$")),
)
_VALUE_CHECKS = {
    PersonalDataKind.CLIENT_NAME: re.compile(r"^[A-Z][\w'’-]+(?:\s+[A-Z][\w'’.-]*)*$"),
    PersonalDataKind.DATE_OF_BIRTH: re.compile(r"^" + _DATE),
    PersonalDataKind.PHONE_NUMBER: re.compile(r"^\+?[\d\s().-]{9,}$"),
    PersonalDataKind.POSTAL_ADDRESS: re.compile(r"\d.*[A-Za-z]{3,}|[A-Za-z]{3,}.*\d"),
    PersonalDataKind.CASE_NUMBER: re.compile(r"\d"),
}
_SEPARATORS = ("\t", ";", ",", "|")
MAX_TABLE_ROWS = 200


def _table_findings(text: str) -> list[PersonalDataFinding]:
    """Personal data in a table of people: a heading row naming person columns, and rows filled in under it.

    A heading row alone (a blank template) finds nothing; each column counts once it has a value that
    looks like its kind (a capitalised name, a date, a phone number...).
    """
    lines = text.splitlines()
    found: dict[PersonalDataKind, PersonalDataFinding] = {}
    for index, line in enumerate(lines):
        separator = next((mark for mark in _SEPARATORS if line.count(mark) >= 1), None)
        if separator is None:
            continue
        headings = [cell.strip().strip('"').lower() for cell in line.split(separator)]
        columns = {}
        for position, heading in enumerate(headings):
            for kind, pattern in _COLUMNS:
                if pattern.match(heading):
                    columns[position] = kind
                    break
        if len(columns) < 2 or not set(columns.values()) & _IDENTIFIES_A_PERSON:
            continue
        for row in lines[index + 1 : index + 1 + MAX_TABLE_ROWS]:
            cells = [cell.strip().strip('"') for cell in row.split(separator)]
            for position, kind in columns.items():
                if kind in found or position >= len(cells) or not _VALUE_CHECKS[kind].search(cells[position]):
                    continue
                heading = line.split(separator)[position].strip().strip('"')
                found[kind] = PersonalDataFinding(kind, _cut(f"{heading}: {cells[position][:4]}…"))
    return list(found.values())


def _cut(piece: str) -> str:
    piece = " ".join(piece.split())
    return piece if len(piece) <= EXCERPT_LENGTH else piece[: EXCERPT_LENGTH - 1] + "…"


def excerpt(text: str, start: int) -> str:
    """EXCERPT_LENGTH characters of ``text`` from ``start``, on one line, with "…" when cut."""
    piece = " ".join(text[start : start + EXCERPT_LENGTH * 3].split())
    return piece if len(piece) <= EXCERPT_LENGTH else piece[: EXCERPT_LENGTH - 1] + "…"


def _first(kind: PersonalDataKind, starts, text: str) -> list[PersonalDataFinding]:
    found: list[PersonalDataFinding] = []
    for start in starts:
        found.append(PersonalDataFinding(kind, excerpt(text, start)))
        if len(found) >= MAX_FINDINGS_PER_KIND:
            break
    return found


def _phone_numbers(text: str):
    """Where phone numbers start: valid ones, and any number after a phone label or dialled like one."""
    matcher = phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.VALID)
    starts = {match.start for match in matcher}
    starts |= {match.start() for match in PHONE_LABEL.finditer(text)}
    starts |= {match.start() for match in PHONE_LIKE.finditer(text)}
    yield from _distinct(sorted(starts))


def _distinct(starts: list[int]):
    """Starts more than a few characters apart (a label and its number are one finding)."""
    last = -100
    for start in starts:
        if start - last > 12:
            yield start
        last = start


def _case_file(kinds: set[PersonalDataKind], findings: list[PersonalDataFinding]) -> tuple[bool, tuple[str, ...]]:
    person = kinds & _IDENTIFIES_A_PERSON
    looks_like_case_file = (person and len(kinds) >= 2) or (
        PersonalDataKind.CASE_NUMBER in kinds and len(kinds) >= 3
    )
    if not looks_like_case_file:
        return False, ()
    reasons = []
    for kind in PersonalDataKind:
        first = next((finding for finding in findings if finding.kind is kind), None)
        if first is not None:
            reasons.append(f"{PERSONAL_DATA_LABELS[kind]} (“{first.excerpt}”)")
    return True, tuple(reasons)
