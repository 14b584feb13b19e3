"""Backups round-trip an instance exactly, across database backends, and a bad backup changes nothing."""
from __future__ import annotations

import io
import json
import shutil
import zipfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel
from sqlmodel import select as model_select

from bundles.importer import import_bundle
from services.backups import BackupError, restore_backup, write_backup
from services.evidence import NewEvidence
from services.integrity import check_integrity
from services.organisations import create_organisation, get_organisation
from services.reviews import review_revision
from services.scores import score_organisation
from services.sign_in import sign_in
from services.snapshots import take_snapshot
from services.uploads import upload_evidence
from services.users import create_user
from standards.loader import get_standard
from storage.audit import unkeyed_entry_hash
from storage.blobs import BlobCipher, LocalBlobStore, generate_encryption_key
from storage.models import EvidenceRevision
from tests.conftest import build_haven
from tests.factories import PASSWORD, SYSTEM, jpeg_with_gps, make_user, simple_pdf, write_bundle

AS_OF = date(2026, 11, 23)
SLUG = "harbour-house"


def populate(haven, folder: Path) -> None:
    """An organisation with users, ratings, files, a revision history, reviews, a plan and a snapshot."""
    import_bundle(haven, SYSTEM, write_bundle(folder))
    manager = make_user(haven, "amira", "manager", SLUG)
    reviewer = make_user(haven, "quinn", "reviewer", None)
    make_user(haven, "trustee", "board", SLUG)
    with haven.session() as session:
        organisation_id = get_organisation(session, SLUG).id
    upload_evidence(haven, manager, organisation_id=organisation_id, filename="fire-door.jpg", data=jpeg_with_gps(80, 60),
                    details=NewEvidence("premises_photos", ("3.2.1",), date(2026, 10, 2), title="Fire door «east»"))
    evidence_id = upload_evidence(haven, manager, organisation_id=organisation_id, filename="escape plan.pdf",
                                  data=simple_pdf("Escape plan, ground floor"),
                                  details=NewEvidence("escape_plan", ("3.2.1",), date(2026, 9, 1), title="Escape plan"))
    with haven.session() as session:
        revision = session.exec(model_select(EvidenceRevision).where(EvidenceRevision.evidence_id == evidence_id)).one()
        review_revision(session, reviewer, revision_id=revision.id, status="accepted", comment="Clear and signed",
                        checklist=list(get_standard("vse-3").evidence_type("escape_plan").checklist))
        take_snapshot(session, SYSTEM, organisation_id=organisation_id, as_of=AS_OF)


def table_rows(haven) -> dict[str, list[dict]]:
    with haven.engine.connect() as connection:
        return {table.name: [dict(row) for row in connection.execute(
                    select(table).order_by(*table.primary_key.columns)).mappings()]
                for table in SQLModel.metadata.sorted_tables}


def stored_files(haven) -> dict[str, bytes]:
    return {key: haven.store.get(key) for key in haven.store.keys()}


def score(haven) -> dict:
    with haven.session() as session:
        return score_organisation(session, SYSTEM, organisation_id=get_organisation(session, SLUG).id, as_of=AS_OF)


def fresh(backend: str, tmp_path: Path, request, name: str):
    instance = build_haven(backend, tmp_path / name, request)
    request.addfinalizer(instance.engine.dispose)
    return instance


def assert_same_instance(before_rows, before_files, before_score, restored) -> None:
    after_rows = table_rows(restored)
    audit = after_rows.pop("audit_entry")
    assert audit[:-1] == before_rows["audit_entry"]
    assert audit[-1]["action"] == "instance.restore"
    assert {k: v for k, v in after_rows.items()} == {k: v for k, v in before_rows.items() if k != "audit_entry"}
    assert stored_files(restored) == before_files
    assert score(restored) == before_score
    report = check_integrity(restored, SYSTEM)
    assert report.ok, report.faults
    assert report.files_checked == len(before_files)


def backend_of(haven) -> str:
    return haven.engine.dialect.name


def test_a_backup_restores_the_instance_exactly(haven, tmp_path, request):
    populate(haven, tmp_path / "bundle")
    backup = write_backup(haven, tmp_path / "haven.zip")
    assert backup.files == 6 and backup.rows["evidence"] == 5
    before = table_rows(haven), stored_files(haven), score(haven)
    assert before[0]["audit_entry"][-1]["action"] == "instance.backup"

    restored = fresh(backend_of(haven), tmp_path, request, "restored")  # on PostgreSQL this empties the same database
    summary = restore_backup(restored, tmp_path / "haven.zip")

    assert summary.files == 6
    assert_same_instance(*before, restored)
    assert sign_in(restored, username="amira", password=PASSWORD).principal is not None
    with restored.session() as session:
        new = create_organisation(session, SYSTEM, slug="new-org", name="New organisation")  # ids continue after the restored ones
        user = create_user(session, SYSTEM, username="newcomer", password=PASSWORD)
    assert new.id == max(r["id"] for r in before[0]["organisation"]) + 1
    assert user.id == max(r["id"] for r in before[0]["user"]) + 1


@dataclass(frozen=True)
class Sample:
    archive: Path
    rows: dict
    files: dict
    score: dict

    def copy_to(self, folder: Path) -> Path:
        return Path(shutil.copy(self.archive, folder / "haven.zip"))


@pytest.fixture(scope="module")
def sample(tmp_path_factory, request) -> Sample:
    """One populated SQLite instance and its backup, shared by the tests that only read the backup."""
    folder = tmp_path_factory.mktemp("sample")
    original = build_haven("sqlite", folder, request)
    populate(original, folder / "bundle")
    archive = write_backup(original, folder / "haven.zip").path
    made = Sample(archive, table_rows(original), stored_files(original), score(original))
    original.engine.dispose()
    return made


def test_a_sqlite_backup_restores_into_postgresql(sample, tmp_path, request):
    restored = fresh("postgresql", tmp_path, request, "target")
    restore_backup(restored, sample.copy_to(tmp_path))
    assert_same_instance(sample.rows, sample.files, sample.score, restored)


def test_a_postgresql_backup_restores_into_sqlite(tmp_path, request):
    original = fresh("postgresql", tmp_path, request, "source")
    populate(original, tmp_path / "bundle")
    write_backup(original, tmp_path / "haven.zip")
    before = table_rows(original), stored_files(original), score(original)

    restored = fresh("sqlite", tmp_path, request, "target")
    restore_backup(restored, tmp_path / "haven.zip")

    assert_same_instance(*before, restored)


def test_restore_refuses_an_instance_that_holds_data_and_changes_nothing(sample, tmp_path, request):
    archive = sample.copy_to(tmp_path)
    target = fresh("sqlite", tmp_path, request, "target")
    restore_backup(target, archive)
    before_rows, before_files = table_rows(target), stored_files(target)

    with pytest.raises(BackupError, match="only into an empty Haven.*Nothing was changed"):
        restore_backup(target, archive)
    assert table_rows(target) == before_rows and stored_files(target) == before_files

    files_only = fresh("sqlite", tmp_path, request, "files-only")
    files_only.store.put(b"a file left in the evidence folder")
    with pytest.raises(BackupError, match="evidence files"):
        restore_backup(files_only, archive)
    assert all(not rows for rows in table_rows(files_only).values())


def rewrite_member(archive: Path, member: str, change, *, fix_checksum: bool = False) -> None:
    """Rewrites one entry of a backup zip (optionally updating its checksum in the manifest, as a forger would)."""
    with zipfile.ZipFile(archive) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    entries[member] = change(entries[member])
    if fix_checksum:
        import hashlib

        manifest = json.loads(entries["manifest.json"])
        manifest["checksums"][member] = hashlib.sha256(entries[member]).hexdigest()
        entries["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(archive, "w") as target:
        for name, data in entries.items():
            target.writestr(name, data)


def forge_audit_entry(data: bytes) -> bytes:
    lines = [json.loads(line) for line in data.decode().splitlines()]
    lines[1]["actor"] = "mallory"
    return "".join(json.dumps(line, sort_keys=True) + "\n" for line in lines).encode()


def retarget_audit_hashes(data: bytes) -> bytes:
    """Edits an entry and re-hashes it, but cannot re-hash the entries after it without breaking their links."""
    lines = [json.loads(line) for line in data.decode().splitlines()]
    entry = lines[1]
    entry["detail"] = '{"from": "not_assessed", "to": "met"}'
    from datetime import datetime

    entry["hash"] = unkeyed_entry_hash(entry["prev_hash"], at=datetime.fromisoformat(entry["at"]),
                                       actor=entry["actor"], action=entry["action"],
                                       organisation_id=entry["organisation_id"], target=entry["target"],
                                       detail=entry["detail"])
    return "".join(json.dumps(line, sort_keys=True) + "\n" for line in lines).encode()


@pytest.mark.parametrize("damage, message", [
    (lambda archive: rewrite_member(archive, "tables/rating.jsonl", lambda d: d.replace(b"partially_met", b"met")),
     "tables/rating.jsonl does not match its checksum"),
    (lambda archive: rewrite_member(archive, "tables/audit_entry.jsonl", forge_audit_entry, fix_checksum=True),
     "signature does not verify"),
    (lambda archive: rewrite_member(archive, "tables/audit_entry.jsonl", retarget_audit_hashes, fix_checksum=True),
     "signature does not verify"),
    (lambda archive: archive.write_bytes(archive.read_bytes()[: len(archive.read_bytes()) // 2]),
     "not a readable zip file|is damaged"),
    (lambda archive: archive.write_bytes(b"PK\x03\x04 not really a zip"), "not a readable zip file"),
    (lambda archive: rewrite_member(archive, "manifest.json", lambda d: d.replace(b'"format_version": 2', b'"format_version": 9')),
     "format version 9"),
], ids=["edited-rows", "forged-audit-entry", "rehashed-audit-entry", "truncated", "not-a-zip", "newer-format"])
def test_a_damaged_or_forged_backup_is_refused_and_nothing_is_stored(damage, message, sample, tmp_path, request):
    archive = sample.copy_to(tmp_path)
    damage(archive)
    target = fresh("sqlite", tmp_path, request, "target")

    with pytest.raises(BackupError, match=message):
        restore_backup(target, archive)

    assert all(not rows for rows in table_rows(target).values())
    assert stored_files(target) == {}


def test_a_file_altered_inside_the_backup_is_refused_and_nothing_is_stored(sample, tmp_path, request):
    archive = sample.copy_to(tmp_path)
    with zipfile.ZipFile(archive) as source:
        last_blob = sorted(n for n in source.namelist() if n.startswith("blobs/"))[-1]
    rewrite_member(archive, last_blob, lambda data: data[:-1] + bytes([data[-1] ^ 1]))
    target = fresh("sqlite", tmp_path, request, "target")

    with pytest.raises(BackupError, match="does not match its SHA-256"):
        restore_backup(target, archive)

    assert stored_files(target) == {}  # the files put back before the bad one were removed again
    assert all(not rows for rows in table_rows(target).values())


def test_a_backup_refuses_to_leave_out_a_missing_file(sample, tmp_path, request):
    instance = fresh("sqlite", tmp_path, request, "instance")
    restore_backup(instance, sample.archive)
    instance.store.delete(sorted(instance.store.keys())[0])

    with pytest.raises(BackupError, match="missing from the evidence store.*verify"):
        write_backup(instance, tmp_path / "again.zip")
    assert not (tmp_path / "again.zip").exists()
    assert not list(tmp_path.glob(".again.zip*"))


def test_encrypted_evidence_is_re_encrypted_with_the_target_key(sample, tmp_path, request):
    source = fresh("sqlite", tmp_path, request, "source")
    source = replace(source, store=LocalBlobStore(tmp_path / "sealed", cipher=BlobCipher.from_text(generate_encryption_key())))
    restore_backup(source, sample.archive)
    files = stored_files(source)
    assert files == sample.files
    write_backup(source, tmp_path / "haven.zip")

    other_key = generate_encryption_key()
    target = fresh("sqlite", tmp_path, request, "target")
    target = replace(target, store=LocalBlobStore(tmp_path / "target-sealed", cipher=BlobCipher.from_text(other_key)))
    restore_backup(target, tmp_path / "haven.zip")

    assert stored_files(target) == files
    raw = [p.read_bytes() for p in (tmp_path / "target-sealed").rglob("*") if p.is_file()]
    assert raw and all(content not in files.values() for content in raw)  # the files rest encrypted
    assert check_integrity(target, SYSTEM).ok


def test_the_backup_holds_plain_json_lines_and_a_manifest(sample):
    with zipfile.ZipFile(sample.archive) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        organisations = [json.loads(line) for line in io.TextIOWrapper(archive.open("tables/organisation.jsonl"))]
        names = archive.namelist()
    assert manifest["format"] == "haven-backup" and manifest["format_version"] == 2
    assert "manifest.sig" in names and len(manifest["blobs"]) == 6
    assert manifest["alembic_revision"] and manifest["created_at"].endswith("+00:00")
    assert manifest["tables"].index("organisation") < manifest["tables"].index("evidence")
    assert manifest["counts"]["user"] == 3 and manifest["files"] == 6
    assert organisations[0]["slug"] == SLUG and organisations[0]["created_at"].endswith("+00:00")
    assert sum(name.startswith("blobs/") for name in names) == 6

