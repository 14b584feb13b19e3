from bundles.importer import import_bundle
from tests.app_pages import open_app, texts
from tests.factories import SYSTEM, make_organisation, make_user, write_bundle
from ui.navigation import pages_for

PAGE = "views/network.py"


def network_pages(principal, organisation_id):
    return [entry.path for entry in pages_for(principal, organisation_id) if entry.path == PAGE]


def test_a_network_board_compares_every_organisation(app_haven, tmp_path):
    import_bundle(app_haven, SYSTEM, write_bundle(tmp_path / "bundle"))
    make_organisation(app_haven, "north-light", "North Light Support")
    network_board = make_user(app_haven, "nell", "board", None)
    app = open_app(network_board, PAGE)
    assert not app.exception
    shown = texts(app)
    assert "Organisations 2" in shown and "Ready 0 of 2" in shown and "Not ready 2 of 2" in shown
    assert len(app.get("plotly_chart")) == 1
    bands = app.table[0].value  # the chart's text equivalent
    assert list(bands["Score"])[0] == "0–10%" and sum(int(n) for n in bands["Organisations"]) == 2
    table = app.dataframe[0].value
    assert list(table["name"]) == ["North Light Support", "Harbour House Victim Support"]  # furthest from ready first
    assert list(table["readiness"]) == ["Not ready", "Not ready"]
    assert table["verified"].iloc[0] == 0.0


def test_the_network_page_is_only_for_network_members_and_admins(app_haven):
    organisation_id = make_organisation(app_haven)
    local_board = make_user(app_haven, "trustee", "board", "harbour-house")
    local_manager = make_user(app_haven, "amira", "manager", "harbour-house")
    network_reviewer = make_user(app_haven, "quinn", "reviewer", None)
    admin = make_user(app_haven, "root", None, None, is_admin=True)
    assert network_pages(local_board, organisation_id) == []
    assert network_pages(local_manager, organisation_id) == []
    assert network_pages(network_reviewer, organisation_id) == [PAGE]
    assert network_pages(admin, organisation_id) == [PAGE]
    app = open_app(admin, PAGE)
    assert not app.exception and "Organisations 1" in texts(app)
