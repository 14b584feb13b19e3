"""Generates a national network of member organisations, deterministically, through the paths users use.

Every organisation is written as an ordinary bundle folder (DESIGN.md, "Bundle format") and loaded with
bundles.importer.import_bundle, so each file goes through the real intake. What a bundle cannot carry is
then added through the services a user's clicks reach: second revisions (services.uploads.upload_revision),
their reviews (services.reviews.review_revision) and five years of monthly snapshots
(services.snapshots.take_snapshot, with the scores of that day).

Files are small but real (PDFs, PNGs, plain text and CSV), each varied by a seeded counter so hashes differ.
The same seed and size always give the same network.

    python -m benchmarks.network --organisations 100 [--database-url postgresql+psycopg://…] [--keep]
"""
from __future__ import annotations

import argparse
import io
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import yaml
from PIL import Image
from sqlmodel import func, select

from accounts.permissions import Principal
from benchmarks.common import (
    REFERENCE_DAY,
    SNAPSHOT_MONTHS,
    BenchTarget,
    add_common_arguments,
    bench_target,
    create_bench_database,
    drop_bench_database,
)
from bundles.importer import import_bundle
from scoring.dates import add_months
from services.instance import Haven
from services.organisations import default_standard_id
from services.reviews import review_revision
from services.scores import score_network
from services.snapshots import take_snapshot
from services.uploads import upload_revision
from standards.loader import get_standard
from standards.schema import Standard
from storage.models import Evidence, EvidenceRevision, Organisation

GENERATOR = Principal.system("benchmark")
MEMBER_PREFIX = "member-"
EVIDENCE_PER_SLOT = (3, 7)  # uniform: 5 on average, 55 per organisation with 11 slots
REVISED_SHARE = 0.2
RATING_WEIGHTS = {"met": 40, "partially_met": 30, "not_met": 10, "not_assessed": 12, "not_applicable": 8}
FILE_KINDS = {"pdf": 45, "png": 20, "txt": 15, "csv": 8, None: 12}  # None: an on-site inspection record
REVIEW_WEIGHTS = {"accepted": 50, "rejected": 10, "pending": 40}


def network_name(organisations: int, seed: int) -> str:
    return f"network-{organisations}-s{seed}"


@dataclass
class GenerationReport:
    organisations: int
    evidence: int
    revisions: int
    snapshots: int
    seconds_import: float
    seconds_revisions: float
    seconds_snapshots: float

    @property
    def seconds(self) -> float:
        return self.seconds_import + self.seconds_revisions + self.seconds_snapshots

    def lines(self) -> list[str]:
        return [
            f"GENERATED {self.organisations} organisations, {self.evidence} evidence records, "
            f"{self.revisions} revisions, {self.snapshots} snapshots in {self.seconds:.1f} s "
            f"(import {self.seconds_import:.1f} s, revisions {self.seconds_revisions:.1f} s, "
            f"snapshots {self.seconds_snapshots:.1f} s; {self.seconds / max(1, self.organisations):.2f} s per organisation)",
        ]


class FileMaker:
    """Small real files, each different: a seeded counter goes into the content."""

    def __init__(self) -> None:
        self.counter = 0
        self._pdf_template = _pdf_template()

    def make(self, kind: str, title: str) -> bytes:
        self.counter += 1
        stamp = f"{self.counter:012d}"
        if kind == "pdf":
            return self._pdf_template.replace(_PDF_PLACEHOLDER, stamp.encode("ascii"))
        if kind == "png":
            image = Image.new("RGB", (32, 24), (self.counter % 251, (self.counter // 251) % 251, 90))
            image.putpixel((self.counter % 32, 0), (255, 255, 255))
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            return buffer.getvalue()
        if kind == "csv":
            return (f"record,title,checked\n{stamp},{title},yes\n{stamp}-b,{title} annex,no\n").encode()
        return (f"{title}\nRecord {stamp}\nSigned by the service manager; reviewed yearly.\n").encode()


_PDF_PLACEHOLDER = b"PLACEHOLDER0"


def _pdf_template() -> bytes:
    """One uncompressed PDF whose counter can be replaced in place (same length, so the xref stays right)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_compression(False)
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "Evidence record " + _PDF_PLACEHOLDER.decode("ascii"))
    data = bytes(pdf.output())
    assert data.count(_PDF_PLACEHOLDER) == 1
    return data


def organisation_manifest(index: int, seed: int, standard: Standard, files: FileMaker, folder: Path) -> dict:
    """The bundle of member organisation `index`: ratings, ~5 evidence items per slot with reviews, a plan."""
    rng = random.Random(f"{seed}:{index}")
    slug = f"{MEMBER_PREFIX}{index:04d}"
    actions = standard.actions
    ratings = []
    for action in actions:
        rating = _weighted(rng, RATING_WEIGHTS)
        justification = "No premises open to victims" if rating == "not_applicable" else ""
        ratings.append({"action": action.id, "rating": rating, "justification": justification,
                        "owner": f"Manager {index % 97}"})
    evidence = []
    for slot in standard.slots:
        evidence_type = standard.evidence_type(slot.evidence_type)
        sharing = [a for a in standard.actions_requiring(slot.evidence_type) if a != slot.action_id]
        for number in range(rng.randint(*EVIDENCE_PER_SLOT)):
            title = f"{evidence_type.title} {number + 1} ({slot.action_id})"
            issued_on = REFERENCE_DAY - timedelta(days=rng.randint(0, 540))
            item: dict = {"title": title, "type": slot.evidence_type, "actions": [slot.action_id]}
            if sharing and rng.random() < 0.2:
                item["actions"].append(rng.choice(sharing))
            kind = _weighted(rng, FILE_KINDS)
            if kind is not None:
                path = f"files/{len(evidence):03d}.{kind}"
                (folder / path).write_bytes(files.make(kind, title))
                item["file"] = path
            item["issued_on"] = issued_on.isoformat()
            if rng.random() < 0.15:
                item["valid_until"] = add_months(issued_on, rng.choice((6, 18, 24))).isoformat()
            status = _weighted(rng, REVIEW_WEIGHTS)
            if status != "pending":
                item["review"] = {"status": status, "reviewer": f"reviewer-{index % 13}",
                                  "comment": "Checked against the checklist" if status == "accepted" else "Not signed"}
            evidence.append(item)
    plan = []
    for number in range(rng.randint(0, 5)):
        due = REFERENCE_DAY + timedelta(days=rng.randint(-60, 240))
        plan.append({"action": rng.choice(actions).id, "description": f"Close gap {number + 1}",
                     "owner": f"Manager {index % 97}" if rng.random() < 0.9 else "", "due": due.isoformat(),
                     "done": rng.random() < 0.2})
    return {"organisation": {"slug": slug, "name": f"Member Organisation {index:04d} Victim Support"},
            "standard": standard.id, "ratings": ratings, "evidence": evidence, "plan": plan}


def write_organisation_bundle(folder: Path, index: int, seed: int, standard: Standard, files: FileMaker) -> Path:
    (folder / "files").mkdir(parents=True, exist_ok=True)
    manifest = organisation_manifest(index, seed, standard, files, folder)
    (folder / "bundle.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    return folder


def generate_network(haven: Haven, *, organisations: int, seed: int, snapshot_months: int = SNAPSHOT_MONTHS,
                     progress=None) -> GenerationReport:
    """Loads `organisations` member organisations into an empty Haven and returns what it took."""
    standard = get_standard(default_standard_id())
    files = FileMaker()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="haven-bench-bundles-") as scratch:
        for index in range(organisations):
            folder = write_organisation_bundle(Path(scratch) / f"{index:04d}", index, seed, standard, files)
            import_bundle(haven, GENERATOR, folder)
            shutil.rmtree(folder)
            if progress and (index + 1) % 50 == 0:
                progress(f"imported {index + 1}/{organisations} organisations ({time.perf_counter() - started:.0f} s)")
    imported = time.perf_counter()
    revisions = add_revisions(haven, seed, files)
    revised = time.perf_counter()
    snapshots = add_monthly_snapshots(haven, snapshot_months)
    done = time.perf_counter()
    with haven.session() as session:
        evidence = session.exec(select(func.count()).select_from(Evidence)).one()
    return GenerationReport(organisations, evidence, revisions, snapshots,
                            imported - started, revised - imported, done - revised)


def add_revisions(haven: Haven, seed: int, files: FileMaker) -> int:
    """A second revision for about a fifth of the evidence that has a file, most of them reviewed again."""
    rng = random.Random(f"{seed}:revisions")
    with haven.session() as session:
        candidates = session.exec(
            select(EvidenceRevision.evidence_id, EvidenceRevision.issued_on, Evidence.title)
            .join(Evidence, Evidence.id == EvidenceRevision.evidence_id)
            .where(EvidenceRevision.blob_key.is_not(None)).order_by(EvidenceRevision.evidence_id)
        ).all()
    count = 0
    for evidence_id, issued_on, title in candidates:
        if rng.random() >= REVISED_SHARE:
            continue
        kind = rng.choice(("pdf", "txt"))
        issued = min(REFERENCE_DAY, issued_on + timedelta(days=rng.randint(30, 300)))
        upload_revision(haven, GENERATOR, evidence_id=evidence_id, issued_on=issued, valid_until=None,
                        data=files.make(kind, title), filename=f"{title} v2.{kind}", note="Updated version")
        status = _weighted(rng, REVIEW_WEIGHTS)
        if status != "pending":
            with haven.session() as session:
                revision_id = session.exec(select(func.max(EvidenceRevision.id))
                                           .where(EvidenceRevision.evidence_id == evidence_id)).one()
                review_revision(session, GENERATOR, revision_id=revision_id, status=status,
                                comment="" if status == "accepted" else "Still missing the signature",
                                reviewer_name="network-reviewer")
        count += 1
    return count


def add_monthly_snapshots(haven: Haven, months: int) -> int:
    """One snapshot a month per organisation for `months` months up to the reference day, with that day's scores."""
    count = 0
    for back in range(months - 1, -1, -1):
        day = add_months(REFERENCE_DAY, -back)
        with haven.session() as session:
            ids = dict(session.exec(select(Organisation.slug, Organisation.id)).all())
            for report in score_network(session, GENERATOR, as_of=day):
                take_snapshot(session, GENERATOR, organisation_id=ids[report["organisation"]], as_of=day, report=report)
                count += 1
    return count


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def network_target(organisations: int, seed: int, server_url: str | None = None,
                   snapshot_months: int = SNAPSHOT_MONTHS) -> BenchTarget:
    months = "" if snapshot_months == SNAPSHOT_MONTHS else f"-m{snapshot_months}"
    return bench_target(network_name(organisations, seed) + months, server_url)


def ensure_network(organisations: int, seed: int, server_url: str | None = None, *, progress=print,
                   snapshot_months: int = SNAPSHOT_MONTHS) -> BenchTarget:
    """The target holding this network, generated first when it is not there yet (a READY marker says it is)."""
    target = network_target(organisations, seed, server_url, snapshot_months)
    marker = target.folder / "READY"
    if marker.is_file() and _marker_matches(target, marker, organisations):
        return target
    if target.folder.exists():
        shutil.rmtree(target.folder)
    create_bench_database(target)
    haven = target.open()
    try:
        report = generate_network(haven, organisations=organisations, seed=seed, snapshot_months=snapshot_months,
                                  progress=progress)
    finally:
        haven.engine.dispose()
    for line in report.lines():
        progress(line)
    (target.folder / "GENERATION.txt").write_text("\n".join(report.lines()) + "\n", encoding="utf-8")
    marker.write_text(target.database_url, encoding="utf-8")
    return target


def _marker_matches(target: BenchTarget, marker: Path, organisations: int) -> bool:
    if marker.read_text(encoding="utf-8") != target.database_url:
        return False
    if target.server_url is None:
        return True
    try:  # the PostgreSQL database may have been dropped or reused since
        haven = target.open()
        with haven.session() as session:
            found = session.exec(select(func.count()).select_from(Organisation)
                                 .where(Organisation.slug.like(f"{MEMBER_PREFIX}%"))).one()
        haven.engine.dispose()
        return found == organisations
    except Exception:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--drop", action="store_true", help="drop the PostgreSQL database and the folder, then stop")
    args = parser.parse_args(argv)
    if args.drop:
        target = network_target(args.organisations, args.seed, args.database_url, args.snapshot_months)
        drop_bench_database(target)
        shutil.rmtree(target.folder, ignore_errors=True)
        return 0
    target = ensure_network(args.organisations, args.seed, args.database_url, snapshot_months=args.snapshot_months)
    print(f"network in {target.folder} ({target.backend})")
    generation = target.folder / "GENERATION.txt"
    if generation.is_file():
        print(generation.read_text(encoding="utf-8").strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
