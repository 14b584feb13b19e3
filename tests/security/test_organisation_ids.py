"""A member of one organisation hands a service the id of another organisation's cycle, evidence, revision,
plan item, rating or review: every such call is refused and changes nothing."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from accounts.permissions import PermissionDenied
from services import evidence, plan, ratings, reviews, snapshots, uploads
from services.errors import NotFound
from services.evidence import NewEvidence
from storage.models import (
    AssessmentCycle,
    AuditEntry,
    Evidence,
    EvidenceLink,
    EvidenceRevision,
    PlanItem,
    Rating,
    Review,
    Snapshot,
)
from tests.factories import SYSTEM, jpeg_with_gps, make_organisation, make_user, simple_pdf

TABLES = (AssessmentCycle, AuditEntry, Evidence, EvidenceLink, EvidenceRevision, PlanItem, Rating, Review, Snapshot)


@pytest.fixture
def two_organisations(haven):
    """Harbour House (where amira manages and quinn reviews) and North Refuge with a bit of everything."""
    make_organisation(haven, "harbour-house", "Harbour House")
    other = make_organisation(haven, "north-refuge", "North Refuge")
    old = date.today() - timedelta(days=30)
    with haven.session() as session:  # North Refuge's first cycle started a month ago, so it can be closed today
        session.get(AssessmentCycle, 2).started_on = old
    photo = uploads.upload_evidence(haven, SYSTEM, organisation_id=other, data=jpeg_with_gps(), filename="door.jpg",
                                    details=NewEvidence("premises_photos", ("3.2.1",), old, title="Door"))
    policy = uploads.upload_evidence(haven, SYSTEM, organisation_id=other, data=simple_pdf(), filename="policy.pdf",
                                     details=NewEvidence("policy", ("3.3.1",), old, title="Policy"))
    with haven.session() as session:
        ratings.set_rating(session, SYSTEM, organisation_id=other, action_id="3.1.1", rating="met")
        item = plan.add_plan_item(session, SYSTEM, organisation_id=other, action_id="3.2.1", description="Fix door")
        snapshots.start_next_cycle(session, SYSTEM, organisation_id=other)
        revision = session.exec(select(EvidenceRevision).where(EvidenceRevision.evidence_id == policy)).one()
        reviews.review_revision(session, SYSTEM, revision_id=revision.id, status="rejected", comment="Unsigned")
        closed = session.exec(select(AssessmentCycle).where(AssessmentCycle.organisation_id == other,
                                                            AssessmentCycle.closed_on.is_not(None))).one()
        photo_revision = session.exec(select(EvidenceRevision).where(EvidenceRevision.evidence_id == photo)).one()
    return {
        "manager": make_user(haven, "amira", "manager", "harbour-house"),
        "reviewer": make_user(haven, "quinn", "reviewer", "harbour-house"),
        "cycle": closed.id, "photo": photo, "policy": policy, "revision": photo_revision.id,
        "policy_revision": revision.id, "item": item.id, "other": other,
    }


CALLS = {
    "snapshot_series with another organisation's cycle": (
        NotFound, "manager",
        lambda h, s, p, ids: snapshots.snapshot_series(s, p, organisation_id=1, cycle_id=ids["cycle"])),
    "closed_cycle_report": (PermissionDenied, "manager", lambda h, s, p, ids: snapshots.closed_cycle_report(
        s, p, cycle_id=ids["cycle"])),
    "take_snapshot": (PermissionDenied, "manager",
                      lambda h, s, p, ids: snapshots.take_snapshot(s, p, organisation_id=ids["other"])),
    "link_evidence": (PermissionDenied, "manager", lambda h, s, p, ids: evidence.link_evidence(
        s, p, evidence_id=ids["policy"], action_id="3.3.3")),
    "unlink_evidence": (PermissionDenied, "manager", lambda h, s, p, ids: evidence.unlink_evidence(
        s, p, evidence_id=ids["policy"], action_id="3.3.1")),
    "set_links": (PermissionDenied, "manager", lambda h, s, p, ids: evidence.set_links(
        s, p, evidence_id=ids["policy"], action_ids=["3.3.3"])),
    "set_classification": (PermissionDenied, "manager", lambda h, s, p, ids: evidence.set_classification(
        s, p, evidence_id=ids["policy"], classification="restricted")),
    "revision_history": (PermissionDenied, "manager", lambda h, s, p, ids: evidence.revision_history(
        s, p, evidence_id=ids["photo"])),
    "read_preview": (PermissionDenied, "reviewer", lambda h, s, p, ids: evidence.read_preview(
        h, p, revision_id=ids["revision"])),
    "read_thumbnails of another organisation": (
        PermissionDenied, "manager", lambda h, s, p, ids: evidence.read_thumbnails(
            h, p, organisation_id=ids["other"], revision_ids=[ids["revision"]])),
    "read_evidence_file": (PermissionDenied, "manager", lambda h, s, p, ids: evidence.read_evidence_file(
        h, p, revision_id=ids["revision"])),
    "read_thumbnail": (PermissionDenied, "manager", lambda h, s, p, ids: evidence.read_thumbnail(
        h, p, revision_id=ids["revision"])),
    "evidence_register": (PermissionDenied, "manager", lambda h, s, p, ids: evidence.evidence_register(
        s, p, organisation_id=ids["other"])),
    "upload_revision": (PermissionDenied, "manager", lambda h, s, p, ids: uploads.upload_revision(
        h, p, evidence_id=ids["policy"], issued_on=date.today(), valid_until=None, data=simple_pdf("v2"),
        filename="v2.pdf")),
    "upload_evidence": (PermissionDenied, "manager", lambda h, s, p, ids: uploads.upload_evidence(
        h, p, organisation_id=ids["other"], data=simple_pdf("x"), filename="x.pdf",
        details=NewEvidence("policy", ("3.3.1",), date.today()))),
    "set_rating": (PermissionDenied, "manager", lambda h, s, p, ids: ratings.set_rating(
        s, p, organisation_id=ids["other"], action_id="3.1.1", rating="not_met")),
    "ratings_of_organisation": (PermissionDenied, "manager", lambda h, s, p, ids: ratings.ratings_of_organisation(
        s, p, organisation_id=ids["other"])),
    "add_plan_item": (PermissionDenied, "manager", lambda h, s, p, ids: plan.add_plan_item(
        s, p, organisation_id=ids["other"], action_id="3.1.1", description="x")),
    "update_plan_item": (PermissionDenied, "manager", lambda h, s, p, ids: plan.update_plan_item(
        s, p, item_id=ids["item"], done=True)),
    "save_plan_changes with another organisation's item": (
        NotFound, "manager", lambda h, s, p, ids: plan.save_plan_changes(
            s, p, organisation_id=1, changes=[plan.PlanChange(id=ids["item"], description="x", owner="", due=None, done=True)])),
    "review_revision": (PermissionDenied, "reviewer", lambda h, s, p, ids: reviews.review_revision(
        s, p, revision_id=ids["revision"], status="rejected", comment="no")),
    "review_file": (PermissionDenied, "reviewer", lambda h, s, p, ids: reviews.review_file(
        s, p, revision_id=ids["revision"])),
    "review_queue": (PermissionDenied, "reviewer", lambda h, s, p, ids: reviews.review_queue(
        s, p, organisation_id=ids["other"])),
    "rejections": (PermissionDenied, "reviewer", lambda h, s, p, ids: reviews.rejections(
        s, p, organisation_id=ids["other"])),
}


def _state(haven) -> dict:
    with haven.session() as session:
        counts = {table.__name__: session.exec(select(func.count()).select_from(table)).one() for table in TABLES}
        counts["classification"] = [e.classification for e in session.exec(select(Evidence).order_by(Evidence.id))]
        counts["plan"] = [(i.description, i.done) for i in session.exec(select(PlanItem))]
        counts["ratings"] = [(r.cycle_id, r.action_id, r.rating) for r in session.exec(select(Rating))]
    counts["files"] = sorted(haven.store.keys())
    return counts


@pytest.mark.parametrize("name", CALLS)
def test_an_id_of_another_organisation_is_refused_and_changes_nothing(haven, two_organisations, name):
    refusal, role, call = CALLS[name]
    before = _state(haven)
    with pytest.raises(refusal):
        with haven.session() as session:
            call(haven, session, two_organisations[role], two_organisations)
    assert _state(haven) == before


def test_snapshot_series_of_its_own_cycle_still_answers(haven, two_organisations):
    with haven.session() as session:
        own = session.exec(select(AssessmentCycle).where(AssessmentCycle.organisation_id == 1)).one()
        assert snapshots.snapshot_series(session, two_organisations["manager"], organisation_id=1,
                                         cycle_id=own.id) == []
        series = snapshots.snapshot_series(session, SYSTEM, organisation_id=two_organisations["other"],
                                           cycle_id=two_organisations["cycle"])
    assert len(series) == 1


def test_thumbnails_asked_for_with_another_organisations_revision_ids_are_not_given(haven, two_organisations):
    with haven.session() as session:
        assert session.get(EvidenceRevision, two_organisations["revision"]).thumbnail_key is not None
    got = evidence.read_thumbnails(haven, two_organisations["manager"], organisation_id=1,
                                   revision_ids=[two_organisations["revision"]])
    assert got == {}
