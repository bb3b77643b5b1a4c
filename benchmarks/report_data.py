"""The shape of the reports benchmark's generated year (`benchmarks.report_generator` draws it,
`benchmarks.reports` loads and times it): the year, zone and busy month, the mixes of languages,
currencies, session lengths and outcomes, and the size of a run."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from benchmarks.catalogue import APPLICANT_LANGUAGES, OFFICER_LANGUAGES, RELAY_LANGUAGE
from benchmarks.people import Row
from rris.enums import (
    SessionKind,
)

DEFAULT_SEED = 2026
BATCH_BOOKINGS = 10_000
REPORT_YEAR = 2025  # a whole past year: every booking has reached its final state
REPORT_ZONE = "Europe/Belgrade"
REPORT_COUNTRY = "RS"  # the biggest caseload: the slowest one-country report
# Bookings per month of the year: a summer lull, an autumn peak (October, with its clock change).
MONTH_WEIGHTS = (8, 8, 9, 9, 9, 8, 6, 5, 9, 11, 10, 8)
BUSY_MONTH = MONTH_WEIGHTS.index(max(MONTH_WEIGHTS)) + 1
WEEKEND_WEIGHT = 0.05  # of a weekday's bookings

# Applicants' languages beyond the pool's 22, rarer: about 40 languages in all.
MORE_APPLICANT_LANGUAGES = {
    "swh": 1, "vie": 1, "nep": 1, "aze": 1, "kat": 1, "hye": 1, "zho": 1, "tgk": 1, "uzb": 1, "yor": 1,
}  # fmt: skip
ALL_APPLICANT_LANGUAGES = {**APPLICANT_LANGUAGES, **MORE_APPLICANT_LANGUAGES}
OFFICIAL_LANGUAGE = {"AL": "sqi", "BA": "bos", "XK": "sqi", "ME": "cnr", "MK": "mkd", "RS": "srp", "TR": "tur"}
REPORT_LANGUAGES = tuple(sorted({*ALL_APPLICANT_LANGUAGES, RELAY_LANGUAGE, *OFFICER_LANGUAGES}))

# Currency: (weight, lowest hourly rate, highest), rates in cents.
RATES: dict[str, tuple[int, int, int]] = {
    "EUR": (50, 1800, 6000),
    "TRY": (20, 60000, 200000),
    "USD": (12, 2000, 6500),
    "GBP": (10, 1800, 5500),
    "MKD": (8, 120000, 350000),
}
REST_GAP_MINUTES = 15
SESSION_MINUTES = (45, 60, 90, 120, 180)
SESSION_WEIGHTS = (2, 5, 3, 3, 1)
OFFICE_HOURS = (8 * 60, 16 * 60)  # minutes after local midnight when sessions may start
LEAD_DAYS = (1, 40)
FILL_MINUTES = (3, 3 * 24 * 60)
SESSION_KINDS = tuple(SessionKind)

# The state mix of a past year, per 1,000 bookings; cancellations split by who had been filled.
STATE_WEIGHTS: dict[str, int] = {
    "completed": 790,
    "cancelled_filled": 45,
    "cancelled_unfilled": 75,
    "unfilled": 45,
    "applicant_no_show": 20,
    "interpreter_no_show": 10,
    "technical_failure": 10,
    "wrong_language": 5,
}
LATE_CANCELLATION_SHARE = 0.35
VIDEO_SHARE = 0.85
RELAY_SHARE = 0.05
SUMMARY_SHARE = 0.92  # of completed video sessions: the call left a summary
PHONE_ATTENDANCE_SHARE = 0.04  # of calls: the interpreter joined by telephone
PHONE_LEG_SHARE = 0.03  # of calls: someone was rung (most answered)
PHONE_BOOKED_LEG_SHARE = 0.3  # of completed telephone sessions: held on an RRIS telephone leg


@dataclass(frozen=True)
class ReportSize:
    """How many bookings to generate, for how many interpreters."""

    bookings: int
    interpreters: int
    seed: int = DEFAULT_SEED

    @property
    def data(self) -> dict[str, int]:
        """The size as every report line states it."""
        return {"bookings": self.bookings, "interpreters": self.interpreters, "languages": len(REPORT_LANGUAGES)}


FULL_REPORTS = ReportSize(bookings=1_000_000, interpreters=2_000)
QUICK_REPORTS = ReportSize(bookings=20_000, interpreters=150)


@dataclass
class GeneratedCounts:
    """How many rows `generate_bookings` wrote, and how long it took."""

    bookings: int = 0
    assignments: int = 0
    call_summaries: int = 0
    call_attendances: int = 0
    phone_legs: int = 0
    unfilled_for_want_of_interpreters: int = 0
    seconds: float = 0.0


@dataclass
class Batch:
    bookings: list[Row] = field(default_factory=list)
    assignments: list[Row] = field(default_factory=list)
    summaries: list[Row] = field(default_factory=list)
    attendances: list[Row] = field(default_factory=list)
    phone_legs: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class Office:
    department_id: int
    country_id: int
    country_code: str
    zone: ZoneInfo
    caseworker_id: int
