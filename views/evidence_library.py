"""Evidence library: add evidence, see every item (table and photos), and work on one item."""
import streamlit as st

from services.evidence import evidence_register, revision_history, standard_of_organisation
from services.reviews import rejections
from ui.evidence_forms import (
    CASE_FILES_NOTICE,
    RESTRICTED_FOR_ASSESSORS,
    evidence_summary,
    inspection_form,
    photos_toggle,
    thumbnail_gallery,
    upload_form,
)
from ui.evidence_item import item_changes, item_details, item_picker, revision_downloads, revision_history_table
from ui.organisation import open_organisation_screen
from ui.register_table import filtered_register, register_table
from ui.widgets import markdown_text

ITEM_KEY = "library:item"

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
    rejected = {r.evidence_id: r for r in rejections(session, principal, organisation_id=organisation_id)}

st.subheader(f"{markdown_text(name)}: {len(register)} items")
if rejected:
    with st.container(border=True):
        advice = " — replace them with a new revision" if can_add else ""
        st.markdown(f"**:red[{len(rejected)} rejected by the reviewer]**{advice}")
        for row in register:
            if row.id in rejected:
                evidence_summary(row, rejected[row.id])

shown = filtered_register(register, standard)
table_tab, gallery_tab = st.tabs(["Table", "Photos"])
with table_tab:
    register_table(shown, rejected, key=f"library:table:{organisation_id}", item_key=ITEM_KEY)
with gallery_tab:
    if photos_toggle():
        thumbnail_gallery(haven, organisation_id, shown)

if not shown:
    st.stop()

st.subheader("Work on one item" if can_add or can_link else "One item")
row = item_picker(shown, key=ITEM_KEY)
with haven.session() as session:
    history = revision_history(session, principal, evidence_id=row.id)

details, changes = st.columns([3, 2], gap="large")
with details:
    item_details(haven, organisation_id, row, rejected.get(row.id))
    if can_download:
        revision_downloads(haven, history)
with changes:
    item_changes(haven, principal, standard, row, can_add=can_add, can_link=can_link)

revision_history_table(history)
