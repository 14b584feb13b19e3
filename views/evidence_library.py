"""Evidence library: add evidence, see every item (table and photos), and work on one item."""
import pandas as pd
import streamlit as st

from services.evidence import evidence_register, filter_register, revision_history, standard_of_organisation
from services.reviews import rejections
from ui.evidence_forms import (
    CASE_FILES_NOTICE,
    action_label,
    classification_form,
    download_button,
    evidence_summary,
    inspection_form,
    links_form,
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

table_tab, gallery_tab = st.tabs(["Table", "Photos"])
with table_tab:
    st.dataframe(pd.DataFrame([{
        "Title": row["title"], "Type": row["evidence_type_title"], "Actions": ", ".join(row["actions"]),
        "Classification": Classification.label_of(row["classification"]), "Issued": row["issued_on"],
        "Valid until": row["valid_until"], "Current": "yes" if row["current"] else "expired",
        "Review": ReviewStatus.label_of(row["review_status"]),
        "Reviewer's reason": rejected[row["id"]]["reason"] if row["id"] in rejected else "",
        "File": row["file_name"] if row["has_file"] else ("withheld" if row["withheld"] else "on-site inspection"),
        "Revision": row["revision"],
    } for row in shown], columns=["Title", "Type", "Actions", "Classification", "Issued", "Valid until", "Current",
                                  "Review", "Reviewer's reason", "File", "Revision"]),
        hide_index=True, width="stretch", column_config={
            "Title": st.column_config.TextColumn(width="large"), "Actions": st.column_config.TextColumn(width="small"),
            "Current": st.column_config.TextColumn(width="small"), "Revision": st.column_config.NumberColumn(width="small"),
        })
with gallery_tab:
    thumbnail_gallery(haven, principal, shown)

if not shown:
    st.stop()

st.subheader("Work on one item" if can_add or can_link else "One item")
titles = {row["id"]: f"{row['title']} — {row['evidence_type_title']}" for row in shown}
chosen = st.selectbox("Evidence", list(titles), format_func=titles.get, key="library:item")
row = next(r for r in shown if r["id"] == chosen)
with haven.session() as session:
    history = [{"Revision": r.number, "Issued": r.issued_on, "Valid until": r.valid_until or "by type",
                "File": r.display_name or ("withheld" if r.withheld else "on-site inspection"),
                "Size (KB)": round(r.size_bytes / 1024, 1) if r.size_bytes else None, "Note": r.note,
                "Uploaded": r.uploaded_at.strftime("%Y-%m-%d %H:%M"), "id": r.id, "has_file": r.blob_key is not None,
                "mime": r.mime_type}
               for r in revision_history(session, principal, evidence_id=row["id"])]

details, changes = st.columns([3, 2], gap="large")
with details:
    evidence_summary(row, rejected.get(row["id"]))
    if row["thumbnail_key"]:
        thumbnail_gallery(haven, principal, [row], columns=2)
    st.caption(f"{row['evidence_type_title']} · {Classification.label_of(row['classification'])} · "
               f"linked to {', '.join(row['actions']) or 'no action'}")
    if row["note"]:
        st.text(row["note"])
    if can_download:
        for revision in history:
            if revision["has_file"]:
                download_button(haven, principal, revision_id=revision["id"], file_name=revision["File"],
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
             column_config={"Note": st.column_config.TextColumn(width="large")})
