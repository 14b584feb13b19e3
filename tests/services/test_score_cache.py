"""The network's scores are kept between calls, and every kind of change makes them right again at once."""
from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlmodel import select

from bundles.importer import import_bundle
from config import get_settings
from services import scores
from services.evidence import NewEvidence, link_evidence, set_classification, unlink_evidence
from services.instance import Haven
from services.plan import add_plan_item, update_plan_item
from services.ratings import set_rating
from services.reviews import review_revision
from services.scores import clear_score_cache, score_network
from services.snapshots import start_next_cycle
from services.uploads import upload_evidence, upload_revision
from serving.warm_up import ScoreWarmer
from storage.blobs import LocalBlobStore
from storage.db import make_engine, migrate
from storage.models import EvidenceRevision, Organisation
from tests.factories import SYSTEM, make_organisation, simple_pdf, write_bundle

AS_OF = date.today()


def network(haven) -> list[dict]:
    with haven.session() as session:
        return score_network(session, SYSTEM, as_of=AS_OF)


def cold_network(haven) -> list[dict]:
    clear_score_cache()
    return network(haven)


def organisation_id(haven, slug: str) -> int:
    with haven.session() as session:
        return session.exec(select(Organisation.id).where(Organisation.slug == slug)).one()


def latest_revision_id(haven, evidence_id: int) -> int:
    with haven.session() as session:
        return session.exec(select(EvidenceRevision.id).where(EvidenceRevision.evidence_id == evidence_id)
                            .order_by(EvidenceRevision.number.desc())).first()


def by_slug(reports: list[dict]) -> dict[str, dict]:
    return {report["organisation"]: report for report in reports}


@pytest.fixture
def two_organisations(haven, tmp_path):
    import_bundle(haven, SYSTEM, write_bundle(tmp_path / "bundle"))
    make_organisation(haven, slug="quay-house", name="Quay House")
    return haven


def test_every_kind_of_change_shows_in_the_next_network_scores(two_organisations):
    haven = two_organisations
    harbour, quay = organisation_id(haven, "harbour-house"), organisation_id(haven, "quay-house")
    cold_network(haven)
    changes = []

    def after(change: str) -> None:
        warm = network(haven)
        assert warm == cold_network(haven), change
        changes.append(change)

    with haven.session() as session:
        set_rating(session, SYSTEM, organisation_id=quay, action_id="3.1.1", rating="met", owner="Q. Manager")
    after("rating")
    evidence_id = upload_evidence(haven, SYSTEM, organisation_id=quay, data=simple_pdf(), filename="risk.pdf",
                                  details=NewEvidence("risk_assessment", ("3.1.1",), AS_OF - timedelta(days=10)))
    after("upload")
    with haven.session() as session:
        review_revision(session, SYSTEM, revision_id=latest_revision_id(haven, evidence_id), status="accepted")
    after("review")
    upload_revision(haven, SYSTEM, evidence_id=evidence_id, issued_on=AS_OF - timedelta(days=400), valid_until=None,
                    data=simple_pdf("older form"), filename="risk-v2.pdf")
    after("revision")
    policy = upload_evidence(haven, SYSTEM, organisation_id=quay, data=simple_pdf("policy"), filename="p.pdf",
                             details=NewEvidence("policy", ("3.3.1",), AS_OF))
    after("second upload")
    with haven.session() as session:
        link_evidence(session, SYSTEM, evidence_id=policy, action_id="3.3.3")
    after("link")
    with haven.session() as session:
        unlink_evidence(session, SYSTEM, evidence_id=policy, action_id="3.3.1")
    after("unlink")
    with haven.session() as session:
        set_classification(session, SYSTEM, evidence_id=policy, classification="restricted")
    after("classification")
    with haven.session() as session:
        item = add_plan_item(session, SYSTEM, organisation_id=harbour, action_id="3.1.1", description="Train staff",
                             owner="A. Manager", due=AS_OF + timedelta(days=30)).id
    after("plan item")
    with haven.session() as session:
        update_plan_item(session, SYSTEM, item_id=item, done=True)
    after("plan item done")
    with haven.session() as session:
        start_next_cycle(session, SYSTEM, organisation_id=1, today=AS_OF + timedelta(days=1))
    after("next cycle")
    make_organisation(haven, slug="reef-house", name="Reef House")
    after("new organisation")
    assert "reef-house" in by_slug(network(haven))
    assert len(changes) == 12


def test_a_change_to_one_organisation_leaves_the_others_scores_as_they_were(two_organisations):
    haven = two_organisations
    first = by_slug(cold_network(haven))
    with haven.session() as session:
        set_rating(session, SYSTEM, organisation_id=organisation_id(haven, "quay-house"), action_id="3.1.1",
                   rating="met")
    second = by_slug(network(haven))
    assert second["harbour-house"] == first["harbour-house"]
    assert second["quay-house"]["scores"]["self_assessment"] > first["quay-house"]["scores"]["self_assessment"]


def test_each_caller_gets_its_own_reports(two_organisations):
    haven = two_organisations
    mine = network(haven)
    mine[0]["scores"]["verified"] = 1.0
    mine[0]["gaps"].clear()
    assert network(haven) == cold_network(haven)
    assert network(haven)[0]["gaps"]


def test_a_session_sees_its_own_change_before_it_commits_and_a_rollback_leaves_no_trace(two_organisations):
    haven = two_organisations
    before = cold_network(haven)
    quay = organisation_id(haven, "quay-house")
    with pytest.raises(RuntimeError):
        with haven.session() as session:
            set_rating(session, SYSTEM, organisation_id=quay, action_id="3.1.1", rating="met")
            inside = by_slug(score_network(session, SYSTEM, as_of=AS_OF))
            assert inside["quay-house"]["engagements"][0]["actions"][0]["rating"] == "met"
            raise RuntimeError("the user cancelled")
    assert network(haven) == before


def test_a_database_emptied_and_filled_again_is_not_served_the_old_scores(tmp_path):
    url = f"sqlite:///{tmp_path / 'haven.db'}"

    def fresh_instance(name: str) -> Haven:
        for suffix in ("", "-wal", "-shm"):
            (tmp_path / f"haven.db{suffix}").unlink(missing_ok=True)
        engine = make_engine(url)
        migrate(engine)
        settings = replace(get_settings(), data_dir=tmp_path, database_url=url, encryption_key=None,
                           blob_url=f"file://{tmp_path / 'evidence'}")
        haven = Haven(settings=settings, engine=engine, store=LocalBlobStore(tmp_path / "evidence"))
        folder = tmp_path / name
        import_bundle(haven, SYSTEM, write_bundle(folder, **{"organisation.name": name}))
        return haven

    first = fresh_instance("First Harbour")
    assert network(first)[0]["organisation_name"] == "First Harbour"
    first.engine.dispose()
    second = fresh_instance("Second Harbour")
    try:
        assert network(second)[0]["organisation_name"] == "Second Harbour"
    finally:
        second.engine.dispose()


def warmed(haven) -> None:
    """Starts the background warm-up as the web server does, and waits for its first pass."""
    warmer = ScoreWarmer(open_haven=lambda: haven).start()
    try:
        assert warmer.warmed.wait(120), "the warm-up did not finish"
    finally:
        warmer.stop()


def test_the_warmed_scores_are_a_cold_computations_and_a_later_change_shows(two_organisations, monkeypatch):
    haven = two_organisations
    cold = by_slug(cold_network(haven))
    clear_score_cache()
    warmed(haven)
    with monkeypatch.context() as patched:  # the page after a warm-up scores nothing: it reads the warmed reports
        patched.setattr(scores, "assess", lambda *args, **kwargs: pytest.fail("scored although warmed"))
        assert by_slug(network(haven)) == cold

    quay_house = organisation_id(haven, "quay-house")
    with haven.session() as session:
        set_rating(session, SYSTEM, organisation_id=quay_house, action_id="3.1.1", rating="met")
    after = by_slug(network(haven))
    assert after["quay-house"]["scores"]["self_assessment"] > cold["quay-house"]["scores"]["self_assessment"]
    assert after["harbour-house"] == cold["harbour-house"]
    assert after == by_slug(cold_network(haven))


def test_the_warm_up_never_holds_up_the_start_and_survives_a_failure(two_organisations):
    release, calls = threading.Event(), []

    def slow_then_failing_instance():
        calls.append(1)
        release.wait(30)
        raise OSError("database away")

    started = time.perf_counter()
    warmer = ScoreWarmer(open_haven=slow_then_failing_instance).start()
    assert time.perf_counter() - started < 5  # start() returns while the instance is still being opened
    release.set()
    assert not warmer.warmed.wait(1)  # the failure is logged, not raised; nothing was warmed
    warmer.stop()
    assert calls == [1]
    assert by_slug(network(two_organisations)) == by_slug(cold_network(two_organisations))


def test_the_start_loads_the_privacy_models_in_the_background(monkeypatch):
    """The first upload after a start finds the scan's models loaded: the start-up hook has them loaded off the
    request path, and returns before they are."""
    import asyncio
    import concurrent.futures

    from privacy import engines
    from serving import warm_up

    class NoScores:
        def start(self):
            return self

        def stop(self):
            pass

    monkeypatch.setattr(warm_up, "ScoreWarmer", NoScores)
    monkeypatch.delitem(engines._BUILT, "text", raising=False)

    async def start_and_stop() -> float:
        started = time.perf_counter()
        async with warm_up.lifespan(None):
            return time.perf_counter() - started

    # In a thread of its own: the browser tests' Playwright keeps an event loop running in this thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as runner:
        assert runner.submit(asyncio.run, start_and_stop()).result() < 1.0  # the start is not held up
    deadline = time.perf_counter() + 120
    while "text" not in engines._BUILT and time.perf_counter() < deadline:
        time.sleep(0.2)
    assert "text" in engines._BUILT
