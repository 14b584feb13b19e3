"""Intake of a 12-megapixel phone photo (evidence.intake.run_intake) against a bare Pillow decode and re-encode.

The photo is made in code: 4000 × 3000, photo-like texture, EXIF with GPS, JPEG quality 92 (about what
a phone writes). Two cases: a landscape photo (orientation 1) and a portrait one as phones store it
(orientation 6, so intake must turn it upright). The floor is Pillow opening the same bytes, decoding
them and saving a JPEG at intake's quality, nothing else; for the portrait photo a second line, for
information, sets intake against Pillow decoding, turning (ImageOps.exif_transpose) and re-encoding.
Goals: at most 1.5 times the floor; the peak memory of one intake, measured in a fresh process above its
resting memory, under 300 MB.

Documents too: the same landscape photo inside a PDF (made with fpdf2, which embeds the JPEG as it is,
EXIF and GPS included) and inside a DOCX. The document step checks the document, re-encodes the photo
without its metadata and writes the document again; the floor is the bare Pillow re-encode of the photo
plus pypdf reading and writing the PDF (for the DOCX: plus rewriting the zip), nothing else. A second
line, for information, times the whole intake, whose privacy guard also scans the photo.

    python -m benchmarks.bench_intake [--megapixels 12] [--repeat 5]
"""
from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageOps

from benchmarks.common import compared, memory_line, memory_status, peak_memory_reset, ratio_line
from config import get_settings
from evidence.images import JPEG_QUALITY
from evidence.intake import run_intake
from evidence.office import sanitise_office
from evidence.pdfs import sanitise_pdf

GOAL = 1.5
MEMORY_GOAL_MB = 300.0


def phone_photo(megapixels: float = 12, orientation: int = 1) -> bytes:
    """A JPEG like a phone's: 4:3, textured (so it does not compress to nothing), EXIF with GPS."""
    width = int((megapixels * 1_000_000 * 4 / 3) ** 0.5)
    height = int(width * 3 / 4)
    small = (max(2, width // 16), max(2, height // 16))
    red = Image.linear_gradient("L").resize(small)
    green = Image.radial_gradient("L").resize(small)
    blue = Image.effect_noise(small, 40).point(lambda value: value // 2 + 60)
    base = Image.merge("RGB", (red, green, blue)).resize((width, height), Image.Resampling.BICUBIC)
    grain = Image.effect_noise((width, height), 18).convert("RGB")
    photo = Image.blend(base, grain, 0.18)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "PhoneMaker", "Model X", orientation
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (51.0, 30.0, 12.5), "W", (0.0, 7.0, 39.0)
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=92, exif=exif)
    return buffer.getvalue()


def bare_pillow(data: bytes) -> bytes:
    """The floor: decode and re-encode, nothing else."""
    picture = Image.open(io.BytesIO(data))
    picture.load()
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def bare_pillow_upright(data: bytes) -> bytes:
    """A second floor for a turned photo: decode, turn upright as the EXIF says, re-encode."""
    picture = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def intake(data: bytes, name: str = "IMG_0001.jpg"):
    settings = get_settings()
    return run_intake(data, name, max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels)


def pdf_with_photo(photo: bytes) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "Premises: front door and escape route")
    pdf.image(io.BytesIO(photo), x=10, y=30, w=190)
    return bytes(pdf.output())


def docx_with_photo(photo: bytes) -> bytes:
    from tests.evidence.corpus import ooxml

    return ooxml("docx", extra=[("word/media/image1.jpeg", photo)])


def bare_pdf(data: bytes, photo: bytes) -> bytes:
    """The floor for a PDF: re-encode its photo and let pypdf read and write the file."""
    from pypdf import PdfReader, PdfWriter

    bare_pillow(photo)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def bare_docx(data: bytes, photo: bytes) -> bytes:
    """The floor for a DOCX: re-encode its photo and write the zip again."""
    import zipfile

    clean = bare_pillow(photo)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, clean if info.filename.endswith(".jpeg") else source.read(info))
    return out.getvalue()


def probe(path: Path, what: str) -> dict:
    """Run once in this (fresh) process; report the peak resident memory above the resting memory."""
    data = path.read_bytes()
    run = intake if what == "intake" else bare_pillow
    small = phone_photo(0.05)
    run(small)  # imports and first-use allocations happen before the measurement
    resting = memory_status()["rss"]
    reset = peak_memory_reset()
    run(data)
    status = memory_status()
    return {"peak_mb": status["peak"] - resting, "exact": reset}


def measure_memory(path: Path, what: str) -> dict:
    output = subprocess.run([sys.executable, "-m", "benchmarks.bench_intake", "--probe", what, str(path)],
                            check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    return json.loads(output.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megapixels", type=float, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--documents-only", action="store_true", help="only the PDF and DOCX cases")
    parser.add_argument("--probe", nargs=2, metavar=("WHAT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        print(json.dumps(probe(Path(args.probe[1]), args.probe[0])))
        return 0
    with tempfile.TemporaryDirectory(prefix="haven-bench-intake-") as scratch:
        photos = () if args.documents_only else ((1, "landscape"), (6, "portrait, turned upright"))
        for orientation, label in photos:
            data = phone_photo(args.megapixels, orientation)
            result = intake(data)
            print(f"photo: {args.megapixels:g} MP {label}, {len(data) / 1e6:.1f} MB in, "
                  f"{len(result.content) / 1e6:.1f} MB stored ({result.width} × {result.height}), "
                  f"thumbnail {len(result.thumbnail) / 1e3:.0f} kB")
            figure, floor = compared(lambda d=data: intake(d), lambda d=data: bare_pillow(d), repeat=args.repeat)
            print(ratio_line(f"intake of a {args.megapixels:g} MP JPEG ({label})", figure, floor, GOAL))
            if orientation != 1:
                figure, floor = compared(lambda d=data: intake(d), lambda d=data: bare_pillow_upright(d),
                                         repeat=args.repeat)
                print(ratio_line(f"intake of a {args.megapixels:g} MP JPEG ({label}) against Pillow decoding, "
                                 "turning and re-encoding it", figure, floor, None))
            path = Path(scratch) / f"photo-{orientation}.jpg"
            path.write_bytes(data)
            memory = measure_memory(path, "intake")
            floor_memory = measure_memory(path, "pillow")
            note = "" if memory["exact"] else " (peak since start: the kernel mark could not be reset)"
            print(memory_line(f"one intake of a {args.megapixels:g} MP JPEG ({label}){note}",
                              memory["peak_mb"], MEMORY_GOAL_MB)
                  + f"; bare Pillow {floor_memory['peak_mb']:.1f} MB")
        photo = phone_photo(args.megapixels, 1)
        settings = get_settings()
        for label, document, name, floor_of, clean in (
            ("PDF", pdf_with_photo(photo), "premises.pdf", bare_pdf,
             lambda d: sanitise_pdf(d, max_pixels=settings.max_image_pixels)),
            ("DOCX", docx_with_photo(photo), "premises.docx", bare_docx,
             lambda d: sanitise_office(d, max_pixels=settings.max_image_pixels)),
        ):
            result = intake(document, name)
            print(f"{label} holding the photo: {len(document) / 1e6:.1f} MB in, "
                  f"{len(result.content) / 1e6:.1f} MB stored")
            figure, floor = compared(lambda d=document, c=clean: c(d),
                                     lambda d=document, f=floor_of: f(d, photo), repeat=args.repeat)
            print(ratio_line(f"checking and cleaning a {label} holding a {args.megapixels:g} MP photo",
                             figure, floor, GOAL))
            figure, floor = compared(lambda d=document, n=name: intake(d, n),
                                     lambda d=document, f=floor_of: f(d, photo), repeat=args.repeat)
            print(ratio_line(f"the whole intake of that {label}, privacy guard included", figure, floor, None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
