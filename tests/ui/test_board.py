import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import select

from bundles.importer import import_bundle
from reports.board_pdf import chart_images_available
from reports.formatting import long_date
from scoring.report import ScoreReport
from standards.loader import get_standard
from storage.models import Snapshot
from tests.app_pages import open_app, texts
from tests.factories import SYSTEM, make_user, write_bundle
from tests.ui.downloads import page_dump

PAGE = "views/board.py"
RESTRICTED_NAMES = ("Reception door", "reception.jpg", "Door entry inspection")
PDF_BUTTON = "Download the board report (PDF)"


@pytest.fixture
def harbour_house(app_haven, tmp_path):
    """The test bundle with a restricted photo that expires in 30 days and a policy-free risk form in 60."""
    today = date.today()
    import_bundle(app_haven, SYSTEM, write_bundle(
        tmp_path / "bundle",
        **{"evidence.0.issued_on": (today - timedelta(days=300)).isoformat(),
           "evidence.0.valid_until": (today + timedelta(days=60)).isoformat(),
           "evidence.1.issued_on": (today - timedelta(days=300)).isoformat(),
           "evidence.1.valid_until": (today + timedelta(days=30)).isoformat()}))
    return app_haven


def test_the_board_sees_the_charts_and_never_a_restricted_name(harbour_house, downloads):
    trustee = make_user(harbour_house, "trustee", "board", "harbour-house")
    app = open_app(trustee, PAGE)
    assert not app.exception
    shown = texts(app)
    assert "Board dashboard" in shown and "Not ready" in shown
    assert "Claimed " in shown and " · proven " in shown
    charts = app.get("plotly_chart")
    assert len(charts) == 2  # layers and trend; engagements, evidence by action and renewals are tables
    assert "green** 80 % or more" in shown and "red** below 50 %" in shown  # the legend of the colours
    rag, slots, expiring = (table.value for table in app.table)
    assert "3.1 Assess victims' safety" not in rag.to_string() and "Assess victims' safety, requirements, " \
        "identifying risks and providing advice to victims" in rag.to_string()  # whole titles, not cut
    assert all(re.fullmatch(r"\d+% (green|amber|red)|Not applicable", cell) for cell in rag["Verified"])
    photos = get_standard("vse-3").evidence_type("premises_photos").title
    shown_titles = [cell.replace("\\", "") for cell in expiring["Evidence"]]  # as Markdown draws them
    assert shown_titles == [f"{photos} (restricted)", "Intake risk assessment form"]
    assert list(expiring["When"]) == ["In 30 days", "In 60 days"]
    assert "As of" not in shown
    dump = page_dump(app)
    for restricted in RESTRICTED_NAMES:
        assert restricted not in dump and restricted not in shown
    assert not any(button.label == "Take a snapshot now" for button in app.button)

    pdf = downloads[PDF_BUTTON]
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Harbour House" in text and not any(name in text for name in RESTRICTED_NAMES)
    if chart_images_available():
        assert len(reader.pages[0].images) == 1  # the trend as a chart


def test_the_manager_sees_restricted_titles_and_takes_a_snapshot(harbour_house):
    manager = make_user(harbour_house, "amira", "manager", "harbour-house")
    app = open_app(manager, PAGE)
    assert "Reception door" in app.table[2].value.to_string()
    with harbour_house.session() as session:
        before = len(session.exec(select(Snapshot)).all())
    next(button for button in app.button if button.label == "Take a snapshot now").click().run()
    assert not app.exception
    assert f"Snapshot of {long_date(date.today())} saved" in texts(app)
    with harbour_house.session() as session:
        taken = session.exec(select(Snapshot)).all()
    assert len(taken) == max(before, 1) and taken[-1].taken_on == date.today()


def test_viewing_pages_keeps_a_daily_snapshot_after_changes(harbour_house):
    from services.ratings import set_rating

    reviewer = make_user(harbour_house, "quinn", "reviewer", "harbour-house")
    open_app(reviewer, PAGE)
    with harbour_house.session() as session:
        first = session.exec(select(Snapshot)).one()
        set_rating(session, SYSTEM, organisation_id=first.organisation_id, action_id="3.3.1", rating="met")
    app = open_app(reviewer, PAGE)
    with harbour_house.session() as session:
        snapshots = session.exec(select(Snapshot)).all()
    assert len(snapshots) == 1 and snapshots[0].self_assessment > first.self_assessment
    assert "Scores over time as a table (1 snapshot in this cycle)" in [e.label for e in app.expander]


def test_a_trend_chart_that_could_not_be_drawn_is_drawn_on_the_next_download(monkeypatch):
    """A Kaleido timeout on a busy server must not leave every later board PDF without its chart."""
    from tests.reports import samples
    from ui import board_report

    score, trend = ScoreReport.from_json(samples.harbour_house()), samples.snapshots(3)
    drawings = iter([{}, {"trend": b"a chart"}])
    monkeypatch.setattr(board_report, "render_chart_images", lambda *_: next(drawings))
    assert board_report.trend_chart_images(score, trend) == {}  # this time the PDF shows a table
    assert board_report.trend_chart_images(score, trend) == {"trend": b"a chart"}
    assert board_report.trend_chart_images(score, trend) == {"trend": b"a chart"}  # kept, not drawn a third time
    assert board_report.trend_chart_images(score, []) == {}
