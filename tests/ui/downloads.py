"""What the board, report and cycle page tests share: the bytes behind download buttons and the page as data."""
from __future__ import annotations

import pytest
import streamlit as st


@pytest.fixture
def downloads(monkeypatch) -> dict:
    """Label -> bytes of every st.download_button the pages draw; a deferred (callable) download is made
    when the test reads it, as a click in the browser would."""
    made: dict[str, object] = {}
    original = st.download_button

    def recording(label, data, *args, **kwargs):
        made[label] = data
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)

    class Downloads(dict):
        def __getitem__(self, label):
            data = made[label]
            return data() if callable(data) else data

        def __contains__(self, label):
            return label in made

        def labels(self):
            return list(made)

    return Downloads()


def page_dump(app) -> str:
    """Every element of the page as its protobuf text: labels, chart JSON, table data, help texts."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(app._tree)
    return "\n".join(parts)
