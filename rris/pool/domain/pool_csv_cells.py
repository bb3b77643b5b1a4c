"""Reading the cells of a pool CSV row: each reader checks one column and notes what is wrong.

Pure: the caller passes what the values may name (a `Catalogue`). The format is described in
`rris/pool/domain/pool_csv.py` and docs/pool-csv.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from rris.common.domain.spreadsheet_cells import cell_text
from rris.enums import Employment, Gender, Proficiency, Specialisation

LIST_SEPARATOR = ";"
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
class RowProblem:
    """What is wrong in one cell (or, with column "", in the row or file)."""

    row: int
    column: str
    message: str


class CellReader:
    """Collects the problems of one row while its cells are read."""

    def __init__(self, number: int, cells: dict[str, str]) -> None:
        self.number = number
        self.cells = cells
        self.problems: list[RowProblem] = []

    def cell(self, column: str) -> str:
        """The cell's text as it stands for a value (a spreadsheet's text mark removed)."""
        return cell_text(self.cells.get(column, ""))

    def problem(self, column: str, message: str) -> None:
        self.problems.append(RowProblem(self.number, column, message))

    def items(self, column: str) -> list[str]:
        return [item.strip() for item in self.cell(column).split(LIST_SEPARATOR) if item.strip()]


def read_email(row: CellReader) -> str:
    email = row.cell("email").lower()
    if not email:
        row.problem("email", "Give the interpreter's e-mail address; it identifies them.")
    elif len(email) > MAX_EMAIL_CHARS or not _EMAIL.match(email):
        row.problem("email", f"{row.cell('email')!r} is not an e-mail address.")
    return email


def read_choice(row: CellReader, column: str, kind: type[_E]) -> _E | None:
    raw = row.cell(column).lower()
    try:
        return kind(raw)
    except ValueError:
        allowed = " or ".join(member.value for member in kind)
        row.problem(column, f"{row.cell(column)!r} is not one of: {allowed}.")
        return None


def read_pairs(row: CellReader, catalogue: Catalogue) -> tuple[PairRow, ...]:
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


def read_dialects(row: CellReader, catalogue: Catalogue) -> tuple[tuple[str, str], ...]:
    found: set[tuple[str, str]] = set()
    for item in row.items("dialects"):
        code, _sep, name = item.partition(":")
        key = (code.strip().lower(), name.strip())
        if key not in catalogue.dialects:
            row.problem("dialects", f"Unknown dialect {item!r}; write the language code, a colon and a known dialect.")
            continue
        found.add(key)
    return tuple(sorted(found))


def read_accreditations(row: CellReader, catalogue: Catalogue) -> tuple[AccreditationRow, ...]:
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


def read_specialisations(row: CellReader) -> tuple[SpecialisationRow, ...]:
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


def read_whole_number(row: CellReader, column: str, bounds: tuple[int, int]) -> int | None:
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


def read_rate(row: CellReader) -> Decimal | None:
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


def read_yes_no(row: CellReader, column: str) -> bool | None:
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
