"""The command line as a user runs it: a separate process, one data folder."""
import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

from tests.factories import write_bundle

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
    env["HAVEN_DATA_DIR"] = str(tmp_path / "data")

    def run_command(*args, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, input=stdin,
                              capture_output=True, text=True, timeout=120)
    return run_command


def test_init_is_idempotent(run):
    first, second = run("init"), run("init")
    assert first.returncode == 0 and second.returncode == 0
    assert "vse-3" in second.stdout


def test_score_of_an_unknown_organisation_fails_with_one_clear_line(run):
    result = run("score", "--org", "nowhere")
    assert result.returncode != 0
    assert result.stderr.strip() == "error: No organisation with the id 'nowhere'."


def test_create_user_refuses_a_short_password(run):
    result = run("create-user", "amira", "--role", "manager", "--password-stdin", stdin="short\n")
    assert result.returncode == 1
    assert "at least 12 characters" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_create_user_refuses_a_password_that_is_easy_to_guess_and_adds_nobody(run):
    result = run("create-user", "amira", "--role", "manager", "--password-stdin", stdin="qwertyuiop123\n")
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "This password is too easy to guess" in result.stderr
    again = run("create-user", "amira", "--role", "manager", "--password-stdin", stdin="wardrobe lantern seventeen\n")
    assert again.returncode == 0, again.stderr  # the name was not taken by the refused attempt


def test_import_score_and_export_round_trip(run, tmp_path):
    folder = write_bundle(tmp_path / "bundle")
    assert run("import", str(folder)).returncode == 0
    scored = run("score", "--org", "harbour-house", "--as-of", "2026-11-23", "--json")
    assert scored.returncode == 0
    report = json.loads(scored.stdout)
    assert report["organisation"] == "harbour-house" and report["as_of"] == "2026-11-23"
    assert set(report["scores"]) == {"self_assessment", "completeness", "verified"}
    assert [e["id"] for e in report["engagements"]] == ["3.1", "3.2", "3.3"]
    network = json.loads(run("score", "--all", "--as-of", "2026-11-23", "--json").stdout)
    assert network == [report]
    exported = run("export", "--org", "harbour-house", "--out", str(tmp_path / "pack.zip"))
    assert exported.returncode == 0 and (tmp_path / "pack.zip").is_file()


def test_a_bad_bundle_fails_with_the_entry_named(run, tmp_path):
    folder = write_bundle(tmp_path / "bundle", **{"evidence.0.type": "selfie"})
    result = run("import", str(folder))
    assert result.returncode == 1
    assert "evidence[0].type: unknown evidence type 'selfie'" in result.stderr


def test_ingest_stores_a_file_and_verify_finds_tampering(run, tmp_path):
    from tests.factories import jpeg_with_gps

    assert run("import", str(write_bundle(tmp_path / "bundle"))).returncode == 0
    photo = tmp_path / "door.jpg"
    photo.write_bytes(jpeg_with_gps())
    ingested = run("ingest", str(photo), "--org", "harbour-house", "--type", "premises_photos", "--action", "3.2.1",
                   "--title", "Door entry keypad")
    assert ingested.returncode == 0, ingested.stderr
    assert run("verify").returncode == 0
    stored = [p for p in (tmp_path / "data" / "evidence").rglob("*") if p.is_file() and len(p.name) == 64]
    stored[0].write_bytes(b"tampered")
    result = run("verify")
    assert result.returncode != 0 and "tampered file" in result.stdout


def test_ingest_refuses_an_executable_and_stores_nothing(run, tmp_path):
    assert run("import", str(write_bundle(tmp_path / "bundle"))).returncode == 0
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    before = sorted((tmp_path / "data" / "evidence").rglob("*"))
    result = run("ingest", str(fake), "--org", "harbour-house", "--type", "premises_photos", "--action", "3.2.1")
    assert result.returncode == 1 and "error:" in result.stderr
    assert sorted((tmp_path / "data" / "evidence").rglob("*")) == before


def test_demo_says_what_it_loaded(run):
    result = run("demo")
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip()
    assert line.startswith("Loaded the demo organisation Harbour House Victim Support (harbour-house):")
    assert "8 ratings" in line and "12 monthly snapshots" in line and "pieces of evidence" in line
    again = run("demo")
    assert again.returncode != 0 and "already" in again.stderr


def test_export_marks_the_pack_for_its_recipient_and_trace_names_them(run, tmp_path):
    from pypdf import PdfReader

    assert run("import", str(write_bundle(tmp_path / "bundle"))).returncode == 0
    exported = run("export", "--org", "harbour-house", "--out", str(tmp_path / "pack.zip"), "--include-restricted",
                   "--recipient", "Accreditation Body Ltd")
    assert exported.returncode == 0 and "watermarked for Accreditation Body Ltd" in exported.stdout
    with zipfile.ZipFile(tmp_path / "pack.zip") as pack:
        footer = PdfReader(io.BytesIO(pack.read("files/00001-risk-form.pdf"))).pages[0].extract_text().splitlines()[-1]
    assert footer.startswith(f"Confidential · Accreditation Body Ltd · {date.today().isoformat()} · ")
    code = footer.rsplit(" · ", 1)[1]

    traced = run("trace", code.lower())
    assert traced.returncode == 0, traced.stderr
    lines = traced.stdout.strip().splitlines()
    assert lines[0].startswith(f"{code}: issued to Accreditation Body Ltd on {date.today().isoformat()} ")
    assert "by cli, an accreditation pack, organisation harbour-house" in lines[0]
    assert sorted(lines[1:]) == ["  evidence 1: Intake risk assessment form", "  evidence 2: Reception door"]


def test_export_is_marked_for_the_person_running_it_by_default(run, tmp_path):
    import getpass

    assert run("import", str(write_bundle(tmp_path / "bundle"))).returncode == 0
    exported = run("export", "--org", "harbour-house", "--out", str(tmp_path / "pack.zip"))
    assert exported.returncode == 0 and f"watermarked for {getpass.getuser()}" in exported.stdout


def test_trace_of_an_unknown_code_fails_with_one_line(run):
    run("init")
    result = run("trace", "ZZZZ-9999")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip().splitlines() == ["error: no copy was issued with the code 'ZZZZ-9999'"]
