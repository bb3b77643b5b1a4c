"""The pool as CSV: one row per interpreter, parsed and checked without touching the database.

Columns (header row required, any order, names exactly as below):

    email              the key: an existing interpreter is updated, a new address creates one
    name               full name
    gender             female | male
    timezone           IANA zone, like Asia/Kabul
    employment         staff | freelance
    language_pairs     "pus-srp:c2;prs-eng:c1" (a pair works both ways; ">" may stand for "-";
                       proficiency native | c2 | c1 | b2)
    dialects           "pus:Southern (Kandahari);prs:Kabuli" (language code, then a known dialect)
    accreditations     "RS:2025-01-01/2026-12-31;AL:2027-03-01" (country, then from/to or only
                       the expiry; without a start an existing clearance keeps its own, a new one
                       starts on the import day)
    specialisations    "trauma:2024-05-01;children" (optionally the day of the training)
    daily_cap_minutes  30 to 720
    rest_gap_minutes   0 to 240
    hourly_rate        a non-negative amount with at most two decimals
    currency           ISO 4217 code, like EUR
    active             yes | no

Each row is the whole truth about that interpreter for these columns: an empty list cell means
none. Availability, time off, notes and phone numbers are not in the file and stay as they are.
Rows are numbered as a spreadsheet shows them: the header is row 1. A cell that would start a
spreadsheet formula (=, +, -, @, tab, CR) is written with a single quote in front, and one
leading quote is dropped when a cell is read (`rris.common.domain.spreadsheet_cells`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from rris.common.domain.spreadsheet_cells import cell_text, spreadsheet_text
from rris.enums import Employment, Gender
from rris.pool.domain.pool_csv_cells import (
    DAILY_CAP_MINUTES_RANGE,
    LIST_SEPARATOR,
    REST_GAP_MINUTES_RANGE,
    AccreditationRow,
    Catalogue,
    CellReader,
    PairRow,
    RowProblem,
    SpecialisationRow,
    read_accreditations,
    read_choice,
    read_dialects,
    read_email,
    read_pairs,
    read_rate,
    read_specialisations,
    read_whole_number,
    read_yes_no,
)
from rris.timeutil import is_valid_zone

__all__ = [
    "COLUMNS",
    "AccreditationRow",
    "Catalogue",
    "PairRow",
    "ParsedFile",
    "ParsedRow",
    "PoolRow",
    "RowProblem",
    "SpecialisationRow",
    "normalised",
    "parse_pool_csv",
    "pool_cells",
    "pool_csv_chunks",
    "write_pool_csv",
]

CHUNK_ROWS = 250  # interpreters per piece of a streamed download

COLUMNS: tuple[str, ...] = (
    "email",
    "name",
    "gender",
    "timezone",
    "employment",
    "language_pairs",
    "dialects",
    "accreditations",
    "specialisations",
    "daily_cap_minutes",
    "rest_gap_minutes",
    "hourly_rate",
    "currency",
    "active",
)
MAX_ROWS = 5000
MAX_NAME_CHARS = 120


@dataclass(frozen=True)
class PoolRow:
    """One interpreter as the file describes them."""

    email: str
    name: str
    gender: Gender
    timezone: str
    employment: Employment
    language_pairs: tuple[PairRow, ...]
    dialects: tuple[tuple[str, str], ...]
    accreditations: tuple[AccreditationRow, ...]
    specialisations: tuple[SpecialisationRow, ...]
    daily_cap_minutes: int
    rest_gap_minutes: int
    hourly_rate: Decimal
    currency: str
    active: bool


@dataclass
class ParsedRow:
    """A data row: the interpreter it describes when valid, and what is wrong otherwise."""

    row: int
    email: str
    value: PoolRow | None
    problems: list[RowProblem] = field(default_factory=list)


@dataclass
class ParsedFile:
    """Every data row of a file, plus problems with the file as a whole (bad header, too long)."""

    rows: list[ParsedRow] = field(default_factory=list)
    file_problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when neither the file nor any row has a problem."""
        return not self.file_problems and all(not row.problems for row in self.rows)


def parse_pool_csv(text: str, catalogue: Catalogue) -> ParsedFile:
    """Parse and check a whole file; never raises for bad content, reports it instead."""
    result = ParsedFile()
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    try:
        records = list(reader)
    except csv.Error as error:
        result.file_problems.append(RowProblem(reader.line_num, "", f"The file is not valid CSV: {error}."))
        return result
    while records and not any(cell.strip() for cell in records[-1]):
        records.pop()
    if not records:
        result.file_problems.append(RowProblem(1, "", "The file is empty; the first row names the columns."))
        return result
    header = [cell_text(cell).lower() for cell in records[0]]
    missing = [name for name in COLUMNS if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    if missing:
        result.file_problems.append(RowProblem(1, "", f"Columns missing from the header: {', '.join(missing)}."))
    if unknown:
        result.file_problems.append(RowProblem(1, "", f"Unknown columns in the header: {', '.join(unknown)}."))
    if len(set(header)) != len(header):
        result.file_problems.append(RowProblem(1, "", "A column is named twice in the header."))
    if len(records) - 1 > MAX_ROWS:
        result.file_problems.append(RowProblem(1, "", f"The file has more than {MAX_ROWS} rows; split it."))
    if result.file_problems:
        return result
    first_row_of: dict[str, int] = {}
    for number, cells in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        parsed = _parse_row(number, header, cells, catalogue)
        if parsed.email:
            if parsed.email in first_row_of:
                message = f"This e-mail address is also on row {first_row_of[parsed.email]}."
                parsed.problems.append(RowProblem(number, "email", message))
                parsed.value = None
            else:
                first_row_of[parsed.email] = number
        result.rows.append(parsed)
    return result


def write_pool_csv(rows: list[PoolRow]) -> str:
    """The file for these interpreters: the format `parse_pool_csv` reads back to the same rows.

    Every cell is made safe to open in a spreadsheet (`rris.common.domain.spreadsheet_cells`).
    """
    return "".join(pool_csv_chunks(rows))


def pool_csv_chunks(rows: Iterable[PoolRow], rows_per_chunk: int = CHUNK_ROWS) -> Iterator[str]:
    """`write_pool_csv`'s text in pieces of `rows_per_chunk` rows (the header first), for a download
    that starts before its last row is written."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_text(column) for column in COLUMNS])
    for number, row in enumerate(rows, start=1):
        cells = pool_cells(row)
        writer.writerow([spreadsheet_text(cells[column]) for column in COLUMNS])
        if number % rows_per_chunk == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def pool_cells(row: PoolRow) -> dict[str, str]:
    """The row's values as the file's columns spell them, before they are written to a file."""
    return {
        "email": row.email,
        "name": row.name,
        "gender": row.gender.value,
        "timezone": row.timezone,
        "employment": row.employment.value,
        "language_pairs": LIST_SEPARATOR.join(
            f"{p.language_a}-{p.language_b}:{p.proficiency.value}" for p in row.language_pairs
        ),
        "dialects": LIST_SEPARATOR.join(f"{code}:{name}" for code, name in row.dialects),
        "accreditations": LIST_SEPARATOR.join(_accreditation_cell(item) for item in row.accreditations),
        "specialisations": LIST_SEPARATOR.join(_specialisation_cell(item) for item in row.specialisations),
        "daily_cap_minutes": str(row.daily_cap_minutes),
        "rest_gap_minutes": str(row.rest_gap_minutes),
        "hourly_rate": f"{row.hourly_rate:.2f}",
        "currency": row.currency,
        "active": "yes" if row.active else "no",
    }


def normalised(row: PoolRow) -> PoolRow:
    """The row with its lists sorted, so two descriptions of one interpreter compare equal."""
    return replace(
        row,
        language_pairs=tuple(sorted(row.language_pairs)),
        dialects=tuple(sorted(row.dialects)),
        accreditations=tuple(sorted(row.accreditations, key=_accreditation_key)),
        specialisations=tuple(sorted(row.specialisations, key=lambda s: s.specialisation.value)),
    )


def _parse_row(number: int, header: list[str], cells: list[str], catalogue: Catalogue) -> ParsedRow:
    if len(cells) > len(header):
        extra = CellReader(number, {})
        extra.problem("", f"The row has {len(cells)} cells but the header names {len(header)} columns.")
        return ParsedRow(number, "", None, extra.problems)
    row = CellReader(number, dict(zip(header, cells, strict=False)))
    email = read_email(row)
    name = row.cell("name")
    if not name:
        row.problem("name", "Give the interpreter's name.")
    elif len(name) > MAX_NAME_CHARS:
        row.problem("name", f"A name has at most {MAX_NAME_CHARS} characters.")
    gender = read_choice(row, "gender", Gender)
    zone_name = row.cell("timezone")
    if not is_valid_zone(zone_name):
        row.problem("timezone", f"Unknown time zone {zone_name!r}; use an IANA name like Europe/Belgrade.")
    employment = read_choice(row, "employment", Employment)
    pairs = read_pairs(row, catalogue)
    dialects = read_dialects(row, catalogue)
    accreditations = read_accreditations(row, catalogue)
    specialisations = read_specialisations(row)
    cap = read_whole_number(row, "daily_cap_minutes", DAILY_CAP_MINUTES_RANGE)
    gap = read_whole_number(row, "rest_gap_minutes", REST_GAP_MINUTES_RANGE)
    rate = read_rate(row)
    currency = row.cell("currency").upper()
    if currency not in catalogue.currencies:
        row.problem("currency", f"Unknown currency {row.cell('currency')!r}; use an ISO 4217 code like EUR.")
    active = read_yes_no(row, "active")
    if row.problems:
        return ParsedRow(number, email, None, row.problems)
    assert gender is not None and employment is not None and cap is not None and gap is not None
    assert rate is not None and active is not None
    value = PoolRow(
        email=email,
        name=name,
        gender=gender,
        timezone=zone_name,
        employment=employment,
        language_pairs=pairs,
        dialects=dialects,
        accreditations=accreditations,
        specialisations=specialisations,
        daily_cap_minutes=cap,
        rest_gap_minutes=gap,
        hourly_rate=rate,
        currency=currency,
        active=active,
    )
    return ParsedRow(number, email, normalised(value))


def _accreditation_key(item: AccreditationRow) -> tuple[str, date, date]:
    return (item.country, item.valid_from or date.min, item.valid_to)


def _accreditation_cell(item: AccreditationRow) -> str:
    if item.valid_from is None:
        return f"{item.country}:{item.valid_to.isoformat()}"
    return f"{item.country}:{item.valid_from.isoformat()}/{item.valid_to.isoformat()}"


def _specialisation_cell(item: SpecialisationRow) -> str:
    if item.trained_on is None:
        return item.specialisation.value
    return f"{item.specialisation.value}:{item.trained_on.isoformat()}"
