import io
from datetime import date

import pytest
from PIL import Image
from sqlmodel import select

from services.evidence import NewEvidence
from services.uploads import upload_evidence
from services.users import principal_for, set_membership
from storage.models import Review, User
from tests.app_pages import open_app, texts
from tests.factories import SYSTEM, jpeg_with_gps, make_user, simple_pdf
from tests.support import require_or_skip

PAGE = "views/review_queue.py"
ESCAPE_PLAN = NewEvidence("escape_plan", ("3.2.1",), date(2026, 3, 1), title="Escape plan, ground floor")
INSPECTION = NewEvidence("premises_photos", ("3.2.1",), date(2026, 3, 2), title="On-site inspection of the door",
                         note="<script>alert('x')</script> Door **locks** by itself")


@pytest.fixture
def reviewer(app_haven, organisation):
    return make_user(app_haven, "quinn", "reviewer", "harbour-house", password=None)


def upload(haven, who, organisation, details=ESCAPE_PLAN, data=b"pdf", filename="escape-plan.pdf"):
    data = simple_pdf("Escape plan: exits and assembly point") if data == b"pdf" else data
    return upload_evidence(haven, who, organisation_id=organisation, details=details, data=data, filename=filename)


def button(app, label):
    found = [b for b in app.button if b.label == label]
    assert found, f"no button '{label}' on the page"
    return found[0]


def reviews(haven):
    with haven.session() as session:
        return [(r.status, r.comment, r.reviewer_name) for r in session.exec(select(Review).order_by(Review.id))]


def test_a_reviewer_accepts_the_oldest_item_and_the_queue_moves_on(app_haven, organisation, manager, reviewer):
    upload(app_haven, manager, organisation)
    upload(app_haven, manager, organisation, details=INSPECTION, data=None)
    app = open_app(reviewer, page=PAGE)
    assert not app.exception
    assert app.subheader[0].value == "Escape plan, ground floor"
    assert [c.label for c in app.checkbox][:2] == ["Shows the exits and escape routes", "Shows the assembly point"]
    assert not app.image, "nothing of the file is drawn before the reviewer asks"
    button(app, "Show preview").click().run()
    assert app.image, "the PDF's first page is shown"

    for checkbox in app.checkbox:
        checkbox.check()
    app.text_area[0].input("Clear exits")
    button(app, "Accept").click().run()

    assert not app.exception
    assert reviews(app_haven) == [("accepted", "Clear exits", "quinn")]
    assert "Accepted: Escape plan, ground floor" in texts(app)
    assert app.subheader[0].value == "On-site inspection of the door"
    assert len(app.dataframe[0].value) == 1


def test_accepting_with_the_checklist_unticked_is_refused_until_the_comment_says_why(
        app_haven, organisation, manager, reviewer):
    upload(app_haven, manager, organisation)
    app = open_app(reviewer, page=PAGE)
    assert "Tick every item to accept, or say in the comment why an unticked item does not apply." in texts(app)
    app.checkbox[0].check()
    button(app, "Accept").click().run()
    assert not app.exception
    assert "To accept, tick every checklist item, or say in the comment why the unticked ones" in texts(app)
    assert "“Shows the assembly point”" in texts(app)
    assert reviews(app_haven) == []
    assert app.subheader[0].value == "Escape plan, ground floor"  # still waiting, with what was ticked

    app.text_area[0].input("No assembly point: the refuge is a single flat, staff lead everyone to the street.")
    button(app, "Accept").click().run()
    assert [status for status, _, _ in reviews(app_haven)] == ["accepted"]


def test_a_rejection_needs_a_reason(app_haven, organisation, manager, reviewer):
    upload(app_haven, manager, organisation)
    app = open_app(reviewer, page=PAGE)
    button(app, "Reject").click().run()
    assert "Give the reason for the rejection, so the manager knows what to fix." in texts(app)
    assert reviews(app_haven) == []

    app.text_area[0].input("The plan is not dated")
    button(app, "Reject").click().run()
    assert reviews(app_haven) == [("rejected", "The plan is not dated", "quinn")]
    assert "Nothing is waiting for review." in texts(app)


def test_an_own_upload_is_shown_without_buttons(app_haven, organisation):
    both = make_user(app_haven, "sam", "manager", "harbour-house", is_admin=True, password=None)
    with app_haven.session() as session:
        set_membership(session, SYSTEM, user_id=both.user_id, role="reviewer", organisation_id=None)
        both = principal_for(session, session.get(User, both.user_id))
    upload(app_haven, both, organisation)
    app = open_app(both, page=PAGE)
    assert not app.exception
    assert "Uploaded by you — another reviewer must review it." in texts(app)
    assert not [b for b in app.button if b.label in ("Accept", "Reject")]
    assert not app.checkbox


def test_an_inspection_note_is_shown_as_text_not_markup(app_haven, organisation, manager, reviewer):
    upload(app_haven, manager, organisation, details=INSPECTION, data=None)
    app = open_app(reviewer, page=PAGE)
    assert "On-site inspection record" in texts(app)
    assert "<script>alert('x')</script> Door **locks** by itself" in [t.value for t in app.text]
    assert not app.image


def test_an_image_and_a_csv_are_previewed(app_haven, organisation, manager, reviewer):
    photo = NewEvidence("premises_photos", ("3.2.1",), date(2026, 3, 1), title="Reception")
    rota = NewEvidence("network_agreements", ("3.1.2",), date(2026, 3, 1), title="Partner list")
    upload(app_haven, manager, organisation, details=photo, data=jpeg_with_gps(1600, 1200), filename="reception.jpg")
    upload(app_haven, manager, organisation, details=rota, data=b"partner,contact\nCity Refuge,Jo\n",
           filename="partners.csv")
    app = open_app(reviewer, page=PAGE)
    assert not app.image and not app.code
    button(app, "Show preview").click().run()
    assert len(app.image) == 1 and not app.code
    app.selectbox[0].select_index(1).run()
    assert not app.image, "the preview of the photo is gone once the reviewer moves on"
    button(app, "Show preview").click().run()
    assert app.code[0].value == "partner,contact\nCity Refuge,Jo"
    assert any(b.label == "Download the file" for b in app.get("download_button"))


def test_a_pdf_that_cannot_be_drawn_is_offered_as_a_download(app_haven, organisation, manager, reviewer, monkeypatch):
    import evidence.previews as previews

    upload(app_haven, manager, organisation)
    monkeypatch.setattr(previews, "pdf_first_page_png", lambda data: None)
    app = open_app(reviewer, page=PAGE)
    button(app, "Show preview").click().run()
    assert "This PDF cannot be shown here. Download it to read it." in texts(app)
    assert not app.image
    assert any(b.label == "Download the file" for b in app.get("download_button"))


def test_the_first_page_of_a_pdf_is_drawn_small():
    from evidence.previews import PREVIEW_LONGEST_SIDE_PX, pdf_first_page_png

    require_or_skip(_pdfium_installed(), "pypdfium2 is not installed")
    png = pdf_first_page_png(simple_pdf("First page"))
    assert png.startswith(b"\x89PNG")
    assert max(Image.open(io.BytesIO(png)).size) == PREVIEW_LONGEST_SIDE_PX
    assert pdf_first_page_png(b"%PDF-1.7 not really a pdf") is None


@pytest.mark.parametrize("role", ["manager", "board"])
def test_managers_and_board_members_do_not_get_the_page(app_haven, organisation, role):
    someone = make_user(app_haven, "someone", role, "harbour-house", password=None)
    app = open_app(someone)
    with pytest.raises(ValueError):
        app.switch_page(PAGE)


def _pdfium_installed() -> bool:
    try:
        import pypdfium2  # noqa: F401
    except ImportError:
        return False
    return True


def test_a_new_revision_shows_why_the_last_one_was_rejected(app_haven, organisation, manager, reviewer):
    from services.reviews import review_queue, review_revision
    from services.uploads import upload_revision

    evidence_id = upload(app_haven, manager, organisation)
    with app_haven.session() as session:
        (item,) = review_queue(session, reviewer, organisation_id=organisation)
        review_revision(session, reviewer, revision_id=item.revision_id, status="rejected",
                        comment="Show the <b>assembly point</b>")
    upload_revision(app_haven, manager, evidence_id=evidence_id, issued_on=date(2026, 4, 1), valid_until=None,
                    data=simple_pdf("Escape plan with the assembly point"), filename="escape-plan-v2.pdf")
    app = open_app(reviewer, page=PAGE)
    assert app.warning[0].value == "Revision 1 was rejected by quinn: Show the \\<b\\>assembly point\\</b\\>"
    assert app.selectbox[0].options == ["Escape plan, ground floor (revision 2)"]
    assert "revision 2" in app.caption[1].value
