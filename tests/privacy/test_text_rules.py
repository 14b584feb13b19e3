"""The rules that sort a line read off a photo into "locates someone" or "plain sign", with their reasons."""
from __future__ import annotations

import pytest

from privacy.model import Box
from privacy.text_rules import classify, is_sign_vocabulary, keypad_keys

SENSITIVE = {
    "27": "house number", "12a": "house number", "No. 61": "house number", "2-4": "house number",
    "Flat 3": "flat number", "Apartment 4B": "flat number",
    "Harbour Road": "street name", "Kingsley Avenue": "street name", "Hauptstraße 12": "street name",
    "HauptstraBe 12": "street name",  # the reader has no ß
    "Kerkstraat": "street name", "Rue de la Paix": "street name", "14 Oakfield": "house number",
    "Manchester": "place name", "Milton Keynes": "place name",
    "LS1 4AB": "postcode", "SW1A 1AA": "postcode", "10115 Berlin": "postcode",
    "AB12 CDE": "number plate", "B -MK 4521": "number plate", "GH-482-KT": "number plate",
    "0161 496 0000": "phone number", "Tel: 07700 900123": "phone number", "+44 20 7946 0958": "phone number",
    "info@harbourhouse.org.uk": "e-mail address", "www.harbourhouse.org.uk": "web address",
    "The Smiths": "name on a door plate", "Mrs Jones": "name on a door plate", "J. Patel": "name on a door plate",
    "Sarah Williams": "name on a door plate", "Familie Müller": "name on a door plate",
}
PLAIN = ("FIRE EXIT", "FIREEXIT", "FIRE EXlT", "NO SMOKING", "Assembly Point", "ASSEMBLY P0INT", "Kitchen", "Stairs",
         "Fire Door Keep Shut", "Push Bar To Open", "You Are Here", "Way Out", "Car Park", "Room 2", "1st Floor",
         "Fire Alarm Call Point", "Staff Only", "Notausgang", "Sortie de secours", "")


@pytest.mark.parametrize("text", sorted(SENSITIVE))
def test_locating_text_is_sensitive_with_its_reason(text):
    verdict = classify(text)
    assert verdict.sensitive and verdict.reason == SENSITIVE[text]


# A small or tightly set sign whose words the reader runs together is judged with them apart...
RUN_TOGETHER = {"27HarbourRoad": "street name", "27HarbourRd": "street name", "12MillLane": "street name",
                "4ParkAve": "street name", "27ElmStreet": "street name"}
# ...while run-together signs stay what they were.
RUN_TOGETHER_PLAIN = ("FireExit", "NoSmoking", "PleaseRingBell", "AssemblyPoint", "StaffOnly", "PushBarToOpen")


@pytest.mark.parametrize("text", sorted(RUN_TOGETHER))
def test_words_the_reader_ran_together_are_judged_apart(text):
    verdict = classify(text)
    assert verdict.sensitive and verdict.reason == RUN_TOGETHER[text]


@pytest.mark.parametrize("text", RUN_TOGETHER_PLAIN)
def test_run_together_signs_stay_legible(text):
    assert classify(text).sensitive is False


@pytest.mark.parametrize("text", PLAIN)
def test_signs_and_plan_labels_stay_legible(text):
    assert classify(text).sensitive is False


def test_sign_vocabulary_is_only_words_of_signs():
    assert is_sign_vocabulary("Fire Door Keep Shut") and is_sign_vocabulary("KITCHEN")
    assert not is_sign_vocabulary("Victoria") and not is_sign_vocabulary("Room 2") and not is_sign_vocabulary("")


# Instructions on a door, read as one line: their words (ring, way, via...) are not a street's name.
INSTRUCTIONS = ("Please ring and wait to be let in.", "PLEASE RING AND WAIT TO BE LET IN", "Ring the bell for attention",
                "Please ring the bell", "Road closed", "Enter via the side door", "Place your order here",
                "Visitors by appointment only.", "Press to call", "PRESSTOCALL")
# ...while a street named in a sentence, or a street word with its name on either side, is still a street.
STREETS_IN_SENTENCES = ("Please use the entrance on Mill Lane", "Deliveries via Harbour Road", "Inner Ring Road",
                        "High Street", "Park Road", "Via Roma", "Avenue Foch", "Berkeley Place", "Calle Mayor 5",
                        "Lane")


@pytest.mark.parametrize("text", INSTRUCTIONS)
def test_instructions_on_a_door_stay_legible(text):
    assert classify(text).sensitive is False


@pytest.mark.parametrize("text", STREETS_IN_SENTENCES)
def test_a_street_named_in_a_sentence_is_still_a_street(text):
    verdict = classify(text)
    assert verdict.sensitive and verdict.reason == "street name"


def _grid(labels: str, *, left=600, top=400, pitch=100, size=60, columns=3) -> list[tuple[Box, str]]:
    return [(Box(left + (index % columns) * pitch, top + (index // columns) * pitch, size, size), label)
            for index, label in enumerate(labels)]


def test_the_keys_of_a_keypad_are_found_as_a_grid():
    keypad = _grid("123456789*0#")
    assert keypad_keys(keypad) == frozenset(range(12))
    # two keys read as one ("21"), and a house number elsewhere in the photo, which stays outside the keypad
    merged = [(Box(600, 400, 160, 60), "21"), (Box(800, 400, 60, 60), "3"), *_grid("456789*0#", top=500),
              (Box(50, 50, 60, 60), "27"), (Box(1200, 900, 90, 40), "Flat 3")]
    found = keypad_keys(merged)
    assert {merged[index][1] for index in found} == set("3456789*0#") | {"21"}
    assert all(merged[index][1] not in ("27", "Flat 3") for index in found)


def test_a_keypad_read_row_by_row_is_a_keypad():
    rows = [(Box(600, 400 + 100 * index, 250, 60), label) for index, label in enumerate(("123", "456", "789", "10#"))]
    assert keypad_keys(rows) == frozenset(range(4))


def test_numbers_that_are_not_a_keypad_are_not_keys():
    # a row of house numbers; a door with its number and flat numbers; keys too far apart to be one panel
    assert keypad_keys([(Box(100 + 300 * index, 200, 60, 60), str(number))
                        for index, number in enumerate((23, 25, 27, 29, 31, 33))]) == frozenset()
    assert keypad_keys([(Box(100, 100, 80, 80), "27"), (Box(100, 220, 120, 50), "Flat 1"),
                        (Box(100, 290, 120, 50), "Flat 2")]) == frozenset()
    assert keypad_keys(_grid("123456", pitch=400, size=40)) == frozenset()
    assert keypad_keys(_grid("123")) == frozenset(), "one row is not a keypad"
    assert keypad_keys(_grid("1234")) == frozenset(), "four keys are too few"
    stacked = [(Box(600, 400 + 100 * index, 120, 60), label) for index, label in enumerate(("148", "150", "152"))]
    assert keypad_keys(stacked) == frozenset(), "house numbers one above the other are not keypad rows"
