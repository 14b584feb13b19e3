"""The privacy guard in real Chromium: a manager uploads a photo with a face and a house number, sees both
outlined, keeps the face with a reason and blurs the number; the reviewer sees what was found and decided.

Screenshots of each step land under test-artifacts/browser/. The watermark of the manager's download is
checked by the file-delivery tests; `download_photo` below hands them the downloaded bytes.
"""
from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, ImageStat

from tests import guard_samples as samples
from tests.browser.conftest import (
    choose,
    click_button,
    download_revision,
    fill_text,
    go_to,
    keyed,
    main_text,
    open_app,
    sign_in,
    sign_out,
    upload_files,
)
from tests.factories import PASSWORD, write_bundle

pytestmark = pytest.mark.browser

UPLOAD = "library:1:upload"
REASON = "Our volunteer agreed in writing to be shown"
SCAN_MS = 240_000  # the first scan loads the OCR models; a busy CI machine is slow


def download_photo(page, title: str) -> bytes:
    """The manager downloads the latest revision of `title` from the library (the copy that leaves Haven)."""
    return download_revision(page, f"{title} — Pictures of premises")


def test_a_manager_keeps_a_face_with_a_reason_and_blurs_the_house_number(haven_server, page, shots, tmp_path):
    server = haven_server()
    server.manage("import", str(write_bundle(tmp_path / "bundle")))
    for name, role in (("amira", "manager"), ("quinn", "reviewer")):
        server.create_user(name, "--role", role, "--org", "harbour-house")

    open_app(page, server)
    sign_in(page, "amira", PASSWORD)
    go_to(page, "Evidence library")
    choose(page, "Evidence type", "Pictures of premises")
    fill_text(page, "Title", "Front door with volunteer", within=keyed(page, f"{UPLOAD}:title"))
    upload_files(page, "Files", [("front-door.jpg", samples.face_and_number_jpeg(), "image/jpeg")])
    page.get_by_text("Privacy check · front-door.jpg").wait_for(timeout=SCAN_MS)
    face = page.get_by_test_id("stCheckbox").filter(has_text="Blur: Face")
    number = page.get_by_test_id("stCheckbox").filter(has_text="house number")
    assert face.get_by_role("checkbox").is_checked() and number.get_by_role("checkbox").is_checked()
    assert page.get_by_test_id("stCheckbox").filter(has_text="FIRE EXIT").get_by_role("checkbox").is_checked() is False
    shots.take(page, "photo-with-regions-outlined")

    face.locator("label").click()
    page.get_by_text("Give a reason, or tick Blur again").wait_for()
    reason_box = page.get_by_label("Why keep region 1 legible?")
    reason_box.fill(REASON)
    reason_box.press("Tab")
    shots.take(page, "face-kept-with-a-reason")
    click_button(page, "Add the files", exact=False)
    page.get_by_text("Stored 1 of 1: front-door.jpg.").wait_for(timeout=SCAN_MS)
    shots.take(page, "photo-stored")

    downloaded = Image.open(io.BytesIO(download_photo(page, "Front door with volunteer"))).convert("RGB")
    original = samples.face_and_number_picture()
    plate = samples.NUMBER_PLATE
    assert sum(ImageStat.Stat(ImageChops.difference(original.crop(plate), downloaded.crop(plate))).mean) / 3 > 10
    sign_out(page)

    sign_in(page, "quinn", PASSWORD)
    go_to(page, "Review queue")
    choose(page, "Evidence to review", "Front door with volunteer (revision 1)")
    page.get_by_text("Privacy check").first.wait_for()
    shown = main_text(page)
    assert "Face kept legible" in shown and REASON in shown
    assert "house number" in shown and "blurred" in shown
    shots.take(page, "reviewer-sees-the-decision")
    assert "Traceback" not in server.log_text()
