"""A download drawn on an open page is made later, in a thread of its own, without app.py: it must check the
session and the account at the moment it reads. Here the page is drawn for a user who is then deactivated,
demoted, signed out or left idle, and the download the page still holds gives nothing.

The `downloads` fixture calls a button's function from the test's thread, outside any script run, as
Streamlit's download thread does.
"""
from __future__ import annotations

import base64
import io
import zipfile
from datetime import timedelta

import pytest
from PIL import Image
from sqlmodel import select
from streamlit.runtime.media_file_manager import MediaFileManager

import services.file_access as file_access
from accounts.permissions import PermissionDenied
from bundles.importer import import_bundle
from services.evidence import NewEvidence, evidence_register
from services.file_access import ReadRefused
from services.uploads import upload_evidence
from services.users import set_membership, set_user_active, set_user_admin
from storage.models import AuditEntry, utc_now
from tests.app_pages import open_app
from tests.factories import SYSTEM, jpeg_with_gps, make_user, write_bundle

LIBRARY = "views/evidence_library.py"
REVIEW_QUEUE = "views/review_queue.py"
REPORTS = "views/reports.py"
BOARD = "views/board.py"
PACK = "Download the accreditation pack (zip)"


@pytest.fixture
def harbour_house(app_haven, tmp_path, monkeypatch):
    monkeypatch.setattr("reports.board_pdf.chart_images_available", lambda: False)  # the charts are not the point
    import_bundle(app_haven, SYSTEM, write_bundle(tmp_path / "bundle"))
    return app_haven


def audited(haven, *actions: str) -> list[str]:
    with haven.session() as session:
        return [entry.action for entry in session.exec(select(AuditEntry).order_by(AuditEntry.id))
                if entry.action in actions]


def photo_page(haven, manager):
    """The library opened on the restricted photo, with its download button drawn."""
    with haven.session() as session:
        photo = next(row for row in evidence_register(session, manager, organisation_id=1)
                     if row.title == "Reception door")
    app = open_app(manager, LIBRARY)
    app.selectbox(key="library:item").set_value(photo.id).run()
    assert not app.exception
    return app


def test_a_manager_deactivated_while_the_page_is_open_gets_no_file(harbour_house, downloads):
    manager = make_user(harbour_house, "amira", "manager", "harbour-house")
    photo_page(harbour_house, manager)
    assert Image.open(io.BytesIO(downloads["Download revision 1"])).format == "JPEG"  # while the account is active
    assert audited(harbour_house, "evidence.download") == ["evidence.download"]

    with harbour_house.session() as session:
        set_user_active(session, SYSTEM, user_id=manager.user_id, active=False)
    with pytest.raises(ReadRefused, match="no longer active"):
        downloads["Download revision 1"]
    assert audited(harbour_house, "evidence.download") == ["evidence.download"]


def test_a_manager_made_board_member_while_the_page_is_open_gets_no_file(harbour_house, downloads):
    manager = make_user(harbour_house, "amira", "manager", "harbour-house")
    photo_page(harbour_house, manager)
    with harbour_house.session() as session:
        set_membership(session, SYSTEM, user_id=manager.user_id, role="board", organisation_id=1)
    with pytest.raises(PermissionDenied, match="amira may not open evidence files"):
        downloads["Download revision 1"]
    assert audited(harbour_house, "evidence.download", "watermark.issue") == []


def test_a_page_left_idle_past_the_limit_gives_no_file(harbour_house, downloads, monkeypatch):
    manager = make_user(harbour_house, "amira", "manager", "harbour-house")
    photo_page(harbour_house, manager)
    later = utc_now() + timedelta(minutes=harbour_house.settings.idle_timeout_minutes + 1)
    monkeypatch.setattr(file_access, "utc_now", lambda: later)  # the click comes 31 minutes after the last run
    with pytest.raises(ReadRefused, match="minutes without activity"):
        downloads["Download revision 1"]
    assert audited(harbour_house, "evidence.download", "watermark.issue") == []


def test_a_download_drawn_before_signing_out_gives_nothing(harbour_house, downloads):
    manager = make_user(harbour_house, "amira", "manager", "harbour-house")
    app = photo_page(harbour_house, manager)
    next(button for button in app.sidebar.button if button.label == "Sign out").click().run()
    with pytest.raises(ReadRefused, match="signed out"):
        downloads["Download revision 1"]
    assert audited(harbour_house, "evidence.download") == []


def test_an_administrator_demoted_while_the_page_is_open_gets_no_pack_with_restricted_files(harbour_house, downloads):
    root = make_user(harbour_house, "root", "manager", "harbour-house", is_admin=True)
    other_admin = make_user(harbour_house, "owner", None, is_admin=True)
    app = open_app(root, REPORTS)
    next(box for box in app.checkbox if box.label == "Include restricted evidence").check().run()
    with zipfile.ZipFile(io.BytesIO(downloads[PACK])) as pack:  # while root is an administrator
        assert any(name.endswith("reception.jpg") for name in pack.namelist())

    with harbour_house.session() as session:
        set_user_admin(session, other_admin, user_id=root.user_id, admin=False)
    with pytest.raises(PermissionDenied, match="root may not export restricted evidence"):
        downloads[PACK]
    assert audited(harbour_house, "export") == ["export"]


def test_the_register_plan_calendar_and_board_report_refuse_a_deactivated_account(harbour_house, downloads):
    manager = make_user(harbour_house, "amira", "manager", "harbour-house")
    open_app(manager, REPORTS)
    open_app(manager, BOARD)
    labels = ["Evidence register (Excel)", "Action plan (Excel)", "Deadlines (iCalendar)",
              "Download the board report (PDF)"]
    assert all(downloads[label] for label in labels)  # all four are made while the account is active
    with harbour_house.session() as session:
        set_user_active(session, SYSTEM, user_id=manager.user_id, active=False)
    for label in labels:
        with pytest.raises(ReadRefused):
            downloads[label]
    assert audited(harbour_house, "register.download", "plan.download", "calendar.download", "report.download") == [
        "register.download", "plan.download", "calendar.download", "report.download"]


# --- the review queue hands nothing of a file to the browser until asked ---------------------------------------


@pytest.fixture
def media(monkeypatch) -> list[bytes]:
    """The bytes of everything the pages put in Streamlit's media store (served at /media/…; the media gate lets
    only the browser session a download was made for fetch it). Pictures must not go there at all."""
    added: list[bytes] = []
    original = MediaFileManager.add

    def recording(self, path_or_data, *args, **kwargs):
        added.append(path_or_data if isinstance(path_or_data, bytes) else b"")
        return original(self, path_or_data, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add", recording)
    return added


def pictures(app) -> list[bytes]:
    """The pictures the page sends inside itself (data: addresses of its st.image elements)."""
    found = []
    for element in app.image:
        for picture in element.proto.imgs:
            assert picture.url.startswith("data:image/"), picture.url  # never an address on the server
            found.append(base64.b64decode(picture.url.split(",", 1)[1]))
    return found


def test_the_review_queue_hands_over_a_small_marked_rendering_only_when_asked(app_haven, organisation, manager,
                                                                            media, downloads):
    photo = jpeg_with_gps(2400, 1800)
    upload_evidence(app_haven, manager, organisation_id=organisation, data=photo, filename="front.jpg",
                    details=NewEvidence("premises_photos", ("3.2.1",), utc_now().date(), title="Front door"))
    stored = {key: app_haven.store.get(key) for key in app_haven.store.keys()}
    reviewer = make_user(app_haven, "quinn", "reviewer", "harbour-house")
    app = open_app(reviewer, REVIEW_QUEUE)
    assert not app.exception and not app.image
    assert media == []  # nothing of the file, nothing at all, in the media store
    assert audited(app_haven, "evidence.preview", "evidence.download") == []

    next(button for button in app.button if button.label == "Show preview").click().run()
    shown = pictures(app)
    assert media == []
    assert len(shown) == 1 and not any(blob in shown[0] for blob in stored.values())
    preview = Image.open(io.BytesIO(shown[0]))
    assert max(preview.size) <= 640 < 2400
    assert audited(app_haven, "evidence.preview", "watermark.issue") == ["watermark.issue", "evidence.preview"]

    copy = downloads["Download the file"]  # made on the click, audited like the library's
    assert Image.open(io.BytesIO(copy)).size == (2400, 1800)
    assert audited(app_haven, "evidence.download") == ["evidence.download"]


def test_the_library_sends_no_photo_until_asked_and_records_the_viewing(harbour_house, media):
    manager = make_user(harbour_house, "amira", "manager", "harbour-house")
    app = photo_page(harbour_house, manager)
    assert not app.image and media == []
    assert audited(harbour_house, "evidence.thumbnails") == []

    app.toggle(key="library:show_photos").set_value(True).run()
    thumbnails = pictures(app)
    assert media == []
    assert thumbnails and all(max(Image.open(io.BytesIO(data)).size) <= 320 for data in thumbnails)
    assert audited(harbour_house, "evidence.thumbnails")  # each viewing is in the audit log
