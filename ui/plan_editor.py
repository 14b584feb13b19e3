"""The action plan on the Gaps page: filtered, edited in place and saved, and a form to add an item.

Plan rows are what services.plan.plan_items returns. After a change the editor starts afresh (a new key),
so its edits are not applied twice, and the page says what happened on the next run."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from accounts.permissions import Principal
from reports.formatting import TABLE_DATE_FORMAT
from services.instance import Haven
from services.plan import GAP_PLAN_DAYS, PlanRow, add_plan_item, changed_plan_rows, save_plan_changes
from ui.notices import TOAST, attempt, tell
from ui.widgets import WRAPPING_ROW_HEIGHT

EDITOR_VERSION_KEY = "plan_editor_version"
PLAN_FILTERS = ("Open", "Overdue", "Done", "All")
ALL_ACTIONS = "All actions"
OVERDUE_FLAG = "⚠️ Overdue"
EDITED_FIELDS = {"Description": "description", "Owner": "owner", "Due": "due", "Done": "done"}
COLUMNS = {
    "Action": st.column_config.TextColumn("Action", width="small"),
    "Description": st.column_config.TextColumn("Description", width="medium", required=True, max_chars=2000),
    "Owner": st.column_config.TextColumn("Owner", width="medium", max_chars=200),
    "Due": st.column_config.DateColumn("Due", format=TABLE_DATE_FORMAT, width="small"),
    "Done": st.column_config.CheckboxColumn("Done", width="small"),
    "Overdue": st.column_config.TextColumn("Overdue", width="small"),
}


def new_editor() -> None:
    st.session_state[EDITOR_VERSION_KEY] = st.session_state.get(EDITOR_VERSION_KEY, 0) + 1


def done(message: str) -> None:
    """After a change: say what happened on the next run, start the plan editor afresh and redraw."""
    tell(message, where=TOAST)
    new_editor()
    st.rerun()


def shown_rows(plan: list[PlanRow], shown: str, action_filter: str) -> list[PlanRow]:
    return [item for item in plan
            if (shown == "All" or (shown == "Open" and not item.done) or (shown == "Done" and item.done)
                or (shown == "Overdue" and item.overdue))
            and action_filter in (ALL_ACTIONS, item.action)]


def plan_table(haven: Haven, principal: Principal, *, organisation_id: int, plan: list[PlanRow], action_ids: list[str],
               can_plan: bool) -> None:
    st.subheader("Action plan")
    overdue = [item for item in plan if item.overdue]
    if overdue:
        st.warning(f"{len(overdue)} plan item{'s are' if len(overdue) != 1 else ' is'} overdue.",
                   icon=":material/warning:")
    filter_column, action_column = st.columns([3, 2], vertical_alignment="bottom")
    shown = filter_column.segmented_control("Show", PLAN_FILTERS, default="Open", required=True, key="plan_filter",
                                            on_change=new_editor)
    action_filter = action_column.selectbox("Action", [ALL_ACTIONS, *action_ids], key="plan_action",
                                            on_change=new_editor)
    rows = shown_rows(plan, shown, action_filter)
    if not rows:
        st.info("No plan items to show with this filter.")
        return
    table = pd.DataFrame([{
        "id": item.id, "Action": item.action, "Description": item.description, "Owner": item.owner,
        "Due": item.due, "Done": item.done, "Overdue": OVERDUE_FLAG if item.overdue else "",
    } for item in rows]).set_index("id")
    edited = st.data_editor(
        table, key=f"plan_editor_{st.session_state.get(EDITOR_VERSION_KEY, 0)}", hide_index=True, width="stretch",
        row_height=WRAPPING_ROW_HEIGHT, num_rows="fixed", disabled=True if not can_plan else ["Action", "Overdue"],
        column_order=("Overdue", "Action", "Description", "Owner", "Due", "Done"), column_config=COLUMNS,
    )
    if not can_plan:
        st.caption("Only a manager of this organisation changes the plan.")
        return
    st.caption("Edit a task, its owner or due date, or tick it done, then save.")
    if st.button("Save changes", type="primary", icon=":material/save:", key="plan_save"):
        after = [{"id": item_id, **{EDITED_FIELDS[c]: row[c] for c in EDITED_FIELDS}}
                 for item_id, row in edited.iterrows()]
        changes = changed_plan_rows(rows, after)
        if not changes:
            st.info("There are no changes to save.")
            return
        saved: list[int] = []
        if attempt(haven, lambda session: saved.append(
                save_plan_changes(session, principal, organisation_id=organisation_id, changes=changes))):
            done(f"Saved {saved[0]} plan item{'s' if saved[0] != 1 else ''}.")


def new_plan_item_form(haven: Haven, principal: Principal, *, organisation_id: int, action_ids: list[str],
                       today: date) -> None:
    with st.expander("Add a plan item", icon=":material/add:"), st.form("new_plan_item", clear_on_submit=True):
        action_id = st.selectbox("Action", action_ids)
        description = st.text_area("Task", max_chars=2000)
        owner = st.text_input("Owner", max_chars=200)
        due = st.date_input("Due", value=today + timedelta(days=GAP_PLAN_DAYS))
        if st.form_submit_button("Add to the plan", type="primary"):
            if attempt(haven, lambda session: add_plan_item(
                    session, principal, organisation_id=organisation_id, action_id=action_id,
                    description=description, owner=owner, due=due)):
                done(f"Added to the plan for {action_id}.")
