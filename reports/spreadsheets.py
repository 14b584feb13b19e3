"""The evidence register and the action plan as Excel files, and the export pack's index.csv.

The writers take the services' typed rows (the register's RegisterRow, the plan's PlanRow) and the
pack's IndexLine; each becomes its cells here, at the edge. Text a user typed is neutralised against formula injection: a
value starting with = + - @ tab or carriage return gets a leading apostrophe, and so does
every part of it that a spreadsheet could split off into a cell of its own (after ; , |
tab or a line break: a European spreadsheet splits CSV on ;), so Excel, LibreOffice and
friends show it as text instead of running it.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from reports.formatting import EXCEL_DATE_FORMAT, as_date, long_date
from vocabulary import Classification, ReviewStatus

if TYPE_CHECKING:
    from services.evidence import RegisterRow
    from services.plan import PlanRow

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = EXCEL_DATE_FORMAT
HEADER_FILL = PatternFill("solid", start_color="243B53", end_color="243B53")
HEADER_FONT = Font(bold=True, color="FFFFFF")
OVERDUE_FILL = PatternFill("solid", start_color="FADBD8", end_color="FADBD8")
ACTION_SEPARATOR = "; "


# The start of the text, or of a part after a character some spreadsheet splits cells on, then spaces, then a
# character that starts a formula.
_FORMULA_PART = re.compile(r"(^|[;,|\t\r\n])( *)(?=[=+\-@])")


def neutralise(value: object) -> object:
    """A string that a spreadsheet would read as a formula, or split into a formula cell, made plain text:
    an apostrophe before every part that starts like a formula, and before the whole when it starts with
    a tab or carriage return."""
    if not isinstance(value, str):
        return value
    text = _FORMULA_PART.sub(lambda match: f"{match.group(1)}{match.group(2)}'", value)
    return "'" + text if text.startswith(("\t", "\r")) else text


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    kind: str = "text"  # text | date | list | number | bool


EVIDENCE_REGISTER_COLUMNS = (
    Column("title", "Title", 42),
    Column("evidence_type", "Evidence type", 24),
    Column("actions", "Actions", 16, "list"),
    Column("classification", "Classification", 15),
    Column("issued_on", "Issued on", 12, "date"),
    Column("valid_until", "Valid until", 12, "date"),
    Column("review_status", "Review", 12),
    Column("reviewer", "Reviewer", 18),
    Column("revision", "Revision", 10, "number"),
    Column("file_name", "File name", 34),
)

ACTION_PLAN_COLUMNS = (
    Column("action", "Action", 10),
    Column("description", "Description", 60),
    Column("owner", "Owner", 22),
    Column("due", "Due", 12, "date"),
    Column("done", "Done", 8, "bool"),
    Column("overdue", "Overdue", 10, "bool"),
)

INDEX_COLUMNS = ("Title", "Evidence type", "Actions", "Classification", "Issued on", "Valid until", "Review", "File")


@dataclass(frozen=True)
class IndexLine:
    """One line of the export pack's index.csv: an evidence item as the pack lists it.

    `file` is the path inside the pack when the file is in it; `withheld` is true when restricted evidence
    was left out of it (its title then names the type only)."""

    title: str
    evidence_type_title: str
    actions: Sequence[str]
    classification: str
    issued_on: date
    valid_until: date | None
    review_status: str
    file: str | None = None
    withheld: bool = False


def register_cells(row: RegisterRow) -> dict[str, object]:
    """A register row's cells by column key, its codes as people read them: the evidence type's title from the
    standard, "Accepted" for `accepted`, "Restricted" for `restricted`."""
    return {"title": row.title, "evidence_type": row.evidence_type_title or row.evidence_type, "actions": row.actions,
            "classification": Classification.label_of(row.classification), "issued_on": row.issued_on,
            "valid_until": row.valid_until, "review_status": ReviewStatus.label_of(row.review_status),
            "reviewer": row.reviewer, "revision": row.revision, "file_name": row.file_name}


def _cell_value(column: Column, raw: object) -> object:
    if raw is None or raw == "":
        return None
    if column.kind == "list":
        items = raw if isinstance(raw, (list, tuple)) else [raw]
        return neutralise(ACTION_SEPARATOR.join(str(item) for item in items))
    if column.kind == "date":
        try:
            return as_date(raw)  # type: ignore[arg-type]
        except ValueError:
            return neutralise(str(raw))
    if column.kind == "bool":
        return bool(raw)
    if column.kind == "number":
        return raw if isinstance(raw, (int, float)) and not isinstance(raw, bool) else neutralise(str(raw))
    return neutralise(str(raw))


def _workbook(title: str, columns: tuple[Column, ...], rows: list[Mapping[str, object]],
              highlight: str | None = None) -> bytes:
    """One sheet from rows of cells by column key: bold frozen header with a filter, set widths, typed cells;
    rows whose `highlight` cell is true get a light red fill."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append([column.header for column in columns])
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    for row in rows:
        sheet.append([_cell_value(column, row.get(column.key)) for column in columns])
        marked = bool(highlight and row.get(highlight))
        for column, cell in zip(columns, sheet[sheet.max_row], strict=False):
            if column.kind == "date" and isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            if marked:
                cell.fill = OVERDUE_FILL
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(sheet.max_row, 1)}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def evidence_register_xlsx(rows: Sequence[RegisterRow]) -> bytes:
    """The organisation's evidence register, one row per evidence, as an .xlsx file."""
    return _workbook("Evidence register", EVIDENCE_REGISTER_COLUMNS, [register_cells(row) for row in rows])


def action_plan_xlsx(rows: Sequence[PlanRow]) -> bytes:
    """The action plan as an .xlsx file; overdue items are highlighted and say so in a column."""
    cells = [{column.key: getattr(row, column.key) for column in ACTION_PLAN_COLUMNS} for row in rows]
    return _workbook("Action plan", ACTION_PLAN_COLUMNS, cells, highlight="overdue")


def pack_file_entry(line: IndexLine) -> str:
    """Where an evidence's file is in the export pack: its path, "withheld" or "on-site inspection"."""
    if line.withheld:
        return "withheld"
    if line.file:
        return line.file
    return "on-site inspection"


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return long_date(value)
    return str(neutralise(str(value)))


def index_csv(lines: Sequence[IndexLine]) -> str:
    """index.csv of the export pack: one line per evidence, actions joined with ";"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(INDEX_COLUMNS)
    for line in lines:
        writer.writerow([
            _csv_text(line.title),
            _csv_text(line.evidence_type_title),
            _csv_text(";".join(str(action) for action in line.actions)),
            _csv_text(Classification.label_of(line.classification)),
            _csv_text(as_date(line.issued_on)),
            _csv_text(as_date(line.valid_until)),
            _csv_text(ReviewStatus.label_of(line.review_status)),
            _csv_text(pack_file_entry(line)),
        ])
    return buffer.getvalue()
