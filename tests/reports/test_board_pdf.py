import io
import logging
from datetime import date

import pytest
from pypdf import PdfReader

from reports import board_pdf
from reports.board_pdf import board_report_pdf, chart_images_available, latin1_text, render_chart_images
from reports.formatting import long_date
from scoring.report import ScoreReport
from tests.reports import samples
from tests.support import require_or_skip

typed = ScoreReport.from_json

GENERATED_ON = date(2026, 11, 24)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _read(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(text.split())


def test_one_page_with_the_board_facts():
    pages, text = _read(board_report_pdf(typed(samples.harbour_house()), samples.snapshots(12), generated_on=GENERATED_ON))
    assert pages == 1
    assert "Harbour House Victim Support" in text
    assert "Standard 3: Working to ensure victims are safe" in text
    assert "Not ready" in text
    assert "3 actions are not rated met and have no open plan item" in text
    assert "Generated on 24 Nov 2026" in text
    assert "Claimed 75% · proven 50%" in text
    for engagement_row in ("3.1", "3.2", "3.3"):
        assert engagement_row in text
    assert "100% green 100% green 67% amber" in text  # 3.1: the colour is also a word
    assert "50% amber 50% amber 33% red" in text  # 3.2
    assert "N/A N/A N/A" in text  # 3.3, not applicable
    for engagement in samples.harbour_house()["engagements"]:  # whole names, never cut with an ellipsis
        assert engagement["title"] in text
    assert "…" not in text


def test_trend_table_shows_the_last_six_snapshots():
    rows = samples.snapshots(12)
    _, text = _read(board_report_pdf(typed(samples.harbour_house()), rows, generated_on=GENERATED_ON))
    shown = [long_date(row.taken_on) for row in rows[-6:]]
    hidden = [long_date(row.taken_on) for row in rows[:-6]]
    assert all(day in text for day in shown)
    assert not any(day in text for day in hidden)


def test_no_snapshots_says_so():
    pages, text = _read(board_report_pdf(typed(samples.harbour_house()), [], generated_on=GENERATED_ON))
    assert pages == 1 and "No snapshots yet" in text


def test_gaps_high_first_and_at_most_eight():
    score = samples.harbour_house()
    score["gaps"] = [
        {"kind": "expiring_soon", "severity": "low", "action": "3.1.2", "evidence_type": None, "message": "Low one"},
    ] + [
        {"kind": "missing_evidence", "severity": "high", "action": "3.2.1", "evidence_type": None,
         "message": f"High gap number {index}"}
        for index in range(10)
    ]
    pages, text = _read(board_report_pdf(typed(score), samples.snapshots(3), generated_on=GENERATED_ON))
    assert pages == 1
    assert "High gap number 0" in text and "High gap number 7" in text
    assert "High gap number 8" not in text and "Low one" not in text
    assert "and 3 more gaps" in text
    score["gaps"] = score["gaps"][:10]
    _, text = _read(board_report_pdf(typed(score), samples.snapshots(3), generated_on=GENERATED_ON))
    assert "and 2 more gaps" in text
    score["gaps"] = score["gaps"][:9]
    _, text = _read(board_report_pdf(typed(score), samples.snapshots(3), generated_on=GENERATED_ON))
    assert "and 1 more gap in the app" in text


def test_text_extraction_reads_in_order():
    """A screen reader (or a copy-paste) meets the page top to bottom: name, readiness, scores, engagements in
    their order, each with its own scores, then the trend and the gaps."""
    score = samples.harbour_house()
    _, text = _read(board_report_pdf(typed(score), samples.snapshots(4), generated_on=GENERATED_ON))
    milestones = ["Board report", "Harbour House Victim Support", "Readiness: Not ready", "Self-assessed",
                  "Evidence complete", "Verified", "Claimed 75% · proven 50%", "Engagements",
                  "3.1 " + score["engagements"][0]["title"], "100% green 100% green 67% amber",
                  "3.2 " + score["engagements"][1]["title"], "50% amber 50% amber 33% red",
                  "3.3 " + score["engagements"][2]["title"], "Trend", "Top gaps", "Haven · board report"]
    places = [text.find(milestone) for milestone in milestones]
    assert -1 not in places, [m for m, p in zip(milestones, places, strict=True) if p == -1]
    assert places == sorted(places), text


def test_user_text_with_markup_and_non_latin_letters():
    score = samples.harbour_house()
    score["organisation_name"] = "Łódź <script>alert('x')</script> & Zoë’s Haven"
    score["readiness_reason"] = "Zoë <b>owns</b> the plan — Ελλάδα"
    score["gaps"][0]["message"] = "=cmd|' /C calc'!A0 <img src=x onerror=alert(1)>"
    pages, text = _read(board_report_pdf(typed(score), samples.snapshots(2), generated_on=GENERATED_ON))
    assert pages == 1
    if board_pdf.find_unicode_font():
        assert "Łódź <script>alert('x')</script> & Zoë’s Haven" in text
        assert "Zoë <b>owns</b> the plan — Ελλάδα" in text
    else:
        assert "Lódz <script>" in text and "Zoë" in text


def test_many_engagements_still_fit_one_page():
    score = samples.made_up_standard()
    engagement = score["engagements"][0]
    score["engagements"] = [engagement | {"id": f"9.{index}", "title": "A long engagement title " * 6}
                            for index in range(40)]
    score["gaps"] = score["gaps"] * 20
    pages, text = _read(board_report_pdf(typed(score), samples.snapshots(12), generated_on=GENERATED_ON))
    assert pages == 1
    assert "more engagements" in text


def test_latin1_fallback_keeps_what_latin1_has():
    assert latin1_text("Łódź Zoë – “ok”…") == 'Lódz Zoë - "ok"...'


def test_helvetica_fallback_when_no_font_is_found(monkeypatch):
    monkeypatch.setattr(board_pdf, "find_unicode_font", lambda: None)
    score = samples.harbour_house() | {"organisation_name": "Łódź Zoë"}
    pages, text = _read(board_report_pdf(typed(score), samples.snapshots(2), generated_on=GENERATED_ON))
    assert pages == 1 and "Lódz Zoë" in text and "Not ready" in text


def test_broken_trend_image_falls_back_to_the_table(caplog):
    with caplog.at_level(logging.WARNING):
        pages, text = _read(board_report_pdf(typed(samples.harbour_house()), samples.snapshots(3),
                                             generated_on=GENERATED_ON, chart_images={"trend": b"not a png"}))
    assert pages == 1 and "Snapshot" in text


def test_render_chart_images_without_a_browser_returns_nothing(monkeypatch):
    monkeypatch.setattr(board_pdf, "chart_images_available", lambda: False)
    assert render_chart_images(typed(samples.harbour_house()), samples.snapshots(3)) == {}


def test_render_chart_images_survives_a_renderer_failure(monkeypatch):
    async def broken(figures, *, timeout):
        raise RuntimeError("browser crashed")

    monkeypatch.setattr(board_pdf, "chart_images_available", lambda: True)
    monkeypatch.setattr(board_pdf, "_render_pngs", broken)
    assert render_chart_images(typed(samples.harbour_house()), samples.snapshots(3)) == {}


def test_unknown_chart_name_is_a_programming_error():
    with pytest.raises(ValueError):
        render_chart_images(typed(samples.harbour_house()), [], charts_wanted=("pie",))


@pytest.fixture(scope="module")
def chart_images():
    require_or_skip(chart_images_available(), "Kaleido or a Chromium browser is not available")
    return render_chart_images(typed(samples.harbour_house()), samples.snapshots(12), charts_wanted=("trend", "layers"))


def test_kaleido_renders_png_charts(chart_images):
    assert set(chart_images) == {"trend", "layers"}
    assert all(image.startswith(PNG_SIGNATURE) for image in chart_images.values())


def test_pdf_with_the_trend_image_is_still_one_page(chart_images):
    pdf = board_report_pdf(typed(samples.harbour_house()), samples.snapshots(12), generated_on=GENERATED_ON,
                           chart_images=chart_images)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert len(reader.pages[0].images) == 1
    _, text = _read(pdf)
    assert "Snapshot" not in text and "Trend" in text
