"""Test data made in code: organisations, users and small evidence files."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import yaml
from fpdf import FPDF
from PIL import Image

from accounts.permissions import Principal
from services.evidence import RegisterRow
from services.instance import Haven
from services.organisations import create_organisation, get_organisation
from services.users import create_user, principal_for
from vocabulary import Classification, ReviewStatus

SYSTEM = Principal.system("test")
PASSWORD = "correct horse battery staple"


def make_organisation(haven: Haven, slug: str = "harbour-house", name: str = "Harbour House Victim Support") -> int:
    with haven.session() as session:
        return create_organisation(session, SYSTEM, slug=slug, name=name, started_on=date(2026, 1, 1)).id


def make_user(haven: Haven, username: str, role: str | None, organisation_slug: str | None = None,
              is_admin: bool = False, password: str = PASSWORD) -> Principal:
    with haven.session() as session:
        organisation_id = get_organisation(session, organisation_slug).id if organisation_slug else None
        user = create_user(session, SYSTEM, username=username, password=password, role=role,
                           organisation_id=organisation_id, is_admin=is_admin)
        return principal_for(session, user)


def register_row(evidence_type: str = "policy", actions=("3.3.1",), **fields) -> RegisterRow:
    """A row of the evidence register as the service returns it, made without a database: a current internal
    policy with a file, waiting for review, unless `fields` say otherwise."""
    made = dict(id=1, revision_id=1, revision=1, title="Evidence", evidence_type=evidence_type,
                evidence_type_title=evidence_type.replace("_", " ").capitalize(), actions=list(actions),
                classification="internal", issued_on=date(2026, 1, 15), valid_until=date(2027, 1, 15), current=True,
                review_status="pending", review_comment="", reviewer="", file_name="evidence.pdf",
                mime_type="application/pdf", size_bytes=1024, has_file=True, withheld=False, thumbnail_key=None,
                uploaded_by=None, note="")
    made.update(fields)
    made["classification"] = Classification(made["classification"])
    made["review_status"] = ReviewStatus(made["review_status"])
    return RegisterRow(**made)


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


BUNDLE_AS_OF = date(2026, 11, 23)  # the day the bundle of `write_bundle` is scored on


def write_bundle(folder: Path, **changes) -> Path:
    """A bundle folder like an export's: a PDF, a photo with GPS, an on-site inspection, a plan item.
    `changes` set values by dotted path, e.g. `**{"evidence.0.title": "Fire exits"}`."""
    (folder / "files").mkdir(parents=True)
    (folder / "files" / "risk-form.pdf").write_bytes(simple_pdf())
    (folder / "files" / "reception.jpg").write_bytes(jpeg_with_gps())
    manifest = {
        "organisation": {"slug": "harbour-house", "name": "Harbour House Victim Support"},
        "standard": "vse-3",
        "ratings": [
            {"action": "3.1.1", "rating": "met", "justification": "", "owner": "A. Manager"},
            {"action": "3.2.1", "rating": "partially_met", "owner": "A. Manager"},
            {"action": "3.2.2", "rating": "not_applicable", "justification": "No premises open to victims"},
        ],
        "evidence": [
            {"title": "Intake risk assessment form", "type": "risk_assessment", "actions": ["3.1.1"],
             "file": "files/risk-form.pdf", "issued_on": "2026-03-01", "valid_until": "2027-03-01",
             "classification": "internal", "review": {"status": "accepted", "reviewer": "q.reviewer", "comment": "Signed and dated"}},
            {"title": "Reception door", "type": "premises_photos", "actions": ["3.2.1"], "file": "files/reception.jpg",
             "issued_on": "2026-10-01"},
            {"title": "Door entry inspection", "type": "safety_plan", "actions": ["3.2.1"], "issued_on": "2025-06-01",
             "review": {"status": "rejected", "reviewer": "q.reviewer", "comment": "Out of date"}},
        ],
        "plan": [{"action": "3.2.1", "description": "Photograph new door entry system", "owner": "A. Manager",
                  "due": "2026-12-15", "done": False}],
    }
    for dotted, value in changes.items():
        target = manifest
        keys = dotted.split(".")
        for key in keys[:-1]:
            target = target[int(key)] if isinstance(target, list) else target[key]
        target[int(keys[-1]) if isinstance(target, list) else keys[-1]] = value
    (folder / "bundle.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    return folder
