from sqlmodel import select

from services.organisations import current_cycle
from services.ratings import ratings_of_cycle, set_rating
from storage.models import AssessmentCycle
from tests.app_pages import open_app, texts
from tests.factories import SYSTEM, make_organisation, make_user

PAGE = "views/cycles.py"
CONFIRM = "I understand that every rating starts again at not assessed"


def by_label(widgets, label):
    return next(widget for widget in widgets if widget.label == label)


def cycles_in(haven):
    with haven.session() as session:
        return session.exec(select(AssessmentCycle).order_by(AssessmentCycle.id)).all()


def rated_organisation(haven) -> int:
    organisation_id = make_organisation(haven)
    with haven.session() as session:
        for action in ("3.1.1", "3.1.2", "3.3.1"):
            set_rating(session, SYSTEM, organisation_id=organisation_id, action_id=action, rating="met")
    return organisation_id


def test_starting_the_next_cycle_needs_the_confirmation(app_haven):
    rated_organisation(app_haven)
    manager = make_user(app_haven, "amira", "manager", "harbour-house")
    app = open_app(manager, PAGE)
    assert "There is no closed cycle yet" in texts(app)
    by_label(app.button, "Start the next cycle").click().run()
    assert "Tick the confirmation first" in texts(app)
    assert len(cycles_in(app_haven)) == 1


def test_the_next_cycle_starts_and_the_closed_one_is_compared(app_haven):
    organisation_id = rated_organisation(app_haven)
    manager = make_user(app_haven, "amira", "manager", "harbour-house")
    app = open_app(manager, PAGE)
    by_label(app.text_input, "Name of the new cycle").input("Reaccreditation 2027")
    by_label(app.checkbox, CONFIRM).check()
    by_label(app.button, "Start the next cycle").click().run()
    assert not app.exception
    shown = texts(app)
    assert "Reaccreditation 2027 has started" in shown
    old, new = cycles_in(app_haven)
    assert old.closed_on is not None and new.closed_on is None and new.name == "Reaccreditation 2027"
    listing = app.dataframe[0].value
    assert list(listing["Status"]) == ["Closed (read-only)", "Current"]
    comparison = app.dataframe[1].value
    whole = comparison.iloc[0]
    assert whole["Self-assessed"] == "33% → 0%" and whole["Rating"] == "—"
    first_action = comparison[comparison["Id"] == "3.1.1"].iloc[0]
    assert first_action["Rating"] == "Met → Not assessed"
    assert "Readiness now Not ready" in shown and "Self-assessed 0%" in shown
    assert len(app.get("plotly_chart")) == 1
    with app_haven.session() as session:
        set_rating(session, SYSTEM, organisation_id=organisation_id, action_id="3.2.1", rating="met")
        assert current_cycle(session, organisation_id).id == new.id
        assert "3.2.1" not in ratings_of_cycle(session, old.id)


def test_the_board_compares_cycles_but_cannot_start_one(app_haven):
    rated_organisation(app_haven)
    trustee = make_user(app_haven, "trustee", "board", "harbour-house")
    app = open_app(trustee, PAGE)
    assert not app.exception
    assert "Assessment cycles" in texts(app)
    assert not any(button.label == "Start the next cycle" for button in app.button)
    assert "Start the next cycle" not in texts(app)
