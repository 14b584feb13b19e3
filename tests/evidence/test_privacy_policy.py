"""The privacy guard's rules on scans built by hand: what is blurred, what is kept and when a reason is needed."""
from __future__ import annotations

import pytest
from PIL import Image

from evidence.privacy_policy import (
    DEFAULT_POLICY,
    CaseFileRefused,
    KeptRegion,
    ManualRegion,
    PrivacyDecision,
    PrivacyRecord,
    PrivacyRefused,
    RecordBuilder,
    RegionAction,
    decide_document,
    decide_regions,
)
from evidence.privacy_step import nothing_to_find
from privacy.model import Box, DocumentScan, ImageScan, PersonalDataFinding, PersonalDataKind, Region, RegionKind

FACE = Region(Box(10, 10, 50, 60), RegionKind.FACE)
NUMBER = Region(Box(200, 40, 30, 40), RegionKind.SENSITIVE_TEXT, text="27", reason="house number")
SIGN = Region(Box(100, 150, 120, 30), RegionKind.TEXT, text="FIRE EXIT")
SCAN = ImageScan(width=320, height=240, regions=(FACE, NUMBER, SIGN))


def actions(outcomes) -> dict[Box, RegionAction]:
    return {outcome.box: outcome.action for outcome in outcomes}


def test_the_default_policy_blurs_faces_and_sensitive_text_and_keeps_other_text():
    assert actions(decide_regions(SCAN, DEFAULT_POLICY)) == {
        FACE.box: RegionAction.BLURRED, NUMBER.box: RegionAction.BLURRED, SIGN.box: RegionAction.KEPT}


def test_a_face_is_kept_only_with_a_reason_and_the_reason_is_kept():
    decision = PrivacyDecision(kept_with_reason=(KeptRegion(FACE.box, "  Volunteer  agreed in writing "),))
    outcomes = decide_regions(SCAN, decision)
    face = next(o for o in outcomes if o.box == FACE.box)
    assert face.action == RegionAction.KEPT and face.reason == "Volunteer agreed in writing"
    assert actions(outcomes)[NUMBER.box] == RegionAction.BLURRED
    for blank in ("", "   ", "\n\t"):
        with pytest.raises(PrivacyRefused, match="needs a reason"):
            decide_regions(SCAN, PrivacyDecision(kept_with_reason=(KeptRegion(FACE.box, blank),)))


def test_other_text_is_blurred_when_the_uploader_asks_and_sensitive_text_kept_with_a_reason():
    decision = PrivacyDecision(regions_to_blur=(SIGN.box,), kept_with_reason=(KeptRegion(NUMBER.box, "Office number"),))
    assert actions(decide_regions(SCAN, decision)) == {
        FACE.box: RegionAction.BLURRED, NUMBER.box: RegionAction.KEPT, SIGN.box: RegionAction.BLURRED}


def test_a_choice_about_a_region_the_scan_did_not_find_is_refused():
    elsewhere = Box(1, 1, 5, 5)
    for decision in (PrivacyDecision(regions_to_blur=(elsewhere,)),
                     PrivacyDecision(kept_with_reason=(KeptRegion(elsewhere, "reason"),))):
        with pytest.raises(PrivacyRefused, match="did not find"):
            decide_regions(SCAN, decision)


def test_the_uploaders_own_regions_are_blurred_with_their_label_and_must_lie_inside_the_photo():
    window = ManualRegion(Box(250, 100, 60, 80), "  a window   view ")
    outcome = decide_regions(SCAN, PrivacyDecision(manual_regions=(window, ManualRegion(Box(0, 0, 4, 4)))))[-2:]
    assert [(o.kind, o.action, o.label) for o in outcome] == [
        (RegionKind.MANUAL, RegionAction.BLURRED, "a window view"),
        (RegionKind.MANUAL, RegionAction.BLURRED, "a region marked by the uploader")]
    for outside in (Box(300, 100, 60, 80), Box(0, 230, 10, 20)):
        with pytest.raises(PrivacyRefused, match="inside the photo"):
            decide_regions(SCAN, PrivacyDecision(manual_regions=(ManualRegion(outside, "car"),)))


def test_keep_detected_keeps_every_detection_with_its_reason_and_needs_one():
    outcomes = decide_regions(SCAN, PrivacyDecision(keep_detected_reason="Staff photo for the open day"))
    assert set(actions(outcomes).values()) == {RegionAction.KEPT}
    assert {o.reason for o in outcomes if o.kind != RegionKind.TEXT} == {"Staff photo for the open day"}
    with pytest.raises(PrivacyRefused, match="needs a reason"):
        decide_regions(SCAN, PrivacyDecision(keep_detected_reason=" "))


def test_a_case_file_needs_a_reason_and_its_record_keeps_kinds_not_excerpts():
    scan = DocumentScan(personal_data=(PersonalDataFinding(PersonalDataKind.DATE_OF_BIRTH, "Date of birth: 12/0…"),
                                       PersonalDataFinding(PersonalDataKind.CASE_NUMBER, "Case number: HH-20…")),
                        case_file=True, case_file_reasons=("date of birth (“Date of birth: 12/0…”)",))
    with pytest.raises(CaseFileRefused) as refused:
        decide_document(scan, PrivacyDecision())
    assert "Date of birth: 12/0" in str(refused.value) and "never victims' case files" in str(refused.value)
    builder = RecordBuilder(document=scan, allowed_reason=decide_document(
        scan, PrivacyDecision(allow_personal_data_reason="Blank template with an example")))
    record = builder.build()
    assert record.case_file and record.allowed_reason == "Blank template with an example"
    assert record.case_file_reasons == ("date of birth", "case number")
    assert "12/0" not in record.to_json() and "HH-20" not in record.to_json()
    assert PrivacyRecord.from_json(record.to_json()) == record


def test_a_document_that_is_no_case_file_needs_no_reason():
    scan = DocumentScan(personal_data=(PersonalDataFinding(PersonalDataKind.PHONE_NUMBER, "0808 802 0000"),))
    assert decide_document(scan, PrivacyDecision()) == ""


def test_the_record_round_trips_and_says_what_was_found():
    builder = RecordBuilder(images_scanned=1)
    builder.regions.extend(decide_regions(SCAN, PrivacyDecision(kept_with_reason=(KeptRegion(FACE.box, "Consent"),))))
    record = builder.build()
    assert PrivacyRecord.from_json(record.to_json()) == record
    assert '"27"' not in record.to_json() and "FIRE EXIT" not in record.to_json()
    assert record.summary() == ("found 1 face, 1 sensitive text, 1 other text; 1 region blurred; "
                                "1 kept legible with a reason")


@pytest.mark.parametrize("picture, empty", [
    (Image.new("RGB", (4000, 3000), (200, 10, 10)), True),
    (Image.new("L", (12, 400), 0), True),
    (Image.new("RGBA", (300, 300), (0, 0, 0, 0)), True),
    (Image.new("RGB", (300, 300), (0, 0, 0)).crop((0, 0, 300, 300)), True),
])
def test_flat_or_tiny_pictures_need_no_scan(picture, empty):
    assert nothing_to_find(picture) is empty


def test_a_picture_with_one_different_pixel_is_scanned():
    picture = Image.new("RGB", (300, 300), (255, 255, 255))
    picture.putpixel((150, 150), (0, 0, 0))
    assert not nothing_to_find(picture)
