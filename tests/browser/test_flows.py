"""The whole accreditation loop in real headless Chromium against `streamlit run app.py`, as people use it.

The first visit creates the administrator, who adds the organisation; a manager uploads a premises photo
carrying GPS data and a PDF, links them, rates actions and plans a task; a reviewer accepts the photo and
rejects the PDF with a reason; the manager sees the rejection; the board sees the scores move and can
reach no evidence, by menu or by URL. The downloaded photo carries no EXIF. Each step is screenshotted
under test-artifacts/browser/.
"""
from __future__ import annotations

import io
import json
import re

import pytest
from PIL import Image
from sqlmodel import select

from tests.browser.conftest import (
    add_choice,
    choose,
    click_button,
    create_administrator,
    download_revision,
    fill_text,
    go_to,
    keyed,
    main_text,
    open_app,
    sign_in,
    sign_out,
    upload_files,
    wait_for_app,
)
from tests.factories import PASSWORD, jpeg_with_gps, simple_pdf

pytestmark = pytest.mark.browser

HOSTILE_TITLE = 'Fire exit plan <img src=x onerror="alert(1)">'
REJECTION = "The plan is not signed or dated."
UPLOAD = "library:1:upload"  # the upload form of the first organisation
EVIDENCE_NAMES = ("Front door and intercom", "front-door.jpg", "safety plan.pdf", "Fire exit plan", REJECTION)


def sidebar_links(page) -> list[str]:
    """The page titles in the sidebar (each link also carries its icon's name on a line of its own)."""
    return [link.inner_text().strip().splitlines()[-1] for link in page.get_by_test_id("stSidebarNav").get_by_role("link").all()]


def scores_of(server) -> dict:
    return json.loads(server.manage("score", "--org", "harbour-house", "--json").stdout)["scores"]


def board_metrics(page) -> dict[str, str]:
    metrics = {}
    for metric in page.get_by_test_id("stMetric").all():
        label = metric.get_by_test_id("stMetricLabel").inner_text().strip()
        metrics[label] = metric.get_by_test_id("stMetricValue").inner_text().strip()
    return metrics


def test_from_first_visit_to_the_board(haven_server, page, shots):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    server = haven_server()

    # The first visit: there is no account yet, so Haven asks for the administrator.
    open_app(page, server)
    create_administrator(page, "ada", PASSWORD, shots=shots)
    assert "Signed in as ada" in page.get_by_test_id("stSidebar").inner_text()

    go_to(page, "Users and organisations")

    page.get_by_role("tab", name="Organisations").click()
    organisation_form = page.get_by_test_id("stForm").filter(has=page.get_by_text("Add organisation"))
    fill_text(page, "Id", "harbour-house", within=organisation_form)
    fill_text(page, "Name", "Harbour House Victim Support", within=organisation_form)
    click_button(page, "Add organisation", within=organisation_form)
    page.get_by_text("Harbour House Victim Support").first.wait_for()
    shots.take(page, "organisation-added")
    for name, role, org in (("amira", "manager", "harbour-house"), ("quinn", "reviewer", None),
                            ("trustee", "board", "harbour-house")):
        server.create_user(name, "--role", role, *(["--org", org] if org else []))
    sign_out(page)

    # The manager: a premises photo with GPS data and a PDF, linked to their actions; ratings; a plan item.
    sign_in(page, "amira", PASSWORD)
    shots.take(page, "manager-signed-in")
    go_to(page, "Evidence library")
    choose(page, "Evidence type", "Pictures of premises")
    upload_files(page, "Files", [("front-door.jpg", jpeg_with_gps(800, 600), "image/jpeg")])
    fill_text(page, "Title", "Front door and intercom", within=keyed(page, f"{UPLOAD}:title"))
    click_button(page, "Add the files", exact=False)
    page.get_by_text("Stored 1 of 1: front-door.jpg.").wait_for()
    shots.take(page, "photo-uploaded")

    choose(page, "Evidence type", "Safety plan")
    add_choice(page, "Actions it supports", "3.2.1")
    add_choice(page, "Actions it supports", "3.2.2")
    upload_files(page, "Files", [("safety plan.pdf", simple_pdf("Safety plan for the premises"), "application/pdf")])
    fill_text(page, "Title", HOSTILE_TITLE, within=keyed(page, f"{UPLOAD}:title"))
    click_button(page, "Add the files", exact=False)
    page.get_by_text("Stored 1 of 1: safety plan.pdf.").wait_for()
    shots.take(page, "pdf-uploaded-and-linked")
    go_to(page, "Self-assessment")
    rate(page, "3.1.1", "Met")
    page.get_by_role("tab", name=re.compile(r"^3\.2 ")).click()
    rate(page, "3.2.1", "Partially met")
    shots.take(page, "actions-rated")

    go_to(page, "Gaps and action plan")
    page.get_by_role("button", name="Add to plan").first.click()
    wait_for_app(page)
    page.get_by_text("Added to the plan for").wait_for()
    shots.take(page, "plan-item-added")
    before_review = scores_of(server)
    sign_out(page)

    # The board before the review.
    sign_in(page, "trustee", PASSWORD)
    go_to(page, "Board dashboard")
    board_before = board_metrics(page)
    shots.take(page, "board-before-review")
    sign_out(page)

    # The reviewer accepts the photo and rejects the PDF with a reason.
    sign_in(page, "quinn", PASSWORD)
    go_to(page, "Review queue")
    page.get_by_role("heading", name="Front door and intercom").wait_for()
    shots.take(page, "review-queue")
    assert page.get_by_test_id("stMain").get_by_test_id("stImage").count() == 0  # nothing of the file until asked
    click_button(page, "Show preview", exact=False)
    page.get_by_test_id("stMain").get_by_test_id("stImage").first.wait_for()
    shots.take(page, "review-preview")
    click_button(page, "Accept", within=page.get_by_test_id("stForm"), exact=False)  # nothing ticked: refused
    page.get_by_text("To accept, tick every checklist item").wait_for()
    for checkbox in page.get_by_test_id("stForm").get_by_test_id("stCheckbox").all():
        checkbox.click()
    click_button(page, "Accept", within=page.get_by_test_id("stForm"), exact=False)
    page.get_by_text("Accepted: Front door and intercom").wait_for()
    fill_text(page, "Comment (needed to reject, and to accept with an item unticked)", REJECTION,
              within=page.get_by_test_id("stForm"))
    click_button(page, "Reject", within=page.get_by_test_id("stForm"), exact=False)
    page.get_by_text("Nothing is waiting for review.").wait_for()
    shots.take(page, "reviewed")
    sign_out(page)

    # The manager sees the rejection and its reason, and downloads the photo: no EXIF, no GPS.
    sign_in(page, "amira", PASSWORD)
    go_to(page, "Evidence library")
    page.get_by_text("1 rejected by the reviewer").wait_for()
    assert REJECTION in main_text(page)
    shots.take(page, "manager-sees-rejection")
    copy = download_revision(page, "Front door and intercom — Pictures of premises")
    photo = Image.open(io.BytesIO(copy))
    assert photo.format == "JPEG" and len(photo.getexif()) == 0 and "exif" not in photo.info
    assert_marked_for(server, copy, "amira", "Front door and intercom")
    sign_out(page)

    # The board sees the scores move, and no evidence: not in the menu, not by URL.
    after_review = scores_of(server)
    assert after_review["verified"] > before_review["verified"]
    assert after_review["completeness"] < before_review["completeness"]
    sign_in(page, "trustee", PASSWORD)
    go_to(page, "Board dashboard")
    board_after = board_metrics(page)
    shots.take(page, "board-after-review")
    assert board_after["Proven (verified)"] != board_before["Proven (verified)"]
    assert board_after["Evidence complete"] != board_before["Evidence complete"]
    links = sidebar_links(page)
    assert "Board dashboard" in links
    assert not {"Evidence library", "Self-assessment", "Review queue", "Gaps and action plan"} & set(links)
    for path in ("evidence_library", "review_queue", "self_assessment"):
        go_to_url_in_session(page, path)  # the board's own signed-in session asks for the page by its URL
        shown = page.get_by_test_id("stApp").inner_text()
        assert "Signed in as trustee" in shown
        for secret in EVIDENCE_NAMES:
            assert secret not in shown, (path, secret)
        shots.take(page, f"board-asks-for-{path}")
    # A fresh load keeps the sign-in (the browser-session cookie), and the screen still says no.
    page.goto(f"{server.url}/evidence_library")
    wait_for_app(page)
    page.get_by_text("You have no access to this page").wait_for()
    assert not any(secret in page.get_by_test_id("stApp").inner_text() for secret in EVIDENCE_NAMES)

    assert dialogs == []  # the title with an onerror handler stayed text
    log = server.log_text()
    assert "Traceback" not in log and PASSWORD not in log and "$argon2" not in log


def assert_marked_for(server, copy: bytes, username: str, title: str) -> None:
    """The downloaded copy is the stored photo with the band of `username`'s watermark, whose code `trace` follows
    back to them; the stored photo itself is unmarked."""
    from datetime import date

    from reports.watermarks import Watermark, watermark_image
    from services.file_access import WATERMARK_ACTION
    from services.instance import open_instance
    from storage.models import AuditEntry, EvidenceRevision
    from tests.browser.conftest import server_settings

    haven = open_instance(server_settings(server))
    with haven.session() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == WATERMARK_ACTION)).all()[-1]
        stored = haven.store.get(session.exec(select(EvidenceRevision.blob_key).where(
            EvidenceRevision.display_name == "front-door.jpg")).one())
    haven.engine.dispose()
    code = entry.target.removeprefix("watermark:")
    assert copy == watermark_image(stored, Watermark("amira", date.today(), code))  # made for amira, today
    assert copy != stored and Image.open(io.BytesIO(copy)).size == Image.open(io.BytesIO(stored)).size
    traced = server.manage("trace", code).stdout
    assert f"issued to {username}" in traced and title in traced


def rate(page, action_id: str, rating: str) -> None:
    choose(page, "Rating", rating, within=keyed(page, f"rating:1:{action_id}:rating"))
    click_button(page, "Save rating", within=keyed(page, f"rating:1:{action_id}:save"), exact=False)
    page.get_by_text(f"The rating of {action_id} is saved.").wait_for()


def go_to_url_in_session(page, path: str) -> None:
    """Changes the address to /path the way the browser's back and forward buttons do, keeping the session."""
    page.evaluate("(path) => { history.pushState({}, '', '/' + path); dispatchEvent(new PopStateEvent('popstate')); }",
                  path)
    wait_for_app(page)
