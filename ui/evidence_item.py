"""One item of the evidence library: what it is, its files, the changes a manager makes, and its history."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from accounts.permissions import Principal
from reports.formatting import TABLE_DATE_FORMAT, long_date_time
from services.evidence import RegisterRow, RevisionSummary
from services.instance import Haven
from services.reviews import Rejection
from standards.schema import Standard
from ui.evidence_forms import (
    classification_form,
    download_button,
    evidence_summary,
    links_form,
    photos_wanted,
    revision_form,
    thumbnail_gallery,
)
from ui.widgets import markdown_text

HISTORY_CONFIG = {
    "Revision": st.column_config.NumberColumn(width="small"),
    "Issued": st.column_config.DateColumn(format=TABLE_DATE_FORMAT, width="small"),
    "Valid until": st.column_config.DateColumn(format=TABLE_DATE_FORMAT, width="small"),
    "Note": st.column_config.TextColumn(width="large"),
}


def item_picker(shown: list[RegisterRow], *, key: str) -> RegisterRow:
    """The item worked on: the one clicked in the table, or chosen here."""
    titles = {row.id: f"{row.title} — {row.evidence_type_title}" for row in shown}
    if st.session_state.get(key) not in titles:
        st.session_state.pop(key, None)
    chosen = st.selectbox("Evidence", list(titles), format_func=titles.get, key=key)
    return next(row for row in shown if row.id == chosen)


def item_details(haven: Haven, organisation_id: int, row: RegisterRow, rejection: Rejection | None) -> None:
    """The item's line, its photo when photos are shown, its type, classification, links, file and note."""
    evidence_summary(row, rejection)
    if row.thumbnail_key and photos_wanted():
        thumbnail_gallery(haven, organisation_id, [row], columns=2)
    st.caption(f"{row.evidence_type_title} · {row.classification.label} · "
               f"linked to {', '.join(row.actions) or 'no action'}")
    if row.has_file:
        st.caption(f"File: {markdown_text(row.file_name)}")
    elif row.withheld:
        st.caption("File withheld: restricted evidence imported without its file.")
    else:
        st.caption("On-site inspection: no file.")
    if row.note:
        st.text(row.note)


def revision_downloads(haven: Haven, history: list[RevisionSummary]) -> None:
    """A download button for each revision that has a file."""
    for revision in history:
        if revision.has_file:
            download_button(haven, revision_id=revision.id, file_name=_file_words(revision),
                            mime_type=revision.mime_type, label=f"Download revision {revision.number}",
                            key=f"library:download:{revision.id}")


def item_changes(haven: Haven, principal: Principal, standard: Standard, row: RegisterRow, *, can_add: bool,
                 can_link: bool) -> None:
    """The panels that change the item: a new revision, its classification, its linked actions."""
    key = f"library:item:{row.id}"
    if can_add:
        with st.expander("Upload a new revision", icon=":material/upload_file:", key=f"{key}:revision:panel"):
            revision_form(haven, principal, row, key=f"{key}:revision")
        with st.expander("Classification", icon=":material/lock:", key=f"{key}:classification:panel"):
            classification_form(haven, principal, row, key=f"{key}:classification")
    if can_link:
        with st.expander("Linked actions", icon=":material/link:", key=f"{key}:links:panel"):
            links_form(haven, principal, standard, row, key=f"{key}:links")


def revision_history_table(history: list[RevisionSummary]) -> None:
    st.markdown("**Revision history**")
    st.dataframe(pd.DataFrame([{
        "Revision": r.number, "Issued": r.issued_on, "Valid until": r.valid_until, "File": _file_words(r),
        "Size (KB)": round(r.size_bytes / 1024, 1) if r.size_bytes else None, "Note": r.note,
        "Uploaded": long_date_time(r.uploaded_at),
    } for r in history]), hide_index=True, width="stretch", row_height=56, column_config=HISTORY_CONFIG)


def _file_words(revision: RevisionSummary) -> str:
    return revision.display_name or ("withheld" if revision.withheld else "on-site inspection")
