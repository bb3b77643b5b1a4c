"""The years a date typed into RRIS may fall in: 2000 to 2099. Pure.

Nothing RRIS does (bookings, time off, reports, the audit trail) lies outside them, and a day near
the ends of Python's calendar (0001-01-01, 9999-12-31) overflows as soon as a time zone moves it
across midnight. The edges refuse a date outside this century before any arithmetic, alike in
the portal's forms (`rris.common.web.forms.WithinYears`) and the JSON API
(`rris.reports.services.report_requests`), whose patterns say the same in their schema.
"""

from __future__ import annotations

from datetime import date

FIRST_YEAR = 2000
LAST_YEAR = 2099
YEAR_PATTERN = "20[0-9]{2}"  # FIRST_YEAR to LAST_YEAR, for a schema's pattern
MONTH_PATTERN = f"^{YEAR_PATTERN}-(0[1-9]|1[0-2])$"
DAY_PATTERN = f"^{YEAR_PATTERN}-[0-9]{{2}}-[0-9]{{2}}$"


def within_years(day: date) -> bool:
    """The day (or a datetime's day) falls in FIRST_YEAR to LAST_YEAR."""
    return FIRST_YEAR <= day.year <= LAST_YEAR
