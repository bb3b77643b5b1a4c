"""Report figures as tables, the one shape the page, the CSV and the XLSX files all render,
and the small-count rule for tables that travel between countries. Pure.

**Small counts.** A table leaving the pool for more than one country (a cross-country export)
shows no count from 1 to 4: such a count reads "<5", and the figures that rest on it
(minutes, cost, shares; each column names the count it rests on) are left blank. Zero stays
zero. Totals are suppressed by the same rule; no secondary suppression is done (a total
minus the visible rows can bound a hidden cell).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from babel import Locale

from rris.common.domain import formats

SMALL_COUNT = 5
SUPPRESSED = "<5"


class Kind(StrEnum):
    """How a column's values read: the renderers format and align by kind."""

    TEXT = "text"
    COUNT = "count"
    MINUTES = "minutes"
    RATIO = "ratio"  # 0..1, shown as a percentage
    MONEY = "money"  # a Decimal in the row's currency
    HOURS = "hours"  # a float number of hours
    SECONDS = "seconds"  # a float number of seconds
    DAYS = "days"
    PERIOD = "period"  # a `Period`: people read its dates, files carry its ISO form


@dataclass(frozen=True)
class Period:
    """A run of calendar days a row stands for: a month of the trend, the report's period."""

    first: date
    last: date

    @property
    def whole_month(self) -> bool:
        """True when the period is exactly one calendar month."""
        return self.first.day == 1 and (self.last + timedelta(days=1)).day == 1 and self.first.month == self.last.month

    @classmethod
    def month_of(cls, first: date) -> Period:
        """The calendar month that begins on `first`."""
        following = date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)
        return cls(first, following - timedelta(days=1))

    def text(self, locale: Locale | str, *, short: bool = False) -> str:
        """The period as people read it in `locale`: 'March 2026', '1–15 Mar 2026' (a short month for axes)."""
        if self.whole_month:
            return formats.month(self.first, locale, short=short)
        return formats.day_span(self.first, self.last, locale)

    def iso(self) -> str:
        """'2026-03' for a calendar month, else '2026-03-01 – 2026-03-15': what files and programs read."""
        if self.whole_month:
            return f"{self.first:%Y-%m}"
        return f"{self.first.isoformat()} \u2013 {self.last.isoformat()}"


Cell = object  # str | int | float | Decimal | Period | None


@dataclass(frozen=True)
class Column:
    """A column's title and kind; `rests_on` is the index of the count column its figures come
    from (the minutes of those sessions, their cost, a share of them)."""

    title: str
    kind: Kind = Kind.TEXT
    rests_on: int | None = None
    currency_in: int | None = None  # for money: the column holding the row's ISO 4217 currency


Row = tuple[Cell, ...]


def is_small(cell: Cell) -> bool:
    """True for a count from 1 to 4."""
    return isinstance(cell, int) and 0 < cell < SMALL_COUNT


@dataclass(frozen=True)
class Table:
    """A titled table; `key` names it in URLs, file names and sheet names."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    note: str = ""

    def suppressed(self) -> Table:
        """The table fit to leave for other countries: small counts hidden (see the module)."""
        return replace(self, rows=tuple(_suppress(row, self.columns) for row in self.rows))


def _suppress(row: Row, columns: tuple[Column, ...]) -> Row:
    small = [column.kind is Kind.COUNT and is_small(cell) for cell, column in zip(row, columns, strict=True)]
    return tuple(
        SUPPRESSED if small[index] else None if column.rests_on is not None and small[column.rests_on] else cell
        for index, (cell, column) in enumerate(zip(row, columns, strict=True))
    )
