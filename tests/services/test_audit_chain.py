from sqlalchemy import text

from storage.audit import append_audit, check_audit_chain


def _three_entries(haven):
    with haven.session() as session:
        for number in range(3):
            append_audit(session, actor="amira", action="rating.set", target=f"3.1.{number + 1}", detail={"n": number})


def test_an_untouched_chain_has_no_fault(haven):
    _three_entries(haven)
    with haven.session() as session:
        assert check_audit_chain(session) == []


def test_an_edited_entry_is_detected(haven):
    _three_entries(haven)
    with haven.engine.begin() as connection:
        connection.execute(text("UPDATE audit_entry SET actor = 'mallory' WHERE id = 2"))
    with haven.session() as session:
        faults = check_audit_chain(session)
    assert [f.entry_id for f in faults] == [2]
    assert "edited" in faults[0].problem


def test_a_deleted_entry_is_detected(haven):
    _three_entries(haven)
    with haven.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_entry WHERE id = 2"))
    with haven.session() as session:
        faults = check_audit_chain(session)
    assert [f.entry_id for f in faults] == [3]
    assert "deleted" in faults[0].problem
