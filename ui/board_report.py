"""The board dashboard's two actions: the one-page PDF for the board, and a snapshot taken now."""
from __future__ import annotations

from datetime import date

import streamlit as st

from accounts.permissions import Principal
from reports.board_pdf import board_report_pdf, chart_images_available, render_chart_images
from reports.formatting import long_date
from reports.watermarks import watermark_pdf
from scoring.report import ScoreReport, report_of
from services.file_access import Admission, ReadRequest, read_as
from services.instance import Haven
from services.scores import assess_organisation
from services.snapshots import snapshot_series, take_snapshot
from ui.files_out import for_this_browser
from ui.notices import attempt
from ui.session import current_reader


@st.cache_data(show_spinner=False, max_entries=64)
def trend_chart_images(score: ScoreReport, snapshots: list[dict]) -> dict[str, bytes]:
    """The PDF's trend chart, drawn once per score and trend (Kaleido takes seconds)."""
    return render_chart_images(score, snapshots) if snapshots else {}


def board_actions(haven: Haven, principal: Principal, *, organisation_id: int, slug: str, today: date) -> None:
    """The PDF download (made on click, for the reader as they are then) and, for managers, a snapshot now."""
    reader = current_reader()
    request = ReadRequest(permission="view_scores", organisation_id=organisation_id, action="report.download",
                          target=slug, watermark=True)

    def board_report() -> bytes:
        """Made on click, in a thread of its own: the read checks the session and the user as they are then, and
        the PDF is marked for them."""
        def make(admission: Admission) -> bytes:
            with haven.session() as session:
                fresh = report_of(assess_organisation(session, admission.principal, organisation_id=organisation_id,
                                                      as_of=today))
                trend = snapshot_series(session, admission.principal, organisation_id=organisation_id)
            images = trend_chart_images(fresh, trend) if chart_images_available() else {}
            return watermark_pdf(board_report_pdf(fresh, trend, generated_on=today, chart_images=images),
                                 admission.watermark)
        return read_as(haven, reader, request, make)

    download, snapshot = st.columns(2)
    with download:
        st.download_button("Download the board report (PDF)", data=for_this_browser(reader, board_report),
                           file_name=f"{slug}-board-report-{today.isoformat()}.pdf", mime="application/pdf",
                           icon=":material/picture_as_pdf:", on_click="ignore", type="primary")
        st.caption("One A4 page: readiness, the three scores, engagements, the trend and the top gaps.")
    if principal.can("snapshot", organisation_id):
        with snapshot:
            if st.button("Take a snapshot now", icon=":material/photo_camera:"):
                if attempt(haven, lambda session: take_snapshot(session, principal, organisation_id=organisation_id,
                                                                as_of=today),
                           done=f"Snapshot of {long_date(today)} saved: the trend now includes today."):
                    st.rerun()
            st.caption("Haven also keeps one snapshot a day by itself whenever the scores change.")
