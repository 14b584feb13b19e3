"""The benchmarks at tiny sizes, so they never rot: every script runs and prints its lines. Speed is not checked."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

from tests.conftest import _postgres_reachable, postgres_admin_url
from tests.support import require_or_skip

REPO = Path(__file__).resolve().parents[2]
VERDICT = r"(MET|NOT MET|\(no goal: for information\))"
EXPECTED = {
    "scores": rf"RATIO score_network \(10 organisations, sqlite, cold\): .* = [\d.]+x \(goal <= 3x\) {VERDICT}",
    "overview": rf"RATIO overview page as manager .* above the floor \(goal < 150 ms\) {VERDICT}",
    "board": rf"(RATIO board dashboard page as board .* {VERDICT}|SKIPPED board dashboard)",
    "command line start": r"START score --org \(CPU\): \d+ ms, \d+ ms above the interpreter",
    "command line import floor": r"START import sqlalchemy, scoring.engine \(wall\): \d+ ms",
    "command line marginal": rf"RATIO score --all --json, 10 more organisations \(wall\): .* {VERDICT}",
    "network": rf"RATIO network page as network board .* cold: every organisation scored.* {VERDICT}",
    "demo board": rf"RATIO board dashboard page as board \(demo organisation, sqlite\): .* {VERDICT}",
    "demo self-assessment": rf"RATIO self-assessment page as manager \(demo organisation, sqlite\): .* {VERDICT}",
    "intake": rf"RATIO intake of a 0.5 MP JPEG \(portrait, turned upright\): .* {VERDICT}",
    "intake memory": rf"MEMORY one intake of a 0.5 MP JPEG .* \(goal < 300 MB\) {VERDICT}",
    "export": rf"RATIO export of a 6-file pack .* {VERDICT}",
    "export memory": rf"RATIO export peak memory growth from 3 to 6 files: .* {VERDICT}",
    "privacy upload": r"TIME upload with privacy scan and blur of a 0.5 MP JPEG: .* \(goal <= 3 s\) (MET|NOT MET)",
    "privacy memory": r"MEMORY one upload with privacy scan of a 0.5 MP JPEG.* \(goal < 500 MB\) (MET|NOT MET)",
    "privacy pdf": rf"RATIO text scan of a 3-page PDF against its text extraction alone: .* {VERDICT}",
}


def run_benchmark(arguments: list[str], bench_dir: Path, *, seconds: int = 300, **environment: str) -> str:
    result = subprocess.run([sys.executable, "-m", *arguments], cwd=REPO, capture_output=True, text=True, timeout=seconds,
                            env={**os.environ, "HAVEN_BENCH_DIR": str(bench_dir), **environment})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_every_benchmark_runs_at_ten_organisations_and_prints_its_ratio_lines(tmp_path):
    output = run_benchmark(["benchmarks.run_all", "--smoke"], tmp_path, seconds=900)  # a loaded 2-core machine
    missing = [name for name, pattern in EXPECTED.items() if not re.search(pattern, output)]
    assert not missing, f"no line for {missing} in:\n{output}"
    assert "GENERATED 10 organisations" in output


def test_the_scoring_benchmark_runs_on_postgresql_in_a_database_of_its_own(tmp_path):
    server = postgres_admin_url()
    require_or_skip(bool(server) and _postgres_reachable(server), "PostgreSQL is not available (set HAVEN_TEST_DATABASE_URL)")
    output = run_benchmark(["benchmarks.bench_scores", "--organisations", "3", "--snapshot-months", "1",
                            "--repeat", "1", "--database-url", server], tmp_path,
                           HAVEN_BENCH_DATABASE=f"haven_bench_smoke_{uuid.uuid4().hex[:8]}")
    assert re.search(rf"RATIO score_network \(3 organisations, postgresql, cold\): .* {VERDICT}", output), output


def test_the_chromium_page_benchmark_runs_and_prints_a_ratio_for_every_page(tmp_path):
    """The real-browser benchmark (issue 12): Haven served by `streamlit run`, Debian's Chromium through Playwright."""
    from tests.browser.conftest import chromium_path

    require_or_skip(chromium_path() is not None, "Chromium is not installed")
    output = run_benchmark(["benchmarks.bench_chromium_pages", "--repeat", "1"], tmp_path, seconds=900,
                           HAVEN_CHROMIUM=chromium_path())
    for page in ("board dashboard", "self-assessment", "overview", "gaps and action plan"):
        assert re.search(rf"RATIO {page} usable in Chromium as \w+ \(demo organisation\): .* {VERDICT}", output), output
    assert re.search(r"FIGURE every page within 2x of the empty page: .* (MET|NOT MET)", output), output
