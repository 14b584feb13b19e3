"""Someone with write access to the database edits the audit log: `verify` names the entry."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from services.integrity import check_integrity
from services.ratings import set_rating
from tests.factories import SYSTEM, make_organisation

TAMPERING = {
    "actor edited": "UPDATE audit_entry SET actor = 'someone-else' WHERE id = 3",
    "detail edited": "UPDATE audit_entry SET detail = '{\"from\": \"not_assessed\", \"to\": \"met\"}' WHERE id = 3",
    "time moved": "UPDATE audit_entry SET at = at - INTERVAL '1 day' WHERE id = 3",
    "entry deleted": "DELETE FROM audit_entry WHERE id = 3",
    "entries swapped": None,
    "entry forged at the end": None,
}


def tamper(connection, kind: str) -> None:
    if kind == "time moved" and connection.dialect.name == "sqlite":
        connection.execute(text("UPDATE audit_entry SET at = datetime(at, '-1 day') WHERE id = 3"))
    elif kind == "entries swapped":
        rows = {row.id: row for row in connection.execute(text("SELECT * FROM audit_entry WHERE id IN (3, 4)"))}
        for target, source in ((3, 4), (4, 3)):
            connection.execute(text("UPDATE audit_entry SET actor = :actor, action = :action, target = :target, "
                                    "detail = :detail WHERE id = :id"),
                               {"actor": rows[source].actor, "action": rows[source].action, "target": rows[source].target,
                                "detail": rows[source].detail, "id": target})
    elif kind == "entry forged at the end":
        last = connection.execute(text("SELECT * FROM audit_entry ORDER BY id DESC LIMIT 1")).one()
        connection.execute(text("INSERT INTO audit_entry (at, actor, action, organisation_id, target, detail, prev_hash, "
                                "hash) VALUES (:at, 'mallory', 'rating.set', 1, '3.1.1', '{}', :prev, :hash)"),
                           {"at": last.at, "prev": "f" * 64, "hash": "e" * 64})
    else:
        connection.execute(text(TAMPERING[kind]))


@pytest.mark.parametrize("kind", TAMPERING)
def test_verify_names_the_tampered_audit_entry(haven, kind):
    organisation_id = make_organisation(haven)
    for action in ("3.1.1", "3.1.2", "3.1.3", "3.2.1"):
        with haven.session() as session:
            set_rating(session, SYSTEM, organisation_id=organisation_id, action_id=action, rating="met")
    assert check_integrity(haven, SYSTEM).ok

    with haven.engine.begin() as connection:
        tamper(connection, kind)

    faults = [f for f in check_integrity(haven, SYSTEM).faults if f.startswith("audit chain:")]
    assert faults, kind
    expected = {"entry deleted": "entry 4 ", "entry forged at the end": "entry 6 "}.get(kind, "entry 3 ")
    assert any(expected in fault for fault in faults), faults
