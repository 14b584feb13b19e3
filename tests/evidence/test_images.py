"""Images: metadata stripped by re-encoding, orientation applied, bombs and damage refused."""
from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from evidence.images import check_pixel_count
from tests.evidence import corpus
from tests.evidence.corpus import intake, refusal


def reopen(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture


def test_fixture_jpeg_really_carries_the_metadata():
    original = reopen(corpus.jpeg_with_everything())
    exif = original.getexif()
    assert exif.get(0x0112) == 6
    assert exif.get(0x010F) == corpus.CAMERA_MAKE
    assert exif.get_ifd(0x8825)
    assert {"xmp", "comment", "icc_profile", "photoshop"} <= set(original.info)


def test_jpeg_metadata_is_gone_and_orientation_applied():
    result = intake(corpus.jpeg_with_everything(), "IMG_0001.JPG")
    stored = reopen(result.content)
    assert (result.mime_type, result.extension, result.kind) == ("image/jpeg", ".jpg", "image")
    assert result.display_name == "IMG_0001.jpg"
    assert stored.format == "JPEG"
    assert not stored.getexif()
    for key in ("exif", "xmp", "comment", "icc_profile", "photoshop", "XML:com.adobe.xmp"):
        assert key not in stored.info
    for secret in (
        b"Exif", corpus.CAMERA_MAKE.encode(), corpus.XMP_SECRET.encode(), b"http://ns.adobe.com/xap",
        corpus.COMMENT_SECRET.encode(), corpus.IPTC_SECRET.encode(), b"Photoshop 3.0", b"SecretLens",
    ):
        assert secret not in result.content
    assert result.content.count(b"\xff\xd8") == 1  # no embedded thumbnail JPEG
    # Stored 40x30 with orientation 6 (rotate 90 clockwise to view): upright it is 30x40 and
    # the red corner block moves from top-left to top-right.
    assert stored.size == (30, 40) == (result.width, result.height)
    red, green, blue = stored.convert("RGB").getpixel((27, 2))
    assert red > 200 and blue < 60
    red, green, blue = stored.convert("RGB").getpixel((2, 2))
    assert blue > 200 and red < 60


def test_result_hash_and_thumbnail():
    import hashlib

    result = intake(corpus.jpeg_bytes(corpus.marked_picture(1000, 500)), "wide.jpg")
    assert result.sha256 == hashlib.sha256(result.content).hexdigest()
    thumbnail = reopen(result.thumbnail)
    assert thumbnail.format == "JPEG"
    assert thumbnail.size == (320, 160)
    assert not thumbnail.getexif()


def test_png_text_chunks_are_gone():
    original = corpus.png_with_text_chunks()
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf"):
        assert chunk in original
    result = intake(original, "scan.png")
    stored = reopen(result.content)
    assert (stored.format, result.mime_type, result.extension) == ("PNG", "image/png", ".png")
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP", b"tIME"):
        assert chunk not in result.content
    assert not stored.text and not stored.getexif()
    assert stored.size == (40, 30)
    assert stored.getpixel((2, 2))[:3] == (255, 0, 0)


def test_png_transparency_is_kept_and_thumbnail_flattened():
    picture = Image.new("RGBA", (20, 20), (255, 0, 0, 0))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    result = intake(out.getvalue(), "logo.png")
    assert reopen(result.content).mode == "RGBA"
    assert reopen(result.thumbnail).convert("RGB").getpixel((5, 5)) == pytest.approx((255, 255, 255), abs=3)


@pytest.mark.parametrize("mode", ["P", "L", "1", "I;16"])
def test_png_other_modes_are_accepted(mode):
    out = io.BytesIO()
    Image.new(mode, (12, 8)).save(out, format="PNG")
    result = intake(out.getvalue(), "chart.png")
    assert reopen(result.content).size == (12, 8)
    assert reopen(result.thumbnail).format == "JPEG"


@pytest.mark.parametrize("lossless", [False, True])
def test_webp_stays_webp_without_metadata(lossless):
    exif = Image.Exif()
    exif[0x010F] = corpus.CAMERA_MAKE
    out = io.BytesIO()
    corpus.marked_picture().save(out, format="WEBP", exif=exif, xmp=corpus.XMP_SECRET.encode(), lossless=lossless)
    original = out.getvalue()
    assert b"EXIF" in original and b"XMP " in original
    result = intake(original, "photo.webp")
    stored = reopen(result.content)
    assert (stored.format, result.mime_type, result.extension) == ("WEBP", "image/webp", ".webp")
    assert b"EXIF" not in result.content and b"XMP " not in result.content
    assert corpus.CAMERA_MAKE.encode() not in result.content
    assert stored.size == (40, 30)
    assert (b"VP8L" in result.content) == lossless


def test_heic_becomes_jpeg_without_metadata():
    import pillow_heif

    pillow_heif.register_heif_opener()
    exif = Image.Exif()
    exif[0x010F] = corpus.CAMERA_MAKE
    exif[0x0112] = 6
    out = io.BytesIO()
    corpus.marked_picture().save(out, format="HEIF", exif=exif.tobytes(), quality=90)
    result = intake(out.getvalue(), "IMG_0042.HEIC")
    stored = reopen(result.content)
    assert (stored.format, result.mime_type, result.extension) == ("JPEG", "image/jpeg", ".jpg")
    assert result.display_name == "IMG_0042.jpg"
    assert not stored.getexif()
    assert corpus.CAMERA_MAKE.encode() not in result.content
    assert stored.size == (30, 40)  # turned upright once, not twice
    red, green, blue = stored.convert("RGB").getpixel((27, 2))
    assert red > 200 and blue < 60


def test_decompression_bomb_is_refused_from_the_header(monkeypatch):
    def no_decoding(*args, **kwargs):
        raise AssertionError("the bomb reached the decoder")

    monkeypatch.setattr("evidence.images.Image.open", no_decoding)
    message = refusal(corpus.png_bomb(10_000, 10_000), "innocent.png")
    assert "is 10000 × 10000 pixels, which is 100.0 megapixels; the limit is 50" in message


def test_megapixel_limit_is_a_setting():
    message = refusal(corpus.jpeg_bytes(corpus.marked_picture(100, 100)), max_pixels=5_000)
    assert "0.0 megapixels; the limit is 0.005" in message


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [(9000, 6690, "is 9000 × 6690 pixels, which is 60.2 megapixels; the limit is 50")],
)
def test_megapixel_message(width, height, expected):
    from evidence.errors import IntakeError

    with pytest.raises(IntakeError, match=expected):
        check_pixel_count(width, height, 50_000_000)


def test_jpeg_header_size_is_read_before_decoding():
    big = corpus.jpeg_bytes(Image.new("RGB", (16, 16)))
    start = big.index(b"\xff\xc0")
    forged = bytearray(big)
    struct.pack_into(">HH", forged, start + 5, 20_000, 20_000)
    assert "400.0 megapixels" in refusal(bytes(forged))


def test_webp_header_size_is_read_before_decoding():
    out = io.BytesIO()
    Image.new("RGB", (16, 16)).save(out, format="WEBP", lossless=True)
    data = bytearray(out.getvalue())
    assert data[12:16] == b"VP8L"
    bits = (16_000 - 1) | ((16_000 - 1) << 14)
    struct.pack_into("<I", data, 21, bits)
    assert "256.0 megapixels" in refusal(bytes(data))


def test_truncated_jpeg_is_refused():
    message = refusal(corpus.truncated_jpeg(), "cut.jpg")
    assert "This JPEG image is damaged or incomplete" in message


def test_truncated_png_is_refused():
    out = io.BytesIO()
    Image.effect_noise((128, 128), 50).save(out, format="PNG")
    data = out.getvalue()
    assert "This PNG image is damaged or incomplete" in refusal(data[: len(data) // 2])


def test_jpeg_with_only_a_header_is_refused():
    assert "damaged or incomplete" in refusal(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")


@pytest.mark.parametrize(("fmt", "mode"), [("PNG", "RGBA"), ("PNG", "LA"), ("PNG", "P"), ("WEBP", "RGBA")])
def test_colour_under_fully_transparent_pixels_is_erased(fmt, mode):
    """An "erased" house number (alpha 0, colour kept) must not come back when the alpha is removed."""
    picture = Image.new("RGBA", (32, 32), (0, 90, 0, 255))
    for x in range(4, 28):
        for y in range(10, 20):
            picture.putpixel((x, y), (250, 240, 230, 0))  # erased, colour still there
    if mode == "LA":
        picture = picture.convert("LA")
    elif mode == "P":
        picture = picture.convert("RGB").quantize(4)
        picture.info["transparency"] = picture.getpixel((8, 12))
    out = io.BytesIO()
    picture.save(out, format=fmt, lossless=True, exact=True) if fmt == "WEBP" else picture.save(out, format=fmt)
    hidden = Image.open(io.BytesIO(out.getvalue())).convert("RGBA")
    assert hidden.getpixel((8, 12))[3] == 0 and max(hidden.getpixel((8, 12))[:3]) > 200

    stored = reopen(intake(out.getvalue(), f"erased.{fmt.lower()}").content).convert("RGBA")
    assert stored.getpixel((8, 12)) == (0, 0, 0, 0)
    assert stored.getpixel((1, 1))[3] == 255 and stored.getpixel((1, 1))[1] > 40
