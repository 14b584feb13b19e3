import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from services.sign_in import sign_in
from storage.models import Membership, Organisation, User
from tests.app_pages import APP_FILE, open_app, texts
from tests.factories import PASSWORD, make_organisation, make_user
from ui.session import PRINCIPAL_KEY

USERS_PAGE, AUDIT_PAGE = "views/admin_users.py", "views/audit_log.py"
SCRIPT = "<script>alert('x')</script>"


def by_label(widgets, label):
    return next(widget for widget in widgets if widget.label == label)


def shown_tables(app) -> str:
    return "\n".join(frame.value.to_string() for frame in app.dataframe)


def users_table(app):
    return app.dataframe[0].value.set_index("User name")


def user(haven, username) -> User:
    with haven.session() as session:
        return session.exec(select(User).where(User.username == username)).one()


@pytest.fixture
def staff(app_haven):
    """Harbour House, an administrator, its manager and a network reviewer."""
    make_organisation(app_haven)
    return {
        "admin": make_user(app_haven, "root", None, is_admin=True),
        "manager": make_user(app_haven, "amira", "manager", "harbour-house"),
        "reviewer": make_user(app_haven, "quinn", "reviewer", None),
        "board": make_user(app_haven, "trustee", "board", "harbour-house"),
    }


def lock_out(haven, username):
    for _ in range(5):
        sign_in(haven, username=username, password="a wrong password")


# Users and organisations


def test_an_administrator_sees_every_user_with_their_roles_and_never_a_password_hash(app_haven, staff):
    lock_out(app_haven, "amira")
    app = open_app(staff["admin"], page=USERS_PAGE)
    assert not app.exception
    table = users_table(app)
    assert list(table.index) == ["amira", "quinn", "root", "trustee"]
    assert table.loc["amira", "Roles"] == "Harbour House Victim Support: Manager" and table.loc["amira", "Locked"]
    assert table.loc["quinn", "Roles"] == "Every organisation: Reviewer"
    assert table.loc["root", "Admin"] and not table.loc["quinn", "Admin"] and table["Active"].all()
    with app_haven.session() as session:
        hashes = [u.password_hash for u in session.exec(select(User))]
    everything = texts(app) + shown_tables(app) + repr([s.options for s in app.selectbox])
    assert "argon2" not in everything and not any(h in everything for h in hashes)


def test_an_administrator_adds_a_user_with_a_role_in_an_organisation(app_haven, staff):
    app = open_app(staff["admin"], page=USERS_PAGE)
    by_label(app.text_input, "User name").input("nadia")
    by_label(app.text_input, "Display name").input("Nadia Okafor")
    by_label(app.text_input, "E-mail").input("Nadia@Harbour.example")
    by_label(app.text_input, "Password (at least 12 characters)").input("a long enough passphrase")
    by_label(app.text_input, "Repeat the password").input("a long enough passphrase")
    app.selectbox(key="new_user_role").set_value("reviewer")
    app.selectbox(key="new_user_organisation").set_value(1)
    by_label(app.button, "Add user").click().run()
    assert not app.exception and "nadia is added." in texts(app)
    assert users_table(app).loc["nadia", "Roles"] == "Harbour House Victim Support: Reviewer"
    added = user(app_haven, "nadia")
    assert (added.display_name, added.email, added.is_admin) == ("Nadia Okafor", "nadia@harbour.example", False)
    assert sign_in(app_haven, username="nadia", password="a long enough passphrase").principal is not None


@pytest.mark.parametrize("username, password, repeated, message", [
    ("nadia", "too short", "too short", "at least 12 characters"),
    ("nadia", "a long enough passphrase", "a long enough passphrasf", "The two passwords differ."),
    ("amira", "a long enough passphrase", "a long enough passphrase", "The user name 'amira' is already taken."),
    ("bad name", "a long enough passphrase", "a long enough passphrase", "A user name has 2 to 80 letters"),
])
def test_a_refused_new_user_shows_the_reason_and_nothing_is_stored(app_haven, staff, username, password, repeated,
                                                                    message):
    app = open_app(staff["admin"], page=USERS_PAGE)
    by_label(app.text_input, "User name").input(username)
    by_label(app.text_input, "Password (at least 12 characters)").input(password)
    by_label(app.text_input, "Repeat the password").input(repeated)
    by_label(app.button, "Add user").click().run()
    assert message in texts(app) and not app.exception
    with app_haven.session() as session:
        assert len(session.exec(select(User)).all()) == 4
        assert len(session.exec(select(Membership)).all()) == 3


def test_an_administrator_gives_and_removes_a_role(app_haven, staff):
    app = open_app(staff["admin"], page=USERS_PAGE)
    app.selectbox(key="chosen_user").set_value(staff["manager"].user_id).run()
    app.selectbox(key="role_organisation").set_value(0)
    app.selectbox(key="role_to_give").set_value("board")
    by_label(app.button, "Give this role").click().run()
    assert "amira is now board in Every organisation." in texts(app)
    assert users_table(app).loc["amira", "Roles"] == "Harbour House Victim Support: Manager; Every organisation: Board"

    removed = next(m.id for m in _memberships(app_haven, "amira") if m.organisation_id is not None)
    app.selectbox(key="removed_role").set_value(removed)
    by_label(app.button, "Remove this role").click().run()
    assert [(m.organisation_id, m.role) for m in _memberships(app_haven, "amira")] == [(None, "board")]
    assert users_table(app).loc["amira", "Roles"] == "Every organisation: Board"


def _memberships(haven, username):
    with haven.session() as session:
        user_id = session.exec(select(User.id).where(User.username == username)).one()
        return session.exec(select(Membership).where(Membership.user_id == user_id)).all()


def test_an_administrator_unlocks_deactivates_reactivates_and_sets_a_password(app_haven, staff):
    lock_out(app_haven, "amira")
    app = open_app(staff["admin"], page=USERS_PAGE)
    app.selectbox(key="chosen_user").set_value(staff["manager"].user_id).run()
    assert "Locked after too many failed sign-ins" in texts(app)
    by_label(app.button, "Unlock now").click().run()
    assert "amira is unlocked." in texts(app) and user(app_haven, "amira").locked_until is None

    by_label(app.button, "Deactivate").click().run()
    assert not user(app_haven, "amira").active and "Deactivated: this user cannot sign in." in texts(app)
    by_label(app.button, "Reactivate").click().run()
    assert user(app_haven, "amira").active

    by_label(app.text_input, "New password (at least 12 characters)").input("a fresh passphrase here")
    by_label(app.text_input, "Repeat the new password").input("a fresh passphrase here")
    by_label(app.button, "Set the new password").click().run()
    assert "amira has a new password." in texts(app)
    assert sign_in(app_haven, username="amira", password=PASSWORD).principal is None
    assert sign_in(app_haven, username="amira", password="a fresh passphrase here").principal is not None


def test_an_administrator_cannot_deactivate_their_own_account(app_haven, staff):
    app = open_app(staff["admin"], page=USERS_PAGE)
    app.selectbox(key="chosen_user").set_value(staff["admin"].user_id).run()
    assert by_label(app.button, "Deactivate").disabled
    assert by_label(app.button, "Remove administrator rights").disabled


def test_organisations_are_listed_and_added_and_a_bad_id_is_refused(app_haven, staff):
    app = open_app(staff["admin"], page=USERS_PAGE)
    by_label(app.text_input, "Id").input("Bad Id!")
    by_label(app.text_input, "Name").input("Northside Refuge")
    by_label(app.button, "Add organisation").click().run()
    assert "An organisation id has 2 to 80 lower-case letters" in texts(app)
    by_label(app.text_input, "Id").input("northside")
    by_label(app.button, "Add organisation").click().run()
    assert "Northside Refuge is added." in texts(app)
    organisations = app.table[0].value
    assert list(organisations["Id"]) == ["harbour-house", "northside"]
    # amira and trustee in Harbour House, and quinn, the network-wide reviewer, in both
    assert list(organisations["Members"]) == [3, 1] and list(organisations["Of whom network-wide"]) == [1, 1]
    with app_haven.session() as session:
        assert [o.slug for o in session.exec(select(Organisation).order_by(Organisation.id))] == [
            "harbour-house", "northside"]


def test_user_text_is_shown_as_text_never_as_html(app_haven, staff):
    from services.organisations import create_organisation
    from services.users import create_user

    with app_haven.session() as session:
        create_user(session, staff["admin"], username="mallory", password=PASSWORD, display_name=SCRIPT)
        create_organisation(session, staff["admin"], slug="scripted", name=f"Refuge {SCRIPT}")
    app = open_app(staff["admin"], page=USERS_PAGE)
    assert users_table(app).loc["mallory", "Display name"] == SCRIPT
    assert f"Refuge {SCRIPT}" in [name.replace("\\", "") for name in app.table[0].value["Name"]]
    assert f"mallory ({SCRIPT})" in app.selectbox(key="chosen_user").options
    assert not any("<script>" in str(element.value) for element in [*app.markdown, *app.caption])
    audit = open_app(staff["admin"], page=AUDIT_PAGE)
    assert SCRIPT in audit.dataframe[0].value["Detail"].str.cat()  # plain words, the user's text as typed
    assert not any("<script>" in str(element.value) for element in [*audit.markdown, *audit.caption])


# The audit log


def test_the_audit_log_lists_entries_newest_first_and_filters_them(app_haven, staff):
    lock_out(app_haven, "amira")
    app = open_app(staff["admin"], page=AUDIT_PAGE)
    assert not app.exception
    assert "The audit chain is intact" in texts(app)
    entries = app.dataframe[0].value
    assert entries["What"].iloc[0] == "Sign-in refused" and entries["What"].iloc[-1] == "Organisation added"
    detail = entries["Detail"].iloc[0]  # plain words, not JSON
    assert "reason: wrong password" in detail and "failed attempts: 5" in detail and "{" not in detail
    assert re.search(r"locked until: \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}", detail)
    assert "10 entries match." in texts(app)

    by_label(app.selectbox, "Actor").set_value("amira").run()
    assert set(app.dataframe[0].value["Who"]) == {"amira"} and "5 entries match." in texts(app)
    by_label(app.selectbox, "Actor").set_value("").run()
    by_label(app.multiselect, "Actions").set_value(["user.create"]).run()
    assert list(app.dataframe[0].value["About"]) == ["trustee", "quinn", "amira", "root"]
    by_label(app.selectbox, "Organisation").set_value(1).run()
    assert list(app.dataframe[0].value["About"]) == ["trustee", "amira"]
    assert set(app.dataframe[0].value["Organisation"]) == {"Harbour House Victim Support"}


def test_the_audit_log_filters_by_date_range(app_haven, staff):
    app = open_app(staff["admin"], page=AUDIT_PAGE)
    today = datetime.now(UTC).date()
    by_label(app.date_input, "Between").set_value((today - timedelta(days=400), today - timedelta(days=1))).run()
    assert "0 entries match." in texts(app) and app.dataframe[0].value.empty
    by_label(app.date_input, "Between").set_value((today, today)).run()
    assert "5 entries match." in texts(app)


def test_the_audit_log_shows_the_last_seven_days_by_default_and_exports_them_as_csv(app_haven, staff, downloads):
    from services.users import create_user

    with app_haven.session() as session:
        create_user(session, staff["admin"], username="mallory", password=PASSWORD, display_name="=HYPERLINK(1)")
        connection = session.connection()
        connection.execute(text("UPDATE audit_entry SET at = :old WHERE id = 1"),
                           {"old": datetime.now(UTC) - timedelta(days=8)})
    app = open_app(staff["admin"], page=AUDIT_PAGE)
    today = datetime.now(UTC).date()
    assert by_label(app.date_input, "Between").value == (today - timedelta(days=6), today)
    assert "5 entries match." in texts(app)  # the entry of 8 days ago is outside the default week
    rows = list(csv.DictReader(io.StringIO(downloads["Download these entries (CSV)"].decode("utf-8"))))
    assert [row["What"] for row in rows][0] == "User added" and len(rows) == 5
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())


def test_an_edited_audit_entry_is_reported(app_haven, staff):
    with app_haven.engine.begin() as connection:
        connection.execute(text("UPDATE audit_entry SET actor = 'someone else' WHERE id = 2"))
    app = open_app(staff["admin"], page=AUDIT_PAGE)
    assert "The audit chain is broken in 1 places" in texts(app)
    assert "edited" in app.dataframe[0].value["Problem"].iloc[0]


def test_the_full_integrity_check_runs_from_the_page_and_shows_faults(app_haven, staff):
    app = open_app(staff["admin"], page=AUDIT_PAGE)
    by_label(app.button, "Run the full integrity check").click().run()
    assert "No fault: every file matches its hash and the audit chain is intact." in texts(app)
    app_haven.store.put(b"a file nobody refers to")
    by_label(app.button, "Run the full integrity check").click().run()
    assert "1 faults found." in texts(app)
    assert "orphan file" in app.dataframe[-1].value["Fault"].iloc[0]


# Nobody else opens these pages


def open_page_file(principal, page):
    """Runs the page file itself, as a hand-typed address or a stale link would, bypassing the navigation."""
    app = AppTest.from_file(str(Path(APP_FILE).parent / page), default_timeout=30)
    app.session_state[PRINCIPAL_KEY] = principal
    return app.run()


@pytest.mark.parametrize("role", ["manager", "reviewer", "board"])
@pytest.mark.parametrize("page", [USERS_PAGE, AUDIT_PAGE])
def test_managers_reviewers_and_board_members_find_these_pages_closed(app_haven, staff, role, page):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_app(staff[role], page=page)  # not in their navigation
    app = open_page_file(staff[role], page)
    shown = texts(app)
    assert "This page is not available to your role." in shown and not app.exception
    assert not app.dataframe and not app.selectbox and not app.text_input and not app.button
    assert not any(name in shown for name in ("root", "quinn", "trustee", "login.failure", "user.create"))


def test_the_administration_pages_are_in_the_navigation_of_administrators_only(app_haven, staff):
    from ui.navigation import pages_for

    admin_titles = [p.title for p in pages_for(staff["admin"], 1) if p.section == "Administration"]
    assert admin_titles == ["Users and organisations", "Audit log"]
    for role in ("manager", "reviewer", "board"):
        assert not [p for p in pages_for(staff[role], 1) if p.section == "Administration"]


def test_an_administrator_renames_and_archives_an_organisation_from_the_page(app_haven, staff):
    app = open_app(staff["admin"], page=USERS_PAGE)
    app.text_input(key="organisation_name_1").input("Harbour House Support")
    by_label(app.button, "Rename").click().run()
    assert "Harbour House Victim Support is now called Harbour House Support." in texts(app)
    by_label(app.button, "Archive").click().run()
    assert "Harbour House Support is archived." in texts(app)
    assert list(app.table[0].value["State"])[0].startswith("Archived on ")
    with app_haven.session() as session:
        organisation = session.exec(select(Organisation)).one()
    assert organisation.name == "Harbour House Support" and organisation.archived_at is not None
    manager_view = open_app(staff["manager"])
    assert "Harbour House" not in texts(manager_view)  # gone from the manager's switcher and pages
    by_label(app.button, "Bring back").click().run()
    assert "Harbour House Support is active again." in texts(app)
