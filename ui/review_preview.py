"""What a reviewer sees of an evidence file before deciding, and only once they ask for it.

Nothing of the file reaches the browser before the reviewer asks (ui/files_out.py says how what does reach it
is kept from anyone else). So the page draws nothing of the file: a
"Show preview" button renders a small marked picture (a reduced photo, a PDF's first page) or a text's first
lines for that one run, and the download reads the file only when clicked, through the same checks as the
library's.
"""
from __future__ import annotations

import streamlit as st

from errors import HavenError
from evidence.previews import PreviewKind
from services.evidence import read_preview
from services.instance import Haven
from services.reviews import QueueItem
from ui.evidence_forms import download_button
from ui.files_out import picture
from ui.session import current_reader

# Every refusal a person should read (a permission, a bad file, a store that failed) is a HavenError.
REFUSALS = HavenError


def preview_panel(haven: Haven, item: QueueItem) -> None:
    """The preview button (and, once pressed, the preview) and the download of a queue item's file."""
    revision_id = item.revision_id
    if st.button("Show preview", icon=":material/visibility:", key=f"review_preview_{revision_id}"):
        _show(haven, revision_id)
    else:
        st.caption("The file stays on the server until you ask to see it.")
    download_button(haven, revision_id=revision_id, file_name=item.file_name, mime_type=item.mime_type,
                    label="Download the file", key=f"review_download_{revision_id}")


def _show(haven: Haven, revision_id: int) -> None:
    try:
        preview = read_preview(haven, current_reader(), revision_id=revision_id)
    except REFUSALS as error:
        st.error(str(error))
        return
    if preview.kind is PreviewKind.IMAGE:
        picture(preview.png, caption=preview.caption)
    elif preview.kind is PreviewKind.TEXT:
        st.caption(preview.caption)
        st.code(preview.text, language=None, wrap_lines=True)
    else:
        st.info(preview.text, icon=":material/visibility_off:")
