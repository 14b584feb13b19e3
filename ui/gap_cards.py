"""Every gap of the report as a card: its severity, the finding, the next step, and whether it is planned.

A manager turns a gap into a plan item with one click (an owner and a due date filled in by the service)."""
from __future__ import annotations

from datetime import date

import streamlit as st

from accounts.permissions import Principal
from reports.formatting import long_date
from services.gap_advice import AdvisedGap
from services.instance import Haven
from services.plan import GAP_PLAN_DAYS, PlanRow, add_plan_item_for_gap
from ui.notices import attempt
from ui.plan_editor import done
from ui.widgets import markdown_text

SEVERITY_COLOURS = {"high": "red", "medium": "orange", "low": "blue"}


def gap_cards(haven: Haven, principal: Principal, *, organisation_id: int, gaps: list[AdvisedGap], plan: list[PlanRow],
              can_plan: bool, today: date) -> None:
    st.subheader(f"Gaps ({len(gaps)})")
    if not gaps:
        st.success("No gaps: every applicable action is met and verified.")
        return
    counts = {level: sum(g.severity == level for g in gaps) for level in SEVERITY_COLOURS}
    st.caption(" · ".join(f"{counts[level]} {level}" for level in SEVERITY_COLOURS))
    open_items = [item for item in plan if not item.done]
    for index, gap in enumerate(gaps):
        planned = [item for item in open_items if item.action == gap.action and item.gap_kind == gap.kind]
        gap_card(haven, principal, organisation_id=organisation_id, gap=gap, planned=planned, can_plan=can_plan,
                 key=f"gap_{index}_{gap.kind}_{gap.action}", today=today)


def gap_card(haven: Haven, principal: Principal, *, organisation_id: int, gap: AdvisedGap, planned: list[PlanRow],
             can_plan: bool, key: str, today: date) -> None:
    with st.container(border=True):
        severity_column, text_column, button_column = st.columns([1, 7, 2], vertical_alignment="center")
        severity_column.badge(gap.severity.capitalize(), color=SEVERITY_COLOURS[gap.severity])
        text_column.markdown(f"**{markdown_text(gap.message)}**")
        text_column.markdown(f"Next step: {markdown_text(gap.next_step)}")
        if planned:
            first = planned[0]
            due = long_date(first.due, empty="no due date")
            text_column.caption(markdown_text(f"In the plan: {first.owner or 'no owner'}, due {due}"))
        if gap.kind == "overdue_action":
            button_column.caption("See the plan below")
        elif planned:
            button_column.caption(":material/event_available: Planned")
        elif can_plan and button_column.button("Add to plan", key=key, icon=":material/add_task:", width="stretch"):
            if attempt(haven, lambda session: add_plan_item_for_gap(
                    session, principal, organisation_id=organisation_id, gap={"action": gap.action, "kind": gap.kind},
                    description=gap.next_step, today=today)):
                done(f"Added to the plan for {gap.action}, due in {GAP_PLAN_DAYS} days.")
