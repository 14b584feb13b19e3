"""Gaps and action plan: readiness and what it still needs, every gap with its next step, and the plan."""
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from reports.formatting import TABLE_DATE_FORMAT, long_date
from services.gap_advice import advise, rejection_reasons, still_needed_for_approaching, still_needed_for_ready
from services.plan import (
    GAP_PLAN_DAYS,
    add_plan_item,
    add_plan_item_for_gap,
    changed_plan_rows,
    plan_items,
    save_plan_changes,
)
from services.reviews import rejections
from services.scores import score_organisation
from ui.notices import TOAST, attempt, tell
from ui.organisation import open_organisation_screen
from ui.widgets import markdown_text, readiness_badge

EDITOR_VERSION_KEY = "plan_editor_version"
SEVERITY_COLOURS = {"high": "red", "medium": "orange", "low": "blue"}
PLAN_FILTERS = ("Open", "Overdue", "Done", "All")
ALL_ACTIONS = "All actions"
OVERDUE_FLAG = "⚠️ Overdue"

haven, principal, organisation = open_organisation_screen("Gaps and action plan", "view_evidence")
organisation_id, slug, name = organisation
can_plan = principal.can("plan", organisation_id)
today = date.today()


def done(message: str) -> None:
    """After a change: say what happened on the next run, start the plan editor afresh and redraw."""
    tell(message, where=TOAST)
    st.session_state[EDITOR_VERSION_KEY] = st.session_state.get(EDITOR_VERSION_KEY, 0) + 1
    st.rerun()


def new_editor() -> None:
    st.session_state[EDITOR_VERSION_KEY] = st.session_state.get(EDITOR_VERSION_KEY, 0) + 1



with haven.session() as session:
    report = score_organisation(session, principal, organisation_id=organisation_id, as_of=today)
    plan = plan_items(session, principal, organisation_id=organisation_id, as_of=today)
    rejected = rejections(session, principal, organisation_id=organisation_id)
gaps = advise(report, rejection_reasons=rejection_reasons(rejected))

st.caption(f"{markdown_text(name)} · {report['standard_title']} · on {long_date(report['as_of'])}")

readiness_badge(report["readiness"], report["readiness_reason"])
needed_for_approaching = still_needed_for_approaching(report, plan)
if needed_for_approaching:
    st.markdown("**Still needed to reach Approaching**")
    st.markdown("\n".join(f"- {markdown_text(step)}" for step in needed_for_approaching))
elif report["readiness"] == "approaching":
    with st.expander("Still needed to be Ready"):
        st.markdown("\n".join(f"- {markdown_text(step)}" for step in still_needed_for_ready(report)))

st.subheader(f"Gaps ({len(gaps)})")
if not gaps:
    st.success("No gaps: every applicable action is met and verified.")
counts = {level: sum(g["severity"] == level for g in gaps) for level in SEVERITY_COLOURS}
if gaps:
    st.caption(" · ".join(f"{counts[level]} {level}" for level in SEVERITY_COLOURS))
open_items = [item for item in plan if not item["done"]]
for index, gap in enumerate(gaps):
    with st.container(border=True):
        severity_column, text_column, button_column = st.columns([1, 7, 2], vertical_alignment="center")
        severity_column.badge(gap["severity"].capitalize(), color=SEVERITY_COLOURS[gap["severity"]])
        text_column.markdown(f"**{markdown_text(gap['message'])}**")
        text_column.markdown(f"Next step: {markdown_text(gap['next_step'])}")
        planned = [item for item in open_items if item["action"] == gap["action"] and item["gap_kind"] == gap["kind"]]
        if planned:
            first = planned[0]
            due = long_date(first["due"], empty="no due date")
            text_column.caption(markdown_text(f"In the plan: {first['owner'] or 'no owner'}, due {due}"))
        if gap["kind"] == "overdue_action":
            button_column.caption("See the plan below")
        elif planned:
            button_column.caption(":material/event_available: Planned")
        elif can_plan and button_column.button("Add to plan", key=f"gap_{index}_{gap['kind']}_{gap['action']}",
                                               icon=":material/add_task:", width="stretch"):
            if attempt(haven, lambda session, gap=gap: add_plan_item_for_gap(
                    session, principal, organisation_id=organisation_id, gap=gap, description=gap["next_step"],
                    today=today)):
                done(f"Added to the plan for {gap['action']}, due in {GAP_PLAN_DAYS} days.")

st.subheader("Action plan")
overdue = [item for item in plan if item["overdue"]]
if overdue:
    st.warning(f"{len(overdue)} plan item{'s are' if len(overdue) != 1 else ' is'} overdue.", icon=":material/warning:")

filter_column, action_column = st.columns([3, 2], vertical_alignment="bottom")
shown = filter_column.segmented_control("Show", PLAN_FILTERS, default="Open", required=True, key="plan_filter",
                                        on_change=new_editor)
action_ids = [action["id"] for engagement in report["engagements"] for action in engagement["actions"]]
action_filter = action_column.selectbox("Action", [ALL_ACTIONS, *action_ids], key="plan_action", on_change=new_editor)
rows = [item for item in plan
        if (shown == "All" or (shown == "Open" and not item["done"]) or (shown == "Done" and item["done"])
            or (shown == "Overdue" and item["overdue"]))
        and action_filter in (ALL_ACTIONS, item["action"])]

if not rows:
    st.info("No plan items to show with this filter.")
else:
    table = pd.DataFrame([{
        "id": item["id"], "Action": item["action"], "Description": item["description"], "Owner": item["owner"],
        "Due": item["due"], "Done": item["done"], "Overdue": OVERDUE_FLAG if item["overdue"] else "",
    } for item in rows]).set_index("id")
    edited = st.data_editor(
        table, key=f"plan_editor_{st.session_state.get(EDITOR_VERSION_KEY, 0)}", hide_index=True, width="stretch",
        num_rows="fixed", disabled=True if not can_plan else ["Action", "Overdue"],
        column_order=("Overdue", "Action", "Description", "Owner", "Due", "Done"),
        column_config={
            "Action": st.column_config.TextColumn("Action", width="small"),
            "Description": st.column_config.TextColumn("Description", width="large", required=True, max_chars=2000),
            "Owner": st.column_config.TextColumn("Owner", max_chars=200),
            "Due": st.column_config.DateColumn("Due", format=TABLE_DATE_FORMAT, width="small"),
            "Done": st.column_config.CheckboxColumn("Done", width="small"),
            "Overdue": st.column_config.TextColumn("Overdue", width="small"),
        },
    )
    if can_plan:
        st.caption("Edit a task, its owner or due date, or tick it done, then save.")
    if can_plan and st.button("Save changes", type="primary", icon=":material/save:", key="plan_save"):
        as_fields = {"Description": "description", "Owner": "owner", "Due": "due", "Done": "done"}
        after = [{"id": item_id, **{as_fields[c]: row[c] for c in as_fields}} for item_id, row in edited.iterrows()]
        changes = changed_plan_rows(rows, after)
        if not changes:
            st.info("There are no changes to save.")
        else:
            saved: list[int] = []
            if attempt(haven, lambda session: saved.append(
                    save_plan_changes(session, principal, organisation_id=organisation_id, changes=changes))):
                done(f"Saved {saved[0]} plan item{'s' if saved[0] != 1 else ''}.")
    if not can_plan:
        st.caption("Only a manager of this organisation changes the plan.")

if can_plan:
    with st.expander("Add a plan item", icon=":material/add:"):
        with st.form("new_plan_item", clear_on_submit=True):
            action_id = st.selectbox("Action", action_ids)
            description = st.text_area("Task", max_chars=2000)
            owner = st.text_input("Owner", max_chars=200)
            due = st.date_input("Due", value=today + timedelta(days=GAP_PLAN_DAYS))
            if st.form_submit_button("Add to the plan", type="primary"):
                if attempt(haven, lambda session: add_plan_item(
                        session, principal, organisation_id=organisation_id, action_id=action_id,
                        description=description, owner=owner, due=due)):
                    done(f"Added to the plan for {action_id}.")
