"""Gaps and action plan: readiness and what it still needs, every gap with its next step, and the plan."""
from datetime import date

import streamlit as st

from reports.formatting import long_date
from scoring.report import report_of
from services.gap_advice import advise, rejection_reasons
from services.plan import plan_items
from services.reviews import rejections
from services.scores import assess_organisation
from ui.gap_cards import gap_cards
from ui.organisation import open_organisation_screen
from ui.plan_editor import new_plan_item_form, plan_table
from ui.readiness_steps import readiness_steps
from ui.widgets import markdown_text

haven, principal, organisation = open_organisation_screen("Gaps and action plan", "view_evidence")
organisation_id, slug, name = organisation
can_plan = principal.can("plan", organisation_id)
today = date.today()

with haven.session() as session:
    report = report_of(assess_organisation(session, principal, organisation_id=organisation_id, as_of=today))
    plan = plan_items(session, principal, organisation_id=organisation_id, as_of=today)
    rejected = rejections(session, principal, organisation_id=organisation_id)

st.caption(f"{markdown_text(name)} · {report.standard_title} · on {long_date(report.as_of)}")
readiness_steps(report, plan)
gap_cards(haven, principal, organisation_id=organisation_id, plan=plan, can_plan=can_plan, today=today,
          gaps=advise(report, rejection_reasons=rejection_reasons(rejected)))

action_ids = [action.id for action in report.actions]
plan_table(haven, principal, organisation_id=organisation_id, plan=plan, action_ids=action_ids, can_plan=can_plan)
if can_plan:
    new_plan_item_form(haven, principal, organisation_id=organisation_id, action_ids=action_ids, today=today)
