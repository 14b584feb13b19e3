"""Export of the accreditation pack (bundles.exporter.export_bundle) as the pack grows to 500 files.

One organisation per pack size is loaded through the import path, its files being photos of about
200 kB that do not compress (random pixels, as a photo's detail is to deflate). Each export runs in a
fresh process, which reports its peak resident memory above its resting memory. Goal: the export is
streamed, so its peak memory stays flat as the pack grows: the growth of the peak from the smallest to
the largest pack, as a share of the growth of the pack itself, stays under 10 % (holding the pack in
memory would make it 100 %). The time is printed against a floor for information: the same stored
files copied into a zip, nothing else. report.pdf is made without Kaleido's chart image (that draws in
a Chromium process of its own, outside this measurement).

    python -m benchmarks.bench_export [--sizes 50 200 500] [--database-url …]
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import yaml
from PIL import Image
from sqlmodel import select

from benchmarks.common import (
    BENCH_DATABASE,
    REFERENCE_DAY,
    bench_target,
    compared,
    create_bench_database,
    drop_bench_database,
    memory_status,
    peak_memory_reset,
    ratio_line,
)
from benchmarks.network import GENERATOR
from bundles.exporter import export_bundle
from bundles.importer import import_bundle
from services.evidence import evidence_register
from services.facts import latest_revisions
from services.organisations import default_standard_id, get_organisation
from standards.loader import get_standard
from storage.models import Organisation

FLATNESS_GOAL = 0.10
PHOTO_EDGE = 256  # 256 × 256 random RGB pixels: about 197 kB as PNG
EXPORT_DATABASE = f"{BENCH_DATABASE}_export"


def pack_bundle(folder: Path, files: int, seed: int) -> Path:
    """An organisation whose evidence is `files` photos, spread over the standard's slots."""
    rng = random.Random(f"{seed}:export:{files}")
    standard = get_standard(default_standard_id())
    slots = standard.slots
    (folder / "files").mkdir(parents=True)
    evidence = []
    for number in range(files):
        slot = slots[number % len(slots)]
        image = Image.frombytes("RGB", (PHOTO_EDGE, PHOTO_EDGE), rng.randbytes(PHOTO_EDGE * PHOTO_EDGE * 3))
        path = f"files/photo-{number:04d}.png"
        image.save(folder / path, format="PNG")
        evidence.append({"title": f"Photo {number + 1}", "type": slot.evidence_type, "actions": [slot.action_id],
                         "file": path, "issued_on": (REFERENCE_DAY - timedelta(days=number % 300)).isoformat(),
                         "classification": "internal"})
    manifest = {"organisation": {"slug": f"pack-{files}", "name": f"Pack of {files} files"},
                "standard": standard.id, "ratings": [], "evidence": evidence, "plan": []}
    (folder / "bundle.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    return folder


def ensure_packs(target, sizes: list[int], seed: int) -> None:
    haven = target.open()
    try:
        with haven.session() as session:
            present = set(session.exec(select(Organisation.slug)).all())
        for size in sizes:
            if f"pack-{size}" in present:
                continue
            with tempfile.TemporaryDirectory(prefix="haven-bench-pack-") as scratch:
                started = time.perf_counter()
                import_bundle(haven, GENERATOR, pack_bundle(Path(scratch) / "bundle", size, seed))
                print(f"GENERATED pack-{size}: {size} files imported in {time.perf_counter() - started:.1f} s")
    finally:
        haven.engine.dispose()


def export_once(haven, slug: str, out: Path) -> Path:
    with haven.session() as session:
        organisation_id = get_organisation(session, slug).id
    return export_bundle(haven, GENERATOR, organisation_id=organisation_id, out=out, include_restricted=True,
                         as_of=REFERENCE_DAY, chart_images=False)


def zip_the_files(haven, slug: str, out: Path) -> Path:
    """The floor: the pack's stored files copied into a zip as they are, nothing else."""
    with haven.session() as session:
        organisation = get_organisation(session, slug)
        register = evidence_register(session, GENERATOR, organisation_id=organisation.id, as_of=REFERENCE_DAY)
        keys = [revision.blob_key for revision in latest_revisions(session, [row.id for row in register]).values()]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        for number, key in enumerate(keys):
            with pack.open(f"files/{number:05d}", "w") as sink:
                sink.write(haven.store.get(key))
    return out


def probe(folder: Path, database_url: str, slug: str, warm_slug: str) -> dict:
    """In a fresh process: export a small pack first (imports, first use), then measure one export of `slug`."""
    from benchmarks.common import BenchTarget

    haven = BenchTarget(folder, database_url).open()
    with tempfile.TemporaryDirectory(prefix="haven-bench-export-") as scratch:
        export_once(haven, warm_slug, Path(scratch) / "warm.zip")
        resting = memory_status()["rss"]
        exact = peak_memory_reset()
        pack = export_once(haven, slug, Path(scratch) / "pack.zip")
        status = memory_status()
        size = pack.stat().st_size
    haven.engine.dispose()
    return {"peak_mb": status["peak"] - resting, "exact": exact, "pack_mb": size / 1e6}


def measure_memory(target, slug: str, warm_slug: str) -> dict:
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_export", "--probe", str(target.folder), target.database_url, slug,
         warm_slug],
        check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    return json.loads(output.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 500], help="files per pack")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help=f"a PostgreSQL server URL; the benchmark uses its own database "
                                               f"'{EXPORT_DATABASE}' there and drops it at the end")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--probe", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        folder, database_url, slug, warm_slug = args.probe
        print(json.dumps(probe(Path(folder), database_url, slug, warm_slug)))
        return 0
    sizes = sorted(set(args.sizes))
    warm = max(1, min(sizes) // 5)
    target = bench_target(f"export-s{args.seed}", args.database_url, database=EXPORT_DATABASE)
    if args.database_url and not (target.folder / "READY").is_file():
        shutil.rmtree(target.folder, ignore_errors=True)
        create_bench_database(target)
    ensure_packs(target, sorted({warm, *sizes}), args.seed)
    (target.folder / "READY").write_text(target.database_url, encoding="utf-8")
    peaks = {}
    try:
        haven = target.open()
        with tempfile.TemporaryDirectory(prefix="haven-bench-export-") as scratch:
            for size in sizes:
                slug = f"pack-{size}"
                figure, floor = compared(lambda slug=slug: export_once(haven, slug, Path(scratch) / "pack.zip"),
                                         lambda slug=slug: zip_the_files(haven, slug, Path(scratch) / "floor.zip"),
                                         repeat=args.repeat)
                memory = measure_memory(target, slug, f"pack-{warm}")
                peaks[size] = memory
                print(ratio_line(f"export of a {size}-file pack ({memory['pack_mb']:.0f} MB, {target.backend})",
                                 figure, floor, None))
                print(f"MEMORY export of a {size}-file pack: peak {memory['peak_mb']:.1f} MB above the baseline"
                      + ("" if memory["exact"] else " (peak since start: the kernel mark could not be reset)"))
        haven.engine.dispose()
        smallest, largest = peaks[sizes[0]], peaks[sizes[-1]]
        pack_growth = largest["pack_mb"] - smallest["pack_mb"]
        peak_growth = largest["peak_mb"] - smallest["peak_mb"]
        share = peak_growth / pack_growth if pack_growth > 0 else 0.0
        verdict = "MET" if share < FLATNESS_GOAL else "NOT MET"
        print(f"RATIO export peak memory growth from {sizes[0]} to {sizes[-1]} files: {peak_growth:+.1f} MB for "
              f"{pack_growth:.0f} MB more pack = {share:.2f}x of the pack's growth (goal < {FLATNESS_GOAL:g}x) {verdict}")
    finally:
        if not args.keep:
            drop_bench_database(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
