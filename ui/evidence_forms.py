"""Evidence widgets shared by the evidence library and the self-assessment page.

Every change runs in a button callback, before the page is drawn again, so the page that follows
already shows it. What a callback has to tell the user is kept under the form's key and shown
beside that form on the next run. User text reaches Markdown only through `markdown_text`.
"""
from __future__ import annotations

from datetime import date

import streamlit as st

from accounts.permissions import Principal
from errors import HavenError
from evidence.errors import IntakeError
from evidence.privacy_policy import DEFAULT_POLICY, CaseFileRefused, PrivacyRefused
from reports.formatting import long_date
from services.evidence import (
    CLASSIFICATIONS,
    NewEvidence,
    RegisterRow,
    get_evidence,
    link_evidence,
    read_evidence_file,
    read_thumbnails,
    set_classification,
    set_links,
)
from services.instance import Haven
from services.reviews import Rejection
from services.uploads import NewRevision, upload_evidence, upload_revision
from standards.schema import Standard
from ui.files_out import for_this_browser, picture
from ui.notices import Notice, attempt, show_notices, tell
from ui.privacy_forms import (
    PendingCaseFile,
    case_file_confirmations,
    decision_for,
    forget_scans,
    hold_case_file,
    photo_checks,
    upload_scan_of,
)
from ui.session import current_reader, live_session
from ui.widgets import markdown_text
from vocabulary import Classification, ReviewStatus

CASE_FILES_NOTICE = (
    "Haven holds your organisation's evidence — policies, procedures, plans, agreements, training records and "
    "photos of the premises — never victims' case files. Do not upload anything that names or identifies a victim."
)
RESTRICTED_FOR_ASSESSORS = (
    "Restricted evidence — anything that could reveal where victims are — stays inside Haven: the accreditation "
    "pack lists it with its review but leaves its file out, and the board never sees it. When an assessor needs "
    "to see it, an administrator who also manages this organisation ticks “Include restricted evidence” on the "
    "Reports and export page, or whoever runs the Haven server runs "
    "`python manage.py export --org {slug} --out pack.zip --include-restricted`. Send that pack only over a "
    "secure channel and delete local copies afterwards."
)
ADDRESS_WARNING = "Check the photo shows no street signs, house numbers or views from windows that reveal the address."
# Every refusal a person should read (a permission, a bad file, a store that failed) is a HavenError.
REFUSALS = HavenError
GALLERY_LIMIT = 48


def _generation(key: str) -> int:
    return st.session_state.get(f"{key}:generation", 0)


def _renew(key: str) -> None:
    """Gives the form's file uploader a new key, which empties it."""
    st.session_state[f"{key}:generation"] = _generation(key) + 1


# --- choosing what the evidence is -------------------------------------------------------------------

def type_title(standard: Standard, type_id: str) -> str:
    return standard.evidence_type(type_id).title


def action_label(standard: Standard, action_id: str) -> str:
    return f"{action_id} {standard.action(action_id).title}"


def _type_and_actions(standard: Standard, key: str, evidence_type: str | None, action_id: str | None) -> str:
    """The type picker (unless the type is given) and the actions that ask for that type; returns the type."""
    if evidence_type is None:
        evidence_type = st.selectbox("Evidence type", [t.id for t in standard.evidence_types], key=f"{key}:type",
                                     format_func=lambda type_id: type_title(standard, type_id))
    kind = standard.evidence_type(evidence_type)
    if kind.description:
        st.caption(markdown_text(kind.description))
    if kind.classification == Classification.RESTRICTED:
        st.warning(ADDRESS_WARNING, icon=":material/visibility_off:")
    choices = standard.actions_requiring(evidence_type)
    default = [action_id] if action_id in choices else (choices if len(choices) == 1 else [])
    st.multiselect("Actions it supports", choices, default=default, key=f"{key}:actions:{evidence_type}",
                   format_func=lambda choice: action_label(standard, choice),
                   help="Only the actions that ask for this type of evidence.")
    return evidence_type


def _chosen_actions(key: str, evidence_type: str) -> tuple[str, ...]:
    return tuple(st.session_state.get(f"{key}:actions:{evidence_type}") or ())


# --- new evidence --------------------------------------------------------------------------------------

def upload_form(haven: Haven, principal: Principal, organisation_id: int, standard: Standard, *, key: str,
                evidence_type: str | None = None, action_id: str | None = None) -> None:
    """One or many files as evidence of one type, each through the intake; the uploader empties afterwards."""
    evidence_type = _type_and_actions(standard, key, evidence_type, action_id)
    kind = standard.evidence_type(evidence_type)
    # Inline in a slot (action given) the form is a third of the page wide: two date fields side by side at most,
    # so a date reads "2026-12-01", not "2026 - 12".
    if action_id:
        issued, valid = st.columns(2)
        classification = st.container()
    else:
        issued, valid, classification = st.columns(3)
    issued.date_input("Issued on", value=date.today(), max_value=date.today(), key=f"{key}:issued",
                      format="YYYY-MM-DD")
    valid.date_input("Valid until (optional)", value=None, key=f"{key}:valid", format="YYYY-MM-DD",
                     help=f"Leave empty for {kind.validity_months} months from the issued date.")
    offered = CLASSIFICATIONS if kind.classification != "restricted" or principal.can("declassify") else ("restricted",)
    classification.selectbox("Classification", offered, index=offered.index(kind.classification),
                             format_func=Classification.label_of, key=f"{key}:classification:{evidence_type}",
                             help="Restricted evidence is never shown to the board or exported without permission.")
    st.text_input("Title", key=f"{key}:title", max_chars=200, placeholder="Leave empty to use the file name")
    files = st.file_uploader("Files", accept_multiple_files=True, key=f"{key}:files:{_generation(key)}",
                             help="PDF, Word, Excel, PowerPoint, ODT, text, CSV, JPEG, PNG, WebP or HEIC. "
                                  "Photos are stored without their location and camera data, with faces and "
                                  "text that could locate the premises blurred.")
    if files:
        photo_checks(haven, principal, organisation_id, key, files)
    st.button("Add the files", type="primary", icon=":material/upload:", disabled=not files, key=f"{key}:upload",
              on_click=_upload, args=(haven, principal, organisation_id, key, evidence_type))
    show_notices(key)
    case_file_confirmations(haven, principal, organisation_id, key)


@live_session
def _upload(haven: Haven, principal: Principal, organisation_id: int, key: str, evidence_type: str) -> None:
    state = st.session_state
    files = state.get(f"{key}:files:{_generation(key)}") or []
    title = (state.get(f"{key}:title") or "").strip()
    if state.get(f"{key}:issued") is None:
        tell(markdown_text("Give the date the evidence was issued."), Notice.ERROR, where=key)
        _renew(key)
        return
    missing = [file.name for file in files if _kept_without_reason(key, file)]
    if missing:
        tell(markdown_text(f"{', '.join(missing)}: give a reason for every face or sensitive text you keep "
                           "legible, or tick Blur again. Nothing was stored."), Notice.ERROR, where=key)
        return
    stored = []
    for number, file in enumerate(files, start=1):
        details = NewEvidence(
            evidence_type=evidence_type, actions=_chosen_actions(key, evidence_type), issued_on=state[f"{key}:issued"],
            title=f"{title} ({number})" if title and len(files) > 1 else title, valid_until=state.get(f"{key}:valid"),
            classification=state.get(f"{key}:classification:{evidence_type}"),
        )
        data = file.getvalue()
        upload_scan = upload_scan_of(key, data)
        try:
            upload_evidence(haven, principal, organisation_id=organisation_id, details=details, data=data,
                            filename=file.name, upload_scan=upload_scan,
                            privacy=decision_for(key, upload_scan) if upload_scan else DEFAULT_POLICY)
            stored.append(file.name)
        except CaseFileRefused as error:
            hold_case_file(key, PendingCaseFile(name=file.name, data=data, details=details, message=str(error)))
        except PrivacyRefused as error:
            tell(markdown_text(f"{file.name}: {error}"), Notice.ERROR, where=key)
        except IntakeError as error:
            tell(markdown_text(f"{file.name}: {error}"), Notice.ERROR, where=key)
        except REFUSALS as error:
            tell(markdown_text(str(error)), Notice.ERROR, where=key)
            break
    if stored:
        tell(markdown_text(f"Stored {len(stored)} of {len(files)}: {', '.join(stored)}."), Notice.SUCCESS, where=key)
        state[f"{key}:title"] = ""
    forget_scans(key)
    _renew(key)


def _kept_without_reason(key: str, file) -> bool:
    upload_scan = upload_scan_of(key, file.getvalue())
    if upload_scan is None:
        return False
    return any(not kept.reason.strip() for kept in decision_for(key, upload_scan).kept_with_reason)


def inspection_form(haven: Haven, principal: Principal, organisation_id: int, standard: Standard, *, key: str) -> None:
    """Evidence seen on site, with no file: what was inspected, when, and a note."""
    evidence_type = _type_and_actions(standard, key, None, None)
    st.text_input("Title", key=f"{key}:title", max_chars=200,
                  placeholder="For example: Entrance and safe room inspected")
    st.date_input("Inspected on", value=date.today(), max_value=date.today(), key=f"{key}:issued", format="YYYY-MM-DD")
    st.text_area("Note", key=f"{key}:note", max_chars=4000, placeholder="What was seen, and by whom")
    st.button("Record the inspection", type="primary", icon=":material/fact_check:", key=f"{key}:record",
              on_click=_record_inspection, args=(haven, principal, organisation_id, key, evidence_type))
    show_notices(key)


@live_session
def _record_inspection(haven: Haven, principal: Principal, organisation_id: int, key: str, evidence_type: str) -> None:
    state = st.session_state
    if state.get(f"{key}:issued") is None:
        tell(markdown_text("Give the date of the inspection."), Notice.ERROR, where=key)
        return
    details = NewEvidence(evidence_type=evidence_type, actions=_chosen_actions(key, evidence_type),
                          issued_on=state[f"{key}:issued"], title=(state.get(f"{key}:title") or "").strip(),
                          note=state.get(f"{key}:note") or "")
    try:
        upload_evidence(haven, principal, organisation_id=organisation_id, details=details, data=None)
    except REFUSALS as error:
        tell(markdown_text(str(error)), Notice.ERROR, where=key)
        return
    tell(markdown_text("The on-site inspection is recorded."), Notice.SUCCESS, where=key)
    state[f"{key}:title"], state[f"{key}:note"] = "", ""


def link_existing_form(haven: Haven, principal: Principal, candidates: list[RegisterRow], *, action_id: str,
                       key: str) -> None:
    """Links evidence already in the library (of the slot's type) to `action_id`."""
    if not candidates:
        st.caption("No other evidence of this type is in the library yet.")
    else:
        titles = {row.id: f"{row.title} (issued {long_date(row.issued_on)})" for row in candidates}
        st.selectbox("Evidence in the library", list(titles), format_func=titles.get, key=f"{key}:pick")
        st.button("Link", icon=":material/link:", key=f"{key}:link", on_click=_link,
                  args=(haven, principal, action_id, key))
    show_notices(key)


@live_session
def _link(haven: Haven, principal: Principal, action_id: str, key: str) -> None:
    evidence_id = st.session_state[f"{key}:pick"]
    _change(haven, key, lambda session: link_evidence(session, principal, evidence_id=evidence_id, action_id=action_id),
            done=f"Linked to {action_id}.")


def _change(haven: Haven, key: str, change, *, done: str) -> None:
    """Runs one service call from a form's callback; its refusal, or `done`, is told beside the form."""
    attempt(haven, change, done=markdown_text(done), where=key, in_callback=True)


# --- one item of the library ---------------------------------------------------------------------------

def revision_form(haven: Haven, principal: Principal, row: RegisterRow, *, key: str) -> None:
    """A new version of the item's file: the history stays and the review starts again."""
    st.file_uploader("New file", key=f"{key}:file:{_generation(key)}")
    issued, valid = st.columns(2)
    issued.date_input("Issued on", value=date.today(), max_value=date.today(), key=f"{key}:issued", format="YYYY-MM-DD")
    valid.date_input("Valid until (optional)", value=None, key=f"{key}:valid", format="YYYY-MM-DD")
    st.text_input("What changed", key=f"{key}:note", max_chars=4000)
    file = st.session_state.get(f"{key}:file:{_generation(key)}")
    with haven.session() as session:
        organisation_id = get_evidence(session, row.id).organisation_id
    if file is not None:
        photo_checks(haven, principal, organisation_id, key, [file])
    st.button("Upload the new revision", icon=":material/upload:", disabled=file is None, key=f"{key}:upload",
              on_click=_upload_revision, args=(haven, principal, row.id, key))
    show_notices(key)
    case_file_confirmations(haven, principal, organisation_id, key)


@live_session
def _upload_revision(haven: Haven, principal: Principal, evidence_id: int, key: str) -> None:
    state = st.session_state
    file = state.get(f"{key}:file:{_generation(key)}")
    if file is None:
        return
    if state.get(f"{key}:issued") is None:
        tell(markdown_text("Give the date the new revision was issued."), Notice.ERROR, where=key)
        _renew(key)
        return
    if _kept_without_reason(key, file):
        tell(markdown_text(f"{file.name}: give a reason for every face or sensitive text you keep legible, or tick "
                           "Blur again. Nothing was stored."), Notice.ERROR, where=key)
        return
    data = file.getvalue()
    upload_scan = upload_scan_of(key, data)
    revision = NewRevision(evidence_id, state[f"{key}:issued"], state.get(f"{key}:valid"), state.get(f"{key}:note") or "")
    try:
        number = upload_revision(haven, principal, evidence_id=evidence_id, issued_on=revision.issued_on,
                                 valid_until=revision.valid_until, data=data, filename=file.name, note=revision.note,
                                 upload_scan=upload_scan,
                                 privacy=decision_for(key, upload_scan) if upload_scan else DEFAULT_POLICY)
        tell(markdown_text(f"Revision {number} is stored and waits for review."), Notice.SUCCESS, where=key)
        state[f"{key}:note"] = ""
    except CaseFileRefused as error:  # held until the uploader confirms it with a reason or drops it
        hold_case_file(key, PendingCaseFile(name=file.name, data=data, details=revision, message=str(error)))
    except IntakeError as error:
        tell(markdown_text(f"{file.name}: {error}"), Notice.ERROR, where=key)
    except REFUSALS as error:
        tell(markdown_text(str(error)), Notice.ERROR, where=key)
    forget_scans(key)
    _renew(key)


def classification_form(haven: Haven, principal: Principal, row: RegisterRow, *, key: str) -> None:
    if row.classification == Classification.RESTRICTED and not principal.can("declassify"):
        st.caption("Restricted. Only an administrator can make restricted evidence internal.")
        return
    st.selectbox("Classification", CLASSIFICATIONS, index=CLASSIFICATIONS.index(row.classification),
                 format_func=Classification.label_of, key=f"{key}:classification")
    st.button("Change the classification", key=f"{key}:save",
              disabled=st.session_state.get(f"{key}:classification") == row.classification,
              on_click=_classify, args=(haven, principal, row.id, key))
    show_notices(key)


@live_session
def _classify(haven: Haven, principal: Principal, evidence_id: int, key: str) -> None:
    chosen = st.session_state[f"{key}:classification"]
    _change(haven, key, lambda session: set_classification(session, principal, evidence_id=evidence_id,
                                                           classification=chosen),
            done=f"The evidence is now {Classification.label_of(chosen).lower()}.")


def links_form(haven: Haven, principal: Principal, standard: Standard, row: RegisterRow, *, key: str) -> None:
    choices = standard.actions_requiring(row.evidence_type)
    st.multiselect("Linked actions", choices, default=[a for a in row.actions if a in choices],
                   format_func=lambda choice: action_label(standard, choice), key=f"{key}:actions")
    st.button("Save the links", icon=":material/link:", key=f"{key}:save",
              on_click=_save_links, args=(haven, principal, row.id, key))
    show_notices(key)


@live_session
def _save_links(haven: Haven, principal: Principal, evidence_id: int, key: str) -> None:
    chosen = list(st.session_state.get(f"{key}:actions") or [])
    _change(haven, key, lambda session: set_links(session, principal, evidence_id=evidence_id, action_ids=chosen),
            done=f"Linked to {', '.join(chosen)}." if chosen else "Linked to no action: it fills no slot.")


def download_button(haven: Haven, *, revision_id: int, file_name: str, mime_type: str, label: str, key: str) -> None:
    """Nothing of the file is handed to the browser until the user clicks. Then, in a thread of its own (without
    app.py), the read checks the session and the account as they are at that moment, audits it and marks the copy;
    a refused read gives the browser nothing."""
    reader = current_reader()

    def content() -> bytes:
        return read_evidence_file(haven, reader, revision_id=revision_id)[0]

    st.download_button(label, data=for_this_browser(reader, content), file_name=file_name or "evidence", mime=mime_type or None,
                       on_click="ignore", icon=":material/download:", key=key)


# --- showing evidence ------------------------------------------------------------------------------------

REVIEW_COLOURS = {ReviewStatus.ACCEPTED: "green", ReviewStatus.REJECTED: "red", ReviewStatus.PENDING: "blue"}


def evidence_summary(row: RegisterRow, rejection: Rejection | None = None) -> None:
    """One line per item: title, dates, classification and review; a rejection's reason beneath it."""
    lock = ":material/lock: " if row.classification == Classification.RESTRICTED else ""
    kind = ":material/photo_camera:" if row.is_image else (
        ":material/description:" if row.has_file else ":material/fact_check:")
    validity = (f"valid until {long_date(row.valid_until)}" if row.current
                else f":orange[expired {long_date(row.valid_until)}]")
    st.markdown(f"{kind} {lock}{markdown_text(row.title)}  \n"
                f":gray[issued {long_date(row.issued_on)} · {validity} · revision {row.revision}] · "
                f":{REVIEW_COLOURS[row.review_status]}[{row.review_status.label}]")
    if rejection:
        rejection_note(rejection)


def rejection_note(rejection: Rejection) -> None:
    reviewer = markdown_text(rejection.reviewer) or "the reviewer"
    # Markdown, not a caption: a caption fades coloured text below a readable contrast.
    st.markdown(f":red[:material/block: Rejected by {reviewer} on {long_date(rejection.decided_on)}:] "
                f"{markdown_text(rejection.reason)}")


SHOW_PHOTOS_KEY = "library:show_photos"


def photos_toggle() -> bool:
    """Whether the user asked to see the photos. An image given to the page stays reachable at a /media/… address
    without signing in for a while, and a thumbnail of a front door can show the house number: none is sent until
    asked, and only for the rest of this session's visits to the page."""
    shown = st.toggle("Show the photos", key=SHOW_PHOTOS_KEY, help="Thumbnails are sent to your browser only when "
                      "you ask; each viewing is recorded in the audit log.")
    if not shown:
        st.caption("Photos are not shown until you ask: a picture of the premises can reveal where they are.")
    return shown


def photos_wanted() -> bool:
    return bool(st.session_state.get(SHOW_PHOTOS_KEY))


def thumbnail_gallery(haven: Haven, organisation_id: int, rows: list[RegisterRow], *, columns: int = 4) -> None:
    """Thumbnails of the image evidence among `rows` (made at intake; never the original file)."""
    pictures = [row for row in rows if row.thumbnail_key][:GALLERY_LIMIT]
    if not pictures:
        st.caption("No photos among the evidence shown.")
        return
    thumbnails = read_thumbnails(haven, current_reader(), organisation_id=organisation_id,
                                 revision_ids=[row.revision_id for row in pictures])
    grid = st.columns(columns)
    for index, row in enumerate(pictures):
        with grid[index % columns]:
            thumbnail = thumbnails.get(row.revision_id)
            if thumbnail:
                picture(thumbnail, caption=markdown_text(row.title), width="stretch")
    if len([row for row in rows if row.thumbnail_key]) > GALLERY_LIMIT:
        st.caption(f"The first {GALLERY_LIMIT} photos are shown; filter the library to see others.")
