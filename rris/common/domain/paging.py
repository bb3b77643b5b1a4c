"""Long lists shown a page at a time: how many pages, and which page a request may show. Pure."""

from __future__ import annotations

from dataclasses import dataclass


def page_count(total: int, rows: int) -> int:
    """How many pages `total` rows fill (at least one, an empty page saying so)."""
    return max(1, -(-total // rows))


def clamp_page(page: int | None, total: int, rows: int) -> int:
    """A page number within 1..the last page: a stale link past the end shows the last page."""
    return min(max(page or 1, 1), page_count(total, rows))


@dataclass(frozen=True)
class Paging:
    """Where one page stands in a counted list: its number (from 1), how many pages, how many rows."""

    page: int
    pages: int
    total: int
    rows: int

    @classmethod
    def of(cls, page: int | None, total: int, rows: int) -> Paging:
        """The requested page of `total` rows, `rows` to a page, clamped to those there are."""
        return cls(clamp_page(page, total, rows), page_count(total, rows), total, rows)

    @property
    def offset(self) -> int:
        """How many rows come before this page."""
        return (self.page - 1) * self.rows
