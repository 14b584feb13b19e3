"""ingest and import with the privacy guard, as a user runs them."""
from __future__ import annotations

import sqlite3

from tests import guard_samples as samples
from tests.cli.test_manage import run  # noqa: F401  (the command runner fixture)
from tests.factories import write_bundle

INGEST = ("--org", "harbour-house", "--type", "policy", "--action", "3.3.1")


def stored_files(tmp_path) -> list:
    return sorted(p for p in (tmp_path / "data" / "evidence").rglob("*") if p.is_file())


def privacy_rows(tmp_path) -> list[tuple]:
    with sqlite3.connect(tmp_path / "data" / "haven.db") as connection:
        return connection.execute("SELECT case_file, allowed_reason, faces, kept_with_reason FROM privacy_check "
                                  "ORDER BY id").fetchall()


def test_a_case_file_is_refused_by_ingest_and_stored_only_with_a_reason(run, tmp_path):  # noqa: F811
    assert run("import", str(write_bundle(tmp_path / "bundle"))).returncode == 0
    document = tmp_path / "procedure.pdf"
    document.write_bytes(samples.text_pdf(samples.CASE_FILE_TEXT))
    before = stored_files(tmp_path), privacy_rows(tmp_path)

    refused = run("ingest", str(document), *INGEST)
    assert refused.returncode == 1 and len(refused.stderr.strip().splitlines()) == 1
    assert "case file" in refused.stderr and "--allow-personal-data --reason R" in refused.stderr
    no_reason = run("ingest", str(document), *INGEST, "--allow-personal-data")
    assert no_reason.returncode == 1 and "needs a reason" in no_reason.stderr
    assert (stored_files(tmp_path), privacy_rows(tmp_path)) == before

    stored = run("ingest", str(document), *INGEST, "--allow-personal-data", "--reason", "Anonymised training example")
    assert stored.returncode == 0, stored.stderr
    assert "looks like a case file, stored with a reason" in stored.stdout
    assert privacy_rows(tmp_path)[-1][:2] == (1, "Anonymised training example")


def test_a_reason_must_follow_its_flag(run, tmp_path):  # noqa: F811
    document = tmp_path / "poster.pdf"
    document.write_bytes(samples.text_pdf(samples.POSTER_TEXT))
    result = run("ingest", str(document), *INGEST, "--reason", "why", "--keep-detected")
    assert result.returncode == 2 and "--reason belongs after --keep-detected or --allow-personal-data" in result.stderr


def test_ingest_keep_detected_keeps_the_face_and_the_number_with_the_reason(run, tmp_path):  # noqa: F811
    assert run("import", str(write_bundle(tmp_path / "bundle"))).returncode == 0
    photo = tmp_path / "front-door.jpg"
    photo.write_bytes(samples.face_and_number_jpeg())
    result = run("ingest", str(photo), "--org", "harbour-house", "--type", "premises_photos", "--action", "3.2.1",
                 "--keep-detected", "--reason", "Photo for the building survey only")
    assert result.returncode == 0, result.stderr
    assert "kept legible with a reason" in result.stdout
    *_, (case_file, allowed, faces, kept) = privacy_rows(tmp_path)
    assert (faces, kept) == (1, 2)
    with sqlite3.connect(tmp_path / "data" / "haven.db") as connection:
        [detail] = connection.execute("SELECT detail FROM audit_entry WHERE action = 'evidence.add' "
                                      "ORDER BY id DESC LIMIT 1").fetchone()
    assert "Photo for the building survey only" in detail


def test_import_refuses_a_bundle_with_a_case_file_as_a_whole(run, tmp_path):  # noqa: F811
    folder = write_bundle(tmp_path / "bundle")
    (folder / "files" / "risk-form.pdf").write_bytes(samples.text_pdf(samples.CASE_FILE_TEXT))
    result = run("import", str(folder))
    assert result.returncode == 1
    assert "evidence[0] (Intake risk assessment form)" in result.stderr and "case file" in result.stderr
    assert run("score", "--org", "harbour-house").returncode == 1
    assert stored_files(tmp_path) == []
