"""Files for the privacy guard's tests, made in code: a photo with a face, a house number and a plain sign;
documents that look like a case file or like an organisation's own paper; a PDF and a DOCX with a photo inside.

The face comes from the astronaut photo that scikit-image's wheel ships for tests.
"""
from __future__ import annotations

import functools
import io
import zipfile

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
PHOTO_SIZE = (960, 640)
FACE_AREA = (40, 40, 440, 440)  # where the astronaut's head and shoulders are pasted (left, top, right, bottom)
NUMBER_PLATE = (600, 90, 860, 290)  # a door plate with the house number "27"
EXIT_SIGN = (560, 440, 920, 540)  # a green FIRE EXIT sign

CASE_FILE_TEXT = (
    "Client record\n"
    "Client name: Maria Jones\n"
    "Date of birth: 12/03/1987\n"
    "Case number: HH-2026-0412\n"
    "Address: 14 Mill Lane, Hull HU1 2AB\n"
    "Phone: 07700 900123\n"
)
POSTER_TEXT = (
    "Harbour House Victim Support\n"
    "If you need to talk, call our helpline on 0808 802 0000, open every day.\n"
    "Our staff are trained to listen and to help you stay safe.\n"
)


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT, size)


def _astronaut() -> Image.Image:
    from skimage import data

    return Image.fromarray(data.astronaut())


@functools.cache
def face_and_number_picture() -> Image.Image:
    """A "premises photo": a person's face at the left, a door plate "27" and a FIRE EXIT sign at the right."""
    picture = Image.new("RGB", PHOTO_SIZE, (196, 186, 168))
    head = _astronaut().crop((120, 0, 420, 300)).resize((FACE_AREA[2] - FACE_AREA[0], FACE_AREA[3] - FACE_AREA[1]))
    picture.paste(head, FACE_AREA[:2])
    draw = ImageDraw.Draw(picture)
    draw.rectangle(NUMBER_PLATE, fill=(250, 250, 246), outline=(40, 40, 40), width=4)
    draw.text((NUMBER_PLATE[0] + 55, NUMBER_PLATE[1] + 25), "27", fill=(20, 20, 20), font=_font(130))
    draw.rectangle(EXIT_SIGN, fill=(0, 138, 62))
    draw.text((EXIT_SIGN[0] + 30, EXIT_SIGN[1] + 20), "FIRE EXIT", fill=(255, 255, 255), font=_font(54))
    return picture


def jpeg(picture: Image.Image, quality: int = 92) -> bytes:
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def png(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


@functools.cache
def face_and_number_jpeg() -> bytes:
    return jpeg(face_and_number_picture())


def text_pdf(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in text.splitlines():
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def pdf_with_picture(picture: Image.Image, caption: str = "Front entrance, photographed for the audit") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 8, caption, new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(jpeg(picture)), x=10, y=20, w=180)
    return bytes(pdf.output())


def docx(paragraphs: list[str], picture: Image.Image | None = None) -> bytes:
    """A minimal Word document, with `picture` as word/media/image1.png when given."""
    body = "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in paragraphs)
    if picture is not None:
        body += ('<w:p><w:r><w:drawing><wp:inline><wp:extent cx="5400000" cy="3600000"/><wp:docPr id="1" name="p"/>'
                 '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
                 '<pic:pic><pic:nvPicPr><pic:cNvPr id="1" name="image1.png"/><pic:cNvPicPr/></pic:nvPicPr>'
                 '<pic:blipFill><a:blip r:embed="rIdImage1"/></pic:blipFill><pic:spPr/></pic:pic>'
                 '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>')
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        f"<w:body>{body}</w:body></w:document>"
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="png" ContentType="image/png"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="word/document.xml"/></Relationships>'
    )
    document_rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + ('<Relationship Id="rIdImage1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           'image" Target="media/image1.png"/>' if picture is not None else "")
        + "</Relationships>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document)
        archive.writestr("word/_rels/document.xml.rels", document_rels)
        if picture is not None:
            archive.writestr("word/media/image1.png", png(picture))
    return out.getvalue()


def client_list_xlsx() -> bytes:
    """A spreadsheet listing clients: a header row and one person per row."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Client name", "Date of birth", "Case number", "Phone"])
    sheet.append(["Maria Jones", "12/03/1987", "HH-2026-0412", "07700 900123"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
