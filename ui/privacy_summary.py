"""What the privacy guard found in a stored file and what the uploader decided, for the reviewer."""
from __future__ import annotations

import streamlit as st

from evidence.privacy_policy import KIND_WORDS, PrivacyRecord, RegionAction, counted
from ui.widgets import markdown_text

NOT_SCANNED = "Stored before the privacy guard: this file was not scanned for faces or locating text."


def privacy_panel(record: PrivacyRecord | None, *, has_file: bool) -> None:
    """The case-file flag, the counts and every region with its decision and the uploader's reason."""
    if not has_file:
        return
    st.markdown("**:material/privacy_tip: Privacy check**")
    if record is None:
        st.caption(NOT_SCANNED)
        return
    if record.case_file:
        found = ", ".join(record.case_file_reasons) or "personal details of one person"
        st.error(f"**Possible case file.** The text shows {markdown_text(found)}. The uploader stored it anyway, "
                 f"giving this reason: “{markdown_text(record.allowed_reason)}”.", icon=":material/gpp_maybe:")
    for region in record.kept_with_reason:
        where = f" ({markdown_text(region.source)})" if region.source else ""
        st.warning(f"**{KIND_WORDS[region.kind].capitalize()} kept legible**{where}: “{markdown_text(region.reason)}”",
                   icon=":material/visibility:")
    st.caption(markdown_text(record.summary().capitalize() + "."))
    if record.regions:
        st.markdown("  \n".join(_region_line(number, region) for number, region in enumerate(record.regions, start=1)))


def _region_line(number: int, region) -> str:
    """"3 · sensitive text (house number) · **blurred**", with the uploader's reason or label."""
    found = KIND_WORDS[region.kind] + (f" ({region.found_as})" if region.found_as else "")
    decision = "blurred" if region.action == RegionAction.BLURRED else "kept legible"
    line = f"{number} · {markdown_text(found)} · **{decision}**"
    if region.reason or region.label:
        line += f": “{markdown_text(region.reason or region.label)}”"
    if region.source:
        line += f" :gray[({markdown_text(region.source)})]"
    return line


def privacy_flag(record: PrivacyRecord | None) -> str:
    """A few words for the queue's table: a possible case file, or what was kept legible."""
    if record is None:
        return ""
    if record.case_file:
        return "possible case file"
    kept = len(record.kept_with_reason)
    if kept:
        return f"{kept} kept legible with a reason"
    if record.blurred:
        return f"{counted(record.blurred, 'region')} blurred"
    return "personal data, not a case file" if record.personal_data else "nothing sensitive found"
