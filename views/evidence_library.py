"""Evidence library: add evidence, see every item (table and photos), and work on one item."""
import functools

import pandas as pd
import streamlit as st

from reports.formatting import TABLE_DATE_FORMAT, long_date_time
from services.evidence import evidence_register, filter_register, revision_history, standard_of_organisation
from services.reviews import rejections
from ui.evidence_forms import (
    CASE_FILES_NOTICE,
    RESTRICTED_FOR_ASSESSORS,
    action_label,
    classification_form,
    download_button,
    evidence_summary,
    inspection_form,
    links_form,
    photos_toggle,
    photos_wanted,
    revision_form,
    thumbnail_gallery,
    type_title,
    upload_form,
)
from ui.organisation import open_organisation_screen
from ui.widgets import markdown_text
from vocabulary import Classification, ReviewStatus

STATES = ("current", "expired", "pending", "accepted", "rejected")

haven, principal, organisation = open_organisation_screen("Evidence library", "view_evidence")

organisation_id, slug, name = organisation
can_add = principal.can("upload", organisation_id)
can_link = principal.can("link", organisation_id)
can_download = principal.can("download_evidence", organisation_id)

st.info(CASE_FILES_NOTICE, icon=":material/privacy_tip:")
with st.expander("Where restricted evidence goes when an assessor needs it", icon=":material/lock:"):
    st.markdown(RESTRICTED_FOR_ASSESSORS.format(slug=slug))

with haven.session() as session:
    standard = standard_of_organisation(session, organisation_id)

if can_add:
    st.subheader("Add evidence")
    files_tab, inspection_tab = st.tabs(["Upload files", "Record an on-site inspection"])
    with files_tab:
        upload_form(haven, principal, organisation_id, standard, key=f"library:{organisation_id}:upload")
    with inspection_tab:
        inspection_form(haven, principal, organisation_id, standard, key=f"library:{organisation_id}:inspection")

with haven.session() as session:
    register = evidence_register(session, principal, organisation_id=organisation_id)[::-1]  # newest first
    rejected = {r["evidence_id"]: r for r in rejections(session, principal, organisation_id=organisation_id)}

st.subheader(f"{markdown_text(name)}: {len(register)} items")
if rejected:
    with st.container(border=True):
        advice = " — replace them with a new revision" if can_add else ""
        st.markdown(f"**:red[{len(rejected)} rejected by the reviewer]**{advice}")
        for row in register:
            if row["id"] in rejected:
                evidence_summary(row, rejected[row["id"]])

by_type, by_action, by_state, by_classification = st.columns(4)
shown = filter_register(
    register,
    evidence_types=by_type.multiselect("Type", [t.id for t in standard.evidence_types],
                                       format_func=lambda t: type_title(standard, t), key="library:filter:type"),
    actions=by_action.multiselect("Action", [a.id for a in standard.actions], key="library:filter:action",
                                  format_func=lambda a: action_label(standard, a)),
    states=by_state.multiselect("State", STATES, format_func=str.capitalize, key="library:filter:state"),
    classifications=by_classification.multiselect("Classification", list(Classification),
                                                  format_func=Classification.label_of, key="library:filter:class"),
)
st.caption(f"{len(shown)} of {len(register)} items shown")

ITEM_KEY = "library:item"
TABLE_COLUMNS = ["Title", "Type", "Actions", "Valid until", "Current", "Review", "Classification"]
TABLE_KEY = f"library:table:{organisation_id}"
shown_ids = [row["id"] for row in shown]


def choose_from_table(ids: list[int]) -> None:
    """A row clicked in the table becomes the item worked on below (the picker follows it)."""
    rows = st.session_state[TABLE_KEY].selection.rows
    if rows and rows[0] < len(ids):
        st.session_state[ITEM_KEY] = ids[rows[0]]


def review_text(row: dict) -> str:
    words = ReviewStatus.label_of(row["review_status"])
    return f"{words}: {rejected[row['id']]['reason']}" if row["id"] in rejected else words


table_tab, gallery_tab = st.tabs(["Table", "Photos"])
with table_tab:
    st.caption("Click a row to work on that item below.")
    st.dataframe(
        pd.DataFrame([{
            "Title": row["title"], "Type": row["evidence_type_title"], "Actions": ", ".join(row["actions"]),
            "Valid until": row["valid_until"], "Current": "Current" if row["current"] else "Expired",
            "Review": review_text(row), "Classification": Classification.label_of(row["classification"]),
        } for row in shown], columns=TABLE_COLUMNS),
        hide_index=True, width="stretch", row_height=56, key=TABLE_KEY, selection_mode="single-row",
        on_select=functools.partial(choose_from_table, shown_ids),
        column_config={
            "Title": st.column_config.TextColumn(width="large"), "Type": st.column_config.TextColumn(width="medium"),
            "Actions": st.column_config.TextColumn(width="small"),
            "Valid until": st.column_config.DateColumn(format=TABLE_DATE_FORMAT, width="small"),
            "Current": st.column_config.TextColumn(width="small"),
            "Review": st.column_config.TextColumn(width="medium"),
            "Classification": st.column_config.TextColumn(width="small"),
        })
with gallery_tab:
    if photos_toggle():
        thumbnail_gallery(haven, organisation_id, shown)

if not shown:
    st.stop()

st.subheader("Work on one item" if can_add or can_link else "One item")
titles = {row["id"]: f"{row['title']} — {row['evidence_type_title']}" for row in shown}
if st.session_state.get(ITEM_KEY) not in titles:
    st.session_state.pop(ITEM_KEY, None)
chosen = st.selectbox("Evidence", list(titles), format_func=titles.get, key=ITEM_KEY)
row = next(r for r in shown if r["id"] == chosen)
with haven.session() as session:
    history = [{"Revision": r.number, "Issued": r.issued_on, "Valid until": r.valid_until,
                "File": r.display_name or ("withheld" if r.withheld else "on-site inspection"),
                "Size (KB)": round(r.size_bytes / 1024, 1) if r.size_bytes else None, "Note": r.note,
                "Uploaded": long_date_time(r.uploaded_at), "id": r.id, "has_file": r.has_file,
                "mime": r.mime_type}
               for r in revision_history(session, principal, evidence_id=row["id"])]

details, changes = st.columns([3, 2], gap="large")
with details:
    evidence_summary(row, rejected.get(row["id"]))
    if row["thumbnail_key"] and photos_wanted():
        thumbnail_gallery(haven, organisation_id, [row], columns=2)
    st.caption(f"{row['evidence_type_title']} · {Classification.label_of(row['classification'])} · "
               f"linked to {', '.join(row['actions']) or 'no action'}")
    if row["has_file"]:
        st.caption(f"File: {markdown_text(row['file_name'])}")
    elif row["withheld"]:
        st.caption("File withheld: restricted evidence imported without its file.")
    else:
        st.caption("On-site inspection: no file.")
    if row["note"]:
        st.text(row["note"])
    if can_download:
        for revision in history:
            if revision["has_file"]:
                download_button(haven, revision_id=revision["id"], file_name=revision["File"],
                                mime_type=revision["mime"], label=f"Download revision {revision['Revision']}",
                                key=f"library:download:{revision['id']}")
with changes:
    item_key = f"library:item:{row['id']}"
    if can_add:
        with st.expander("Upload a new revision", icon=":material/upload_file:", key=f"{item_key}:revision:panel"):
            revision_form(haven, principal, row, key=f"{item_key}:revision")
        with st.expander("Classification", icon=":material/lock:", key=f"{item_key}:classification:panel"):
            classification_form(haven, principal, row, key=f"{item_key}:classification")
    if can_link:
        with st.expander("Linked actions", icon=":material/link:", key=f"{item_key}:links:panel"):
            links_form(haven, principal, standard, row, key=f"{item_key}:links")

st.markdown("**Revision history**")
st.dataframe(pd.DataFrame(history).drop(columns=["id", "has_file", "mime"]), hide_index=True, width="stretch",
             row_height=56, column_config={
                 "Revision": st.column_config.NumberColumn(width="small"),
                 "Issued": st.column_config.DateColumn(format=TABLE_DATE_FORMAT, width="small"),
                 "Valid until": st.column_config.DateColumn(format=TABLE_DATE_FORMAT, width="small"),
                 "Note": st.column_config.TextColumn(width="large")})
