"""Report files carry text as text: whatever a table holds, no cell of its CSV or XLSX is run
as a formula by a spreadsheet, and numbers stay numbers."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl

from rris.reports.domain.report_tables import Column, Kind, Table
from rris.reports.integrations.report_files import table_csv, workbook
from tests.support.spreadsheets import HOSTILE, csv_rows, unsafe_csv_cells, unsafe_xlsx_cells

HOSTILE_TABLE = Table(
    key="hostile",
    title="=Languages",
    columns=(Column("+Country"), Column("Language"), Column("-Minutes", Kind.MINUTES), Column("Owed", Kind.MONEY)),
    rows=tuple((text, "Pashto", 50, Decimal("29.17")) for text in HOSTILE) + (("Serbia", "@Dari", "-1+2", None),),
    note="@note",
)


def test_every_text_cell_of_a_csv_export_is_marked_and_numbers_stay_numbers():
    text = table_csv(HOSTILE_TABLE, notes=["=footnote"])
    assert unsafe_csv_cells(text) == []
    rows = csv_rows(text)
    assert rows[0] == ["'+Country", "Language", "'-Minutes", "Owed"]
    assert rows[1] == ["'" + HOSTILE[0], "Pashto", "50", "29.17"]
    assert rows[len(HOSTILE) + 1] == ["Serbia", "'@Dari", "'-1+2", ""]
    assert ["'@note"] in rows and ["'=footnote"] in rows


def test_no_cell_of_an_xlsx_export_is_a_formula():
    data = workbook([HOSTILE_TABLE], "=heading", notes=["+note"])
    assert unsafe_xlsx_cells(data) == []
    book = openpyxl.load_workbook(io.BytesIO(data))
    about = [cell.value for cell in book["About"]["A"] if cell.value is not None]
    assert about == ["'=heading", "'=Languages", "'+note"]
    sheet = book["=Languages"]
    assert [cell.value for cell in sheet[1]] == ["'+Country", "Language", "'-Minutes", "Owed"]
    assert [cell.value for cell in sheet[2]] == ["'" + HOSTILE[0], "Pashto", 50, 29.17]
    assert [cell.value for cell in sheet[len(HOSTILE) + 2]] == ["Serbia", "'@Dari", "'-1+2", None]
