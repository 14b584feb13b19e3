"""Attacks on the privacy guard: a house number that reaches storage legible without a recorded decision.

Each test builds its hostile file itself and looks at what was stored the way a person could: with the
alpha removed, on a dark page, rendered from the PDF. A test that passes means the defence holds.
"""
from __future__ import annotations

import io
import zlib
from datetime import date

import pypdfium2
import pytest
from PIL import Image, ImageDraw, ImageFont
from sqlmodel import select

from evidence.errors import IntakeError
from evidence.intake import run_intake
from privacy.engines import warm_up
from privacy.model import Box, RegionKind
from privacy.scan import scan_image
from services.evidence import NewEvidence
from services.uploads import upload_evidence
from storage.models import Evidence
from tests.evidence.corpus import exif_block, insert_jpeg_segment, raw_pdf
from tests.factories import make_organisation, make_user

MB = 1024 * 1024
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
ADDRESS = "27 Harbour Road"


@pytest.fixture(scope="module", autouse=True)
def engines():
    warm_up()


def sign(size=(420, 120), height=48, ink=0, paper=255, mode="L") -> Image.Image:
    picture = Image.new(mode, size, paper)
    ImageDraw.Draw(picture).text((20, (size[1] - height) // 2), ADDRESS, font=ImageFont.truetype(BOLD, height),
                                 fill=ink)
    return picture


def png(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def intake(data: bytes, name: str = "upload"):
    return run_intake(data, name, max_bytes=25 * MB, max_pixels=50_000_000)


def sensitive_text(picture: Image.Image) -> list[str]:
    """What the reader finds to blur in `picture`, as a person would see it."""
    return [region.text for region in scan_image(picture.convert("RGB")).regions
            if region.kind is RegionKind.SENSITIVE_TEXT]


def on(picture: Image.Image, colour) -> Image.Image:
    rgba = picture.convert("RGBA")
    background = Image.new("RGB", rgba.size, colour)
    background.paste(rgba, (0, 0), rgba)
    return background


def test_the_sign_itself_is_read_as_an_address():
    assert sensitive_text(sign()), "the attacks below hide this sign; the reader must find it in plain view"


# --- transparency -----------------------------------------------------------------------------------------------


def test_colour_under_nearly_transparent_pixels_is_blurred_not_stored_legible():
    """Alpha 1 everywhere: the picture looks empty on white, and removing the alpha shows the address."""
    hidden = sign().convert("RGBA")
    hidden.putalpha(1)
    assert not sensitive_text(on(hidden, (255, 255, 255))), "invisible on white: the old scan saw nothing"
    result = intake(png(hidden))
    stored = Image.open(io.BytesIO(result.content))
    assert result.privacy.count(RegionKind.SENSITIVE_TEXT) >= 1 and result.privacy.blurred >= 1
    assert not sensitive_text(stored.convert("RGBA").convert("RGB"))  # alpha removed


@pytest.mark.parametrize("mode", ["RGBA", "LA"])
def test_text_cut_into_the_alpha_channel_is_blurred(mode):
    """White everywhere, the address only in the alpha channel: blank on white, plain on a dark page."""
    alpha = sign()
    hidden = Image.new(mode, alpha.size, (255,) * len(mode))
    hidden.putalpha(alpha)
    assert sensitive_text(on(hidden, (0, 0, 0)))
    result = intake(png(hidden))
    stored = Image.open(io.BytesIO(result.content))
    assert result.privacy.blurred >= 1
    assert not sensitive_text(on(stored, (0, 0, 0))) and not sensitive_text(on(stored, (255, 255, 255)))


# --- shape: long, thin and sideways pictures ----------------------------------------------------------------------


def test_an_address_in_a_long_panorama_is_found_and_blurred():
    panorama = Image.new("L", (8000, 200), 230)
    panorama.paste(sign(), (5000, 40))
    result = intake(png(panorama))
    boxes = [region.box for region in result.privacy.regions if region.kind is RegionKind.SENSITIVE_TEXT]
    assert any(box.intersection(Box(5020, 76, 380, 48)) > 0 for box in boxes)
    stored = Image.open(io.BytesIO(result.content))
    assert not sensitive_text(stored.crop((4900, 0, 5500, 200)))


def test_a_thin_strip_is_scanned_not_waved_through():
    strip = sign(size=(300, 26), height=20)
    result = intake(png(strip))
    assert result.privacy.images_scanned == 1 and result.privacy.count(RegionKind.SENSITIVE_TEXT) >= 1
    stored = Image.open(io.BytesIO(result.content))
    padded = Image.new("L", (300, 120), 255)
    padded.paste(stored, (0, 47))
    readings = [region.text or "" for region in scan_image(padded.convert("RGB")).regions]
    assert not any("27" in text or "arbour" in text or "Road" in text for text in readings), readings


_INVERSE = {5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE,
            8: Image.Transpose.ROTATE_270}


@pytest.mark.parametrize("orientation", [5, 6, 7, 8])
def test_a_sideways_photo_is_blurred_where_the_address_is_when_upright(orientation):
    upright = Image.new("L", (640, 360), 200)
    upright.paste(sign(), (180, 200))
    stored_as = upright.transpose(_INVERSE[orientation]).convert("RGB")
    out = io.BytesIO()
    stored_as.save(out, "JPEG", quality=92)
    thumb = io.BytesIO()
    stored_as.resize((32, 32)).save(thumb, "JPEG")
    jpeg = insert_jpeg_segment(out.getvalue(), 0xE1, exif_block(orientation, thumb.getvalue()))
    result = intake(jpeg, "door.jpg")
    stored = Image.open(io.BytesIO(result.content))
    assert stored.size == (640, 360) and not stored.getexif()
    boxes = [region.box for region in result.privacy.regions if region.kind is RegionKind.SENSITIVE_TEXT]
    assert any(box.intersection(Box(200, 236, 380, 48)) > 0.5 * 380 * 48 for box in boxes)
    assert not sensitive_text(stored)
    assert not sensitive_text(Image.open(io.BytesIO(result.thumbnail)).resize((640, 360)))


# --- PDFs: pictures that are not image objects of their own ---------------------------------------------------------


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(data)
    return b"<< /Filter /FlateDecode /Length %d %s>>\nstream\n" % (len(packed), extra) + packed + b"\nendstream"


def _page_pdf(content: bytes, xobjects: bytes = b"", *more: bytes) -> bytes:
    return raw_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                   b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 500 200] /Resources << /XObject << " + xobjects
                   + b" >> >> /Contents 4 0 R >>", _stream(content), *more)


def _rendered(pdf: bytes) -> Image.Image:
    return pypdfium2.PdfDocument(pdf)[0].render(scale=1.5).to_pil()


_W, _H = 420, 120
_DRAW = b"q 420 0 0 120 40 40 cm /Im1 Do Q"


def stencil_pdf() -> bytes:
    """The address as a 1-bit stencil mask painted in black: no image object the cleaner re-encodes."""
    bits = sign().point(lambda value: 255 if value > 128 else 0).convert("1")
    return _page_pdf(_DRAW, b"/Im1 5 0 R", _stream(bits.tobytes(), b"/Type /XObject /Subtype /Image /Width 420 "
                                                    b"/Height 120 /ImageMask true /BitsPerComponent 1 /Decode [1 0]"))


def soft_mask_drawn_pdf() -> bytes:
    """A grey picture of the address named as another picture's soft mask (so it was skipped), and drawn too."""
    grey = _stream(sign().tobytes(), b"/Type /XObject /Subtype /Image /Width 420 /Height 120 "
                                     b"/ColorSpace /DeviceGray /BitsPerComponent 8")
    decoy = _stream(bytes([128]) * 4, b"/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray "
                                      b"/BitsPerComponent 8 /SMask 5 0 R")
    return _page_pdf(_DRAW, b"/Im1 5 0 R /Im2 6 0 R", grey, decoy)


def inline_pdf(picture: Image.Image) -> bytes:
    """The picture written into the page content itself (BI … ID … EI), as hex."""
    return _page_pdf(b"q 420 0 0 120 40 40 cm BI /W %d /H %d /CS /G /BPC 8 /F /AHx ID\n" % picture.size
                     + picture.tobytes().hex().encode() + b">\nEI Q")


def inline_in_pattern_pdf() -> bytes:
    """The inline picture inside a tiling pattern that fills the page, not in the page's own content."""
    pattern = _stream(b"q 420 0 0 120 0 0 cm BI /W 420 /H 120 /CS /G /BPC 8 /F /AHx ID\n"
                      + sign().tobytes().hex().encode() + b">\nEI Q",
                      b"/Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 420 120] "
                      b"/XStep 420 /YStep 120 /Resources << >>")
    return raw_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                   b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 120] /Resources << /Pattern << /P1 5 0 R >> >> "
                   b"/Contents 4 0 R >>", _stream(b"/Pattern cs /P1 scn 0 0 420 120 re f"), pattern)


@pytest.mark.parametrize("make", [stencil_pdf, soft_mask_drawn_pdf, lambda: inline_pdf(sign()),
                                  inline_in_pattern_pdf],
                         ids=["stencil", "soft-mask-drawn", "inline", "inline-in-pattern"])
def test_an_address_in_a_pdf_picture_the_cleaner_cannot_blur_is_refused(make):
    pdf = make()
    assert sensitive_text(_rendered(pdf)), "the page shows the address"
    with pytest.raises(IntakeError) as refused:
        intake(pdf, "procedure.pdf")
    assert refused.value.code == "privacy" and "Print it to a new PDF" in refused.value.message


def test_a_harmless_inline_picture_is_still_accepted():
    stripes = Image.new("L", (_W, _H), 255)
    ImageDraw.Draw(stripes).rectangle((0, 0, 419, 10), fill=0)
    result = intake(inline_pdf(stripes), "procedure.pdf")
    assert result.kind == "pdf"


def test_a_pdf_refused_for_a_hidden_picture_leaves_nothing_stored(sqlite_haven):
    haven = sqlite_haven
    organisation_id = make_organisation(haven)
    manager = make_user(haven, "amira", "manager", "harbour-house")
    before = list(haven.store.keys())
    with pytest.raises(IntakeError):
        upload_evidence(haven, manager, organisation_id=organisation_id, data=stencil_pdf(), filename="plan.pdf",
                        details=NewEvidence("escape_plan", ("3.2.1",), date.today(), title="Escape plan"))
    assert list(haven.store.keys()) == before
    with haven.session() as session:
        assert session.exec(select(Evidence)).all() == []
