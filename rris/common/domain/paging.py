"""Long lists shown a page at a time: how many pages, and which page a request may show. Pure."""

from __future__ import annotations


def page_count(total: int, rows: int) -> int:
    """How many pages `total` rows fill (at least one, an empty page saying so)."""
    return max(1, -(-total // rows))


def clamp_page(page: int | None, total: int, rows: int) -> int:
    """A page number within 1..the last page: a stale link past the end shows the last page."""
    return min(max(page or 1, 1), page_count(total, rows))
