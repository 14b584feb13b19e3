"""The evidence library's list: the filters over the register and the table of what they keep."""
from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from reports.formatting import TABLE_DATE_FORMAT
from services.evidence import RegisterRow, filter_register
from services.reviews import Rejection
from standards.schema import Standard
from ui.evidence_forms import action_label, type_title
from ui.widgets import WRAPPING_ROW_HEIGHT
from vocabulary import Classification

STATES = ("current", "expired", "pending", "accepted", "rejected")
TABLE_COLUMNS = ["Title", "Type", "Actions", "Valid until", "Current", "Review", "Classification"]
COLUMN_CONFIG = {
    "Title": st.column_config.TextColumn(width="medium"), "Type": st.column_config.TextColumn(width="small"),
    "Actions": st.column_config.TextColumn(width="small"),
    "Valid until": st.column_config.DateColumn(format=TABLE_DATE_FORMAT, width="small"),
    "Current": st.column_config.TextColumn(width="small"), "Review": st.column_config.TextColumn(width="small"),
    "Classification": st.column_config.TextColumn(width="small"),
}


def filtered_register(register: list[RegisterRow], standard: Standard) -> list[RegisterRow]:
    """Four filters side by side (type, action, state, classification) and the rows that pass them all."""
    by_type, by_action, by_state, by_classification = st.columns(4)
    shown = filter_register(
        register,
        evidence_types=by_type.multiselect("Type", [t.id for t in standard.evidence_types], key="library:filter:type",
                                           format_func=lambda t: type_title(standard, t)),
        actions=by_action.multiselect("Action", [a.id for a in standard.actions], key="library:filter:action",
                                      format_func=lambda a: action_label(standard, a)),
        states=by_state.multiselect("State", STATES, format_func=str.capitalize, key="library:filter:state"),
        classifications=by_classification.multiselect("Classification", list(Classification),
                                                      format_func=Classification.label_of, key="library:filter:class"),
    )
    st.caption(f"{len(shown)} of {len(register)} items shown")
    return shown


def review_text(row: RegisterRow, rejection: Rejection | None) -> str:
    words = row.review_status.label
    return f"{words}: {rejection.reason}" if rejection else words


def register_table(shown: list[RegisterRow], rejected: dict[int, Rejection], *, key: str, item_key: str) -> None:
    """One line per item; a row clicked becomes the item worked on below (stored under `item_key`)."""
    st.caption("Click a row to work on that item below.")
    table = pd.DataFrame([{
        "Title": row.title, "Type": row.evidence_type_title, "Actions": ", ".join(row.actions),
        "Valid until": row.valid_until, "Current": row.validity.capitalize(),
        "Review": review_text(row, rejected.get(row.id)), "Classification": row.classification.label,
    } for row in shown], columns=TABLE_COLUMNS)
    st.dataframe(table, hide_index=True, width="stretch", row_height=WRAPPING_ROW_HEIGHT, key=key, selection_mode="single-row",
                 on_select=functools.partial(_choose, [row.id for row in shown], key, item_key),
                 column_config=COLUMN_CONFIG)


def _choose(ids: list[int], key: str, item_key: str) -> None:
    rows = st.session_state[key].selection.rows
    if rows and rows[0] < len(ids):
        st.session_state[item_key] = ids[rows[0]]
