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
Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from rris.enums import Employment, Gender, Proficiency, Specialisation
from rris.timeutil import is_valid_zone

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
LIST_SEPARATOR = ";"
MAX_ROWS = 5000
MAX_NAME_CHARS = 120
MAX_EMAIL_CHARS = 254
DAILY_CAP_MINUTES_RANGE = (30, 720)  # the database's own check
REST_GAP_MINUTES_RANGE = (0, 240)
MAX_HOURLY_RATE = Decimal("99999999.99")  # Numeric(10, 2)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_E = TypeVar("_E", Gender, Employment)
_YES = {"yes", "true", "1"}
_NO = {"no", "false", "0"}


@dataclass(frozen=True)
class Catalogue:
    """What the values in a file may name: known codes, read by the caller."""

    languages: frozenset[str]
    countries: frozenset[str]
    dialects: frozenset[tuple[str, str]]  # (language code, dialect name)
    currencies: frozenset[str]


@dataclass(frozen=True, order=True)
class PairRow:
    """A working pair, codes in alphabetical order as the database keeps them."""

    language_a: str
    language_b: str
    proficiency: Proficiency


@dataclass(frozen=True, order=True)
class AccreditationRow:
    """A country's clearance; `valid_from` None means 'keep the existing start, or today'."""

    country: str
    valid_to: date
    valid_from: date | None = None


@dataclass(frozen=True, order=True)
class SpecialisationRow:
    """A specialisation and, when recorded, the day of the training."""

    specialisation: Specialisation
    trained_on: date | None = None


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


@dataclass(frozen=True)
class RowProblem:
    """What is wrong in one cell (or, with column "", in the row or file)."""

    row: int
    column: str
    message: str


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
    header = [cell.strip().lower() for cell in records[0]]
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
    """The file for these interpreters: the format `parse_pool_csv` reads back to the same rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.email,
                row.name,
                row.gender.value,
                row.timezone,
                row.employment.value,
                LIST_SEPARATOR.join(f"{p.language_a}-{p.language_b}:{p.proficiency.value}" for p in row.language_pairs),
                LIST_SEPARATOR.join(f"{code}:{name}" for code, name in row.dialects),
                LIST_SEPARATOR.join(_accreditation_cell(item) for item in row.accreditations),
                LIST_SEPARATOR.join(_specialisation_cell(item) for item in row.specialisations),
                str(row.daily_cap_minutes),
                str(row.rest_gap_minutes),
                f"{row.hourly_rate:.2f}",
                row.currency,
                "yes" if row.active else "no",
            ]
        )
    return out.getvalue()


def normalised(row: PoolRow) -> PoolRow:
    """The row with its lists sorted, so two descriptions of one interpreter compare equal."""
    return PoolRow(
        email=row.email,
        name=row.name,
        gender=row.gender,
        timezone=row.timezone,
        employment=row.employment,
        language_pairs=tuple(sorted(row.language_pairs)),
        dialects=tuple(sorted(row.dialects)),
        accreditations=tuple(sorted(row.accreditations, key=_accreditation_key)),
        specialisations=tuple(sorted(row.specialisations, key=lambda s: s.specialisation.value)),
        daily_cap_minutes=row.daily_cap_minutes,
        rest_gap_minutes=row.rest_gap_minutes,
        hourly_rate=row.hourly_rate,
        currency=row.currency,
        active=row.active,
    )


# -- one row ------------------------------------------------------------------------------


class _Row:
    """Collects the problems of one row while its cells are read."""

    def __init__(self, number: int, cells: dict[str, str]) -> None:
        self.number = number
        self.cells = cells
        self.problems: list[RowProblem] = []

    def cell(self, column: str) -> str:
        return self.cells.get(column, "").strip()

    def problem(self, column: str, message: str) -> None:
        self.problems.append(RowProblem(self.number, column, message))

    def items(self, column: str) -> list[str]:
        return [item.strip() for item in self.cell(column).split(LIST_SEPARATOR) if item.strip()]


def _parse_row(number: int, header: list[str], cells: list[str], catalogue: Catalogue) -> ParsedRow:
    if len(cells) > len(header):
        extra = _Row(number, {})
        extra.problem("", f"The row has {len(cells)} cells but the header names {len(header)} columns.")
        return ParsedRow(number, "", None, extra.problems)
    row = _Row(number, dict(zip(header, cells, strict=False)))
    email = _email(row)
    name = row.cell("name")
    if not name:
        row.problem("name", "Give the interpreter's name.")
    elif len(name) > MAX_NAME_CHARS:
        row.problem("name", f"A name has at most {MAX_NAME_CHARS} characters.")
    gender = _choice(row, "gender", Gender)
    zone_name = row.cell("timezone")
    if not is_valid_zone(zone_name):
        row.problem("timezone", f"Unknown time zone {zone_name!r}; use an IANA name like Europe/Belgrade.")
    employment = _choice(row, "employment", Employment)
    pairs = _pairs(row, catalogue)
    dialects = _dialects(row, catalogue)
    accreditations = _accreditations(row, catalogue)
    specialisations = _specialisations(row)
    cap = _whole_number(row, "daily_cap_minutes", DAILY_CAP_MINUTES_RANGE)
    gap = _whole_number(row, "rest_gap_minutes", REST_GAP_MINUTES_RANGE)
    rate = _rate(row)
    currency = row.cell("currency").upper()
    if currency not in catalogue.currencies:
        row.problem("currency", f"Unknown currency {row.cell('currency')!r}; use an ISO 4217 code like EUR.")
    active = _yes_no(row, "active")
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


def _email(row: _Row) -> str:
    email = row.cell("email").lower()
    if not email:
        row.problem("email", "Give the interpreter's e-mail address; it identifies them.")
    elif len(email) > MAX_EMAIL_CHARS or not _EMAIL.match(email):
        row.problem("email", f"{row.cell('email')!r} is not an e-mail address.")
    return email


def _choice(row: _Row, column: str, kind: type[_E]) -> _E | None:
    raw = row.cell(column).lower()
    try:
        return kind(raw)
    except ValueError:
        allowed = " or ".join(member.value for member in kind)
        row.problem(column, f"{row.cell(column)!r} is not one of: {allowed}.")
        return None


def _pairs(row: _Row, catalogue: Catalogue) -> tuple[PairRow, ...]:
    found: list[PairRow] = []
    items = row.items("language_pairs")
    if not items:
        row.problem("language_pairs", "Give at least one working pair, like pus-srp:c1.")
    for item in items:
        codes, _sep, level = item.partition(":")
        one, _dash, other = codes.replace(">", "-").partition("-")
        one, other = one.strip().lower(), other.strip().lower()
        if not one or not other or not level:
            row.problem("language_pairs", f"{item!r} is not a pair like pus-srp:c1.")
            continue
        unknown = [code for code in (one, other) if code not in catalogue.languages]
        if unknown:
            row.problem("language_pairs", f"Unknown language code {unknown[0]!r} in {item!r}; use ISO 639-3.")
            continue
        if one == other:
            row.problem("language_pairs", f"{item!r} pairs a language with itself.")
            continue
        try:
            proficiency = Proficiency(level.strip().lower())
        except ValueError:
            row.problem("language_pairs", f"Unknown proficiency {level!r} in {item!r}; use native, c2, c1 or b2.")
            continue
        first, second = sorted((one, other))
        if any((p.language_a, p.language_b) == (first, second) for p in found):
            row.problem("language_pairs", f"The pair {first}-{second} is listed twice.")
            continue
        found.append(PairRow(first, second, proficiency))
    return tuple(found)


def _dialects(row: _Row, catalogue: Catalogue) -> tuple[tuple[str, str], ...]:
    found: set[tuple[str, str]] = set()
    for item in row.items("dialects"):
        code, _sep, name = item.partition(":")
        key = (code.strip().lower(), name.strip())
        if key not in catalogue.dialects:
            row.problem("dialects", f"Unknown dialect {item!r}; write the language code, a colon and a known dialect.")
            continue
        found.add(key)
    return tuple(sorted(found))


def _accreditations(row: _Row, catalogue: Catalogue) -> tuple[AccreditationRow, ...]:
    found: list[AccreditationRow] = []
    for item in row.items("accreditations"):
        country, _sep, period = item.partition(":")
        country = country.strip().upper()
        if country not in catalogue.countries:
            row.problem("accreditations", f"Unknown country {country!r} in {item!r}.")
            continue
        start_text, slash, end_text = period.partition("/")
        if not slash:
            start_text, end_text = "", start_text
        valid_to = _date(end_text)
        valid_from = _date(start_text) if start_text.strip() else None
        if valid_to is None or (start_text.strip() and valid_from is None):
            row.problem("accreditations", f"Bad date in {item!r}; write days as YYYY-MM-DD.")
            continue
        if valid_from is not None and valid_from > valid_to:
            row.problem("accreditations", f"In {item!r} the clearance ends before it begins.")
            continue
        entry = AccreditationRow(country, valid_to, valid_from)
        if any(_clashes(entry, other) for other in found if other.country == country):
            row.problem("accreditations", f"{item!r} starts on the same day as another clearance for {country}.")
            continue
        found.append(entry)
    return tuple(found)


def _specialisations(row: _Row) -> tuple[SpecialisationRow, ...]:
    found: dict[Specialisation, SpecialisationRow] = {}
    for item in row.items("specialisations"):
        name, _sep, day = item.partition(":")
        try:
            specialisation = Specialisation(name.strip().lower())
        except ValueError:
            allowed = ", ".join(member.value for member in Specialisation)
            row.problem("specialisations", f"Unknown specialisation {name.strip()!r}; use {allowed}.")
            continue
        trained_on = _date(day) if day.strip() else None
        if day.strip() and trained_on is None:
            row.problem("specialisations", f"Bad date in {item!r}; write days as YYYY-MM-DD.")
            continue
        if specialisation in found:
            row.problem("specialisations", f"{specialisation.value} is listed twice.")
            continue
        found[specialisation] = SpecialisationRow(specialisation, trained_on)
    return tuple(found.values())


def _whole_number(row: _Row, column: str, bounds: tuple[int, int]) -> int | None:
    raw = row.cell(column)
    low, high = bounds
    try:
        number = int(raw)
    except ValueError:
        row.problem(column, f"{raw!r} is not a whole number of minutes.")
        return None
    if not low <= number <= high:
        row.problem(column, f"{number} is outside {low} to {high} minutes.")
        return None
    return number


def _rate(row: _Row) -> Decimal | None:
    raw = row.cell("hourly_rate")
    try:
        rate = Decimal(raw)
    except InvalidOperation:
        row.problem("hourly_rate", f"{raw!r} is not an amount, like 32.50.")
        return None
    if not rate.is_finite() or rate < 0:
        row.problem("hourly_rate", "The hourly rate cannot be negative.")
        return None
    if rate != rate.quantize(Decimal("0.01")) or rate > MAX_HOURLY_RATE:
        row.problem("hourly_rate", f"{raw!r} has more than two decimals or is too large.")
        return None
    return rate.quantize(Decimal("0.01"))


def _yes_no(row: _Row, column: str) -> bool | None:
    raw = row.cell(column).lower()
    if raw in _YES:
        return True
    if raw in _NO:
        return False
    row.problem(column, f"{row.cell(column)!r} is neither yes nor no.")
    return None


def _date(text: str) -> date | None:
    text = text.strip()
    if len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _clashes(one: AccreditationRow, other: AccreditationRow) -> bool:
    # The database keeps one clearance per country and start day; two open starts would be one.
    return one.valid_from == other.valid_from


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
