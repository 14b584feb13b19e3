import json
from dataclasses import asdict
from datetime import date

import pytest
from sqlmodel import select

from accounts.permissions import PermissionDenied
from services.errors import ServiceError
from services.evidence import NewEvidence
from services.reviews import rejections, review_file, review_queue, review_revision
from services.scores import score_organisation
from services.uploads import upload_evidence, upload_revision
from services.users import principal_for, set_membership
from storage.models import AuditEntry, Review, User
from tests.factories import SYSTEM, make_organisation, simple_pdf
from tests.factories import make_user as make_user_with_password

AS_OF = date(2026, 6, 15)


def make_user(*args, **kwargs):
    """A user without a password: these tests never sign in, and hashing one is the slowest step."""
    return make_user_with_password(*args, password=None, **kwargs)
ESCAPE_PLAN = NewEvidence("escape_plan", ("3.2.1",), date(2026, 3, 1), title="Escape plan, ground floor")


@pytest.fixture
def reviewer(haven, organisation):
    return make_user(haven, "quinn", "reviewer", "harbour-house")


def upload(haven, who, organisation, details=ESCAPE_PLAN, text="Escape plan"):
    evidence_id = upload_evidence(haven, who, organisation_id=organisation, details=details, data=simple_pdf(text),
                                  filename="escape-plan.pdf")
    return evidence_id


def queued(haven, who, organisation):
    with haven.session() as session:
        return review_queue(session, who, organisation_id=organisation)


def decide(haven, who, revision_id, status, comment="", checklist=None):
    with haven.session() as session:
        review_revision(session, who, revision_id=revision_id, status=status, comment=comment, checklist=checklist)


def reviews_stored(haven):
    with haven.session() as session:
        return session.exec(select(Review)).all()


def escape_plan_slot(haven, who):
    with haven.session() as session:
        report = score_organisation(session, who, organisation_id=1, as_of=AS_OF)
    action = next(a for e in report["engagements"] for a in e["actions"] if a["id"] == "3.2.1")
    return next(s for s in action["slots"] if s["evidence_type"] == "escape_plan")


def test_a_reviewer_accepts_with_the_checklist_and_the_slot_is_verified(haven, organisation, manager, reviewer):
    upload(haven, manager, organisation)
    (item,) = queued(haven, reviewer, organisation)
    assert (item.title, item.actions, item.has_file, item.own_upload) == (
        "Escape plan, ground floor", ["3.2.1"], True, False)
    assert item.checklist[0] == "Shows the exits and escape routes"
    assert item.uploaded_by == "amira"

    decide(haven, reviewer, item.revision_id, "accepted", "Clear and dated",
           checklist=["Shows the assembly point", "Shows the exits and escape routes"])

    (review,) = reviews_stored(haven)
    assert (review.status, review.reviewer_name, review.comment) == ("accepted", "quinn", "Clear and dated")
    assert json.loads(review.checklist) == ["Shows the exits and escape routes", "Shows the assembly point"]
    assert queued(haven, reviewer, organisation) == []
    assert escape_plan_slot(haven, manager)["state"] == "verified"
    with haven.session() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "review.accepted")).one()
    assert entry.actor == "quinn"


def test_a_rejection_with_its_reason_reaches_the_manager(haven, organisation, manager, reviewer):
    upload(haven, manager, organisation)
    (item,) = queued(haven, reviewer, organisation)
    decide(haven, reviewer, item.revision_id, "rejected", "  The plan is not dated and has no assembly point.  ")

    with haven.session() as session:
        (found,) = rejections(session, manager, organisation_id=organisation)
    assert found.reason == "The plan is not dated and has no assembly point."
    assert (found.title, found.reviewer, found.actions, found.evidence_type) == (
        "Escape plan, ground floor", "quinn", ["3.2.1"], "escape_plan")
    assert escape_plan_slot(haven, manager)["state"] == "rejected"
    assert queued(haven, reviewer, organisation) == []


@pytest.mark.parametrize("comment", ["", "   \n "])
def test_a_rejection_without_a_reason_is_refused_and_nothing_is_stored(haven, organisation, manager, reviewer, comment):
    upload(haven, manager, organisation)
    (item,) = queued(haven, reviewer, organisation)
    with pytest.raises(ServiceError, match="Give the reason for the rejection"):
        decide(haven, reviewer, item.revision_id, "rejected", comment)
    assert reviews_stored(haven) == []
    assert len(queued(haven, reviewer, organisation)) == 1


@pytest.mark.parametrize("is_admin", [False, True])
def test_nobody_reviews_their_own_upload_not_even_an_administrator(haven, organisation, is_admin):
    both = make_user(haven, "sam", "manager", "harbour-house", is_admin=is_admin)
    with haven.session() as session:
        set_membership(session, SYSTEM, user_id=both.user_id, role="reviewer", organisation_id=None)
        both = principal_for(session, session.get(User, both.user_id))
    assert both.can("review", organisation) and both.can("upload", organisation)
    upload(haven, both, organisation)

    (item,) = queued(haven, both, organisation)
    assert item.own_upload is True
    for status, comment in (("accepted", "Looks fine"), ("rejected", "Needs a date")):
        with pytest.raises(ServiceError, match="You uploaded this evidence, so another reviewer must review it"):
            decide(haven, both, item.revision_id, status, comment)
    assert reviews_stored(haven) == []


def test_an_old_revision_cannot_be_reviewed(haven, organisation, manager, reviewer):
    evidence_id = upload(haven, manager, organisation)
    (first,) = queued(haven, reviewer, organisation)
    upload_revision(haven, manager, evidence_id=evidence_id, issued_on=date(2026, 4, 1), valid_until=None,
                    data=simple_pdf("Escape plan, dated"), filename="escape-plan-v2.pdf")
    with pytest.raises(ServiceError, match="A newer revision of this evidence exists"):
        decide(haven, reviewer, first.revision_id, "accepted")
    assert reviews_stored(haven) == []
    (latest,) = queued(haven, reviewer, organisation)
    assert latest.revision == 2


@pytest.mark.parametrize("role", ["manager", "board"])
def test_managers_and_board_members_cannot_review(haven, organisation, manager, reviewer, role):
    other = manager if role == "manager" else make_user(haven, "bea", "board", "harbour-house")
    upload(haven, manager, organisation)
    (item,) = queued(haven, reviewer, organisation)
    with pytest.raises(PermissionDenied):
        decide(haven, other, item.revision_id, "accepted", "Fine")
    with pytest.raises(PermissionDenied):
        queued(haven, other, organisation)
    with pytest.raises(PermissionDenied):
        with haven.session() as session:
            review_file(session, other, revision_id=item.revision_id)
    assert reviews_stored(haven) == []


def test_an_administrator_without_a_reviewer_role_cannot_review(haven, organisation, manager):
    admin = make_user(haven, "ada", None, is_admin=True)
    upload(haven, manager, organisation)
    reviewer = make_user(haven, "quinn", "reviewer", "harbour-house")
    (item,) = queued(haven, reviewer, organisation)
    with pytest.raises(PermissionDenied):
        decide(haven, admin, item.revision_id, "accepted")
    assert reviews_stored(haven) == []


def test_a_reviewer_of_another_organisation_cannot_review_here(haven, organisation, manager):
    make_organisation(haven, "city-refuge", "City Refuge")
    outsider = make_user(haven, "otto", "reviewer", "city-refuge")
    upload(haven, manager, organisation)
    with pytest.raises(PermissionDenied):
        queued(haven, outsider, organisation)


def test_a_new_revision_after_a_rejection_returns_to_the_queue_with_the_earlier_reason(
        haven, organisation, manager, reviewer):
    evidence_id = upload(haven, manager, organisation)
    (first,) = queued(haven, reviewer, organisation)
    decide(haven, reviewer, first.revision_id, "rejected", "Show the assembly point")
    assert queued(haven, reviewer, organisation) == []

    upload_revision(haven, manager, evidence_id=evidence_id, issued_on=date(2026, 4, 1), valid_until=None,
                    data=simple_pdf("Escape plan with assembly point"), filename="escape-plan-v2.pdf")
    (second,) = queued(haven, reviewer, organisation)
    assert second.revision == 2 and second.evidence_id == evidence_id
    assert asdict(second.previous_review) == {"revision": 1, "status": "rejected", "comment": "Show the assembly point",
                                         "reviewer": "quinn"}
    assert escape_plan_slot(haven, manager)["state"] == "pending"
    with haven.session() as session:
        assert rejections(session, manager, organisation_id=organisation) == []

    decide(haven, reviewer, second.revision_id, "accepted", "Assembly point shown")
    assert escape_plan_slot(haven, manager)["state"] == "verified"


def test_a_revision_is_decided_once(haven, organisation, manager, reviewer):
    upload(haven, manager, organisation)
    second_reviewer = make_user(haven, "rosa", "reviewer", None)
    (item,) = queued(haven, reviewer, organisation)
    decide(haven, reviewer, item.revision_id, "accepted", "Fine", checklist=item.checklist)
    with pytest.raises(ServiceError, match="was accepted by quinn already"):
        decide(haven, second_reviewer, item.revision_id, "rejected", "Not fine")
    assert [r.status for r in reviews_stored(haven)] == ["accepted"]


@pytest.mark.parametrize("ticked, comment", [
    ([], ""),
    ([], "ok"),
    (["Shows the exits and escape routes", "Shows the assembly point"], "n/a"),
])
def test_accepting_with_an_item_unticked_and_no_reason_is_refused_and_nothing_changes(
        haven, organisation, manager, reviewer, ticked, comment):
    upload(haven, manager, organisation)
    (item,) = queued(haven, reviewer, organisation)
    with pytest.raises(ServiceError) as refusal:
        decide(haven, reviewer, item.revision_id, "accepted", comment, checklist=ticked)
    message = str(refusal.value)
    assert message.startswith("To accept, tick every checklist item, or say in the comment why")
    assert "“Is dated and displayed or known to staff”" in message
    assert ("“Shows the assembly point”" in message) == ("Shows the assembly point" not in ticked)
    assert reviews_stored(haven) == []
    assert [i.revision_id for i in queued(haven, reviewer, organisation)] == [item.revision_id]
    assert escape_plan_slot(haven, manager)["state"] == "pending"
    with haven.session() as session:
        assert session.exec(select(AuditEntry).where(AuditEntry.action.like("review.%"))).all() == []


def test_an_unticked_item_explained_in_the_comment_may_be_accepted(haven, organisation, manager, reviewer):
    upload(haven, manager, organisation)
    (item,) = queued(haven, reviewer, organisation)
    reason = "Not displayed yet: the office moved last week; staff were briefed in person on 3 March."
    decide(haven, reviewer, item.revision_id, "accepted", reason,
           checklist=["Shows the exits and escape routes", "Shows the assembly point"])
    (review,) = reviews_stored(haven)
    assert (review.status, review.comment) == ("accepted", reason)
    assert json.loads(review.checklist) == ["Shows the exits and escape routes", "Shows the assembly point"]


def test_a_rejection_needs_no_ticks(haven, organisation, manager, reviewer):
    upload(haven, manager, organisation)
    (item,) = queued(haven, reviewer, organisation)
    decide(haven, reviewer, item.revision_id, "rejected", "No date")
    assert [r.status for r in reviews_stored(haven)] == ["rejected"]


def test_checklist_items_must_come_from_the_evidence_type(haven, organisation, manager, reviewer):
    upload(haven, manager, organisation)
    (item,) = queued(haven, reviewer, organisation)
    with pytest.raises(ServiceError, match="is not on this evidence type's checklist"):
        decide(haven, reviewer, item.revision_id, "accepted", checklist=["Smells nice"])
    assert reviews_stored(haven) == []


def test_an_unknown_decision_is_refused(haven, organisation, manager, reviewer):
    upload(haven, manager, organisation)
    (item,) = queued(haven, reviewer, organisation)
    with pytest.raises(ServiceError, match="either accepts or rejects"):
        decide(haven, reviewer, item.revision_id, "maybe")
    assert reviews_stored(haven) == []


def test_the_queue_is_oldest_first_and_shows_inspection_notes(haven, organisation, manager, reviewer):
    upload(haven, manager, organisation)
    inspection = NewEvidence("premises_photos", ("3.2.1",), date(2026, 5, 2), title="On-site inspection",
                             note="Door closes and locks by itself")
    upload_evidence(haven, manager, organisation_id=organisation, details=inspection, data=None)
    first, second = queued(haven, reviewer, organisation)
    assert first.title == "Escape plan, ground floor" and first.uploaded_at <= second.uploaded_at
    assert (second.has_file, second.note) == (False, "Door closes and locks by itself")
    with pytest.raises(ServiceError, match="on-site inspection record"):
        with haven.session() as session:
            review_file(session, reviewer, revision_id=second.revision_id)
    with haven.session() as session:
        file = review_file(session, reviewer, revision_id=first.revision_id)
    assert file.mime_type == "application/pdf" and haven.store.get(file.blob_key).startswith(b"%PDF")
