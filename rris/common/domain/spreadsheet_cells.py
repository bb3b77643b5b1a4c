"""Cells of the files RRIS writes (CSV, XLSX), safe to open in a spreadsheet, and read back.

Excel, LibreOffice and Google Sheets run a cell as a formula when its text begins with "=",
"+", "-" or "@" (also after a tab or a carriage return, which they skip), so a name typed as
`=HYPERLINK("http://x","y")` would become a link, or worse, in a coordinator's spreadsheet.
Following OWASP's advice on CSV injection, every text cell any RRIS file carries goes through
`spreadsheet_text`, which puts a single quote in front of such a cell: spreadsheets show it as
text. Whatever is stored, the cell written is safe.

The quote is also put in front of a text that already begins with one, so it is never
ambiguous: `cell_text` removes exactly one leading quote, and a file RRIS wrote reads back
to the values it was written from.
"""

from __future__ import annotations

TEXT_MARK = "'"
# OWASP's list: what a spreadsheet takes for the start of a formula.
FORMULA_STARTS = frozenset("=+-@\t\r")


def needs_mark(text: str) -> bool:
    """True when a spreadsheet could run `text` as a formula, or it begins with the mark itself."""
    first = text[:1]
    return first in FORMULA_STARTS or first == TEXT_MARK or text.lstrip()[:1] in FORMULA_STARTS


def spreadsheet_text(text: str) -> str:
    """`text` as a cell a spreadsheet shows as text: a quote in front when it needs one."""
    return TEXT_MARK + text if needs_mark(text) else text


def spreadsheet_cell(value: object) -> object:
    """A cell to write: text made safe by `spreadsheet_text`; numbers, booleans and None as they are."""
    return spreadsheet_text(value) if isinstance(value, str) else value


def cell_text(cell: str) -> str:
    """What a cell of an uploaded file stands for: blanks around it and one leading mark removed."""
    return cell.strip().removeprefix(TEXT_MARK)
