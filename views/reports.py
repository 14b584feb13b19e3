"""Reports and export: the accreditation pack, the evidence register and the action plan as Excel, and the
deadlines as a calendar. Each file is made when its button is pressed."""
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import streamlit as st

from bundles.exporter import export_bundle
from reports.calendar import deadlines_ics
from reports.spreadsheets import action_plan_xlsx, evidence_register_xlsx
from services.board import expiring_evidence
from services.evidence import evidence_register
from services.file_access import ReadRequest, read_as
from services.plan import plan_items
from ui.evidence_forms import RESTRICTED_FOR_ASSESSORS
from ui.files_out import for_this_browser
from ui.organisation import open_organisation_screen
from ui.session import current_reader
from ui.widgets import markdown_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

haven, principal, organisation = open_organisation_screen("Reports and export", "export")
organisation_id, slug, name = organisation
today = date.today()
st.caption(markdown_text(name))


reader = current_reader()


def checked(action: str, produce, **detail):
    """The file is made when its button is clicked, in a thread of its own: the read first checks the session and
    the user as they are then (and audits it), and makes the file for the user as the database has them now."""
    request = ReadRequest(permission="export", organisation_id=organisation_id, action=action, target=slug,
                          detail=detail)
    return for_this_browser(reader, lambda: read_as(haven, reader, request,
                                                    lambda admission: produce(admission.principal)))


def pack_bytes(include_restricted: bool, principal) -> bytes:
    with tempfile.TemporaryDirectory(prefix="haven-pack-") as folder:
        out = export_bundle(haven, principal, organisation_id=organisation_id, out=Path(folder) / "pack.zip",
                            include_restricted=include_restricted, as_of=today, recipient=principal.username)
        return out.read_bytes()


def register_workbook(principal) -> bytes:
    with haven.session() as session:
        rows = evidence_register(session, principal, organisation_id=organisation_id, as_of=today)
    return evidence_register_xlsx(rows)


def plan_workbook(principal) -> bytes:
    with haven.session() as session:
        return action_plan_xlsx(plan_items(session, principal, organisation_id=organisation_id, as_of=today))


def deadlines_calendar(principal) -> bytes:
    with haven.session() as session:
        plan = plan_items(session, principal, organisation_id=organisation_id, as_of=today)
        expiries = expiring_evidence(session, principal, organisation_id=organisation_id, as_of=today, days=None)
    return deadlines_ics(name, plan, expiries, generated_at=datetime.now(UTC))


st.subheader("Accreditation pack")
st.write("A zip with bundle.yaml (ratings, evidence, reviews and the action plan), the evidence files, "
         "index.csv and the one-page board report. Another Haven can import it as it is.")
include_restricted = False
if principal.can("export_restricted"):
    include_restricted = st.checkbox("Include restricted evidence")
    if include_restricted:
        st.warning("The pack will contain the files of restricted evidence (premises photos, escape and safety "
                   "plans): they can reveal where victims are. Send it only to the accreditation body, over a "
                   "secure channel, and delete local copies afterwards.", icon=":material/warning:")
if not include_restricted:
    st.info(RESTRICTED_FOR_ASSESSORS.format(slug=slug), icon=":material/lock:")
pack = checked("pack.download", lambda principal: pack_bytes(include_restricted, principal),
               include_restricted=include_restricted)
restricted_suffix = "-restricted" if include_restricted else ""
st.download_button("Download the accreditation pack (zip)", data=pack,
                   file_name=f"{slug}-accreditation-pack-{today.isoformat()}{restricted_suffix}.zip",
                   mime="application/zip", icon=":material/folder_zip:", on_click="ignore", type="primary",
                   key=f"pack_{include_restricted}")

st.subheader("Spreadsheets")
register, plan = st.columns(2)
with register:
    st.download_button("Evidence register (Excel)", data=checked("register.download", register_workbook),
                       file_name=f"{slug}-evidence-register-{today.isoformat()}.xlsx", mime=XLSX,
                       icon=":material/table_view:", on_click="ignore")
with plan:
    st.download_button("Action plan (Excel)", data=checked("plan.download", plan_workbook),
                       file_name=f"{slug}-action-plan-{today.isoformat()}.xlsx", mime=XLSX,
                       icon=":material/checklist:", on_click="ignore")

st.subheader("Deadlines")
st.write("Open action plan items on their due dates and evidence on its expiry date, as an iCalendar file for "
         "Outlook, Google Calendar or any calendar app. Restricted evidence is named by its type only.")
st.download_button("Deadlines (iCalendar)", data=checked("calendar.download", deadlines_calendar),
                   file_name=f"{slug}-deadlines.ics", mime="text/calendar", icon=":material/event:",
                   on_click="ignore")
