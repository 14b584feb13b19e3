"""Review queue: evidence waiting for a quality reviewer, oldest first; accept, or reject with a reason."""
import pandas as pd
import streamlit as st

from reports.formatting import TABLE_DATE_FORMAT, long_date
from services.reviews import review_queue, review_revision
from ui.notices import attempt
from ui.organisation import open_organisation_screen
from ui.privacy_summary import privacy_flag, privacy_panel
from ui.review_preview import preview_panel
from ui.widgets import WRAPPING_ROW_HEIGHT, markdown_text

PICKER_VERSION_KEY = "review_queue_pick_version"  # a new picker after each decision, so it shows the next item
OWN_UPLOAD = "Uploaded by you — another reviewer must review it."

haven, principal, organisation = open_organisation_screen("Review queue", "review")
organisation_id, slug, name = organisation


with haven.session() as session:
    queue = review_queue(session, principal, organisation_id=organisation_id)

if not queue:
    st.success("Nothing is waiting for review.", icon=":material/done_all:")
    st.stop()

st.caption(f"{len(queue)} waiting for review, oldest first · {markdown_text(name)}")
st.dataframe(
    pd.DataFrame([{
        "Waiting since": item.uploaded_at.date(), "Title": item.title, "Type": item.evidence_type_title,
        "Revision": item.revision, "For actions": ", ".join(item.actions),
        "Note": "Uploaded by you" if item.own_upload else "", "Privacy": privacy_flag(item.privacy),
    } for item in queue]),
    hide_index=True, width="stretch", row_height=WRAPPING_ROW_HEIGHT,
    column_config={"Waiting since": st.column_config.DateColumn(format=TABLE_DATE_FORMAT, width=110),
                   "Title": st.column_config.TextColumn(width="medium"),
                   "Revision": st.column_config.NumberColumn(width="small"),
                   "For actions": st.column_config.TextColumn(width="small"),
                   "Note": st.column_config.TextColumn(width="small"),
                   "Privacy": st.column_config.TextColumn(width="medium")},
)

by_revision = {item.revision_id: item for item in queue}
first_to_review = next((index for index, item in enumerate(queue) if not item.own_upload), 0)
revision_id = st.selectbox(
    "Evidence to review", list(by_revision), index=first_to_review,
    key=f"review_queue_pick_{st.session_state.get(PICKER_VERSION_KEY, 0)}",
    format_func=lambda rid: f"{by_revision[rid].title} (revision {by_revision[rid].revision})"
                            + (" · uploaded by you" if by_revision[rid].own_upload else ""),
)
item = by_revision[revision_id]

st.subheader(markdown_text(item.title))
facts = [item.evidence_type_title, f"revision {item.revision}", "for " + ", ".join(item.actions or ["no action"]),
         f"issued {long_date(item.issued_on)}"]
if item.valid_until:
    facts.append(f"valid until {long_date(item.valid_until)}")
if item.uploaded_by:
    facts.append(f"uploaded by {item.uploaded_by}")
facts.append(item.classification)
st.caption(markdown_text(" · ".join(facts)))

previous = item.previous_review
if previous:
    said = f": {markdown_text(previous.comment)}" if previous.comment else " without a comment."
    st.warning(f"Revision {previous.revision} was {previous.status} by {markdown_text(previous.reviewer)}{said}",
               icon=":material/history:")

preview_column, decision_column = st.columns([3, 2], gap="large")
with preview_column:
    if item.has_file:
        preview_panel(haven, item)
    else:
        if item.withheld:
            st.info("The file was withheld from the pack this evidence came from: check it on site.",
                    icon=":material/lock:")
        else:
            st.markdown("**On-site inspection record**")
        st.caption("Note")
        st.text(item.note or "(no note)")

with decision_column:
    privacy_panel(item.privacy, has_file=item.has_file)
    if item.own_upload:
        st.warning(OWN_UPLOAD, icon=":material/person_off:")
    else:
        with st.form(f"review_{revision_id}"):
            st.markdown("**Checklist**")
            st.caption("Tick every item to accept, or say in the comment why an unticked item does not apply.")
            ticked = [entry for index, entry in enumerate(item.checklist)
                      if st.checkbox(entry, key=f"review_{revision_id}_check_{index}")]
            comment = st.text_area("Comment (needed to reject, and to accept with an item unticked)", max_chars=4000,
                                   key=f"review_{revision_id}_comment")
            accept_column, reject_column = st.columns(2)
            accepted = accept_column.form_submit_button("Accept", type="primary", icon=":material/check:",
                                                        width="stretch")
            rejected = reject_column.form_submit_button("Reject", icon=":material/close:", width="stretch")
        if accepted or rejected:
            status = "accepted" if accepted else "rejected"
            if attempt(haven, lambda session: review_revision(
                    session, principal, revision_id=revision_id, status=status, comment=comment, checklist=ticked),
                    done=f"{status.capitalize()}: {markdown_text(item.title)}"):
                st.session_state[PICKER_VERSION_KEY] = st.session_state.get(PICKER_VERSION_KEY, 0) + 1
                st.rerun()
