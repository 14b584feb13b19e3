"""A screen's address opened first on a freshly started server still meets the sign-in gate."""
import pytest

from tests.browser.conftest import open_app

pytestmark = pytest.mark.browser


def test_a_deep_link_on_a_fresh_server_shows_the_sign_in_and_no_page_list(haven_server, page, shots):
    server = haven_server()
    server.manage("create-user", "founder", "--admin", "--password-stdin", stdin="a long enough passphrase\n")
    open_app(page, server, "audit_log")
    shots.take(page, "deep-link")
    assert page.get_by_role("button", name="Sign in").is_visible()
    assert page.get_by_label("User name", exact=True).is_visible()
    navigation_links = page.locator('[data-testid="stSidebarNavLink"]').all_inner_texts()
    assert not any("audit" in text.lower() for text in navigation_links)
