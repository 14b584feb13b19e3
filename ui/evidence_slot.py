"""One evidence slot of an action on the Self-assessment page: its state, the evidence linked to it, and (once
its panel is opened) the forms that link evidence from the library or upload new evidence."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from accounts.permissions import Principal
from scoring.report import ActionReport, SlotReport
from services.evidence import RegisterRow
from services.instance import Haven
from services.reviews import Rejection
from standards.schema import Standard
from ui.evidence_forms import evidence_summary, link_existing_form, upload_form
from ui.widgets import slot_state_badge


@dataclass(frozen=True)
class SlotPlace:
    """What every slot of one organisation's page shares: who works, where, and the evidence there is."""

    haven: Haven
    principal: Principal
    organisation_id: int
    standard: Standard
    register: list[RegisterRow]  # services.evidence.evidence_register
    rejected: dict[int, Rejection]  # evidence id -> its latest rejection (services.reviews.rejections)
    can_link: bool
    can_add: bool


def evidence_slot(place: SlotPlace, action: ActionReport, slot: SlotReport) -> None:
    type_id = slot.evidence_type
    linked = [r for r in place.register if r.evidence_type == type_id and action.id in r.actions]
    with st.container(border=True):
        st.markdown(f"**{slot.evidence_type_title}**")
        slot_state_badge(slot.state, slot.expiring_soon)
        for row in linked:
            evidence_summary(row, place.rejected.get(row.id))
        if not linked:
            st.caption("No evidence is linked yet.")
        if place.can_link or place.can_add:
            key = f"slot:{place.organisation_id}:{action.id}:{type_id}"
            panel = st.expander("Link or upload evidence", key=f"{key}:panel", on_change="rerun")
            with panel:
                if panel.open:  # drawn once opened: two forms for each of a standard's slots weigh on every run
                    slot_forms(place, action.id, type_id, key)


def slot_forms(place: SlotPlace, action_id: str, type_id: str, key: str) -> None:
    if place.can_link:
        st.markdown("**Link evidence already in the library**")
        others = [r for r in place.register if r.evidence_type == type_id and action_id not in r.actions]
        link_existing_form(place.haven, place.principal, others, action_id=action_id, key=f"{key}:link")
    if place.can_add:
        st.markdown("**Or upload new evidence**")
        upload_form(place.haven, place.principal, place.organisation_id, place.standard, key=f"{key}:upload",
                    evidence_type=type_id, action_id=action_id)
