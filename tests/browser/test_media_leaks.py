"""Files that reach the browser through Streamlit's /media/… addresses, attacked from outside the session.

Streamlit serves every download (and every picture given to st.image) from its media store at an unguessable
address, to anyone who has the address, until the store drops the file a few page runs later. The address of a
download stays in the browser's download list; so on a shared office computer, the next person could open the
manager's escape plan from the list after the manager signed out. Haven hands a download only to the browser
session it was made for, and sends pictures inside the page itself (no address to reuse).
"""
from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.browser.conftest import choose, click_button, go_to, open_app, sign_in, sign_out
from tests.factories import PASSWORD, write_bundle

pytestmark = pytest.mark.browser

PHOTO = "Reception door — Pictures of premises"  # restricted: a premises photo


def with_people(server, tmp_path):
    server.manage("import", str(write_bundle(tmp_path / "bundle")))
    for name, role in (("amira", "manager"), ("trustee", "board")):
        server.create_user(name, "--role", role, "--org", "harbour-house")
    return server


def test_a_download_address_opens_nothing_for_a_signed_out_browser_or_another_account(
        haven_server, page, browser_context, chromium_browser, tmp_path):
    server = with_people(haven_server(), tmp_path)
    open_app(page, server)
    sign_in(page, "amira", PASSWORD)
    go_to(page, "Evidence library")

    choose(page, "Evidence", PHOTO)
    with page.expect_download() as download:
        click_button(page, "Download revision 1", exact=False)
    copy = download.value.path().read_bytes()
    address = download.value.url
    assert "/media/" in address and Image.open(io.BytesIO(copy)).format == "JPEG"  # the owner gets the photo

    # The owner's own browser may fetch it again while signed in (a browser retrying a download).
    assert page.context.request.get(address).body() == copy

    # Another browser, signed out, with the address (copied from the download list, a proxy log, a screenshot).
    stranger = chromium_browser.new_context()
    try:
        answer = stranger.request.get(address)
        assert answer.status == 404 and answer.body() != copy
        origin, path = address.split("/media/", 1)
        for variant in (f"{origin}//media/{path}", f"{origin}/%6Dedia/{path}", f"{origin}/media/{path}?download=1",
                        f"{origin}/media//{path}", f"{origin}/./media/{path}", f"{origin}/MEDIA/{path}"):
            answer = stranger.request.get(variant)
            assert answer.body() != copy, variant
        assert stranger.request.head(address).status == 404
        # …and signed in as another account of the same organisation (a board member may not open evidence).
        other = stranger.new_page()
        open_app(other, server)
        sign_in(other, "trustee", PASSWORD)
        answer = stranger.request.get(address)
        assert answer.status == 404 and answer.body() != copy
    finally:
        stranger.close()

    # The owner's browser after signing out: the address in its download list opens nothing.
    sign_out(page)
    answer = page.context.request.get(address)
    assert answer.status == 404 and answer.body() != copy
    assert "Traceback" not in server.log_text()


def test_thumbnails_have_no_address_another_browser_could_open(haven_server, page, chromium_browser, tmp_path):
    server = with_people(haven_server(), tmp_path)
    open_app(page, server)
    sign_in(page, "amira", PASSWORD)
    go_to(page, "Evidence library")
    page.get_by_role("tab", name="Photos").click()
    page.get_by_text("Show the photos").click()
    picture = page.get_by_test_id("stImage").locator("img").first
    picture.wait_for()
    source = picture.get_attribute("src")
    assert source.startswith("data:image/"), source  # inside the page: nothing left on the server to fetch

    # Every /media/ address this page holds is refused to a browser that is not signed in.
    addresses = page.evaluate("""() => [...document.querySelectorAll('[src], [href]')]
        .map((node) => node.src || node.href).filter((address) => address.startsWith(location.origin + '/media/'))""")
    icon = page.evaluate("() => document.querySelector('link[rel~=icon]').href")
    assert icon.startswith("data:image/png"), icon  # the page icon too
    stranger = chromium_browser.new_context()
    try:
        for address in addresses:
            assert stranger.request.get(address).status == 404, address
    finally:
        stranger.close()
