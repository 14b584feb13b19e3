from datetime import UTC, datetime, timedelta

import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from services.organisations import get_organisation
from services.users import count_users, set_user_active
from tests.app_pages import APP_FILE, open_app, texts
from tests.factories import PASSWORD, make_organisation, make_user
from ui.session import LAST_SEEN_KEY, PRINCIPAL_KEY

OIDC_SECRETS = {"auth": {"redirect_uri": "http://localhost:8511/oauth2callback", "cookie_secret": "a test secret",
                         "client_id": "haven", "client_secret": "not secret",
                         "server_metadata_url": "https://id.example.org/.well-known/openid-configuration"}}
SSO_BUTTON = "Log in with your organisation's account"


class ServerPagesManager(PagesManager):
    """On a server, the first st.navigation call turns the legacy views/ folder mode off for good, so every later
    run executes app.py. AppTest turns that mode back on before each run and would then run the page file alone,
    skipping the sign-in gate, the idle timeout and the sidebar this module tests."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def every_run_through_app_py(monkeypatch):
    monkeypatch.setattr(app_test_module, "PagesManager", ServerPagesManager)
    yield
    PagesManager.uses_pages_directory = None


def by_label(widgets, label):
    return next(widget for widget in widgets if widget.label == label)


def sign_in_with(app, username, password):
    by_label(app.text_input, "User name").input(username)
    by_label(app.text_input, "Password").input(password)
    by_label(app.button, "Sign in").click().run()
    return app


def signed_in_user(app):
    principal = app.session_state[PRINCIPAL_KEY] if PRINCIPAL_KEY in app.session_state else None
    return principal.username if principal else None


def test_the_first_run_refuses_differing_passwords_and_creates_nobody(app_haven):
    app = open_app()
    by_label(app.text_input, "User name").input("founder")
    by_label(app.text_input, "Password (at least 12 characters)").input("a long enough passphrase")
    by_label(app.text_input, "Repeat the password").input("a long enough passphrasf")
    by_label(app.button, "Create administrator").click().run()
    assert "The two passwords differ." in texts(app)
    with app_haven.session() as session:
        assert count_users(session) == 0


def test_the_first_run_refuses_a_password_that_is_easy_to_guess_and_creates_nobody(app_haven):
    app = open_app()
    by_label(app.text_input, "User name").input("founder")
    by_label(app.text_input, "Password (at least 12 characters)").input("password1234")
    by_label(app.text_input, "Repeat the password").input("password1234")
    by_label(app.button, "Create administrator").click().run()
    assert "This password is too easy to guess: This is a very common password." in texts(app)
    assert signed_in_user(app) is None
    with app_haven.session() as session:
        assert count_users(session) == 0


def test_a_stale_first_run_form_cannot_add_a_second_administrator(app_haven):
    app = open_app()
    make_user(app_haven, "founder", None, is_admin=True)  # someone else finished the first run meanwhile
    by_label(app.text_input, "User name").input("intruder")
    by_label(app.text_input, "Password (at least 12 characters)").input("a long enough passphrase")
    by_label(app.text_input, "Repeat the password").input("a long enough passphrase")
    by_label(app.button, "Create administrator").click().run()
    assert signed_in_user(app) is None
    assert [b.label for b in app.button] == ["Sign in"]
    with app_haven.session() as session:
        assert count_users(session) == 1


def test_the_first_administrator_lands_on_the_administration_pages(app_haven):
    app = open_app()
    by_label(app.text_input, "User name").input("founder")
    by_label(app.text_input, "Password (at least 12 characters)").input("a long enough passphrase")
    by_label(app.text_input, "Repeat the password").input("a long enough passphrase")
    by_label(app.button, "Create administrator").click().run()
    assert signed_in_user(app) == "founder"
    assert not app.exception
    app.switch_page("views/admin_users.py").run()
    assert "Users and organisations" in texts(app) and "founder" in app.dataframe[0].value.to_string()


def test_a_user_signs_in_and_out(app_haven):
    make_organisation(app_haven)
    make_user(app_haven, "amira", "manager", "harbour-house")
    app = sign_in_with(open_app(), "amira", PASSWORD)
    assert signed_in_user(app) == "amira" and not app.exception
    assert "Signed in as **amira**" in texts(app)
    by_label(app.button, "Sign out").click().run()
    assert signed_in_user(app) is None
    assert "You have signed out." in texts(app) and any(b.label == "Sign in" for b in app.button)


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(app_haven):
    make_user(app_haven, "amira", "manager", None)
    app = open_app()
    for _ in range(4):
        sign_in_with(app, "amira", "not the password at all")
        assert "The user name or password is wrong." in texts(app)
    sign_in_with(app, "amira", "not the password at all")
    assert "Too many failed attempts: this account is locked for 15 minutes." in texts(app)
    sign_in_with(app, "amira", PASSWORD)
    assert "this account is locked for 15 more minutes" in texts(app)
    assert signed_in_user(app) is None


def test_an_idle_session_ends_after_thirty_minutes(app_haven):
    make_organisation(app_haven)
    amira = make_user(app_haven, "amira", "manager", "harbour-house")
    app = open_app(amira)
    app.session_state[LAST_SEEN_KEY] = datetime.now(UTC) - timedelta(minutes=29)
    app.run()
    assert signed_in_user(app) == "amira"
    app.session_state[LAST_SEEN_KEY] = datetime.now(UTC) - timedelta(minutes=31)
    app.run()
    assert signed_in_user(app) is None
    assert "You were signed out after 30 minutes without activity." in texts(app)
    assert any(b.label == "Sign in" for b in app.button) and not app.dataframe


def test_a_deactivated_user_is_signed_out_at_their_next_click(app_haven):
    make_organisation(app_haven)
    admin = make_user(app_haven, "root", None, is_admin=True)
    amira = make_user(app_haven, "amira", "manager", "harbour-house")
    app = open_app(amira)
    assert signed_in_user(app) == "amira"
    with app_haven.session() as session:
        set_user_active(session, admin, user_id=amira.user_id, active=False)
    app.run()
    assert signed_in_user(app) is None and "no longer active" in texts(app)


def test_without_auth_secrets_there_is_no_single_sign_on_button(app_haven):
    make_user(app_haven, "amira", "manager", None)
    app = open_app()
    assert [b.label for b in app.button] == ["Sign in"]


def single_sign_on_app(user: dict) -> AppTest:
    app = AppTest.from_file(APP_FILE, default_timeout=30)
    app.secrets.update(OIDC_SECRETS)
    app.user = user
    return app.run()


def test_with_auth_secrets_the_single_sign_on_button_is_offered(app_haven):
    make_user(app_haven, "amira", "manager", None)
    app = single_sign_on_app({"is_logged_in": False})
    assert [b.label for b in app.button] == ["Sign in", SSO_BUTTON]


def test_a_single_sign_on_identity_signs_in_the_user_with_that_e_mail_and_signs_out_of_both(app_haven):
    make_organisation(app_haven)
    admin = make_user(app_haven, "root", None, is_admin=True)
    from services.users import create_user

    with app_haven.session() as session:
        create_user(session, admin, username="amira", password=None, email="amira@example.org", role="manager",
                    organisation_id=get_organisation(session, "harbour-house").id)
    app = single_sign_on_app({"is_logged_in": True, "email": "Amira@example.org", "email_verified": True})
    assert signed_in_user(app) == "amira" and not app.exception
    by_label(app.button, "Sign out").click().run()
    assert signed_in_user(app) is None
    assert app.user == {"is_logged_in": False}  # st.logout dropped the identity, so it cannot sign in again


def test_a_single_sign_on_identity_without_an_account_is_refused(app_haven):
    make_user(app_haven, "amira", "manager", None)
    app = single_sign_on_app({"is_logged_in": True, "email": "stranger@example.org", "email_verified": True})
    assert signed_in_user(app) is None
    assert "No active Haven account has this e-mail address" in texts(app)
    assert any(b.label == "Log in with another account" for b in app.button)


def test_an_identity_whose_provider_does_not_vouch_for_the_e_mail_is_not_the_administrator(app_haven):
    """A provider that sends no email_verified claim (and may let its users type any address) does not sign in
    the Haven account with that address: here, the administrator's."""
    from services.users import create_user

    admin = make_user(app_haven, "root", None, is_admin=True)
    with app_haven.session() as session:
        create_user(session, admin, username="chief", password=None, email="chief@example.org", is_admin=True)
    app = single_sign_on_app({"is_logged_in": True, "email": "chief@example.org"})
    assert signed_in_user(app) is None and not app.exception
    assert "did not confirm an e-mail address" in texts(app)
