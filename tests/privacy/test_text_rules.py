"""The rules that sort a line read off a photo into "locates someone" or "plain sign", with their reasons."""
from __future__ import annotations

import pytest

from privacy.text_rules import classify, is_sign_vocabulary

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


@pytest.mark.parametrize("text", PLAIN)
def test_signs_and_plan_labels_stay_legible(text):
    assert classify(text).sensitive is False


def test_sign_vocabulary_is_only_words_of_signs():
    assert is_sign_vocabulary("Fire Door Keep Shut") and is_sign_vocabulary("KITCHEN")
    assert not is_sign_vocabulary("Victoria") and not is_sign_vocabulary("Room 2") and not is_sign_vocabulary("")
