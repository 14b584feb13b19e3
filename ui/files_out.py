"""How the bytes of a picture or a download reach the browser without an address anyone else could open.

Streamlit keeps what st.image and st.download_button are given in its media store and serves it at /media/…
to any request that names it (serving/media_gate.py closes that to all but the session it was made for). So
pictures travel inside the page as data: addresses, never through the store; and a download's bytes are
recorded for the browser session that asked, the only one the gate lets fetch them.
"""
from __future__ import annotations

import base64
from collections.abc import Callable

import streamlit as st

from services.file_access import Reader
from serving import handouts

_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"))


def picture_type(data: bytes) -> str:
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise ValueError("not a PNG, JPEG, GIF or WebP picture")


def inline_address(data: bytes) -> str:
    """A data: address holding the picture itself."""
    return f"data:{picture_type(data)};base64,{base64.b64encode(data).decode('ascii')}"


def picture(data: bytes, *, caption: str | None = None, width: str | int = "content") -> None:
    """st.image, with the picture inside the page: nothing of it stays on the server at a /media/ address."""
    st.image(inline_address(data), caption=caption, width=width)


def for_this_browser(reader: Reader, produce: Callable[[], bytes]) -> Callable[[], bytes]:
    """A download button's `data`: `produce`, with its bytes handed only to the browser session of `reader`."""
    return handouts.handing_out(produce, reader.clock.browser_session_id if reader.clock else None)
