"""Premises "photographs" drawn with Pillow, carrying the camera EXIF a phone would leave.

The pictures are simple shapes made to look photographed (soft edges, uneven light, grain).
Each JPEG deliberately carries Make/Model, the capture time and GPS coordinates, so the demo
shows Haven's intake stripping them. The coordinates point at open water in an estuary:
no real address.
"""
from __future__ import annotations

import io
import random
from datetime import date, datetime, time

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

SIZE = (1600, 1200)
JPEG_QUALITY = 80
GRAIN = 10
CAMERA_MAKE = "Harbourcam"
CAMERA_MODEL = "HC-12 Pro"
CAMERA_SOFTWARE = "HC-12 Pro camera 4.2.1"
LATITUDE = (53.6851, "N")
LONGITUDE = (0.2012, "W")

# EXIF tag numbers (TIFF/EXIF 2.3).
_MAKE, _MODEL, _ORIENTATION, _SOFTWARE, _DATETIME = 0x010F, 0x0110, 0x0112, 0x0131, 0x0132
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATETIME_ORIGINAL, _DATETIME_DIGITIZED, _EXPOSURE, _FNUMBER, _ISO, _FOCAL = 0x9003, 0x9004, 0x829A, 0x829D, 0x8827, 0x920A
_GPS_VERSION, _GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON, _GPS_ALT_REF, _GPS_ALT = 0, 1, 2, 3, 4, 5, 6

Color = tuple[int, int, int]


def reception_photo(*, issued_on: date, rng: random.Random, **_) -> bytes:
    """A wide shot of the reception: desk behind glass, the locked inner door, keypad, CCTV notice."""
    picture = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(picture)
    vanish = (800, 500)
    back = (250, 170, 1350, 820)
    _room(draw, back, wall=(208, 196, 176), side=(190, 178, 158), ceiling=(232, 230, 224), floor=(92, 98, 108))
    _floor_tiles(picture, back, vanish)
    _ceiling_lights(picture)
    _shadow(picture, (190, 900, 880, 1010))
    _shadow(picture, (1120, 960, 1540, 1040), 90)
    _shadow(picture, (20, 1000, 200, 1050), 90)
    draw = ImageDraw.Draw(picture)
    _skirting(draw, back)
    _door(draw, (880, 360, 1080, 820), colour=(62, 86, 96))
    _maglock(draw, (930, 342, 1030, 358))
    _keypad(draw, (1108, 540, 1160, 626), scale=0.35)
    _sign(draw, (912, 450, 1048, 520), (196, 40, 36), ["STAFF ONLY", "Door kept locked"], text=(255, 255, 255), size=15)
    _cctv_sign(draw, (1190, 430, 1310, 580), size=14)
    _camera_dome(draw, (1290, 186), radius=28)
    _reception_desk(draw)
    _notice_board(draw, (120, 360, 230, 520), rng)
    _plant(draw, (110, 905), rng)
    for x in (1200, 1330, 1460):
        _chair(draw, x, 1010, rng)
    return _finish(picture, issued_on, rng, blur=1.3)


def keypad_photo(*, issued_on: date, rng: random.Random, **_) -> bytes:
    """A close-up of the door entry keypad and intercom beside the staff entrance."""
    picture = Image.new("RGB", SIZE)
    _vertical_gradient(picture, (0, 0, 1600, 1200), (214, 203, 184), (176, 164, 144))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, 330, 1200), fill=(238, 236, 230))
    draw.rectangle((60, 0, 300, 1200), fill=(70, 92, 102))
    draw.rectangle((290, 0, 330, 1200), fill=(222, 220, 214))
    draw.rounded_rectangle((120, 520, 150, 760), radius=12, fill=(170, 172, 176))
    _keypad(draw, (620, 230, 1020, 930), scale=2.6)
    _sign(draw, (560, 990, 1080, 1110), (250, 250, 246),
          ["Visitors by appointment only.", "Please ring and wait to be let in."], text=(40, 40, 40), size=30)
    return _finish(picture, issued_on, rng, blur=1.0, vignette=0.35)


def cctv_photo(*, issued_on: date, rng: random.Random, **_) -> bytes:
    """The CCTV notice on the waiting-room wall, with the ceiling camera above it."""
    picture = Image.new("RGB", SIZE)
    _vertical_gradient(picture, (0, 0, 1600, 1200), (222, 212, 194), (186, 174, 154))
    draw = ImageDraw.Draw(picture)
    draw.polygon([(0, 0), (1600, 0), (1600, 150), (0, 230)], fill=(236, 234, 228))
    draw.line([(0, 230), (1600, 150)], fill=(196, 192, 184), width=4)
    _camera_dome(draw, (1180, 190), radius=90)
    _cctv_sign(draw, (470, 340, 1010, 1020), size=54)
    draw.rectangle((0, 1120, 1600, 1200), fill=(96, 100, 108))
    draw.rectangle((0, 1100, 1600, 1122), fill=(236, 232, 224))
    for x in (1180, 1400):
        _chair(draw, x, 1230, rng, scale=1.6)
    return _finish(picture, issued_on, rng, blur=1.1, vignette=0.4)


MAKERS = {"reception_photo": reception_photo, "keypad_photo": keypad_photo, "cctv_photo": cctv_photo}


def _room(draw: ImageDraw.ImageDraw, back, *, wall: Color, side: Color, ceiling: Color, floor: Color) -> None:
    left, top, right, bottom = back
    width, height = SIZE
    draw.rectangle(back, fill=wall)
    draw.polygon([(0, 0), (width, 0), (right, top), (left, top)], fill=ceiling)
    draw.polygon([(0, 0), (left, top), (left, bottom), (0, height)], fill=side)
    draw.polygon([(width, 0), (right, top), (right, bottom), (width, height)], fill=_shade(side, 0.92))
    draw.polygon([(left, bottom), (right, bottom), (width, height), (0, height)], fill=floor)


def _floor_tiles(picture: Image.Image, back, vanish) -> None:
    """Carpet-tile seams converging on the vanishing point, drawn on the floor only."""
    left, _, right, bottom = back
    width, height = SIZE
    seams = Image.new("L", SIZE, 0)
    draw = ImageDraw.Draw(seams)
    for step in range(-8, 17):
        x_back = left + step * (right - left) / 8
        slope = (x_back - vanish[0]) / (bottom - vanish[1])
        draw.line([(x_back, bottom), (x_back + slope * (height - bottom), height)], fill=255, width=2)
    y, gap = float(bottom), 18.0
    while y < height:
        draw.line([(0, y), (width, y)], fill=255, width=2)
        gap *= 1.35
        y += gap
    floor = Image.new("L", SIZE, 0)
    ImageDraw.Draw(floor).polygon([(left, bottom), (right, bottom), (width, height), (0, height)], fill=70)
    picture.paste(Image.new("RGB", SIZE, (40, 44, 52)), (0, 0), ImageChops.multiply(seams, floor))


def _shadow(picture: Image.Image, box, strength: int = 120) -> None:
    mask = Image.new("L", SIZE, 0)
    ImageDraw.Draw(mask).ellipse(box, fill=strength)
    picture.paste(Image.new("RGB", SIZE, (20, 20, 24)), (0, 0), mask.filter(ImageFilter.GaussianBlur(18)))


def _ceiling_lights(picture: Image.Image) -> None:
    glow = Image.new("L", SIZE, 0)
    draw = ImageDraw.Draw(glow)
    for x0, x1, y0, y1 in ((520, 700, 70, 110), (900, 1080, 70, 110), (590, 700, 132, 150), (900, 1010, 132, 150)):
        draw.rectangle((x0, y0, x1, y1), fill=255)
    halo = glow.filter(ImageFilter.GaussianBlur(50)).point(lambda v: min(255, v * 3))
    light = ImageChops.lighter(glow, halo)
    picture.paste(Image.new("RGB", SIZE, (255, 252, 240)), (0, 0), light)


def _skirting(draw: ImageDraw.ImageDraw, back) -> None:
    left, _, right, bottom = back
    draw.rectangle((left, bottom - 16, right, bottom), fill=(236, 232, 224))
    draw.polygon([(0, SIZE[1] - 40), (left, bottom - 14), (left, bottom), (0, SIZE[1])], fill=(226, 222, 214))


def _door(draw: ImageDraw.ImageDraw, box, *, colour: Color) -> None:
    left, top, right, bottom = box
    draw.rectangle((left - 14, top - 14, right + 14, bottom), fill=(236, 234, 228))
    draw.rectangle(box, fill=colour)
    draw.rectangle((left, top, left + 6, bottom), fill=_shade(colour, 1.25))
    glass = (left + 50, top + 30, right - 50, top + 80)
    draw.rectangle(glass, fill=(150, 176, 184), outline=(40, 50, 56), width=3)
    for x in range(glass[0] + 10, glass[2], 12):
        draw.line([(x, glass[1]), (x, glass[3])], fill=(120, 140, 146), width=1)
    for y in range(glass[1] + 10, glass[3], 12):
        draw.line([(glass[0], y), (glass[2], y)], fill=(120, 140, 146), width=1)
    draw.rounded_rectangle((right - 46, top + 220, right - 18, top + 236), radius=6, fill=(200, 202, 206))
    draw.rectangle((right - 34, top + 244, right - 26, top + 262), fill=(150, 152, 156))
    draw.rectangle((left - 2, top + 8, right + 2, top + 18), fill=(48, 50, 54))


def _maglock(draw: ImageDraw.ImageDraw, box) -> None:
    draw.rectangle(box, fill=(170, 172, 176), outline=(110, 112, 116), width=2)
    draw.ellipse((box[2] - 14, box[1] + 4, box[2] - 6, box[1] + 12), fill=(40, 200, 90))


def _keypad(draw: ImageDraw.ImageDraw, box, *, scale: float) -> None:
    left, top, right, bottom = box
    width = right - left
    draw.rounded_rectangle((left + 4 * scale, top + 6 * scale, right + 4 * scale, bottom + 6 * scale),
                           radius=int(8 * scale), fill=(120, 112, 98))
    draw.rounded_rectangle(box, radius=int(8 * scale), fill=(186, 190, 194), outline=(120, 124, 128),
                           width=max(1, int(2 * scale)))
    inner = int(width * 0.12)
    speaker_top = top + inner
    for row in range(4):
        for col in range(6):
            cx = left + width * (0.28 + col * 0.09)
            cy = speaker_top + row * width * 0.05
            r = max(1, width * 0.012)
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(60, 62, 66))
    lens_y = speaker_top + width * 0.27
    lens_r = width * 0.06
    draw.ellipse((left + width / 2 - lens_r, lens_y - lens_r, left + width / 2 + lens_r, lens_y + lens_r),
                 fill=(22, 24, 28), outline=(90, 94, 98), width=max(1, int(2 * scale)))
    led_r = width * 0.025
    draw.ellipse((right - inner - led_r * 2, lens_y - led_r, right - inner, lens_y + led_r), fill=(220, 40, 40))
    keys_top = lens_y + width * 0.16
    key = (width - 2 * inner) / 3
    font = _font(int(30 * scale)) if scale >= 1 else None
    labels = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"]
    for index, label in enumerate(labels):
        col, row = index % 3, index // 3
        kx = left + inner + col * key
        ky = keys_top + row * key * 0.78
        if ky + key * 0.7 > bottom - inner * 1.6:
            break
        draw.rounded_rectangle((kx + key * 0.1, ky, kx + key * 0.9, ky + key * 0.62), radius=int(4 * scale) or 1,
                               fill=(70, 74, 80))
        if font is not None:
            draw.text((kx + key / 2, ky + key * 0.31), label, font=font, fill=(236, 236, 236), anchor="mm")
    bell_top = bottom - inner * 1.4
    draw.rounded_rectangle((left + inner, bell_top, right - inner, bottom - inner * 0.4), radius=int(6 * scale) or 1,
                           fill=(40, 96, 170))
    if font is not None:
        draw.text((left + width / 2, (bell_top + bottom - inner * 0.4) / 2), "PRESS TO CALL", font=_font(int(13 * scale)),
                  fill=(255, 255, 255), anchor="mm")


def _sign(draw: ImageDraw.ImageDraw, box, fill: Color, lines: list[str], *, text: Color, size: int) -> None:
    draw.rectangle(box, fill=fill, outline=_shade(fill, 0.7), width=2)
    font = _font(size)
    centre_x = (box[0] + box[2]) / 2
    line_height = size * 1.35
    first = (box[1] + box[3]) / 2 - line_height * (len(lines) - 1) / 2
    for index, line in enumerate(lines):
        draw.text((centre_x, first + index * line_height), line, font=font, fill=text, anchor="mm")


def _cctv_sign(draw: ImageDraw.ImageDraw, box, *, size: int) -> None:
    left, top, right, bottom = box
    width, height = right - left, bottom - top
    draw.rectangle((left + 6, top + 8, right + 6, bottom + 8), fill=(150, 140, 120))
    draw.rectangle(box, fill=(250, 206, 28), outline=(30, 30, 30), width=max(2, size // 7))
    body = (left + width * 0.28, top + height * 0.12, left + width * 0.68, top + height * 0.3)
    draw.rounded_rectangle(body, radius=max(2, size // 5), fill=(24, 24, 24))
    draw.polygon([(body[2], body[1] + (body[3] - body[1]) * 0.2), (body[2] + width * 0.1, body[1]),
                  (body[2] + width * 0.1, body[3]), (body[2], body[3] - (body[3] - body[1]) * 0.2)], fill=(24, 24, 24))
    draw.rectangle((left + width * 0.4, body[3], left + width * 0.45, top + height * 0.38), fill=(24, 24, 24))
    font = _font(size)
    small = _font(max(8, int(size * 0.42)))
    centre = (left + right) / 2
    draw.text((centre, top + height * 0.5), "CCTV", font=font, fill=(24, 24, 24), anchor="mm")
    draw.text((centre, top + height * 0.62), "IN OPERATION", font=_font(int(size * 0.62)), fill=(24, 24, 24), anchor="mm")
    for index, line in enumerate(("Images are recorded for the", "safety of visitors and staff.", "Harbour House Victim Support")):
        draw.text((centre, top + height * (0.76 + index * 0.075)), line, font=small, fill=(24, 24, 24), anchor="mm")


def _camera_dome(draw: ImageDraw.ImageDraw, centre, *, radius: int) -> None:
    x, y = centre
    draw.rectangle((x - radius * 1.2, y - radius * 0.55, x + radius * 1.2, y - radius * 0.35), fill=(236, 236, 234))
    draw.pieslice((x - radius, y - radius, x + radius, y + radius), 0, 180, fill=(44, 46, 52))
    draw.ellipse((x - radius * 0.3, y + radius * 0.25, x + radius * 0.1, y + radius * 0.6), fill=(90, 96, 110))


def _reception_desk(draw: ImageDraw.ImageDraw) -> None:
    draw.polygon([(300, 470), (700, 470), (700, 650), (300, 650)], fill=(196, 214, 220))
    draw.line([(340, 480), (420, 640)], fill=(226, 236, 240), width=6)
    draw.line([(520, 480), (580, 600)], fill=(226, 236, 240), width=4)
    draw.rectangle((296, 462, 704, 472), fill=(150, 154, 158))
    draw.rectangle((560, 560, 660, 640), fill=(30, 32, 36))
    draw.rectangle((600, 640, 620, 660), fill=(30, 32, 36))
    draw.polygon([(240, 650), (780, 650), (800, 690), (220, 690)], fill=(214, 196, 160))
    draw.polygon([(220, 690), (800, 690), (800, 960), (220, 960)], fill=(146, 108, 70))
    for x in range(260, 800, 90):
        draw.line([(x, 700), (x, 950)], fill=(128, 94, 60), width=3)
    draw.polygon([(800, 690), (840, 660), (840, 900), (800, 960)], fill=(120, 88, 56))


def _notice_board(draw: ImageDraw.ImageDraw, box, rng: random.Random) -> None:
    draw.rectangle(box, fill=(150, 112, 76), outline=(110, 80, 52), width=4)
    left, top, right, bottom = box
    for _ in range(5):
        w, h = rng.randint(30, 50), rng.randint(36, 60)
        x, y = rng.randint(left + 6, right - w - 6), rng.randint(top + 6, bottom - h - 6)
        shade = rng.choice([(246, 246, 240), (250, 236, 150), (210, 230, 246)])
        draw.rectangle((x, y, x + w, y + h), fill=shade)
        for line_y in range(y + 8, y + h - 4, 7):
            draw.line([(x + 5, line_y), (x + w - 5, line_y)], fill=(150, 150, 150), width=1)


def _plant(draw: ImageDraw.ImageDraw, base, rng: random.Random) -> None:
    x, y = base
    draw.polygon([(x - 60, y), (x + 60, y), (x + 45, y + 120), (x - 45, y + 120)], fill=(70, 70, 76))
    stems = [(x + rng.randint(-90, 90), y - rng.randint(120, 250)) for _ in range(7)]
    for top in stems:
        draw.line([(x, y), top], fill=(70, 90, 50), width=5)
    for _ in range(30):
        stem_x, stem_y = rng.choice(stems)
        lx, ly = stem_x + rng.randint(-50, 50), stem_y + rng.randint(-30, 90)
        w, h = rng.randint(30, 70), rng.randint(14, 26)
        green = (rng.randint(40, 70), rng.randint(100, 140), rng.randint(50, 70))
        draw.ellipse((lx - w / 2, ly - h / 2, lx + w / 2, ly + h / 2), fill=green)


def _chair(draw: ImageDraw.ImageDraw, x: float, y: float, rng: random.Random, *, scale: float = 1.0) -> None:
    fabric = (40 + rng.randint(0, 12), 70 + rng.randint(0, 12), 126 + rng.randint(0, 16))
    s = scale
    draw.rectangle((x - 55 * s, y - 200 * s, x + 55 * s, y - 90 * s), fill=_shade(fabric, 0.85))
    draw.polygon([(x - 62 * s, y - 90 * s), (x + 62 * s, y - 90 * s), (x + 70 * s, y - 60 * s),
                  (x - 70 * s, y - 60 * s)], fill=fabric)
    for dx in (-58, 58):
        draw.line([(x + dx * s, y - 60 * s), (x + dx * s * 1.05, y)], fill=(160, 162, 166), width=max(2, int(6 * s)))


def _vertical_gradient(picture: Image.Image, box, top: Color, bottom: Color) -> None:
    left, upper, right, lower = box
    mask = Image.linear_gradient("L").resize((right - left, lower - upper))
    picture.paste(Image.composite(Image.new("RGB", mask.size, bottom), Image.new("RGB", mask.size, top), mask),
                  (left, upper))


def _finish(picture: Image.Image, issued_on: date, rng: random.Random, *, blur: float, vignette: float = 0.45) -> bytes:
    """Soft focus, uneven light, sensor grain; then JPEG with the camera's EXIF."""
    picture = picture.filter(ImageFilter.GaussianBlur(blur))
    falloff = Image.radial_gradient("L").resize(SIZE).point(lambda v: int(v * vignette))
    picture = Image.composite(Image.new("RGB", SIZE, (24, 20, 16)), picture, falloff)
    picture = ImageChops.add(picture, _grain(rng, amplitude=GRAIN), offset=-128)
    output = io.BytesIO()
    picture.save(output, "JPEG", quality=JPEG_QUALITY, exif=_camera_exif(issued_on, rng), optimize=True)
    return output.getvalue()


def _grain(rng: random.Random, *, amplitude: int) -> Image.Image:
    """Colour noise around 128, made at half size and enlarged so it looks like sensor grain, not static."""
    width, height = SIZE[0] // 2, SIZE[1] // 2
    noise = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    noise = noise.point(lambda v: 128 + (v - 128) * amplitude // 128)
    return noise.resize(SIZE, Image.Resampling.BILINEAR)


def _camera_exif(issued_on: date, rng: random.Random) -> Image.Exif:
    taken = datetime.combine(issued_on, time(rng.randint(9, 16), rng.randint(0, 59), rng.randint(0, 59)))
    stamp = taken.strftime("%Y:%m:%d %H:%M:%S")
    exif = Image.Exif()
    exif[_MAKE] = CAMERA_MAKE
    exif[_MODEL] = CAMERA_MODEL
    exif[_SOFTWARE] = CAMERA_SOFTWARE
    exif[_DATETIME] = stamp
    exif[_ORIENTATION] = 1
    details = exif.get_ifd(_EXIF_IFD)
    details[_DATETIME_ORIGINAL] = stamp
    details[_DATETIME_DIGITIZED] = stamp
    details[_EXPOSURE] = 1 / rng.choice((30, 50, 60, 100))
    details[_FNUMBER] = 1.8
    details[_ISO] = rng.choice((200, 320, 400, 640))
    details[_FOCAL] = 4.3
    gps = exif.get_ifd(_GPS_IFD)
    gps[_GPS_VERSION] = b"\x02\x03\x00\x00"
    gps[_GPS_LAT_REF] = LATITUDE[1]
    gps[_GPS_LAT] = _degrees(LATITUDE[0] + rng.uniform(-0.0002, 0.0002))
    gps[_GPS_LON_REF] = LONGITUDE[1]
    gps[_GPS_LON] = _degrees(LONGITUDE[0] + rng.uniform(-0.0002, 0.0002))
    gps[_GPS_ALT_REF] = b"\x00"
    gps[_GPS_ALT] = 4.0
    return exif


def _degrees(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 2)
    return (float(degrees), float(minutes), seconds)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(6, size))


def _shade(colour: Color, factor: float) -> Color:
    return tuple(max(0, min(255, int(c * factor))) for c in colour)
