"""Board dashboard: readiness and why, claimed against proven, engagements, evidence by action, the trend
and what expires in the next 90 days. Restricted evidence appears by its type only."""
from datetime import date

import pandas as pd
import streamlit as st

from reports.board_pdf import board_report_pdf, chart_images_available, render_chart_images
from reports.charts import claimed_versus_proven, engagement_rows, score_layers_figure, score_trend_figure
from reports.formatting import (
    RAG_RED,
    TABLE_DATE_FORMAT,
    as_date,
    long_date,
    rag_colour,
    rag_word,
    slot_state_colour,
    slot_state_label,
    text_colour_on,
)
from reports.watermarks import watermark_pdf
from services.board import EXPIRY_WINDOW_DAYS, expiring_evidence
from services.file_access import Admission, ReadRequest, read_as
from services.scores import score_organisation
from services.snapshots import snapshot_series, take_snapshot
from ui.notices import attempt
from ui.organisation import open_organisation_screen
from ui.session import current_reader
from ui.widgets import markdown_text, readiness_badge
from vocabulary import Readiness, ScoreLayer, percent

RAG_LEGEND = ("Colours: **green** 80 % or more · **amber** 50 to 79 % · **red** below 50 % · **grey** not "
              "applicable. Every coloured cell also writes its number and its colour word.")


def _coloured(fill: str) -> str:
    return f"background-color: {fill}; color: {text_colour_on(fill)}"


def rag_cell(value: float | None) -> str:
    return "Not applicable" if value is None else f"{percent(value)} {rag_word(value)}"


def rag_table(score: dict):
    """Engagements, each followed by its actions, against the three layers: "83% green" on a green cell."""
    rows = engagement_rows(score)
    frame = pd.DataFrame([{
        "": f"**{row['id']}**" if row["kind"] == "engagement" else row["id"],
        "Engagement or action": (f"**{markdown_text(row['title'])}**" if row["kind"] == "engagement"
                                 else f"{markdown_text(row['title'])} · {row['rating'] or 'Not rated'}"),
        **{key.label: rag_cell(row["scores"][key]) for key in ScoreLayer},
    } for row in rows])
    colours = pd.DataFrame([{key.label: _coloured(rag_colour(row["scores"][key])) for key in ScoreLayer}
                            for row in rows])
    return frame.style.apply(lambda _: colours, axis=None, subset=[key.label for key in ScoreLayer])


def slot_table(score: dict):
    """Every required piece of evidence of every action and its state, coloured by it."""
    rows, fills = [], []
    for engagement in score["engagements"]:
        for action in engagement["actions"]:
            for slot in action["slots"]:
                state = "not_applicable" if action["rating"] == "not_applicable" else slot["state"]
                words = slot_state_label(state) + (" · expiring soon" if slot["expiring_soon"] else "")
                rows.append({"Action": action["id"], "Evidence": slot["evidence_type_title"], "State": words})
                fills.append(_coloured(slot_state_colour(state)))
    frame = pd.DataFrame(rows, columns=["Action", "Evidence", "State"])
    return frame.style.apply(lambda column: fills, subset=["State"])


def renewal_words(days_left: int) -> str:
    if days_left < 0:
        return f"Expired {-days_left} day{'s' if days_left != -1 else ''} ago"
    if days_left == 0:
        return "Expires today"
    return f"In {days_left} day{'s' if days_left != 1 else ''}"


def urgency_style(words: str) -> str:
    return _coloured(RAG_RED) if words.startswith("Expired") else ""


haven, principal, organisation = open_organisation_screen("Board dashboard", "view_scores")
organisation_id, slug, name = organisation
today = date.today()

with haven.session() as session:
    report = score_organisation(session, principal, organisation_id=organisation_id, as_of=today)
    series = snapshot_series(session, principal, organisation_id=organisation_id)
    expiring = expiring_evidence(session, principal, organisation_id=organisation_id, as_of=today,
                                 include_expired=True)


@st.cache_data(show_spinner=False, max_entries=64)
def trend_chart_images(score: dict, snapshots: list[dict]) -> dict[str, bytes]:
    """The PDF's trend chart, drawn once per score and trend (Kaleido takes seconds)."""
    return render_chart_images(score, snapshots) if snapshots else {}


reader = current_reader()
REPORT_REQUEST = ReadRequest(permission="view_scores", organisation_id=organisation_id, action="report.download",
                             target=slug, watermark=True)


def board_report() -> bytes:
    """Made on click, in a thread of its own: the read checks the session and the user as they are then, and the
    PDF is marked for them."""
    def make(admission: Admission) -> bytes:
        with haven.session() as session:
            fresh = score_organisation(session, admission.principal, organisation_id=organisation_id, as_of=today)
            trend = snapshot_series(session, admission.principal, organisation_id=organisation_id)
        images = trend_chart_images(fresh, trend) if chart_images_available() else {}
        return watermark_pdf(board_report_pdf(fresh, trend, generated_on=today, chart_images=images),
                             admission.watermark)
    return read_as(haven, reader, REPORT_REQUEST, make)


st.caption(f"{markdown_text(name)} · {report['standard_title']} · scores on {long_date(report['as_of'])}")
readiness_badge(report["readiness"], report["readiness_reason"])

st.subheader(claimed_versus_proven(report))
scores = report["scores"]
claimed, complete, proven = st.columns(3)
claimed.metric("Claimed (self-assessed)", percent(scores["self_assessment"]),
               help="What the ratings claim: met counts 2 points, partially met 1.")
complete.metric("Evidence complete", percent(scores["completeness"]),
                help="Required evidence that is current and not rejected.")
proven.metric("Proven (verified)", percent(scores["verified"]),
              help="Required evidence a quality reviewer has accepted.")
st.caption(RAG_LEGEND)

layers, trend = st.columns(2)
with layers:
    st.plotly_chart(score_layers_figure(report).update_layout(title_text="The three layers", height=320),
                    width="stretch")
    st.caption("The same three figures as above.")
with trend:
    st.plotly_chart(score_trend_figure(series).update_layout(height=320), width="stretch")
    with st.expander(f"Scores over time as a table ({len(series)} snapshot{'s' if len(series) != 1 else ''} "
                     "in this cycle)"):
        st.dataframe(pd.DataFrame([{
            "Date": as_date(snapshot["taken_on"]), "Readiness": Readiness.label_of(snapshot["readiness"]),
            **{key.label: percent(snapshot[key]) for key in ScoreLayer},
        } for snapshot in reversed(series)], columns=["Date", "Readiness", *(key.label for key in ScoreLayer)]),
            hide_index=True, width="stretch",
            column_config={"Date": st.column_config.DateColumn(format=TABLE_DATE_FORMAT)})

by_engagement, by_action = st.columns([3, 2])
with by_engagement:
    st.subheader("Engagements and actions")
    st.table(rag_table(report), hide_index=True)
with by_action:
    st.subheader("Evidence by action")
    st.table(slot_table(report), hide_index=True)

st.subheader("Evidence to renew")
if expiring:
    st.table(pd.DataFrame([{
        "When": renewal_words(row["days_left"]), "Valid until": long_date(row["valid_until"]),
        "Evidence": markdown_text(row["title"] or f"{row['evidence_type_title']} (restricted)"),
        "Type": row["evidence_type_title"], "Actions": ", ".join(row["actions"]),
    } for row in expiring]).style.map(urgency_style, subset=["When"]), hide_index=True)
    st.caption(f"Expired evidence that nothing current has replaced, then what expires in the next "
               f"{EXPIRY_WINDOW_DAYS} days. Restricted evidence is named by its type only.")
else:
    st.caption(f"Nothing has expired and nothing expires in the next {EXPIRY_WINDOW_DAYS} days.")

st.divider()
download, snapshot = st.columns(2)
with download:
    st.download_button("Download the board report (PDF)", data=board_report,
                       file_name=f"{slug}-board-report-{today.isoformat()}.pdf", mime="application/pdf",
                       icon=":material/picture_as_pdf:", on_click="ignore", type="primary")
    st.caption("One A4 page: readiness, the three scores, engagements, the trend and the top gaps.")
if principal.can("snapshot", organisation_id):
    with snapshot:
        if st.button("Take a snapshot now", icon=":material/photo_camera:"):
            if attempt(haven, lambda session: take_snapshot(session, principal, organisation_id=organisation_id, as_of=today),
                       done=f"Snapshot of {long_date(today)} saved: the trend now includes today."):
                st.rerun()
        st.caption("Haven also keeps one snapshot a day by itself whenever the scores change.")
