"""The demo bundle: a valid bundle in DESIGN.md's format with a believable, complete mix of states."""
from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from PIL import Image
from pypdf import PdfReader

from bundles.model import read_bundle
from demo import write_demo_bundle
from scoring.dates import add_months
from scoring.engine import assess
from scoring.facts import EvidenceFact, OrganisationFacts, PlanFact, RatingFact
from standards.loader import get_standard

TODAY = date(2026, 11, 23)
SOON_DAYS = 60
GPS_IFD = 0x8825
MAKE, MODEL = 0x010F, 0x0110


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "harbour-house"
    write_demo_bundle(folder, TODAY)
    return folder


@pytest.fixture(scope="module")
def manifest(bundle_dir) -> dict:
    return yaml.safe_load((bundle_dir / "bundle.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def standard():
    return get_standard("vse-3")


def valid_until(item: dict, standard) -> date:
    if item.get("valid_until"):
        return item["valid_until"]
    return add_months(item["issued_on"], standard.evidence_type(item["type"]).validity_months)


def status(item: dict) -> str:
    return (item.get("review") or {}).get("status", "pending")


def test_returns_the_path_of_bundle_yaml(tmp_path):
    path = write_demo_bundle(tmp_path / "out", TODAY)
    assert path == tmp_path / "out" / "bundle.yaml"
    assert path.is_file()


def test_the_manifest_has_the_organisation_and_standard(manifest):
    assert manifest["organisation"] == {"slug": "harbour-house", "name": "Harbour House Victim Support"}
    assert manifest["standard"] == "vse-3"
    assert set(manifest) == {"organisation", "standard", "ratings", "evidence", "plan"}


def test_the_bundle_reader_accepts_it(bundle_dir):
    bundle = read_bundle(bundle_dir)
    assert bundle.slug == "harbour-house"
    assert len(bundle.ratings) == 8
    assert 14 <= len(bundle.evidence) <= 18
    assert 3 <= len(bundle.plan) <= 5


def test_every_action_is_rated_once_with_an_owner_and_justification(manifest, standard):
    rated = [r["action"] for r in manifest["ratings"]]
    assert sorted(rated) == sorted(a.id for a in standard.actions)
    for entry in manifest["ratings"]:
        assert entry["owner"].strip() and entry["justification"].strip()
    ratings = [r["rating"] for r in manifest["ratings"]]
    assert "met" in ratings and "partially_met" in ratings
    assert sum(r in ("not_met", "not_assessed") for r in ratings) == 1


def test_ids_and_types_exist_and_each_linked_action_asks_for_the_type(manifest, standard):
    for item in manifest["evidence"]:
        assert standard.has_evidence_type(item["type"]), item["title"]
        assert item["actions"], item["title"]
        for action_id in item["actions"]:
            assert standard.has_action(action_id), item["title"]
            assert item["type"] in standard.action(action_id).evidence_types, item["title"]
    for entry in manifest["plan"]:
        assert standard.has_action(entry["action"])


def test_every_file_exists_inside_the_folder(bundle_dir, manifest):
    root = bundle_dir.resolve()
    files = [item["file"] for item in manifest["evidence"] if "file" in item]
    assert files
    for relative in files:
        path = (bundle_dir / relative).resolve()
        assert path.is_relative_to(root), relative
        assert path.is_file(), relative
    on_disk = {p.relative_to(bundle_dir).as_posix() for p in (bundle_dir / "files").rglob("*") if p.is_file()}
    assert on_disk == set(files)


def test_all_dates_are_relative_to_today_and_sensible(manifest):
    for item in manifest["evidence"]:
        assert isinstance(item["issued_on"], date)
        assert item["issued_on"] <= TODAY
        assert item["issued_on"] >= TODAY - timedelta(days=500)
        if item.get("valid_until"):
            assert item["valid_until"] >= item["issued_on"]
    for entry in manifest["plan"]:
        assert isinstance(entry["due"], date)
        assert entry["owner"].strip()


def test_the_states_mix_is_complete(manifest, standard):
    evidence = manifest["evidence"]
    accepted = [e for e in evidence if status(e) == "accepted"]
    pending = [e for e in evidence if status(e) == "pending"]
    rejected = [e for e in evidence if status(e) == "rejected"]
    expired = [e for e in evidence if valid_until(e, standard) < TODAY]
    expiring = [e for e in evidence
                if e["issued_on"] <= TODAY <= valid_until(e, standard) <= TODAY + timedelta(days=SOON_DAYS)]
    inspections = [e for e in evidence if "file" not in e]
    assert accepted and pending and rejected and expired and expiring
    assert all(e["review"].get("comment") and e["review"].get("reviewer") for e in accepted + rejected)
    assert "not dated" in rejected[0]["review"]["comment"]
    assert any(e.get("valid_until") for e in expiring), "an expiring item with its own valid_until"
    assert any(abs((e["issued_on"] - add_months(TODAY, -14)).days) <= 10 for e in expired)
    assert len(inspections) == 1 and status(inspections[0]) == "accepted"
    filled = {(a, e["type"]) for e in evidence for a in e["actions"]}
    missing = {(s.action_id, s.evidence_type) for s in standard.slots} - filled
    assert len(missing) == 1


def test_restricted_types_are_restricted(manifest, standard):
    for item in manifest["evidence"]:
        assert item["classification"] == standard.evidence_type(item["type"]).classification, item["title"]
    assert {e["type"] for e in manifest["evidence"] if e["classification"] == "restricted"} == {
        "premises_photos", "escape_plan", "safety_plan"}


def test_the_plan_has_one_overdue_one_done_and_future_items(manifest):
    plan = manifest["plan"]
    assert sum(1 for p in plan if not p["done"] and p["due"] < TODAY) == 1
    assert sum(1 for p in plan if p["done"]) == 1
    assert sum(1 for p in plan if not p["done"] and p["due"] >= TODAY) >= 2


def test_scoring_shows_every_slot_state_but_rejected_and_readiness_not_ready(bundle_dir, standard):
    bundle = read_bundle(bundle_dir)
    facts = OrganisationFacts(
        slug=bundle.slug, name=bundle.name,
        ratings={r.action: RatingFact(r.action, r.rating, r.justification) for r in bundle.ratings},
        evidence=tuple(
            EvidenceFact(
                evidence_id=index, evidence_type=e.evidence_type, actions=frozenset(e.actions),
                issued_on=e.issued_on,
                valid_until=e.valid_until or add_months(e.issued_on, standard.evidence_type(e.evidence_type).validity_months),
                review_status=e.review.status if e.review else "pending", title=e.title,
            )
            for index, e in enumerate(bundle.evidence)
        ),
        plan=tuple(PlanFact(p.action, p.description, p.owner, p.due, p.done) for p in bundle.plan),
    )
    result = assess(standard, facts, TODAY)
    states = {s.state for s in result.slots}
    assert {"verified", "pending", "expired", "missing"} <= states
    assert any(s.expiring_soon for s in result.slots)
    assert result.readiness == "not_ready"
    assert 0 < result.scores["verified"] < result.scores["completeness"] < 1


def test_photos_are_camera_jpegs_with_gps(bundle_dir, manifest):
    photos = [bundle_dir / e["file"] for e in manifest["evidence"] if e.get("file", "").endswith(".jpg")]
    assert len(photos) >= 2
    for path in photos:
        data = path.read_bytes()
        assert data[:3] == b"\xff\xd8\xff"
        with Image.open(io.BytesIO(data)) as picture:
            assert picture.format == "JPEG"
            assert picture.size == (1600, 1200)
            exif = picture.getexif()
            assert exif.get(MAKE) and exif.get(MODEL)
            gps = exif.get_ifd(GPS_IFD)
            assert gps.get(1) in ("N", "S") and gps.get(3) in ("E", "W")
            assert len(gps.get(2)) == 3 and len(gps.get(4)) == 3


def test_pdfs_open_and_carry_their_title_and_organisation(bundle_dir, manifest):
    pdfs = [e for e in manifest["evidence"] if e.get("file", "").endswith(".pdf")]
    assert len(pdfs) >= 8
    for item in pdfs:
        reader = PdfReader(bundle_dir / item["file"])
        assert 1 <= len(reader.pages) <= 2, item["file"]
        text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
        assert item["title"] in text, item["file"]
        assert "Harbour House Victim Support" in text
        assert "Version" in text or "version" in text
        assert reader.metadata.title == item["title"]


def test_the_risk_form_asks_the_standards_questions(bundle_dir, manifest):
    form = next(e for e in manifest["evidence"] if e["type"] == "risk_assessment" and status(e) == "accepted"
                and e["issued_on"] > TODAY - timedelta(days=365))
    text = " ".join(PdfReader(bundle_dir / form["file"]).pages[0].extract_text().split())
    for question in ("Is there still a threat?", "Is there ongoing victimisation?", "Is the victim fearful of anything?"):
        assert question in text


def test_the_network_agreement_names_its_partners(bundle_dir, manifest):
    agreement = next(e for e in manifest["evidence"] if e["type"] == "network_agreements")
    text = " ".join(PdfReader(bundle_dir / agreement["file"]).pages[0].extract_text().split())
    assert "City Women's Refuge" in text and "Victim Support Police Liaison" in text


def test_the_files_pass_the_intake_checks(bundle_dir, manifest):
    from evidence import sniff
    from evidence.images import sanitise_image
    from evidence.pdfs import check_pdf

    for item in manifest["evidence"]:
        if "file" not in item:
            continue
        data = (bundle_dir / item["file"]).read_bytes()
        if item["file"].endswith(".pdf"):
            check_pdf(data)
        else:
            clean = sanitise_image(data, sniff.JPEG, max_pixels=50_000_000)
            with Image.open(io.BytesIO(clean.content)) as picture:
                assert not picture.getexif().get_ifd(GPS_IFD)


def test_generation_is_deterministic_and_follows_today(tmp_path):
    first = write_demo_bundle(tmp_path / "a", TODAY)
    second = write_demo_bundle(tmp_path / "b", TODAY)
    assert first.read_bytes() == second.read_bytes()
    for path in (tmp_path / "a" / "files").iterdir():
        twin = tmp_path / "b" / "files" / path.name
        assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(twin.read_bytes()).digest(), path.name
    later = write_demo_bundle(tmp_path / "c", TODAY + timedelta(days=100))
    assert later.read_bytes() != first.read_bytes()


@pytest.mark.parametrize("today", [date(2025, 1, 31), date(2024, 2, 29), date(2027, 6, 6), date(2026, 12, 31)])
def test_the_mix_holds_for_other_days(tmp_path, today, standard):
    manifest = yaml.safe_load(write_demo_bundle(tmp_path / "x", today).read_text(encoding="utf-8"))
    evidence = manifest["evidence"]
    assert all(e["issued_on"] <= today for e in evidence)
    assert any(valid_until(e, standard) < today for e in evidence)
    assert any(today <= valid_until(e, standard) <= today + timedelta(days=SOON_DAYS) and e.get("valid_until")
               for e in evidence)
    assert sum(1 for p in manifest["plan"] if not p["done"] and p["due"] < today) == 1


def test_the_demo_bundle_stays_small(tmp_path):
    """Its speed is measured by benchmarks/bench_demo.py, not asserted here (a loaded machine is not a bug)."""
    write_demo_bundle(tmp_path / "demo", TODAY)
    total = sum(p.stat().st_size for p in (tmp_path / "demo").rglob("*") if p.is_file())
    assert total < 3 * 1024 * 1024
