"""`python manage.py privacy-scan FILE [--json]` as a user runs it, with the network cut off."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image

from privacy.model import Box
from tests.evidence.corpus import CT_NS, RELS, zip_bytes
from tests.privacy import synthetic
from tests.privacy.measure import covered_share
from tests.privacy.test_image_scan import front_door

ROOT = Path(__file__).resolve().parents[2]

# Loaded before anything else in the child process: any attempt to reach the network fails loudly.
NO_NETWORK = '''
import socket

def _refuse(*args, **kwargs):
    raise OSError("network access attempted during privacy-scan")

socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
'''


@pytest.fixture
def run(tmp_path):
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(NO_NETWORK)
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAVEN_")}
    env.update(HAVEN_DATA_DIR=str(tmp_path / "data"), HOME=str(home), PYTHONPATH=str(guard),
               XDG_CACHE_HOME=str(home / ".cache"))

    def run_command(*args) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", "privacy-scan", *map(str, args)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)

    run_command.home = home
    run_command.data = tmp_path / "data"
    return run_command


def _jpeg(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92)
    return out.getvalue()


def test_json_lists_faces_and_text_with_boxes_as_design_shows(run, tmp_path):
    picture, boxes = front_door()
    path = tmp_path / "front-door.jpg"
    path.write_bytes(_jpeg(picture))
    result = run(path, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"file", "media_type", "faces", "text", "personal_data", "case_file"}
    assert report["file"] == "front-door.jpg" and report["media_type"] == "image/jpeg"
    assert report["personal_data"] == [] and report["case_file"] is False
    assert len(report["faces"]) == 1 and set(report["faces"][0]) == {"box"}

    face = Box(*report["faces"][0]["box"])
    assert covered_share(boxes["face"], [face], picture.size) >= 0.8
    by_text = {entry["text"].replace(" ", "").upper(): entry for entry in report["text"]}
    assert by_text["27"]["sensitive"] is True and by_text["27"]["reason"] == "house number"
    fire_exit = by_text["FIREEXIT"]  # the reader may drop the space after JPEG compression
    assert fire_exit == {"box": fire_exit["box"], "text": fire_exit["text"], "sensitive": False}
    assert all(len(entry["box"]) == 4 and all(isinstance(value, int) for value in entry["box"])
               for entry in report["text"])
    # nothing downloaded, cached or counted: the home folder stays empty (onnxruntime's usage events are
    # off), and no data folder is made
    assert list(run.home.iterdir()) == [] and not run.data.exists()


def test_human_output_names_what_is_blurred_and_what_is_kept(engines, tmp_path, capsys):
    import manage

    picture, _ = front_door(seed=5)
    path = tmp_path / "door.png"
    picture.save(path)
    assert manage.main(["privacy-scan", str(path)]) == 0
    result = capsys.readouterr()
    assert "1 face(s)" in result.out
    assert "“27”" in result.out and "house number, blurred" in result.out
    assert "FIRE EXIT” at" in result.out and "kept legible" in result.out


def test_a_file_intake_refuses_fails_with_one_line(run, tmp_path):
    path = tmp_path / "notes.exe"
    path.write_bytes(b"MZ\x90\x00" + bytes(range(256)) * 4)
    result = run(path, "--json")
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: notes.exe:")


def test_a_missing_file_fails_with_one_line(run, tmp_path):
    result = run(tmp_path / "nowhere.jpg")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [f"error: {tmp_path / 'nowhere.jpg'}: no such file"]


def _case_file_pdf(with_photo: Image.Image | None = None) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in ("CLIENT RECORD", "Client name: Jane Doe", "Date of birth: 12/03/1985",
                 "Address: 14 Mill Lane, Leeds LS1 4AB", "Phone: 0161 496 0000", "Case no. DV-2026-0113"):
        pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    if with_photo is not None:
        pdf.image(with_photo, x=20, y=100, w=80)
    return bytes(pdf.output())


def test_a_case_file_pdf_is_reported_with_its_personal_data_and_the_face_in_its_photo(run, engines, tmp_path, capsys):
    head = synthetic.astronaut_face().resize((320, 400))
    path = tmp_path / "record.pdf"
    path.write_bytes(_case_file_pdf(with_photo=head))
    result = run(path, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["media_type"] == "application/pdf"
    assert report["case_file"] is True
    kinds = {entry["kind"] for entry in report["personal_data"]}
    assert {"client_name", "date_of_birth", "postal_address", "phone_number", "case_number"} <= kinds
    assert {"kind": "date_of_birth", "excerpt": "Date of birth: 12/0…"} in report["personal_data"]
    assert len(report["embedded_images"]) == 1
    assert report["embedded_images"][0]["where"] == "page 1" and len(report["embedded_images"][0]["faces"]) == 1
    import manage

    assert manage.main(["privacy-scan", str(path)]) == 0
    human = capsys.readouterr().out
    assert "case file: YES" in human and "date of birth" in human and "image on page 1:" in human


def _docx(paragraphs: list[str]) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in paragraphs)
    types = (f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{CT_NS}">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
             'wordprocessingml.document.main+xml"/></Types>')
    document = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f"<w:body>{body}</w:body></w:document>")
    relationships = RELS.format(target="word/document.xml")
    return zip_bytes([("[Content_Types].xml", types.encode()), ("_rels/.rels", relationships.encode()),
                      ("word/document.xml", document.encode())])


def test_an_organisations_poster_in_word_is_not_a_case_file(run, tmp_path):
    path = tmp_path / "poster.docx"
    path.write_bytes(_docx(["Need to talk?", "Call our helpline on 0800 123 4567",
                            "E-mail help@harbourhouse.org.uk", "Harbour House, 1 Quay Street, Bristol BS1 4DJ"]))
    result = run(path, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["media_type"].endswith("wordprocessingml.document")
    assert report["case_file"] is False
    assert {"phone_number", "email_address"} <= {entry["kind"] for entry in report["personal_data"]}
    assert report["embedded_images"] == []


def test_a_photo_inside_a_word_document_is_scanned_too(engines):
    import zipfile

    from privacy.files import scan_file
    from privacy.report import to_json

    plain = zipfile.ZipFile(io.BytesIO(_docx(["Our team", "Meet the people who answer the helpline"])))
    photo = io.BytesIO()
    synthetic.astronaut_face().resize((320, 400)).save(photo, "PNG")
    data = zip_bytes([(info.filename, plain.read(info)) for info in plain.infolist()]
                     + [("word/media/image1.png", photo.getvalue())])
    report = to_json(scan_file(data, "team.docx", max_bytes=25 * 1024 * 1024, max_pixels=50_000_000))
    assert report["case_file"] is False and report["faces"] == []
    assert [(entry["where"], len(entry["faces"])) for entry in report["embedded_images"]] == \
        [("word/media/image1.png", 1)]


def test_a_spreadsheet_of_clients_is_a_case_file(run, tmp_path):
    from datetime import date

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Victim", "Date of birth", "Mobile", "Case number"])
    sheet.append(["Amira Hassan", date(1990, 7, 3), "07700 900123", "DV-2026-0113"])
    sheet.append(["Jane Doe", date(1985, 3, 12), "07700 900456", "DV-2026-0114"])
    path = tmp_path / "clients.xlsx"
    workbook.save(path)
    result = run(path, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["media_type"].endswith("spreadsheetml.sheet")
    assert report["case_file"] is True
    assert {"client_name", "date_of_birth"} <= {entry["kind"] for entry in report["personal_data"]}
