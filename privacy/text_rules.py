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
from collections.abc import Sequence
from dataclasses import dataclass

import phonenumbers

from privacy import wordlists
from privacy.model import Box


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
RUN_TOGETHER = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])|(?<=\d)(?=[A-Z][a-z])")  # "27HarbourRoad": 27 Harbour Road
KEY_LABEL = re.compile(r"^[0-9*#]{1,3}$")  # a key of a keypad, or two or three keys read as one
KEYPAD_MIN_KEYS = 5  # the reader misses some single characters: five of a keypad's twelve keys are enough
KEYPAD_ORDER = "123456789*0#"  # a keypad's keys, row by row
KEY_SIZE_RATIO = 1.8  # the tallest key label at most this many times the smallest of a pair
KEY_GAP = 2.5  # label heights between two neighbouring keys, at most


def classify(text: str) -> TextVerdict:
    """The verdict for one line of text as OCR read it; a line whose words the reader ran together
    ("27HarbourRoad", from a small or tightly set sign) is also judged with them apart."""
    line = _normalise(text)
    if not line or not any(char.isalnum() for char in line):
        return PLAIN
    for reading in dict.fromkeys((line, RUN_TOGETHER.sub(" ", line))):
        for rule in (_email, _phone, _postcode, _plate, _flat_or_house_number, _street, _place, _personal_name):
            verdict = rule(reading)
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
    named = any(_names_a_street(words, index, line) for index, word in enumerate(words)
                if word in wordlists.STREET_WORDS)
    if named and not _all_plain(words):
        return TextVerdict(True, "street name")
    if any(word.endswith(wordlists.STREET_SUFFIXES) and len(word) > 6 for word in words):
        return TextVerdict(True, "street name")
    if NUMBERED_STREET.match(line) and not _all_plain(words):
        return TextVerdict(True, "house number")
    return None


def _names_a_street(words: list[str], index: int, line: str) -> bool:
    """Is the street word at ``index`` part of a street's name rather than an ordinary word of a sentence?

    "Harbour Road", "High Street", "Rue de la Paix", a lone "Road" read apart from its name: yes.
    "Please ring and wait", "Ring the bell", "Road closed": no. A street's name stands before words
    like road and lane ("Mill Lane"), after words like rue and via ("Rue de la Paix"), or the word
    carries a house number ("Ring 12").
    """
    if len(words) == 1:
        return True
    word = words[index]
    before = words[index - 1] if index > 0 else None
    after = words[index + 1] if index + 1 < len(words) else None
    if word not in wordlists.STREET_PREFIXES and before is not None and before not in wordlists.SENTENCE_WORDS:
        return True
    name_follows = word in wordlists.STREET_PREFIXES or word in wordlists.STREET_WORDS_EITHER_SIDE
    if name_follows and after is not None and after not in wordlists.SENTENCE_WORDS:
        return True
    return bool(re.search(rf"\b{re.escape(word)}\.?\s+\d", line, re.I))


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


def keypad_keys(pieces: Sequence[tuple[Box, str]]) -> frozenset[int]:
    """Indexes of the pieces that are the keys of a keypad (a door entry panel, an alarm, a lift's buttons).

    A keypad is a grid of short labels (digits, * and #) of one size, close together, in at least three
    rows, with at least five different keys: read key by key (three columns) or row by row ("123",
    "456", "789", each a run of the keypad's order). Its digits say nothing about where anyone lives;
    a house or flat number stands alone or beside words ("Flat 3"), not in such a grid.
    """
    candidates = [index for index, (_, text) in enumerate(pieces) if KEY_LABEL.match(_compact(text))]
    parent = {index: index for index in candidates}

    def root(index: int) -> int:
        while parent[index] != index:
            index = parent[index]
        return index

    for position, first in enumerate(candidates):
        for second in candidates[position + 1:]:
            if _neighbouring_keys(pieces[first][0], pieces[second][0]):
                parent[root(second)] = root(first)
    groups: dict[int, list[int]] = {}
    for index in candidates:
        groups.setdefault(root(index), []).append(index)
    keys: set[int] = set()
    for group in groups.values():
        labels = [_compact(pieces[index][1]) for index in group]
        boxes = [pieces[index][0] for index in group]
        if len(set("".join(labels))) < KEYPAD_MIN_KEYS or _rows(boxes, across=False) < 3:
            continue
        rows_read_whole = sum(1 for label in labels if len(label) == 3 and label in KEYPAD_ORDER)
        if _rows(boxes, across=True) >= 2 or rows_read_whole >= 2:
            keys.update(group)
    return frozenset(keys)


def _compact(text: str) -> str:
    return "".join(text.split())


def _neighbouring_keys(first: Box, second: Box) -> bool:
    """Two labels of about one size with at most a few label heights between them."""
    tallest = max(first.height, second.height)
    if min(first.height, second.height) * KEY_SIZE_RATIO < tallest:
        return False
    gap_across = max(0, max(first.x, second.x) - min(first.right, second.right))
    gap_down = max(0, max(first.y, second.y) - min(first.bottom, second.bottom))
    return max(gap_across, gap_down) <= KEY_GAP * tallest


def _rows(boxes: list[Box], *, across: bool) -> int:
    """How many rows (or, ``across``, columns) the boxes' centres fall into."""
    centres = sorted((box.x + box.width / 2) if across else (box.y + box.height / 2) for box in boxes)
    size = sorted(box.width if across else box.height for box in boxes)[len(boxes) // 2]
    count, last = 0, None
    for centre in centres:
        if last is None or centre - last > 0.6 * size:
            count += 1
        last = centre
    return count


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
