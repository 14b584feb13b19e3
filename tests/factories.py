"""Test data made in code: organisations, users and small evidence files."""
from __future__ import annotations

import io
from datetime import date

from fpdf import FPDF
from PIL import Image

from accounts.permissions import Principal
from services.instance import Haven
from services.organisations import create_organisation
from services.users import create_user, principal_for

SYSTEM = Principal.system("test")
PASSWORD = "correct horse battery staple"


def make_organisation(haven: Haven, slug: str = "harbour-house", name: str = "Harbour House Victim Support") -> int:
    with haven.session() as session:
        return create_organisation(session, SYSTEM, slug=slug, name=name, started_on=date(2026, 1, 1)).id


def make_user(haven: Haven, username: str, role: str | None, organisation_slug: str | None = None,
              is_admin: bool = False, password: str = PASSWORD) -> Principal:
    with haven.session() as session:
        user = create_user(session, SYSTEM, username=username, password=password, role=role,
                           organisation_slug=organisation_slug, is_admin=is_admin)
        return principal_for(session, user)


def jpeg_with_gps(width: int = 64, height: int = 48) -> bytes:
    image = Image.new("RGB", (width, height), (120, 160, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 12.5)
    gps[3], gps[4] = "W", (0.0, 7.0, 39.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def simple_pdf(text: str = "Intake risk assessment form") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, text)
    return bytes(pdf.output())


def as_stored(data: bytes, filename: str = "upload") -> bytes:
    """What the intake stores for ``data``: PDFs and Office files are rewritten without hidden data."""
    from evidence.intake import run_intake

    return run_intake(data, filename, max_bytes=25 * 1024 * 1024, max_pixels=50_000_000).content
