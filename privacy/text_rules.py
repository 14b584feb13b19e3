"""Is a line of text read off a photo one that locates the premises or a person?

Sensitive: house and flat numbers, street and place names, postcodes, number plates, phone
numbers, e-mail addresses, names on door plates and post boxes. Not sensitive: safety signs and
the labels of an escape plan. The rules are plain patterns and word lists, so each decision has
a reason a person can check.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers

from privacy import wordlists


@dataclass(frozen=True)
class TextVerdict:
    sensitive: bool
    reason: str | None = None


PLAIN = TextVerdict(False)

EMAIL = re.compile(r"[\w.+-]+\s?@\s?[\w-]+(?:\.[\w-]+)+", re.UNICODE)
WEB_ADDRESS = re.compile(r"\b(?:www\.|https?://)\S+|\b[\w-]+\.(?:org|com|net)(?:\.uk)?\b", re.I)
UK_POSTCODE = re.compile(r"\b(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b")
# Continental postcodes: 4-5 digits (optionally "D-" style prefixed, or Dutch "1012 AB") next to a place name.
EU_POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}-)?\d{4,5}\s+[A-ZÄÖÜÉÈ][\wäöüßéèàç-]{2,}|\b\d{4}\s?[A-Z]{2}\b")
UK_PLATE = re.compile(
    r"^(?:[A-Z]{2}\d{2}\s?[A-Z]{3}"  # AB12 CDE (2001 on)
    r"|[A-Z]\d{1,3}\s?[A-Z]{3}"  # A123 BCD
    r"|[A-Z]{3}\s?\d{1,3}[A-Z]"  # ABC 123D
    r")$"
)
EU_PLATE = re.compile(
    r"^(?:[A-Z]{1,3}[\s-][A-Z]{1,2}\s?\d{1,4}[EH]?"  # German: B-AB 1234, M AB 123
    r"|[A-Z]{2}-?\d{3}-?[A-Z]{2}"  # French: AB-123-CD
    r"|\d{1,3}-[A-Z]{2,3}-\d{1,3}|[A-Z]{2,3}-\d{2,3}-[A-Z]{1,2}"  # Dutch sidecodes
    r"|\d{4}\s?[B-DF-HJ-NP-TV-Z]{3}"  # Spanish: 1234 BCD
    r"|[A-Z]{2}\s?\d{3}\s?[A-Z]{2}"  # Italian: AB 123 CD
    r")$"
)
HOUSE_NUMBER = re.compile(r"^(?:(?:no|nr|number|house)\.?\s*)?\d{1,4}\s?[a-z]?$", re.I)
NUMBER_RANGE = re.compile(r"^\d{1,4}\s?[-–]\s?\d{1,4}$")
FLAT_NUMBER = re.compile(
    r"\b(?:flat|apartment|apt|unit|maisonette|suite|wohnung|appartement|piso)\.?\s*(?:no\.?\s*)?(?:\d{1,4}[A-Z]?|[A-Z]\d{1,3})\b",
    re.I,
)
NUMBERED_STREET = re.compile(r"^\d{1,4}[a-z]?,?\s+\S+", re.I)
# A number written like a phone number (a leading 0 or +, nine digits or more), valid or not.
PHONE_LIKE = re.compile(r"(?:\+|(?<!\d)0)(?:\d[\s().-]*){9,}")
PHONE_LABEL = re.compile(r"\b(?i:tel(?:ephone)?|phone|mobile|mob|fax|call|ring|helpline)\.?\s*(?i:no\.?)?\s*[:.]?\s*"
                         r"\+?\(?\d[\d\s().-]{7,}\d")
DIGIT_RUN = re.compile(r"\d")
TITLE_NAME = re.compile(r"\b(?:mr|mrs|ms|miss|mx|dr|prof|herr|frau|mme|mlle|m)\.?\s+[A-Z][\w'-]+", re.I)
FAMILY_SIGN = re.compile(r"^(?:the\s+)[A-Z][a-z'-]+s$|^(?:familie|famille|family)\s+[A-Z][\w'-]+$", re.I)
INITIAL_NAME = re.compile(r"^(?:[A-Z]\.?\s?){1,2}[A-Z][a-z'-]{2,}(?:-[A-Z][a-z'-]+)?$")
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def classify(text: str) -> TextVerdict:
    """The verdict for one line of text as OCR read it."""
    line = _normalise(text)
    if not line or not any(char.isalnum() for char in line):
        return PLAIN
    for rule in (_email, _phone, _postcode, _plate, _flat_or_house_number, _street, _place, _personal_name):
        verdict = rule(line)
        if verdict is not None:
            return verdict
    return PLAIN


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s*([-–])\s*", r"\1", text)  # OCR puts spaces around hyphens: "B -MK" is "B-MK"
    # The OCR model has no "ß": it reads "Hauptstraße" as "HauptstraBe".
    text = re.sub(r"(?<=[a-z])B(?=e\b)", "ß", text)
    return " ".join(text.replace("|", " ").split()).strip(" .,:;!·-–")


def _email(line: str) -> TextVerdict | None:
    if EMAIL.search(line):
        return TextVerdict(True, "e-mail address")
    if WEB_ADDRESS.search(line):
        return TextVerdict(True, "web address")
    return None


def _phone(line: str) -> TextVerdict | None:
    digits = sum(char.isdigit() for char in line)
    if digits < 7:
        return None
    for region in ("GB", "DE", "FR", "NL", "IE"):
        for _ in phonenumbers.PhoneNumberMatcher(line, region, leniency=phonenumbers.Leniency.VALID):
            return TextVerdict(True, "phone number")
    if PHONE_LIKE.search(line) or PHONE_LABEL.search(line):
        return TextVerdict(True, "phone number")
    return None


def _postcode(line: str) -> TextVerdict | None:
    upper = line.upper()
    if UK_POSTCODE.search(upper) and _has_digit_and_letter(upper):
        return TextVerdict(True, "postcode")
    if EU_POSTCODE.search(line):
        return TextVerdict(True, "postcode")
    return None


def _plate(line: str) -> TextVerdict | None:
    compact = line.upper().replace("·", " ").strip()
    if UK_PLATE.match(compact) or EU_PLATE.match(compact):
        return TextVerdict(True, "number plate")
    return None


def _flat_or_house_number(line: str) -> TextVerdict | None:
    if FLAT_NUMBER.search(line):
        return TextVerdict(True, "flat number")
    if HOUSE_NUMBER.match(line) or NUMBER_RANGE.match(line):
        return TextVerdict(True, "house number")
    return None


def _street(line: str) -> TextVerdict | None:
    words = [word.lower().rstrip(".") for word in WORD.findall(line)]
    if not words:
        return None
    if any(word in wordlists.STREET_WORDS for word in words) and not _all_plain(words):
        return TextVerdict(True, "street name")
    if any(word.endswith(wordlists.STREET_SUFFIXES) and len(word) > 6 for word in words):
        return TextVerdict(True, "street name")
    if NUMBERED_STREET.match(line) and not _all_plain(words):
        return TextVerdict(True, "house number")
    return None


def _place(line: str) -> TextVerdict | None:
    words = [word.lower() for word in WORD.findall(line)]
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            if " ".join(words[start : start + size]) in wordlists.PLACES:
                return TextVerdict(True, "place name")
    return None


def _personal_name(line: str) -> TextVerdict | None:
    if TITLE_NAME.search(line) or FAMILY_SIGN.match(line):
        return TextVerdict(True, "name on a door plate")
    words = WORD.findall(line)
    if not words or len(words) > 4 or DIGIT_RUN.search(line):
        return None
    lowered = [word.lower() for word in words]
    if _all_plain(lowered):
        return None
    if INITIAL_NAME.match(line) and lowered[-1] not in wordlists.PLAIN_WORDS:
        return TextVerdict(True, "name on a door plate")
    capitalised = all(word[0].isupper() for word in words)
    if capitalised and any(word in wordlists.FIRST_NAMES or word in wordlists.SURNAMES for word in lowered):
        return TextVerdict(True, "name on a door plate")
    return None


def is_sign_vocabulary(text: str) -> bool:
    """True when every word is the vocabulary of safety signs and escape plans (and there is a word)."""
    words = [word.lower() for word in WORD.findall(_normalise(text))]
    return bool(words) and not DIGIT_RUN.search(text) and _all_plain(words)


def _has_digit_and_letter(text: str) -> bool:
    return any(char.isdigit() for char in text) and any(char.isalpha() for char in text)


def _all_plain(words: list[str]) -> bool:
    """Every word is sign vocabulary (FIRE EXIT, Kitchen, Assembly point…), allowing for an OCR slip."""
    return all(_plain_word(word) for word in words)


def _plain_word(word: str) -> bool:
    if word in wordlists.PLAIN_WORDS or len(word) <= 2:
        return True
    return len(word) >= 5 and bool(difflib.get_close_matches(word, wordlists.PLAIN_WORDS_LIST, n=1, cutoff=0.8))
