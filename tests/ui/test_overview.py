from bundles.importer import import_bundle
from tests.app_pages import open_app, seen, texts
from tests.factories import SYSTEM, make_user, write_bundle


def test_first_run_offers_to_create_the_administrator(app_haven):
    app = open_app()
    assert "Create the first administrator" in texts(app)
    app.text_input[0].input("founder")
    app.text_input[2].input("a long enough passphrase")
    app.text_input[3].input("a long enough passphrase")
    app.button[0].click().run()
    assert not app.exception
    assert "There is no organisation yet" in texts(app)
    assert any(b.label == "Load the demo organisation" for b in app.button)


def test_the_first_administrator_loads_the_demo_and_sees_it(app_haven):
    from services.users import create_first_admin

    with app_haven.session() as session:
        founder = create_first_admin(session, username="founder", password="a long enough passphrase")
    app = open_app(founder, timeout=120)
    next(b for b in app.button if b.label == "Load the demo organisation").click().run()
    assert not app.exception, app.exception
    shown = seen(app)
    assert "Harbour House Victim Support" in shown
    assert "founder is now a manager of it" in shown
    assert "Self-assessed" in shown and "Gaps" in shown


def test_first_run_refuses_a_short_password_and_creates_nobody(app_haven):
    from services.users import count_users

    app = open_app()
    app.text_input[0].input("founder")
    app.text_input[2].input("short")
    app.text_input[3].input("short")
    app.button[0].click().run()
    assert "at least 12 characters" in texts(app)
    with app_haven.session() as session:
        assert count_users(session) == 0


def test_overview_shows_readiness_scores_and_gaps(app_haven, tmp_path):
    import_bundle(app_haven, SYSTEM, write_bundle(tmp_path / "bundle"))
    manager = make_user(app_haven, "amira", "manager", "harbour-house")
    app = open_app(manager)
    shown = texts(app)
    assert not app.exception
    assert "Harbour House Victim Support" in shown
    assert "Self-assessed" in shown and "Evidence complete" in shown and "Verified" in shown
    assert "No escape plan is linked to 3.2.1" in seen(app)
    links = [(link.proto.label, link.proto.page, link.proto.query_string) for link in app.get("page_link")]
    assert ("Work on 3.2.1 in the self-assessment", "self_assessment", "action=3.2.1") in links, links
    # The bundle's rejected inspection is on the Overview too, with the reviewer's reason.
    assert "Rejected by the reviewer (1)" in seen(app) and "Out of date" in seen(app)


def test_a_gap_link_opens_the_self_assessment_on_that_actions_engagement(app_haven, tmp_path):
    import_bundle(app_haven, SYSTEM, write_bundle(tmp_path / "bundle"))
    manager = make_user(app_haven, "amira", "manager", "harbour-house")
    app = open_app(manager)
    app.query_params["action"] = "3.3.2"
    app.switch_page("views/self_assessment.py").run()
    assert not app.exception
    assert "3.3.2 is in the tab 3.3 Protect victims' data and" in seen(app)
    assert app.tabs[0].label.startswith("3.1") and app.session_state["engagements:1"].startswith("3.3")


def test_sign_in_with_a_wrong_password_is_refused(app_haven):
    make_user(app_haven, "amira", "manager", None)
    app = open_app()
    app.text_input[0].input("amira")
    app.text_input[1].input("not the password at all")
    app.button[0].click().run()
    assert "The user name or password is wrong." in texts(app)
