"""The visible mark on copies that leave Haven: readable at the foot of every PDF page and across every image."""
from __future__ import annotations

import io
from datetime import date

import numpy
import pytest
from fpdf import FPDF
from PIL import Image, ImageChops, ImageStat
from pypdf import PdfReader, PdfWriter

from reports.watermarks import (
    CODE_ALPHABET,
    Watermark,
    WatermarkError,
    clean_recipient,
    mark_file,
    new_code,
    normalise_code,
    watermark_image,
    watermark_pdf,
)

MARK = Watermark(recipient="Amira Haddad", issued_on=date(2026, 12, 1), code="K7Q9-XPD3")
TEXT = "Confidential · Amira Haddad · 2026-12-01 · K7Q9-XPD3"


def pdf_of_pages(*pages: tuple[str, tuple[float, float]]) -> bytes:
    """A PDF whose pages have the given text and size (in points; landscape when wider than tall)."""
    pdf = FPDF(unit="pt")
    for text, size in pages:
        pdf.add_page(format=size)
        pdf.set_font("Helvetica", size=14)
        pdf.set_xy(40, 40)
        pdf.cell(0, 20, text)
    return bytes(pdf.output())


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_every_page_of_a_pdf_carries_the_mark_at_its_foot():
    original = pdf_of_pages(("Escape plan, ground floor", (595, 842)), ("Assembly point", (842, 595)),
                            ("Small leaflet", (200, 300)), ("Poster", (1684, 2384)))
    marked = watermark_pdf(original, MARK)
    texts = page_texts(marked)
    assert len(texts) == 4
    for text, expected in zip(texts, ["Escape plan", "Assembly point", "Small leaflet", "Poster"], strict=True):
        assert expected in text and TEXT in text
    for page in PdfReader(io.BytesIO(marked)).pages:
        assert "/Annots" not in page  # drawn into the page's content, so it prints: not a note on top
        footer = [y for _, y in text_positions(page) if TEXT.split(" · ")[0] in _]
        assert footer and all(y < float(page.mediabox.height) * 0.05 + 10 for y in footer)
    assert TEXT not in "".join(page_texts(original))


def text_positions(page) -> list[tuple[str, float]]:
    found: list[tuple[str, float]] = []
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: found.append((text, tm[5] * cm[3] + cm[5])))
    return found


def test_a_rotated_page_and_a_shifted_page_box_get_the_mark_where_the_reader_sees_the_foot():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_of_pages(("Turned", (595, 842)), ("Shifted", (400, 400))))))
    writer.pages[0].rotate(90)
    writer.pages[1].mediabox.lower_left = (100, 100)
    writer.pages[1].mediabox.upper_right = (500, 500)
    writer.pages[1].cropbox.lower_left = (100, 100)
    writer.pages[1].cropbox.upper_right = (500, 500)
    buffer = io.BytesIO()
    writer.write(buffer)
    marked = watermark_pdf(buffer.getvalue(), MARK)
    assert all(TEXT in text for text in page_texts(marked))
    pages = PdfReader(io.BytesIO(marked)).pages
    assert pages[0].get("/Rotate", 0) == 0 and float(pages[0].mediabox.width) > float(pages[0].mediabox.height)


def test_the_mark_on_a_pdf_is_drawn_where_a_printout_shows_it():
    pdfium = pytest.importorskip("pypdfium2")
    marked = watermark_pdf(pdf_of_pages(("White page", (595, 842))), MARK)
    document = pdfium.PdfDocument(marked)
    image = document[0].render(scale=1).to_pil().convert("L")
    document.close()
    foot = image.crop((0, image.height - 20, image.width, image.height))
    top = image.crop((0, 100, image.width, 120))
    assert ImageStat.Stat(foot).extrema[0][0] < 128  # dark glyphs in the foot
    assert ImageStat.Stat(top).extrema[0][0] == 255  # the page above it is untouched white


def test_a_pdf_that_cannot_be_rewritten_is_not_handed_out_unmarked():
    with pytest.raises(WatermarkError):
        watermark_pdf(b"%PDF-1.7\nnot a real pdf", MARK)


def solid_image(size: tuple[int, int], kind: str = "JPEG", colour=(120, 160, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, kind)
    return buffer.getvalue()


@pytest.mark.parametrize("size", [(2400, 1800), (800, 600), (600, 1600), (6000, 400), (64, 48), (20, 900)])
@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_every_image_gets_a_band_across_its_foot(size, kind):
    original = solid_image(size, kind)
    marked = Image.open(io.BytesIO(watermark_image(original, MARK)))
    assert marked.format == kind
    width, height = marked.size
    assert width >= size[0] and height >= size[1]
    assert abs(width / height - size[0] / size[1]) < 0.05  # enlarged (when tiny) but never distorted
    plain = Image.open(io.BytesIO(original)).convert("RGB").resize(marked.size)
    difference = numpy.asarray(ImageChops.difference(marked.convert("RGB"), plain).convert("L"), dtype=float)
    changed = numpy.flatnonzero(difference.mean(axis=1) > 20)  # the rows the mark changed
    assert changed.size, "no band"
    assert changed.min() > height * 0.75 and changed.max() >= height - 2  # a band at the foot, to the bottom edge
    band = numpy.asarray(marked.convert("L"))[changed.min():, :]
    assert band.max() > 200 and band.mean() < 120  # white letters on a dark band
    letters = numpy.flatnonzero(band.max(axis=0) > 200)
    assert letters[-1] - letters[0] >= min(250, width * 0.4)  # a line of text at a readable size (12 px or more)
    assert changed.size <= height * 0.2 + 1  # the band leaves the picture visible


def test_images_and_pdfs_are_marked_and_other_files_pass_unchanged():
    assert mark_file(b"partner,contact\n", "text/csv", MARK) == b"partner,contact\n"
    assert mark_file(solid_image((300, 200)), "image/jpeg", MARK) != solid_image((300, 200))
    assert TEXT in page_texts(mark_file(pdf_of_pages(("Policy", (595, 842))), "application/pdf", MARK))[0]


def test_codes_are_short_random_and_read_back_however_typed():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(code) == 9 and code[4] == "-" and set(code.replace("-", "")) <= set(CODE_ALPHABET) for code in codes)
    assert normalise_code(" k7q9 xpd3 ") == normalise_code("K7Q9XPD3") == "K7Q9-XPD3"


def test_the_recipient_cannot_smuggle_control_or_direction_characters_into_the_mark():
    assert clean_recipient("eve\u202egnp.exe\n\x1b[31mred") == "evegnp.exe [31mred"
    assert clean_recipient("   ") == "unknown recipient"
    assert len(clean_recipient("x" * 500)) == 60


def test_marking_a_long_pdf_adds_one_small_footer_not_a_copy_per_page():
    original = pdf_of_pages(*[(f"Procedure, page {number}", (595, 842)) for number in range(1, 51)])
    marked = watermark_pdf(original, MARK)
    assert all(TEXT in text for text in page_texts(marked))
    assert len(marked) < len(original) + 60_000
