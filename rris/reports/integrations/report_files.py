"""Report tables as files: CSV (one table per file) and XLSX (one sheet per table).

Both carry the numbers as numbers (ratios as fractions in CSV, formatted as percentages in
XLSX), a suppressed small count as the text "<5" and the figures resting on it as empty
cells. Months and periods are written in ISO
form ("2026-03", "2026-03-01 – 2026-03-15") and numbers without a locale's separators, for the
programs and spreadsheets that read them; column headers, table titles and notes are in the
reader's language. Notes (the rounding rule, country footnotes) follow each table. Every text
cell goes through `rris.common.domain.spreadsheet_cells` (no formula injection), and XLSX text
is written as a string, never as a formula or a link.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any  # xlsxwriter is untyped: its worksheets and formats are Any

import xlsxwriter

from rris.common.domain.spreadsheet_cells import spreadsheet_cell, spreadsheet_text
from rris.reports.domain.report_tables import Kind, Period, Table

# Excel's limits: 31 characters a sheet name, and these characters are not allowed in one.
_SHEET_NAME_LIMIT = 31
_SHEET_NAME_FORBIDDEN = str.maketrans({character: " " for character in "[]:*?/\\"})

_XLSX_FORMATS = {
    Kind.COUNT: "#,##0",
    Kind.MINUTES: "#,##0",
    Kind.RATIO: "0.0%",
    Kind.MONEY: "#,##0.00",
    Kind.HOURS: "#,##0.0",
    Kind.SECONDS: "#,##0.0",
    Kind.DAYS: "#,##0.0",
}
_COLUMN_WIDTH = 16
_FIRST_COLUMN_WIDTH = 28


def table_csv(table: Table, notes: Sequence[str] = ()) -> str:
    """One table as CSV: a header row, its rows, then a blank line and its notes, if any."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_text(column.title) for column in table.columns])
    for row in table.rows:
        writer.writerow(["" if cell is None else spreadsheet_cell(_plain(cell)) for cell in row])
    trailing = [note for note in (table.note, *notes) if note]
    if trailing:
        writer.writerow([])
        for note in trailing:
            writer.writerow([spreadsheet_text(note)])
    return out.getvalue()


def workbook(tables: Sequence[Table], heading: str, notes: Sequence[str] = ()) -> bytes:
    """Every table on a sheet of its own, a first sheet saying what the file holds."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    formats = {kind: book.add_format({"num_format": pattern}) for kind, pattern in _XLSX_FORMATS.items()}
    right = book.add_format({"align": "right"})

    about = book.add_worksheet(_sheet_name("About"))
    about.set_column(0, 0, 100)
    about.write_string(0, 0, spreadsheet_text(heading), bold)
    line = 2
    for table in tables:
        about.write_string(line, 0, spreadsheet_text(table.title))
        line += 1
    line += 1
    for note in notes:
        about.write_string(line, 0, spreadsheet_text(note), wrap)
        line += 1

    used: set[str] = {"About"}
    for table in tables:
        sheet = book.add_worksheet(_unique(_sheet_name(table.title), used))
        sheet.set_column(0, 0, _FIRST_COLUMN_WIDTH)
        sheet.set_column(1, max(1, len(table.columns) - 1), _COLUMN_WIDTH)
        header_format = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        for index, column in enumerate(table.columns):
            sheet.write_string(0, index, spreadsheet_text(column.title), header_format)
        for row_index, row in enumerate(table.rows, start=1):
            for index, (cell, column) in enumerate(zip(row, table.columns, strict=True)):
                _write_cell(sheet, row_index, index, cell, formats.get(column.kind), right)
        sheet.freeze_panes(1, 1)
        if table.note:
            sheet.write_string(len(table.rows) + 2, 0, spreadsheet_text(table.note))
    book.close()
    return out.getvalue()


def _plain(cell: object) -> object:
    """A cell as a file carries it: a period in its ISO form, anything else as it is."""
    return cell.iso() if isinstance(cell, Period) else cell


def _write_cell(sheet: Any, row: int, column: int, cell: object, number_format: Any, right: Any) -> None:
    cell = _plain(cell)
    if cell is None:
        sheet.write_blank(row, column, None)
    elif isinstance(cell, bool):
        sheet.write_boolean(row, column, cell)
    elif isinstance(cell, int | float | Decimal):
        sheet.write_number(row, column, float(cell), number_format)
    elif number_format is not None:  # "<5" in a number column
        sheet.write_string(row, column, spreadsheet_text(str(cell)), right)
    else:
        sheet.write_string(row, column, spreadsheet_text(str(cell)))


def _sheet_name(title: str) -> str:
    return title.translate(_SHEET_NAME_FORBIDDEN).strip()[:_SHEET_NAME_LIMIT] or "Sheet"


def _unique(name: str, used: set[str]) -> str:
    candidate, number = name, 2
    while candidate.lower() in {existing.lower() for existing in used}:
        suffix = f" ({number})"
        candidate = name[: _SHEET_NAME_LIMIT - len(suffix)] + suffix
        number += 1
    used.add(candidate)
    return candidate
