"""Attacks on the watermark: a copy that leaves Haven without a visible, traceable mark.

The PDFs are built by hand with the page boxes and content a hostile uploader could write; the mark is looked for
the way a person sees it (the page rendered, the dark band at an image's foot) and by `trace`.
"""
from __future__ import annotations

import io
import json
from datetime import date

import numpy as np
import pypdfium2
import pytest
from PIL import Image

from reports import watermarks
from reports.watermarks import Watermark, watermark_image, watermark_pdf
from services.file_access import issue_watermark, trace
from tests.evidence.corpus import raw_pdf
from tests.factories import make_organisation

MARK = Watermark("amira", date(2026, 1, 2), "ABCD-EFGH")


def one_page(page_keys: bytes, content: bytes = b"0 0 1 rg 10 10 50 50 re f") -> bytes:
    return raw_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                   b"<< /Type /Page /Parent 2 0 R " + page_keys + b" /Contents 4 0 R >>",
                   b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")


def mark_pixels(pdf: bytes) -> int:
    """Pixels of the mark's dark red text on the rendered page (what a viewer or a printer shows)."""
    page = np.asarray(pypdfium2.PdfDocument(pdf)[0].render(scale=2).to_pil().convert("RGB")).astype(int)
    red, green, blue = page[..., 0], page[..., 1], page[..., 2]
    return int(((red > 60) & (red < 200) & (green < 80) & (blue < 80)).sum())


def page_text(pdf: bytes) -> str:
    page = pypdfium2.PdfDocument(pdf)[0]
    return page.get_textpage().get_text_range()


@pytest.mark.parametrize("page_keys, content", [
    (b"/MediaBox [0 0 300 400]", b"0 0 1 rg 10 10 50 50 re f"),
    (b"/MediaBox [0 0 300 400] /CropBox [0 -200 300 400]", b""),  # the crop box reaches below the page
    (b"/MediaBox [300 400 0 0]", b""),  # corners written the other way round
    (b"/MediaBox [0 0 300 400] /CropBox [300 400 0 0]", b""),
    (b"/MediaBox [1000 1000 1300 1400]", b""),  # a page far from the origin
    (b"/MediaBox [0 0 300 400]", b"0 0 1 rg 10 10 50 50 re f Q Q Q 0 0 0 0 re W n"),  # pops the wrapper, clips all
    (b"/MediaBox [0 0 300 400]", b"BT 3 Tr"),  # a text object left open, invisible text mode
], ids=["plain", "crop-below-page", "reversed-media", "reversed-crop", "far-from-origin", "unbalanced-Q-clip",
        "open-text"])
def test_every_page_shows_the_mark_whatever_its_boxes_and_content(page_keys, content):
    plain = one_page(page_keys, content or b"0 0 1 rg 10 10 50 50 re f")
    marked = watermark_pdf(plain, MARK)
    assert mark_pixels(marked) > 300, "the footer is drawn where the viewer shows it"
    assert MARK.code in page_text(marked)
    assert mark_pixels(plain) == 0


def test_a_turned_page_shows_the_mark_at_the_foot_the_reader_sees():
    marked = watermark_pdf(one_page(b"/MediaBox [0 0 300 400] /Rotate 90"), MARK)
    page = np.asarray(pypdfium2.PdfDocument(marked)[0].render(scale=2).to_pil().convert("RGB")).astype(int)
    dark_red = (page[..., 0] > 60) & (page[..., 0] < 200) & (page[..., 1] < 80) & (page[..., 2] < 80)
    rows = np.nonzero(dark_red.any(axis=1))[0]
    assert page.shape[1] > page.shape[0] and rows.min() > 0.9 * page.shape[0]


def _png(size) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 200, 200)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("size", [(1, 1), (8000, 10), (10, 8000), (4000, 3), (20, 900), (640, 480)])
def test_an_image_of_any_shape_carries_the_whole_mark_code_included(size):
    """The band's text is read back by the OCR model: the code, not a clipped part of it, is on the copy."""
    from privacy.scan import read_text

    marked = Image.open(io.BytesIO(watermark_image(_png(size), MARK))).convert("RGB")
    pixels = np.asarray(marked.convert("L")).astype(int)
    dark_rows = np.nonzero(pixels.mean(axis=1) < 120)[0]
    assert dark_rows.size and dark_rows.max() >= marked.height - 2, "a dark band at the foot"
    band = marked.crop((0, int(dark_rows.min()), marked.width, marked.height))
    if band.width > 1600:  # the reader works on a copy at most 960 pixels long: read the middle, where the mark is
        band = band.crop((band.width // 2 - 400, 0, band.width // 2 + 400, band.height))
    band = band.resize((band.width * 2, band.height * 2))
    read = "".join(region.text or "" for region in read_text(band)).replace(" ", "").upper()
    assert "ABCD" in read and "EFGH" in read, read


def test_two_copies_never_share_a_code_even_when_the_random_draw_repeats(sqlite_haven, monkeypatch):
    haven = sqlite_haven
    organisation_id = make_organisation(haven)
    draws = iter(["AAAA-AAAA", "AAAA-AAAA", "BBBB-BBBB"])
    monkeypatch.setattr(watermarks, "new_code", lambda: next(draws))
    with haven.session() as session:
        first = issue_watermark(session, actor="amira", recipient="Assessor One", purpose="export",
                                organisation_id=organisation_id, evidence_ids=[])
    with haven.session() as session:
        second = issue_watermark(session, actor="amira", recipient="Assessor Two", purpose="export",
                                 organisation_id=organisation_id, evidence_ids=[])
    assert (first.code, second.code) == ("AAAA-AAAA", "BBBB-BBBB")
    with haven.session() as session:
        assert trace(session, "aaaa aaaa").recipient == "Assessor One"
        assert trace(session, "bbbb-bbbb").recipient == "Assessor Two"


def test_a_made_up_code_traces_to_nobody(sqlite_haven):
    haven = sqlite_haven
    with haven.session() as session:
        assert trace(session, "ZZZZ-ZZZZ") is None
        assert trace(session, "' OR 1=1 --") is None


def test_a_gallery_thumbnail_that_leaves_carries_the_mark(sqlite_haven):
    from sqlmodel import select

    from services.evidence import NewEvidence, read_thumbnails
    from services.uploads import upload_evidence
    from storage.models import AuditEntry, EvidenceRevision
    from tests.factories import make_user

    haven = sqlite_haven
    organisation_id = make_organisation(haven)
    manager = make_user(haven, "amira", "manager", "harbour-house")
    upload_evidence(haven, manager, organisation_id=organisation_id, data=_png((640, 480)), filename="door.png",
                    details=NewEvidence("premises_photos", ("3.2.1",), date.today(), title="Front door"))
    with haven.session() as session:
        revision = session.exec(select(EvidenceRevision)).one()
        stored = haven.store.get(revision.thumbnail_key)
    handed_out = read_thumbnails(haven, manager, organisation_id=organisation_id, revision_ids=[revision.id])
    assert handed_out[revision.id] != stored
    with haven.session() as session:
        (viewing,) = session.exec(select(AuditEntry).where(AuditEntry.action == "evidence.thumbnails")).all()
        found = trace(session, json.loads(viewing.detail)["watermark"])
        assert haven.store.get(revision.thumbnail_key) == stored  # the stored thumbnail stays clean
    assert found.recipient and found.evidence_ids == (revision.evidence_id,)
    marked = np.asarray(Image.open(io.BytesIO(handed_out[revision.id])).convert("L"))
    assert (marked[-10:] < 60).mean() > 0.3  # the dark band at the foot that carries the mark
