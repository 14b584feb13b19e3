"""No password, password hash or encryption key is ever shown on a page, written to a log or printed by the CLI."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from bundles.importer import import_bundle
from services.evidence import NewEvidence
from services.sign_in import sign_in
from services.uploads import upload_evidence
from services.users import create_user, reset_password
from storage.blobs import generate_encryption_key
from storage.models import User
from tests.factories import PASSWORD, SYSTEM, make_user, simple_pdf, write_bundle

ROOT = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "another long passphrase 42"
KEY = generate_encryption_key()


def secrets_of(haven) -> list[str]:
    with haven.session() as session:
        hashes = [h for h in session.exec(select(User.password_hash)) if h]
    return [PASSWORD, NEW_PASSWORD, KEY, *hashes, "$argon2"]


def everything_shown(app) -> str:
    """Every piece of text the page sends to the browser: elements, tables, inputs, options and help."""
    return "\n".join(_walk(app._tree))  # noqa: SLF001  (the whole element tree, sidebar and tabs included)


def _walk(node) -> list[str]:
    parts = [repr(getattr(node, "proto", ""))]
    for value in (getattr(node, "value", None), getattr(node, "label", None), getattr(node, "help", None),
                  getattr(node, "placeholder", None), getattr(node, "options", None)):
        if value is not None:
            parts.append(value.to_string() if hasattr(value, "to_string") else str(value))
    for child in getattr(node, "children", {}).values():
        parts.extend(_walk(child))
    return parts


@pytest.fixture
def encrypted_app(app_haven, monkeypatch, tmp_path):
    """The app with evidence encrypted at rest, a manager's uploads, a locked account and a reset password."""
    from storage.blobs import BlobCipher, LocalBlobStore

    encrypted = replace(app_haven, store=LocalBlobStore(app_haven.store.root, cipher=BlobCipher.from_text(KEY)))
    import_bundle(encrypted, SYSTEM, write_bundle(tmp_path / "bundle"))  # stored encrypted, as the app will read it
    make_user(app_haven, "amira", "manager", "harbour-house")
    bea = make_user(app_haven, "bea", "reviewer", None)
    for _ in range(5):
        sign_in(app_haven, username="amira", password="a wrong password here")
    with app_haven.session() as session:
        reset_password(session, SYSTEM, user_id=bea.user_id, password=NEW_PASSWORD)
    monkeypatch.setenv("HAVEN_ENCRYPTION_KEY", KEY)
    from ui.database import get_haven

    get_haven.clear()
    root = make_user(app_haven, "root", "manager", "harbour-house", is_admin=True)
    return replace(root, memberships=((1, "manager"), (None, "reviewer")))


def test_no_page_shows_a_password_hash_or_the_encryption_key(encrypted_app, app_haven, monkeypatch):
    from tests.app_pages import open_app
    from ui.navigation import pages_for

    monkeypatch.setattr("ui.session.refreshed_principal", lambda session, principal: principal)
    secrets = secrets_of(app_haven)
    opened = 0
    for entry in pages_for(encrypted_app, 1):
        app = open_app(encrypted_app, entry.path)
        assert not app.exception, entry.path
        shown = everything_shown(app)
        for secret in secrets:
            assert secret not in shown, (entry.path, secret[:12])
        if entry.path == "views/admin_users.py":
            assert "bea" in shown and "amira" in shown  # the users table is read too
        opened += 1
    assert opened >= 10  # every page of the navigation, administration included


def test_no_log_record_carries_a_password_hash_or_key(haven, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # the SQL and its parameters, the noisiest log
    try:
        import_bundle(haven, SYSTEM, write_bundle(tmp_path / "bundle"))
        manager = make_user(haven, "amira", "manager", "harbour-house")
        with haven.session() as session:
            create_user(session, SYSTEM, username="bea", password=NEW_PASSWORD)
        sign_in(haven, username="amira", password="a wrong password here")
        sign_in(haven, username="amira", password=PASSWORD)
        with haven.session() as session:
            reset_password(session, SYSTEM, user_id=manager.user_id, password=NEW_PASSWORD)
        upload_evidence(haven, manager, organisation_id=1, data=simple_pdf(), filename="p.pdf",
                        details=NewEvidence("policy", ("3.3.1",), date.today()))
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "INSERT INTO" in logged  # the SQL log was on
    plain = [PASSWORD, NEW_PASSWORD, "a wrong password here", KEY]
    assert not [secret for secret in plain if secret in logged]
    with haven.session() as session:
        hashes = [h for h in session.exec(select(User.password_hash)) if h]
    assert hashes and not [h for h in hashes if h in logged]  # even the SQL log hides bound parameters


def test_a_database_error_does_not_carry_the_row_it_refused(haven):
    from sqlalchemy.exc import IntegrityError

    from storage.models import User as UserRow

    make_user(haven, "amira", "manager", None)
    with pytest.raises(IntegrityError) as refused:
        with haven.session() as session:
            session.add(UserRow(username="amira", password_hash="$argon2id$v=19$secret-looking-hash"))
    assert "secret-looking-hash" not in str(refused.value)


def test_the_command_line_never_prints_the_password(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
    env["HAVEN_DATA_DIR"] = str(tmp_path / "data")
    env["HAVEN_ENCRYPTION_KEY"] = KEY

    def run(*args, stdin=""):
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, input=stdin,
                              capture_output=True, text=True, timeout=120)

    results = [run("create-user", "amira", "--admin", "--password-stdin", stdin=PASSWORD + "\n"),
               run("create-user", "bea", "--admin", "--password-stdin", stdin="short\n"),
               run("verify")]
    printed = "\n".join(r.stdout + r.stderr for r in results)
    assert results[0].returncode == 0 and results[1].returncode == 1
    for secret in (PASSWORD, "short\n", KEY, "$argon2"):
        assert secret not in printed
