"""Display names: no paths, no hidden or reordering characters, short, the real extension."""
from __future__ import annotations

import pytest

from evidence.names import MAX_NAME_CHARS, clean_display_name
from tests.evidence.corpus import intake


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("C:\\Users\\asha\\Desktop\\Report.PDF", "Report.pdf"),
        ("C:evil.txt", "evil.txt"),
        ("folder/", "evidence"),
        ("..", "evidence"),
        ("", "evidence"),
        ("   ", "evidence"),
        ("report\x00.pdf", "report.pdf"),
        ("line\nbreak\ttab.txt", "line break tab.txt"),
        ("bell\x07 and \x1b escape.txt", "bell and escape.txt"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("\u2066isolated\u2069 \u200eLRM\u200f\u061c.pdf", "isolated LRM.pdf"),
        ("zero\u200bwidth\u200c\u200d\ufeff.pdf", "zerowidth.pdf"),
        ("Cafe\u0301 plan.docx", "Café plan.docx"),
        ("  lots    of   space  .pdf", "lots of space.pdf"),
        (".hidden", "hidden"),
        ("Minutes 12.03.2024", "Minutes 12.03.2024"),
    ],
)
def test_clean_display_name(raw, expected):
    assert clean_display_name(raw) == expected


def test_cleaned_name_has_no_format_or_control_characters():
    import unicodedata

    cleaned = clean_display_name("a\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069b\x01\x7f\x9fc.pdf")
    assert cleaned == "abc.pdf"
    assert all(unicodedata.category(char) not in ("Cc", "Cf") for char in cleaned)


def test_long_names_keep_their_extension():
    cleaned = clean_display_name("x" * 300 + ".docx")
    assert len(cleaned) == MAX_NAME_CHARS
    assert cleaned.endswith("x.docx")


def test_long_names_without_extension_are_cut():
    assert clean_display_name("y" * 300) == "y" * MAX_NAME_CHARS


@pytest.mark.parametrize(
    ("raw", "extension", "expected"),
    [
        ("holiday.jpg", ".png", "holiday.png"),
        ("scan.JPEG", ".jpg", "scan.jpg"),
        ("invoice\u202egpj.exe", ".pdf", "invoicegpj.pdf"),
        ("Minutes 12.03.2024", ".pdf", "Minutes 12.03.2024.pdf"),
        ("no extension", ".txt", "no extension.txt"),
        ("", ".pdf", "evidence.pdf"),
        ("z" * 300 + ".exe", ".pdf", "z" * (MAX_NAME_CHARS - 4) + ".pdf"),
    ],
)
def test_extension_is_replaced_by_the_detected_one(raw, extension, expected):
    assert clean_display_name(raw, extension) == expected


def test_intake_cleans_the_name_and_corrects_the_extension():
    result = intake(b"Plain notes\n", "..\\..\\tmp/\u202eevil\u202c notes.exe")
    assert result.display_name == "evil notes.txt"
