
"""From the demo organisation to "approaching", through the services the Gaps and action plan,
Self-assessment and Review queue pages call, in the order a manager and a reviewer would work."""
from dataclasses import asdict
from datetime import date, timedelta

from reports.formatting import long_date
from scoring.report import report_of
from services.demo import load_demo
from services.gap_advice import advise, rejection_reasons, still_needed_for_approaching
from services.organisations import get_organisation
from services.plan import add_plan_item_for_gap, changed_plan_rows, plan_items, save_plan_changes
from services.ratings import set_rating
from services.reviews import rejections, review_queue, review_revision
from services.scores import assess_organisation
from tests.factories import SYSTEM, make_user


def test_a_manager_brings_the_demo_to_approaching_and_a_reviewer_accepts_evidence(haven):
    today = date.today()
    load_demo(haven, SYSTEM, today=today)
    with haven.session() as session:
        organisation = get_organisation(session, "harbour-house").id
    manager = make_user(haven, "amira", "manager", "harbour-house", password=None)
    reviewer = make_user(haven, "quinn", "reviewer", "harbour-house", password=None)

    def page_state():
        with haven.session() as session:
            report = report_of(assess_organisation(session, manager, organisation_id=1, as_of=today))
            plan = plan_items(session, manager, organisation_id=organisation, as_of=today)
            gaps = advise(report, rejection_reasons=rejection_reasons(
                rejections(session, manager, organisation_id=organisation)))
        return report, plan, gaps

    report, plan, gaps = page_state()
    assert report.readiness == "not_ready"
    needed = still_needed_for_approaching(report, plan)
    assert needed == [
        f"Give the overdue plan item of 3.1.3 a new due date on or after {long_date(today)}, or add a new plan item",
        f"Add a plan item for 3.2.1 with an owner and a due date on or after {long_date(today)}",
        "Rate 3.3.3 at least partially met on the Self-assessment page (now: not assessed)",
    ]

    with haven.session() as session:  # the Self-assessment page
        set_rating(session, manager, organisation_id=organisation, action_id="3.3.3", rating="partially_met",
                   owner="Priya Nair, Data Protection Lead",
                   justification="The protocol is written; the case procedure still has to follow it.")

    (overdue,) = [item for item in plan if item.overdue]
    edited = [asdict(item) for item in plan]
    next(item for item in edited if item["id"] == overdue.id)["due"] = today + timedelta(days=21)
    with haven.session() as session:  # "Save changes" under the plan editor
        save_plan_changes(session, manager, organisation_id=organisation, changes=changed_plan_rows(plan, edited))

    (escape_plan_gap,) = [g for g in gaps if g.action == "3.2.1" and g.kind == "unverified_evidence"]
    assert escape_plan_gap.next_step == "Ask a quality reviewer to review the escape plan for 3.2.1"
    with haven.session() as session:  # "Add to plan" beside the gap
        add_plan_item_for_gap(session, manager, organisation_id=organisation,
                              gap={"action": escape_plan_gap.action, "kind": escape_plan_gap.kind},
                              description=escape_plan_gap.next_step, today=today)

    report, plan, gaps = page_state()
    assert report.readiness == "approaching", report.readiness_reason
    assert still_needed_for_approaching(report, plan) == []
    assert not [item for item in plan if item.overdue]
    new_item = plan[-1]
    assert (new_item.action, new_item.owner, new_item.due, new_item.gap_kind) == (
        "3.2.1", "Tom Brennan, Facilities Officer", today + timedelta(days=30), "unverified_evidence")

    with haven.session() as session:  # the Review queue
        queue = review_queue(session, reviewer, organisation_id=organisation)
    assert [item.uploaded_at for item in queue] == sorted(item.uploaded_at for item in queue)
    (escape_plan,) = [item for item in queue if item.title == "Escape plan, ground floor"]
    with haven.session() as session:
        review_revision(session, reviewer, revision_id=escape_plan.revision_id, status="accepted",
                        comment="Dated, shows exits and the assembly point", checklist=escape_plan.checklist)

    report, plan, gaps = page_state()
    assert report.readiness == "approaching"
    assert not [g for g in gaps if g.action == "3.2.1" and g.kind == "unverified_evidence"]
    with haven.session() as session:
        assert escape_plan.revision_id not in [
            item.revision_id for item in review_queue(session, reviewer, organisation_id=organisation)]

    with haven.session() as session:  # with every slot of 3.2.1 verified, the manager can claim it met
        set_rating(session, manager, organisation_id=organisation, action_id="3.2.1", rating="met",
                   owner="Tom Brennan, Facilities Officer")
    report, plan, gaps = page_state()
    action = next(a for e in report.engagements for a in e.actions if a.id == "3.2.1")
    assert action.ready is True
    assert report.readiness == "approaching"
