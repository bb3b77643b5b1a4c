"""What part of the audit trail a reader asks for: a period of local days and some narrowing. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

# Entries on one page of the trail.
PAGE_ROWS = 50
# Rows one CSV export carries at most; the file says when the filter matched more.
EXPORT_MAX_ROWS = 100_000
# The longest period one filter spans: a retention period of several years stays searchable.
LONGEST_PERIOD_DAYS = 10 * 366


@dataclass(frozen=True)
class TrailFilter:
    """Entries from `first_day` to `last_day` (local days in the reader's zone, both included,
    either open), by whom (a name, e-mail or account number), which action, which subject."""

    first_day: date | None = None
    last_day: date | None = None
    actor: str | None = None
    action: str | None = None
    subject_type: str | None = None
    subject_id: str | None = None

    def __post_init__(self) -> None:
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValueError("an audit period cannot end before it starts")


def day_after(day: date) -> date:
    """The following day: a period's end is the start of the day after its last."""
    return day + timedelta(days=1)


def utc_iso(instant: datetime) -> str:
    """An instant as files carry it: ISO 8601 in UTC, to the second."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
