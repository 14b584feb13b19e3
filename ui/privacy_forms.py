"""The privacy guard in the upload form: each photo's regions to blur or keep, and the case-file confirmation.

The photo is scanned once when it is chosen (a status shows while the scan runs) and the scan is
kept in the session for the upload, under the SHA-256 of the bytes. The uploader sees a downscaled
preview with every region outlined and numbered; faces and sensitive text start as "blur", other
text as "keep". Keeping a face or sensitive text needs a reason (the service refuses without one).
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from accounts.permissions import Principal
from evidence.errors import IntakeError
from evidence.privacy_policy import KIND_WORDS, KeptRegion, ManualRegion, PrivacyDecision, counted
from evidence.privacy_step import UploadScan, source_digest
from privacy.model import Box, Region, RegionKind
from services.evidence import NewEvidence, scan_before_upload
from services.instance import Haven
from services.uploads import NewRevision, upload_evidence, upload_revision
from ui.files_out import picture as inline_picture
from ui.notices import Notice, tell
from ui.region_drawing import Outline, outlined_preview
from ui.session import live_session
from ui.widgets import markdown_text

PRIVACY_NOTE = ("Faces and text that could locate the premises or a person (house numbers, street names, number "
                "plates, phone numbers) are blurred before the photo is stored; other text, such as a FIRE EXIT "
                "sign, stays legible. Only the blurred photo is kept.")
KIND_LABELS = {RegionKind.FACE: "Face", RegionKind.SENSITIVE_TEXT: "Sensitive text", RegionKind.TEXT: "Text"}


@dataclass(frozen=True)
class PendingCaseFile:
    """A document refused as a possible case file, held in the session until the uploader confirms or drops it:
    new evidence (`NewEvidence`) or a new revision of evidence in the library (`NewRevision`)."""

    name: str
    data: bytes
    details: NewEvidence | NewRevision
    message: str


# --- keys -------------------------------------------------------------------------------------------------

def _scan_key(key: str, digest: str) -> str:
    return f"{key}:scan:{digest}"


def _region_key(key: str, digest: str, number: int) -> str:
    return f"{key}:region:{digest[:16]}:{number}"


def _reason_key(key: str, digest: str, number: int) -> str:
    return f"{key}:reason:{digest[:16]}:{number}"


def _manual_key(key: str, digest: str) -> str:
    return f"{key}:manual:{digest[:16]}"


def _case_files_key(key: str) -> str:
    return f"{key}:case_files"


def forget_scans(key: str) -> None:
    """Drops the form's scans and region choices (after an upload, when the uploader empties)."""
    for name in [name for name in st.session_state if isinstance(name, str) and name.startswith(
            (f"{key}:scan:", f"{key}:manual:"))]:
        del st.session_state[name]


# --- the photo check ----------------------------------------------------------------------------------------

def photo_checks(haven: Haven, principal: Principal, organisation_id: int, key: str, files: list) -> None:
    """For each photo among `files`: the scan, the outlined preview and the choices per region."""
    for file in files:
        data = file.getvalue()
        digest = source_digest(data)
        scan = _scan(haven, principal, organisation_id, key, file.name, data, digest)
        if scan is not None:
            _region_choices(key, digest, file.name, scan)


def upload_scan_of(key: str, data: bytes) -> UploadScan | None:
    return st.session_state.get(_scan_key(key, source_digest(data)))


def _scan(haven: Haven, principal: Principal, organisation_id: int, key: str, name: str, data: bytes,
          digest: str) -> UploadScan | None:
    state_key = _scan_key(key, digest)
    if state_key in st.session_state:
        return st.session_state[state_key]
    with st.status(f"Checking {markdown_text(name)} for faces and text that could locate the premises…",
                   expanded=False) as status:
        try:
            scan = scan_before_upload(haven, principal, organisation_id=organisation_id, data=data)
        except IntakeError:
            scan = None  # the upload says why the file is refused
        status.update(label=f"Checked {markdown_text(name)}", state="complete")
    st.session_state[state_key] = scan
    return scan


def describe(region: Region) -> str:
    """How a region is named to the uploader: its kind, what was read and why it counts as sensitive."""
    label = KIND_LABELS.get(region.kind, "Region")
    if region.text:
        label += f" “{region.text}”"
    if region.kind == RegionKind.SENSITIVE_TEXT and region.reason:
        label += f" ({region.reason})"
    return label


def _region_choices(key: str, digest: str, name: str, upload: UploadScan) -> None:
    regions = upload.scan.regions
    manual = st.session_state.get(_manual_key(key, digest), [])
    with st.container(border=True, key=f"{key}:privacy:{digest[:16]}"):
        st.markdown(f"**:material/privacy_tip: Privacy check · {markdown_text(name)}**")
        st.caption(_found_sentence(regions) + " " + PRIVACY_NOTE)
        picture, choices = st.columns([3, 2], gap="medium")
        with choices:
            for number, region in enumerate(regions, start=1):
                _region_choice(key, digest, number, region)
            for index, (_box, label) in enumerate(manual):
                number = len(regions) + index + 1
                st.checkbox(f"{number} · Your region: {markdown_text(label)}", value=True,
                            key=_region_key(key, digest, number), help="Untick to leave this region out.")
            _manual_region_form(key, digest, upload)
        with picture:
            inline_picture(outlined_preview(upload.preview, upload.preview_scale, _outlines(key, digest, upload)),
                     caption="Red: blurred when stored · green: kept legible", width="stretch")


def _found_sentence(regions: tuple[Region, ...]) -> str:
    if not regions:
        return "No face or text was found."
    counts = [counted(sum(1 for region in regions if region.kind == kind), KIND_WORDS[kind])
              for kind in (RegionKind.FACE, RegionKind.SENSITIVE_TEXT, RegionKind.TEXT)
              if any(region.kind == kind for region in regions)]
    return "Found " + ", ".join(counts) + "."


def _region_choice(key: str, digest: str, number: int, region: Region) -> None:
    blur = st.checkbox(f"{number} · Blur: {markdown_text(describe(region))}", value=region.blur_by_default,
                       key=_region_key(key, digest, number))
    if region.blur_by_default and not blur:
        reason = st.text_input(f"Why keep region {number} legible?", key=_reason_key(key, digest, number),
                               max_chars=500, placeholder="For example: the person agreed in writing to be shown")
        if not reason.strip():
            st.warning("Give a reason, or tick Blur again: a face or text that locates someone is only kept with one.",
                       icon=":material/edit_note:")


def _manual_region_form(key: str, digest: str, upload: UploadScan) -> None:
    width, height = upload.scan.width, upload.scan.height
    with st.expander("Mark a region of your own to blur", icon=":material/crop_free:"):
        st.caption(f"In pixels of the photo ({width} × {height}), from its top-left corner.")
        left, top = st.columns(2)
        left.number_input("x (from the left)", min_value=0, max_value=max(0, width - 1), step=10,
                          key=f"{key}:new_region:x:{digest[:16]}")
        top.number_input("y (from the top)", min_value=0, max_value=max(0, height - 1), step=10,
                         key=f"{key}:new_region:y:{digest[:16]}")
        across, down = st.columns(2)
        across.number_input("Width", min_value=1, max_value=width, value=min(200, width), step=10,
                            key=f"{key}:new_region:w:{digest[:16]}")
        down.number_input("Height", min_value=1, max_value=height, value=min(200, height), step=10,
                          key=f"{key}:new_region:h:{digest[:16]}")
        st.text_input("What it shows", key=f"{key}:new_region:label:{digest[:16]}", max_chars=120,
                      placeholder="For example: a window view, a car")
        st.button("Add the region", icon=":material/add_box:", key=f"{key}:new_region:add:{digest[:16]}",
                  on_click=_add_manual_region, args=(key, digest, width, height))
        for message in st.session_state.pop(f"{key}:new_region:said:{digest[:16]}", []):
            st.error(message)


def _add_manual_region(key: str, digest: str, width: int, height: int) -> None:
    state = st.session_state
    x, y = int(state[f"{key}:new_region:x:{digest[:16]}"]), int(state[f"{key}:new_region:y:{digest[:16]}"])
    w, h = int(state[f"{key}:new_region:w:{digest[:16]}"]), int(state[f"{key}:new_region:h:{digest[:16]}"])
    if x + w > width or y + h > height:
        state[f"{key}:new_region:said:{digest[:16]}"] = [
            f"That region reaches beyond the photo ({width} × {height}): make it smaller or move it."]
        return
    label = " ".join((state.get(f"{key}:new_region:label:{digest[:16]}") or "").split()) or "a region of your own"
    state[_manual_key(key, digest)] = [*state.get(_manual_key(key, digest), []), (Box(x, y, w, h), label)]
    state[f"{key}:new_region:label:{digest[:16]}"] = ""


def _outlines(key: str, digest: str, upload: UploadScan) -> list[Outline]:
    decision = decision_for(key, upload)
    kept = {k.box for k in decision.kept_with_reason}
    blurred = set(decision.regions_to_blur)
    outlines = [Outline(region.box, number, KIND_LABELS.get(region.kind, "Region").lower(),
                        blur=(region.box not in kept) if region.blur_by_default else (region.box in blurred))
                for number, region in enumerate(upload.scan.regions, start=1)]
    start = len(upload.scan.regions) + 1
    outlines += [Outline(region.box, start + index, region.label, blur=True)
                 for index, region in enumerate(decision.manual_regions)]
    return outlines


def decision_for(key: str, upload: UploadScan) -> PrivacyDecision:
    """The uploader's choices for one scanned photo, as the service takes them."""
    state = st.session_state
    digest = upload.source_sha256
    to_blur, kept = [], []
    for number, region in enumerate(upload.scan.regions, start=1):
        blur = state.get(_region_key(key, digest, number), region.blur_by_default)
        if region.blur_by_default and not blur:
            kept.append(KeptRegion(region.box, state.get(_reason_key(key, digest, number)) or ""))
        elif not region.blur_by_default and blur:
            to_blur.append(region.box)
    manual = []
    for index, (box, label) in enumerate(state.get(_manual_key(key, digest), [])):
        if state.get(_region_key(key, digest, len(upload.scan.regions) + index + 1), True):
            manual.append(ManualRegion(box, label))
    return PrivacyDecision(regions_to_blur=tuple(to_blur), kept_with_reason=tuple(kept), manual_regions=tuple(manual))


# --- case files -----------------------------------------------------------------------------------------------

def hold_case_file(key: str, pending: PendingCaseFile) -> None:
    """Keeps a refused document (in this session only) so the uploader can confirm it with a reason."""
    held = [p for p in st.session_state.get(_case_files_key(key), []) if p.data != pending.data]
    st.session_state[_case_files_key(key)] = [*held, pending]


def case_file_confirmations(haven: Haven, principal: Principal, organisation_id: int, key: str) -> None:
    """Each document held back as a possible case file: what was found, and storing it with a reason."""
    for pending in st.session_state.get(_case_files_key(key), []):
        ident = f"{key}:case_file:{source_digest(pending.data)[:16]}"
        with st.container(border=True, key=ident):
            st.error(f"{markdown_text(pending.name)}: {markdown_text(pending.message)}", icon=":material/gpp_bad:")
            st.checkbox("This is my organisation's own document, not a victim's case file", key=f"{ident}:confirm")
            st.text_input("Why it may be stored", key=f"{ident}:reason", max_chars=500,
                          placeholder="For example: a blank form template with a made-up example")
            with st.container(horizontal=True):  # side by side where they fit, one above the other where not
                st.button("Store it with this reason", key=f"{ident}:store", icon=":material/verified_user:",
                          on_click=_store_case_file, args=(haven, principal, organisation_id, key, pending))
                st.button("Don't store it", key=f"{ident}:drop", icon=":material/delete:",
                          on_click=_drop_case_file, args=(key, pending))


@live_session
def _store_case_file(haven: Haven, principal: Principal, organisation_id: int, key: str,
                     pending: PendingCaseFile) -> None:
    from ui.evidence_forms import REFUSALS

    ident = f"{key}:case_file:{source_digest(pending.data)[:16]}"
    reason = " ".join((st.session_state.get(f"{ident}:reason") or "").split())
    if not st.session_state.get(f"{ident}:confirm") or not reason:
        tell(markdown_text(f"{pending.name}: tick the confirmation and give the reason to store it, "
                           "or don't store it."), Notice.ERROR, where=key)
        return
    privacy = PrivacyDecision(allow_personal_data_reason=reason)
    try:
        if isinstance(pending.details, NewRevision):
            revision = pending.details
            number = upload_revision(haven, principal, evidence_id=revision.evidence_id, issued_on=revision.issued_on,
                                     valid_until=revision.valid_until, data=pending.data, filename=pending.name,
                                     note=revision.note, privacy=privacy)
            stored = f"Stored {pending.name} as revision {number}"
        else:
            upload_evidence(haven, principal, organisation_id=organisation_id, details=pending.details,
                            data=pending.data, filename=pending.name, privacy=privacy)
            stored = f"Stored {pending.name}"
    except IntakeError as error:
        tell(markdown_text(f"{pending.name}: {error}"), Notice.ERROR, where=key)
        return
    except REFUSALS as error:
        tell(markdown_text(str(error)), Notice.ERROR, where=key)
        return
    tell(markdown_text(f"{stored}, flagged to the reviewer as a possible case file with your reason."),
         Notice.SUCCESS, where=key)
    _drop_case_file(key, pending)


def _drop_case_file(key: str, pending: PendingCaseFile) -> None:
    st.session_state[_case_files_key(key)] = [
        p for p in st.session_state.get(_case_files_key(key), []) if p.data != pending.data]
