"""Someone with write access to the database (and even to the evidence store) but without the audit key rewrites
history: cuts the newest audit entries, edits an old one and recomputes every later hash, changes a rating or a
classification in the database, swaps an evidence file and its row. `verify` names each one."""
from __future__ import annotations

import json
import stat
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from services.evidence import NewEvidence, evidence_register
from services.integrity import check_integrity
from services.ratings import set_rating
from services.reviews import review_revision
from services.uploads import upload_evidence
from storage.audit import (
    GENESIS_HASH,
    _unkeyed_chain_faults,
    anchor_existing_log,
    entry_hash,
    unkeyed_entry_hash,
)
from storage.audit_secrets import ANCHOR_FILE, AuditKeyError, AuditSecrets
from storage.blobs import BlobCipher, LocalBlobStore, generate_encryption_key
from storage.models import AuditEntry
from storage.secret_key import KEY_FILE_NAME, SecretKeyError, instance_secret
from tests.factories import SYSTEM, jpeg_with_gps, make_organisation, make_user, simple_pdf


def _filled(haven) -> dict:
    organisation_id = make_organisation(haven)
    with haven.session() as session:
        for action, rating in (("3.1.1", "not_met"), ("3.1.2", "partially_met"), ("3.3.1", "met")):
            set_rating(session, SYSTEM, organisation_id=organisation_id, action_id=action, rating=rating)
    photo = upload_evidence(haven, SYSTEM, organisation_id=organisation_id, data=jpeg_with_gps(), filename="door.jpg",
                            details=NewEvidence("premises_photos", ("3.2.1",), date(2026, 3, 1)))
    policy = upload_evidence(haven, SYSTEM, organisation_id=organisation_id, data=simple_pdf(), filename="policy.pdf",
                             details=NewEvidence("policy", ("3.3.1",), date(2026, 3, 1)))
    reviewer = make_user(haven, "quinn", "reviewer", "harbour-house")
    with haven.session() as session:
        rows = {r.id: r for r in evidence_register(session, SYSTEM, organisation_id=organisation_id)}
        review_revision(session, reviewer, revision_id=rows[policy].revision_id, status="rejected",
                        comment="Unsigned")
        set_rating(session, SYSTEM, organisation_id=organisation_id, action_id="3.2.1", rating="partially_met")
    assert check_integrity(haven, SYSTEM).faults == []
    return {"photo": photo, "policy": policy, "policy_revision": rows[policy].revision_id,
            "photo_revision": rows[photo].revision_id}


def _faults(haven) -> list[str]:
    return check_integrity(haven, SYSTEM).faults


def _sql(haven, statement: str, **values) -> None:
    with haven.engine.begin() as connection:
        connection.execute(text(statement), values)


def test_deleting_the_newest_entries_is_caught_by_the_anchor(haven):
    _filled(haven)
    with haven.engine.begin() as connection:
        newest = connection.execute(text("SELECT MAX(id) FROM audit_entry")).scalar_one()
        connection.execute(text("DELETE FROM audit_entry WHERE id > :id"), {"id": newest - 2})
    faults = _faults(haven)
    assert any(f"audit chain: entry {newest} is missing" in f and "newest entries were deleted" in f for f in faults)


def _rehash_everything(haven, hasher, *, edit: dict[int, str] | None = None) -> None:
    """The attacker's rewrite: entries edited (detail by id), then every hash recomputed and re-linked, as an
    older Haven computed them, straight in the database."""
    with Session(haven.engine) as session:
        prev = GENESIS_HASH
        for entry in session.exec(select(AuditEntry).order_by(AuditEntry.id)).all():
            entry.detail = (edit or {}).get(entry.id, entry.detail)
            entry.prev_hash = prev
            entry.hash = hasher(prev, at=entry.at, actor=entry.actor, action=entry.action,
                                organisation_id=entry.organisation_id, target=entry.target, detail=entry.detail)
            prev = entry.hash
            session.add(entry)
        session.commit()


@pytest.mark.parametrize("with_key", ["plain SHA-256", "a key of the attacker's own"])
def test_an_old_entry_edited_with_every_later_hash_recomputed_is_caught(haven, with_key):
    _filled(haven)
    if with_key == "plain SHA-256":
        hasher = unkeyed_entry_hash
    else:
        own = AuditSecrets(key=b"k" * 32, anchor_path=haven.settings.data_dir / "elsewhere.json")

        def hasher(prev, **fields):
            return entry_hash(own, prev, **fields)
    _rehash_everything(haven, hasher, edit={2: '{"from": "not_assessed", "to": "met"}'})
    with haven.session() as session:  # the rewrite is sound by the rules it was made with
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert with_key != "plain SHA-256" or not _unkeyed_chain_faults(entries)
    faults = _faults(haven)
    assert any(f.startswith("audit chain: entry 2 its content does not match its keyed hash") for f in faults)


@pytest.mark.parametrize("tampering, expected", [
    ("UPDATE rating SET rating = 'met' WHERE action_id = '3.1.1'",
     "rows vs audit log: rating of 3.1.1 in harbour-house is 'met', but audit entry"),
    ("UPDATE rating SET justification = 'Approved by the board' WHERE action_id = '3.1.2'",
     "rows vs audit log: rating of 3.1.2 in harbour-house"),
    ("DELETE FROM rating WHERE action_id = '3.3.1'", "rating of 3.3.1 set by audit entry"),
    ("UPDATE review SET status = 'accepted'", "review 'accepted' of evidence 2 revision 1 is not in the audit log"),
    ("INSERT INTO review (revision_id, status, reviewer_name, comment, checklist, decided_at) "
     "VALUES (1, 'accepted', 'quinn', '', '[]', '2026-11-01 10:00:00')",
     "review 'accepted' of evidence 1 revision 1 is not in the audit log"),
    ("UPDATE evidence SET classification = 'internal' WHERE id = 1",
     "evidence 1 is internal, but audit entry"),
    ("UPDATE evidence SET evidence_type = 'escape_plan' WHERE id = 1", "evidence 1 is of type escape_plan"),
    ("INSERT INTO evidence_link (evidence_id, action_id) VALUES (2, '3.3.3')", "evidence 2 is linked to 3.3.3"),
    ("DELETE FROM evidence_link WHERE evidence_id = 2", "evidence 2 is no longer linked to 3.3.1"),
    ("UPDATE evidence_revision SET valid_until = '2099-01-01' WHERE evidence_id = 2",
     "evidence 2 revision 1 has another valid_until"),
    ("UPDATE evidence_revision SET withheld = true WHERE evidence_id = 1", "has another withheld"),
])
def test_rows_changed_in_the_database_are_caught_against_the_log(haven, tampering, expected):
    _filled(haven)
    _sql(haven, tampering)
    assert any(expected in fault for fault in _faults(haven)), _faults(haven)


def _swap_file(haven, ids, *, write) -> str:
    """Another photo into the store (named by its own hash) and the revision's row pointed at it."""
    other = jpeg_with_gps(80, 60)
    key = write(other)
    _sql(haven, "UPDATE evidence_revision SET blob_key = :key, thumbnail_key = NULL, size_bytes = :size WHERE id = :id",
         key=key, size=len(other), id=ids["photo_revision"])
    return key


def test_an_evidence_file_and_its_row_swapped_for_another_file_is_caught(haven):
    ids = _filled(haven)
    key = _swap_file(haven, ids, write=haven.store.put)
    faults = _faults(haven)
    assert any(f"evidence {ids['photo']} revision 1 refers to the file {key[:12]}" in f and "swapped" in f
               for f in faults), faults


def test_with_encryption_a_plaintext_file_named_by_its_own_hash_is_refused(haven):
    folder = haven.settings.data_dir / "encrypted"
    encryption_key = generate_encryption_key()
    encrypted = replace(haven, settings=replace(haven.settings, encryption_key=encryption_key,
                                                blob_url=f"file://{folder}"),
                        store=LocalBlobStore(folder, cipher=BlobCipher.from_text(encryption_key)))
    ids = _filled(encrypted)
    plain = LocalBlobStore(folder)  # the attacker writes to the folder without the key
    key = _swap_file(encrypted, ids, write=plain.put)
    faults = _faults(encrypted)
    assert any(f"evidence {ids['photo']} revision 1" in f and "not encrypted" in f for f in faults), faults
    assert any("rows vs audit log" in f and key[:12] in f for f in faults)


def test_a_missing_or_edited_anchor_is_a_fault_and_init_anchors_an_intact_log(haven):
    _filled(haven)
    anchor = haven.settings.data_dir / ANCHOR_FILE
    document = json.loads(anchor.read_text())
    anchor.write_text(json.dumps({**document, "entry": document["entry"] - 1}))
    assert any("anchor that cannot be trusted" in f for f in _faults(haven))
    anchor.unlink()
    assert any("is not anchored" in f for f in _faults(haven))
    with haven.session() as session:
        assert anchor_existing_log(session).startswith("Anchored the audit log at entry")
    assert _faults(haven) == []


def test_init_keys_a_log_written_before_keying_and_refuses_a_broken_one(haven):
    _filled(haven)
    (haven.settings.data_dir / ANCHOR_FILE).unlink()
    _rehash_everything(haven, unkeyed_entry_hash)  # the log as an older Haven wrote it: plain SHA-256
    assert _faults(haven)
    with haven.session() as session:
        actor = session.get(AuditEntry, 3).actor
    _sql(haven, "UPDATE audit_entry SET actor = 'mallory' WHERE id = 3")
    with pytest.raises(AuditKeyError, match="not intact"), haven.session() as session:
        anchor_existing_log(session)
    _sql(haven, "UPDATE audit_entry SET actor = :actor WHERE id = 3", actor=actor)
    with haven.session() as session:
        assert anchor_existing_log(session).startswith("Keyed the")
    assert _faults(haven) == []


def test_the_key_file_is_made_owner_only_and_refused_when_others_may_read_it(tmp_path):
    key = instance_secret(tmp_path, None)
    path = tmp_path / KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(key) == 32
    assert instance_secret(tmp_path, None) == key
    path.chmod(0o644)
    with pytest.raises(SecretKeyError, match="chmod 600"):
        instance_secret(tmp_path, None)
