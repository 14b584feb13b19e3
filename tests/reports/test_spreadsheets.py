import csv
import io
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from openpyxl import load_workbook

from reports.spreadsheets import (
    ACTION_PLAN_COLUMNS,
    EVIDENCE_REGISTER_COLUMNS,
    INDEX_COLUMNS,
    OVERDUE_FILL,
    IndexLine,
    action_plan_xlsx,
    evidence_register_xlsx,
    index_csv,
    neutralise,
)
from services.evidence import RegisterRow
from tests.factories import register_row
from tests.reports import samples
from vocabulary import Classification, ReviewStatus

REGISTER = [
    register_row("risk_assessment_training", ["3.1.1"], id=1, revision=2, title="Intake risk assessment form",
                 evidence_type_title="Training on risk assessment", issued_on=date(2026, 3, 1),
                 valid_until=date(2027, 3, 1), review_status="accepted", reviewer="q.reviewer",
                 file_name="risk-form.pdf"),
    register_row("policy", ["3.3.1", "3.3.3"], id=2, title="Data protection policy — Zoë's draft",
                 evidence_type_title="Policy", issued_on=date(2026, 1, 15), valid_until=date(2027, 1, 15),
                 review_status="pending", reviewer=None, file_name="policy.docx"),
]
PLAN = samples.plan()[:3]
INJECTIONS = ["=HYPERLINK(\"http://evil.example\",\"Click\")", "+1+1", "-2+3", "@SUM(A1:A2)",
              "\t=1+1", "\r=1+1"]


def _read_back(data: bytes, columns) -> list[dict]:
    frame = pd.read_excel(io.BytesIO(data), dtype=object)
    assert list(frame.columns) == [column.header for column in columns]
    frame.columns = [column.key for column in columns]
    rows = []
    for record in frame.to_dict("records"):
        rows.append({key: (None if pd.isna(value) else value) for key, value in record.items()})
    return rows


def _line(row: RegisterRow, **pack) -> IndexLine:
    """The index.csv line of a register row placed in the pack as `pack` says."""
    return IndexLine(title=row.title, evidence_type_title=row.evidence_type_title, actions=row.actions,
                     classification=row.classification, issued_on=row.issued_on, valid_until=row.valid_until,
                     review_status=row.review_status, **pack)


def _expected_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def test_evidence_register_reads_back_into_the_same_rows():
    rows = _read_back(evidence_register_xlsx(REGISTER), EVIDENCE_REGISTER_COLUMNS)
    assert len(rows) == len(REGISTER)
    for got, want in zip(rows, REGISTER, strict=True):
        assert got["title"] == want.title
        assert got["evidence_type"] == want.evidence_type_title  # the standard's words, not the id
        assert [action.strip() for action in got["actions"].split(";")] == want.actions
        assert got["issued_on"].date() == _expected_date(want.issued_on)
        assert got["valid_until"].date() == _expected_date(want.valid_until)
        assert got["review_status"] == want.review_status.capitalize().replace("Pending", "Pending review")
        assert got["classification"] == "Internal"
        assert got["reviewer"] == want.reviewer
        assert got["revision"] == want.revision
        assert got["file_name"] == want.file_name


def test_register_sheet_is_set_up_for_reading():
    sheet = load_workbook(io.BytesIO(evidence_register_xlsx(REGISTER))).active
    assert sheet.title == "Evidence register"
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["A"].width == EVIDENCE_REGISTER_COLUMNS[0].width
    issued = sheet.cell(row=2, column=5)
    assert issued.is_date and issued.number_format == "d mmm yyyy"  # shown as 1 Mar 2026


def test_action_plan_reads_back_and_highlights_overdue_rows():
    data = action_plan_xlsx(PLAN)
    rows = _read_back(data, ACTION_PLAN_COLUMNS)
    for got, want in zip(rows, PLAN, strict=True):
        assert (got["action"], got["description"], got["owner"]) == (want.action, want.description, want.owner)
        assert got["due"].date() == _expected_date(want.due)
        assert bool(got["done"]) is want.done and bool(got["overdue"]) is want.overdue
    sheet = load_workbook(io.BytesIO(data)).active
    fills = [sheet.cell(row=row, column=2).fill.start_color.rgb for row in (2, 3, 4)]
    assert fills[1].endswith(OVERDUE_FILL.start_color.rgb[-6:])
    assert not fills[0].endswith(OVERDUE_FILL.start_color.rgb[-6:])
    assert not fills[2].endswith(OVERDUE_FILL.start_color.rgb[-6:])


def _defused(text: str) -> str:
    """What neutralise makes of an injection: an apostrophe first, and one more before the formula behind a
    leading tab or carriage return (a spreadsheet splitting on it would otherwise get a live cell)."""
    return "'" + (text[0] + "'" + text[1:] if text.startswith(("\t", "\r")) else text)


@pytest.mark.parametrize("text", INJECTIONS)
def test_neutralise_prefixes_formula_triggers(text):
    assert neutralise(text) == _defused(text)


def test_neutralise_leaves_plain_text_and_non_strings_alone():
    assert neutralise("Escape plan") == "Escape plan"
    assert neutralise("3.2.1") == "3.2.1"
    assert neutralise(-3) == -3


def test_no_formula_survives_in_the_workbooks():
    register = [replace(REGISTER[0], title=text, reviewer=text, file_name=text) for text in INJECTIONS]
    plan = [replace(PLAN[0], description=text, owner=text) for text in INJECTIONS]
    for data in (evidence_register_xlsx(register), action_plan_xlsx(plan)):
        sheet = load_workbook(io.BytesIO(data)).active
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
    rows = _read_back(evidence_register_xlsx(register), EVIDENCE_REGISTER_COLUMNS)
    # XML turns a carriage return into a line feed on the way back; the apostrophe stays first.
    assert [row["title"] for row in rows] == [_defused(text).replace("\r", "\n") for text in INJECTIONS]


def test_index_csv_columns_and_file_entries():
    rows = [
        _line(REGISTER[0], file="files/risk-form.pdf"),
        _line(replace(REGISTER[1], classification=Classification.RESTRICTED), withheld=True, file="files/ignored.pdf"),
        IndexLine(title="Premises walk-through", evidence_type_title="premises_photos", actions=["3.2.1"],
                  classification=Classification.INTERNAL, issued_on=date(2026, 5, 5), valid_until=None,
                  review_status=ReviewStatus.ACCEPTED),
    ]
    parsed = list(csv.DictReader(io.StringIO(index_csv(rows))))
    assert list(parsed[0]) == list(INDEX_COLUMNS)
    assert [row["File"] for row in parsed] == ["files/risk-form.pdf", "withheld", "on-site inspection"]
    assert parsed[1]["Actions"] == "3.3.1;3.3.3"
    assert parsed[1]["Issued on"] == "15 Jan 2026" and parsed[0]["Valid until"] == "1 Mar 2027"
    assert parsed[2]["Valid until"] == ""
    assert parsed[0]["Title"] == "Intake risk assessment form"
    assert [row["Evidence type"] for row in parsed] == ["Training on risk assessment", "Policy", "premises_photos"]
    assert [row["Review"] for row in parsed] == ["Accepted", "Pending review", "Accepted"]
    assert [row["Classification"] for row in parsed] == ["Internal", "Restricted", "Internal"]


def test_index_csv_neutralises_formulas():
    rows = [_line(replace(REGISTER[0], title=text), file="files/a.pdf") for text in INJECTIONS]
    parsed = list(csv.DictReader(io.StringIO(index_csv(rows), newline="")))
    assert [row["Title"] for row in parsed] == [_defused(text) for text in INJECTIONS]
