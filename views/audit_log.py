"""Audit log: every change and sign-in, whether the hash chain is intact, and the full integrity check."""
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from accounts.permissions import PermissionDenied
from reports.audit_words import action_words, audit_csv, detail_json, detail_words
from reports.formatting import TABLE_DATETIME_FORMAT, long_date_time
from services.audit_log import audit_chain_faults, audit_entries, audit_filter_choices
from services.file_access import ReadRequest, read_as
from services.integrity import check_integrity
from services.organisations import visible_organisations
from ui.database import get_haven
from ui.files_out import for_this_browser
from ui.organisation import require_permission
from ui.session import current_reader
from ui.widgets import markdown_text

ANYONE = ""
DEFAULT_DAYS = 7
ANY_ORGANISATION, NO_ORGANISATION = -1, 0

haven = get_haven()
principal, _ = require_permission("view_audit")

with haven.session() as session:
    choices = audit_filter_choices(session, principal)
    chain_faults = audit_chain_faults(session, principal)
    known = visible_organisations(session, principal, include_archived=True)
    organisation_names = {ANY_ORGANISATION: "Any organisation", NO_ORGANISATION: "None (accounts and sign-ins)",
                          **{o.id: o.name for o in known}}
    names_by_slug = {o.slug: o.name for o in known}

st.title("Audit log")
st.caption("Every change and every sign-in, each entry chained to the one before it by a SHA-256 hash.")

if chain_faults:
    st.error(f"The audit chain is broken in {len(chain_faults)} places: entries were edited, inserted or deleted "
             "outside Haven.")
    st.dataframe(pd.DataFrame([{"Entry": f.entry_id, "Problem": f.problem} for f in chain_faults]),
                 hide_index=True, width="stretch")
else:
    st.success("The audit chain is intact: no entry was edited, inserted or deleted.", icon=":material/verified:")

actor_column, action_column, organisation_column, dates_column = st.columns([2, 3, 2, 3])
actor = actor_column.selectbox("Actor", [ANYONE, *choices.actors], format_func=lambda a: a or "Anyone")
actions = action_column.multiselect("Actions", choices.actions, placeholder="Every action", format_func=action_words)
organisation_id = organisation_column.selectbox("Organisation", list(organisation_names),
                                                format_func=organisation_names.get)
today = date.today()
days = dates_column.date_input("Between", (today - timedelta(days=DEFAULT_DAYS - 1), today), format="YYYY-MM-DD",
                               help=f"The last {DEFAULT_DAYS} days unless you choose others.")
since, until = (days + (None, None))[:2] if isinstance(days, tuple) else (days, days)

with haven.session() as session:
    selection = audit_entries(
        session, principal, actor=actor or None, actions=actions, since=since, until=until,
        organisation_id=organisation_id if organisation_id > 0 else None,
        instance_wide=organisation_id == NO_ORGANISATION,
    )

shown = len(selection.entries)
st.caption(f"{selection.total} entries match" + (f"; the newest {shown} are shown." if selection.truncated else ".")
           + " Click an entry to see everything it recorded.")
entries = selection.entries
st.dataframe(
    pd.DataFrame([{"#": e.id, "Time (UTC)": e.at, "Who": e.actor, "What": action_words(e.action),
                   "Organisation": names_by_slug.get(e.organisation, e.organisation), "About": e.target,
                   "Detail": detail_words(e.detail)} for e in entries],
                 columns=["#", "Time (UTC)", "Who", "What", "Organisation", "About", "Detail"]),
    hide_index=True, width="stretch", row_height=48, key="audit_table", on_select="rerun",
    selection_mode="single-row",
    column_config={"#": st.column_config.NumberColumn(width="small"),
                   "Time (UTC)": st.column_config.DatetimeColumn(format=TABLE_DATETIME_FORMAT),
                   "About": st.column_config.TextColumn(width="medium"),
                   "Detail": st.column_config.TextColumn(width="large")},
)
picked = st.session_state.get("audit_table")
rows = picked.selection.rows if picked else []
if rows and rows[0] < len(entries):
    entry = entries[rows[0]]
    with st.container(border=True):
        st.markdown(f"**Entry {entry.id}: {markdown_text(action_words(entry.action))}** · "
                    f"{long_date_time(entry.at)} UTC · by {markdown_text(entry.actor)} · "
                    f"code `{entry.action}`")
        st.json(detail_json(entry.detail), expanded=True)
        st.caption(f"Hash: {entry.hash}")

reader = current_reader()
audit_download = ReadRequest(permission="view_audit", organisation_id=None, action="audit.download",
                             detail={"entries": len(entries)})
csv_bytes = for_this_browser(reader, lambda: read_as(haven, reader, audit_download,
                                                     lambda _admission: audit_csv(entries, names_by_slug).encode()))
st.download_button("Download these entries (CSV)", data=csv_bytes,
                   file_name=f"haven-audit-log-{today.isoformat()}.csv", mime="text/csv", on_click="ignore",
                   icon=":material/download:", help="Every entry shown above; cells that a spreadsheet would read "
                                                    "as a formula start with an apostrophe.")

st.subheader("Integrity check")
st.write("Reads every stored evidence file and compares it with its SHA-256, looks for files that no evidence "
         "refers to, and checks the audit chain: the same check as `manage.py verify`.")
if st.button("Run the full integrity check", icon=":material/fact_check:"):
    try:
        with st.spinner("Checking every file…"):
            report = check_integrity(haven, principal)
    except PermissionDenied as error:
        st.error(str(error))
    else:
        files, entries = st.columns(2)
        files.metric("Files checked", report.files_checked)
        entries.metric("Audit entries checked", report.audit_entries)
        if report.ok:
            st.success("No fault: every file matches its hash and the audit chain is intact.")
        else:
            st.error(f"{len(report.faults)} faults found.")
            st.dataframe(pd.DataFrame({"Fault": report.faults}), hide_index=True, width="stretch")
