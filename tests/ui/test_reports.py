import io
import zipfile
from datetime import date

import pytest
import yaml
from icalendar import Calendar
from openpyxl import load_workbook
from pypdf import PdfReader

from bundles.importer import import_bundle
from reports.board_pdf import chart_images_available
from tests.app_pages import open_app, texts
from tests.factories import SYSTEM, make_user, write_bundle
from ui.navigation import pages_for

PAGE = "views/reports.py"
PACK = "Download the accreditation pack (zip)"
INCLUDE = "Include restricted evidence"


@pytest.fixture
def harbour_house(app_haven, tmp_path):
    import_bundle(app_haven, SYSTEM, write_bundle(tmp_path / "bundle"))
    return app_haven


def test_a_manager_exports_the_pack_without_restricted_files(harbour_house, downloads, monkeypatch):
    if harbour_house.engine.dialect.name != "sqlite":
        monkeypatch.setattr("reports.board_pdf.chart_images_available", lambda: False)  # drawn once is enough
    manager = make_user(harbour_house, "amira", "manager", "harbour-house")
    app = open_app(manager, PAGE)
    assert not app.exception
    assert not any(box.label == INCLUDE for box in app.checkbox)
    shown = texts(app)
    assert "the accreditation pack lists it with its review but leaves its file out" in shown
    assert "python manage.py export --org harbour-house --out pack.zip --include-restricted" in shown
    with zipfile.ZipFile(io.BytesIO(downloads[PACK])) as pack:
        names = pack.namelist()
        manifest = yaml.safe_load(pack.read("bundle.yaml"))
        report = PdfReader(io.BytesIO(pack.read("report.pdf")))
    assert {"bundle.yaml", "index.csv", "report.pdf"} <= set(names)
    assert len(report.pages) == 1
    if harbour_house.engine.dialect.name == "sqlite" and chart_images_available():
        assert len(report.pages[0].images) == 1  # the trend, drawn by Kaleido
    assert [name for name in names if name.startswith("files/")] == ["files/00001-risk-form.pdf"]
    photo = next(entry for entry in manifest["evidence"] if entry["type"] == "premises_photos")
    assert photo["withheld"] is True and "Reception door" not in yaml.safe_dump(manifest)


def test_the_workbooks_and_the_calendar_read_back(harbour_house, downloads):
    manager = make_user(harbour_house, "amira", "manager", "harbour-house")
    open_app(manager, PAGE)
    register = load_workbook(io.BytesIO(downloads["Evidence register (Excel)"])).active
    rows = list(register.iter_rows(values_only=True))
    assert rows[0][:2] == ("Title", "Evidence type")
    assert [row[0] for row in rows[1:]] == ["Intake risk assessment form", "Reception door", "Door entry inspection"]
    plan = load_workbook(io.BytesIO(downloads["Action plan (Excel)"])).active
    plan_rows = list(plan.iter_rows(values_only=True))
    assert plan_rows[1][:3] == ("3.2.1", "Photograph new door entry system", "A. Manager")
    assert plan_rows[1][3].date() == date(2026, 12, 15)
    calendar = Calendar.from_ical(downloads["Deadlines (iCalendar)"])
    summaries = sorted(str(event["summary"]) for event in calendar.walk("VEVENT"))
    assert "Due: Photograph new door entry system (3.2.1)" in summaries
    assert not any("Reception door" in summary for summary in summaries)


def test_an_admin_may_include_restricted_evidence_after_a_warning(harbour_house, downloads, monkeypatch):
    monkeypatch.setattr("reports.board_pdf.chart_images_available", lambda: False)  # drawn in the test above
    admin = make_user(harbour_house, "root", "manager", "harbour-house", is_admin=True)
    app = open_app(admin, PAGE)
    box = next(box for box in app.checkbox if box.label == INCLUDE)
    assert not app.warning
    box.check().run()
    assert "can reveal where victims are" in app.warning[0].value
    with zipfile.ZipFile(io.BytesIO(downloads[PACK])) as pack:
        files = [name for name in pack.namelist() if name.startswith("files/")]
    assert len(files) == 2 and any(name.endswith("reception.jpg") for name in files)


def test_the_board_has_no_reports_page(harbour_house):
    trustee = make_user(harbour_house, "trustee", "board", "harbour-house")
    assert PAGE not in [entry.path for entry in pages_for(trustee, 1)]
