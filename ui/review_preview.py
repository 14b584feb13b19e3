"""What a reviewer sees of an evidence file before deciding: the image, a PDF's first page, a text's first lines."""
from __future__ import annotations

import io
import threading

import streamlit as st

from ui.database import get_haven

PREVIEW_WIDTH_PX = 900
MAX_PREVIEW_HEIGHT_PX = 2400
TEXT_PREVIEW_LINES = 30
TEXT_PREVIEW_LINE_CHARS = 200
TEXT_KINDS = ("text/plain", "text/csv")

_pdfium_lock = threading.Lock()  # PDFium must not be entered from two threads at once


def pdf_first_page_png(data: bytes) -> bytes | None:
    """The first page of a PDF as a PNG about PREVIEW_WIDTH_PX wide, or None when it cannot be drawn."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        return None
    with _pdfium_lock:
        document = None
        try:
            document = pdfium.PdfDocument(data)
            if len(document) == 0:
                return None
            page = document[0]
            width, height = page.get_size()
            if width <= 0 or height <= 0:
                return None
            scale = min(PREVIEW_WIDTH_PX / width, MAX_PREVIEW_HEIGHT_PX / height, 4.0)
            image = page.render(scale=scale).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, "PNG")
            return buffer.getvalue()
        except Exception:
            return None
        finally:
            if document is not None:
                document.close()


def text_first_lines(data: bytes) -> str:
    """The first lines of a text or CSV file, each cut to a readable length."""
    text = data[: 64 * 1024].decode("utf-8-sig", errors="replace")
    lines = text.splitlines()[:TEXT_PREVIEW_LINES]
    return "\n".join(line if len(line) <= TEXT_PREVIEW_LINE_CHARS else line[:TEXT_PREVIEW_LINE_CHARS] + "…"
                     for line in lines)


@st.cache_data(max_entries=64, show_spinner=False)
def _pdf_preview(blob_key: str) -> bytes | None:
    """Keyed by the SHA-256 of the stored file, so the cache never mixes two files."""
    return pdf_first_page_png(get_haven().store.get(blob_key))


def show_preview(file: dict, data: bytes) -> None:
    """Draws the preview of a stored file (`file` from services.reviews.review_file)."""
    mime_type = file["mime_type"]
    if mime_type.startswith("image/"):
        st.image(data, caption=file["file_name"] or None)
    elif mime_type == "application/pdf":
        page = _pdf_preview(file["blob_key"])
        if page is None:
            st.warning("This PDF cannot be shown here. Download it to read it.")
        else:
            st.image(page, caption="First page")
    elif mime_type in TEXT_KINDS:
        st.caption("First lines")
        st.code(text_first_lines(data), language=None, wrap_lines=True)
    else:
        st.info("There is no preview for this kind of file. Download it to read it.")
    st.download_button("Download the file", data=data, file_name=file["file_name"] or "evidence",
                       mime=mime_type or "application/octet-stream", icon=":material/download:",
                       on_click="ignore")
