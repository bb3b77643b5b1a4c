"""The monthly coordinator report on a generated year of bookings (1,000,000 at full size).

Reusable by other benchmarks (an export of a year, say):

- `generate_bookings(app, size)` fills the migrated, empty database of a benchmark app
  (`benchmarks.environment.bench_app`) with the 7 countries and all their departments, a
  caseworker per department, `size.interpreters` interpreters paid in EUR, TRY, USD, GBP and MKD,
  and `size.bookings` bookings spread over the 12 months of `REPORT_YEAR` with their assignments,
  call summaries, call attendances and telephone legs.
- `time_calls(function, runs)` calls a function a few times untimed, then `runs` times, and
  returns the durations in milliseconds (`Reporter.latencies` turns them into p50/p95).

Deterministic (one `random.Random(seed)`). Rows are plain dicts written with Core bulk inserts on
SQLite and with COPY on PostgreSQL, `BATCH_BOOKINGS` bookings (and the rows that refer to them)
at a time. Interpreters are handed out day by day in start order, each taking the next job only
after their rest gap, so the database's overlap guard accepts every assignment.
"""

from __future__ import annotations

import gc
import heapq
import random
from bisect import bisect
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from time import perf_counter
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import Table, select, text

from benchmarks.catalogue import APPLICANT_LANGUAGES, COUNTRY_WEIGHTS, OFFICER_LANGUAGES, RELAY_LANGUAGE
from benchmarks.people import CREATED, Row, user_row
from benchmarks.report import Reporter
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Assignment, Booking
from rris.calls.domain.call_participants import Participant
from rris.calls.models.calls import CallAttendance, CallSummary
from rris.demo.bulk_rows import closed_attendance_row, insert_rows
from rris.demo.data import COUNTRIES, DEPARTMENTS
from rris.enums import (
    BookingState,
    CallRole,
    Employment,
    Gender,
    GenderRule,
    Modality,
    PhoneDirection,
    PhoneLegStatus,
    Role,
    SessionKind,
)
from rris.extensions import db
from rris.matching.domain.clashes import busy_interval
from rris.matching.domain.snapshots import Interval
from rris.phone.models.phone_legs import PhoneLeg
from rris.pool.models.geography import Country, Department
from rris.pool.models.interpreters import InterpreterProfile
from rris.pool.models.languages import Language
from rris.reports.domain.report_period import ReportFilter
from rris.reports.queries.reports import monthly_report

DEFAULT_SEED = 2026
BATCH_BOOKINGS = 10_000
REPORT_YEAR = 2025  # a whole past year: every booking has reached its final state
REPORT_ZONE = "Europe/Belgrade"
REPORT_COUNTRY = "RS"  # the biggest caseload: the slowest one-country report
# Bookings per month of the year: a summer lull, an autumn peak (October, with its clock change).
MONTH_WEIGHTS = (8, 8, 9, 9, 9, 8, 6, 5, 9, 11, 10, 8)
BUSY_MONTH = MONTH_WEIGHTS.index(max(MONTH_WEIGHTS)) + 1
WEEKEND_WEIGHT = 0.05  # of a weekday's bookings
RUNS = 20
WARMUPS = 2

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
class _Batch:
    bookings: list[Row] = field(default_factory=list)
    assignments: list[Row] = field(default_factory=list)
    summaries: list[Row] = field(default_factory=list)
    attendances: list[Row] = field(default_factory=list)
    phone_legs: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class _Office:
    department_id: int
    country_id: int
    country_code: str
    zone: ZoneInfo
    caseworker_id: int


def generate_bookings(app: Flask, size: ReportSize) -> GeneratedCounts:
    """Fill the migrated, empty database of `app` (languages synced) with `size` generated bookings."""
    started = perf_counter()
    gc.disable()  # millions of short-lived row dicts: the cyclic collector would only rescan them
    try:
        with app.app_context():
            counts = _load(size)
    finally:
        gc.enable()
    counts.seconds = perf_counter() - started
    return counts


def _load(size: ReportSize) -> GeneratedCounts:
    missing = set(REPORT_LANGUAGES) - set(
        db.session.scalars(select(Language.code).where(Language.code.in_(REPORT_LANGUAGES)))
    )
    if missing:
        raise RuntimeError(f"languages missing from the catalogue (run sync_languages first): {sorted(missing)}")
    generator = _Generator(random.Random(size.seed), size)
    for table, rows in generator.reference_rows():
        insert_rows(table, rows)
    db.session.commit()
    for batch in generator.batches():
        insert_rows(Booking.__table__, batch.bookings)
        insert_rows(Assignment.__table__, batch.assignments)
        insert_rows(CallSummary.__table__, batch.summaries)
        insert_rows(CallAttendance.__table__, batch.attendances)
        insert_rows(PhoneLeg.__table__, batch.phone_legs)
        db.session.commit()
    _after_load()
    return generator.counts


def time_calls(function: Callable[[], object], runs: int = RUNS, warmups: int = WARMUPS) -> list[float]:
    """Call `function` `warmups` times untimed, then `runs` times; each timed call's duration in ms."""
    for _ in range(warmups):
        function()
    samples = []
    for _ in range(runs):
        start = perf_counter()
        function()
        samples.append((perf_counter() - start) * 1000)
    return samples


def run_reports(app: Flask, report: Reporter, size: ReportSize, runs: int = RUNS) -> None:
    """Generate `size` bookings into `app`'s database, then time the busy month's report, for the
    whole pool and for one country."""
    counts = generate_bookings(app, size)
    report.emit("report_data", "generation_seconds", counts.seconds, "s")
    report.emit("report_data", "bookings", counts.bookings, "rows")
    report.emit("report_data", "assignments", counts.assignments, "rows")
    report.emit("report_data", "call_summaries", counts.call_summaries, "rows")
    report.emit("report_data", "call_attendances", counts.call_attendances, "rows")
    report.emit("report_data", "phone_legs", counts.phone_legs, "rows")
    filters = {
        "monthly_report_pool": ReportFilter.month(REPORT_YEAR, BUSY_MONTH, REPORT_ZONE),
        "monthly_report_country": ReportFilter.month(REPORT_YEAR, BUSY_MONTH, REPORT_ZONE, country_code=REPORT_COUNTRY),
    }
    with app.app_context():
        for bench, report_filter in filters.items():
            samples = time_calls(lambda report_filter=report_filter: monthly_report(report_filter), runs)
            figures = monthly_report(report_filter)
            report.latencies(bench, samples, percents=(50, 95))
            report.emit(
                bench, "bookings_in_month", figures.requested_sessions, "rows", month=f"{REPORT_YEAR}-{BUSY_MONTH:02d}"
            )
            db.session.rollback()


class _Generator:
    """Draws the reference rows, then the bookings day by day, from one seeded Random."""

    def __init__(self, rng: random.Random, size: ReportSize) -> None:
        self.rng = rng
        self.size = size
        self.counts = GeneratedCounts()
        self.offices: dict[str, list[_Office]] = {}
        self.interpreter_users: dict[int, int] = {}
        self._languages = _Draw(ALL_APPLICANT_LANGUAGES)
        self._states = _Draw(STATE_WEIGHTS)
        self._countries = _Draw(COUNTRY_WEIGHTS)
        self._minutes = _Draw(dict(zip(SESSION_MINUTES, SESSION_WEIGHTS, strict=True)))
        self._free: list[tuple[datetime, int]] = []  # (busy until, interpreter id), soonest first
        self._unused = 1  # the next interpreter who has not worked yet
        self._next_booking = 1
        self._next_leg = 1

    def reference_rows(self) -> Iterator[tuple[Table, list[Row]]]:
        """Countries, departments, a caseworker each, and the interpreters with their rates."""
        password_hash = "!generated-account-no-sign-in"  # noqa: S105 (nobody signs in)
        countries, departments, users, profiles = [], [], [], []
        country_ids = {}
        for country_id, country in enumerate(COUNTRIES, start=1):
            country_ids[country.code] = country_id
            countries.append(
                {
                    "id": country_id,
                    "code": country.code,
                    "name": country.name,
                    "authority": country.authority,
                    "seat": country.seat,
                    "timezone": country.timezone,
                }
            )
        zones = {country.code: country.timezone for country in COUNTRIES}
        for department_id, seed in enumerate(DEPARTMENTS, start=1):
            country_id = country_ids[seed.country]
            departments.append(
                {
                    "id": department_id,
                    "country_id": country_id,
                    "name": seed.name,
                    "city": seed.city,
                    "timezone": zones[seed.country],
                    "email": seed.email,
                }
            )
            user_id = len(users) + 1
            email = f"caseworker{department_id}@reports.bench.rris.example"
            users.append(
                user_row(
                    user_id,
                    email,
                    f"Caseworker {department_id}",
                    Role.CASEWORKER,
                    password_hash,
                    department_id=department_id,
                )
            )
            office = _Office(department_id, country_id, seed.country, ZoneInfo(zones[seed.country]), user_id)
            self.offices.setdefault(seed.country, []).append(office)
        currencies = list(RATES)
        currency_weights = [weight for weight, _, _ in RATES.values()]
        for interpreter_id in range(1, self.size.interpreters + 1):
            user_id = len(users) + 1
            email = f"interpreter{interpreter_id:05d}@reports.bench.rris.example"
            users.append(user_row(user_id, email, f"Interpreter {interpreter_id:05d}", Role.INTERPRETER, password_hash))
            currency = self.rng.choices(currencies, weights=currency_weights)[0]
            _, low, high = RATES[currency]
            profiles.append(
                {
                    "id": interpreter_id,
                    "user_id": user_id,
                    "gender": self.rng.choice((Gender.FEMALE, Gender.MALE)),
                    "timezone": "Europe/Istanbul" if currency == "TRY" else "Europe/Belgrade",
                    "employment": Employment.FREELANCE,
                    "daily_cap_minutes": 480,
                    "rest_gap_minutes": REST_GAP_MINUTES,
                    "hourly_rate": Decimal(self.rng.randint(low, high)) / 100,
                    "rate_currency": currency,
                    "active": True,
                    "notes": None,
                    "created_at": CREATED,
                }
            )
            self.interpreter_users[interpreter_id] = user_id
        yield Country.__table__, countries
        yield Department.__table__, departments
        yield User.__table__, users
        yield InterpreterProfile.__table__, profiles

    def batches(self) -> Iterator[_Batch]:
        """Every booking of the year with the rows that refer to it, about BATCH_BOOKINGS at a time."""
        batch = _Batch()
        for day, count in self._bookings_per_day():
            self._day(batch, day, count)
            if len(batch.bookings) >= BATCH_BOOKINGS:
                yield batch
                batch = _Batch()
        if batch.bookings:
            yield batch

    def _bookings_per_day(self) -> Iterator[tuple[date, int]]:
        total_weight = sum(MONTH_WEIGHTS)
        left = self.size.bookings
        for month, weight in enumerate(MONTH_WEIGHTS, start=1):
            wanted = left if month == 12 else round(self.size.bookings * weight / total_weight)
            left -= wanted
            first = date(REPORT_YEAR, month, 1)
            days = [
                first + timedelta(days=offset)
                for offset in range(31)
                if (first + timedelta(days=offset)).month == month
            ]
            weights = [WEEKEND_WEIGHT if day.weekday() >= 5 else 1.0 for day in days]
            per_day = Counter(self.rng.choices(days, weights=weights, k=wanted))
            for day in days:
                if per_day[day]:
                    yield day, per_day[day]

    def _day(self, batch: _Batch, day: date, count: int) -> None:
        rng = self.rng
        low, high = OFFICE_HOURS
        drafts = []
        for _ in range(count):
            office = rng.choice(self.offices[self._countries.draw(rng)])
            minute = low + 15 * _below(rng, (high - low) // 15 + 1)
            local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=office.zone)
            drafts.append((local.astimezone(UTC), office))
        drafts.sort(key=lambda draft: draft[0])
        for start, office in drafts:
            self._booking(batch, start, office)

    def _booking(self, batch: _Batch, start: datetime, office: _Office) -> None:
        rng = self.rng
        booking_id = self._next_booking
        self._next_booking += 1
        end = start + timedelta(minutes=self._minutes.draw(rng))
        outcome = self._states.draw(rng)
        relay = rng.random() < RELAY_SHARE
        modality = Modality.VIDEO if rng.random() < VIDEO_SHARE else Modality.PHONE
        filled = outcome not in ("cancelled_unfilled", "unfilled")
        interpreters = self._take_interpreters(start, end, 2 if relay else 1) if filled else []
        if filled and not interpreters:
            outcome, filled = "unfilled", False
            self.counts.unfilled_for_want_of_interpreters += 1
        state = BookingState.CANCELLED if outcome.startswith("cancelled") else BookingState(outcome)
        # The app's clock keeps microseconds: so do creation and confirmation.
        lead = timedelta(days=_between(rng, *LEAD_DAYS), minutes=_below(rng, 600), microseconds=_below(rng, 1_000_000))
        created = start - lead
        confirmed = created + timedelta(minutes=_between(rng, *FILL_MINUTES), microseconds=_below(rng, 1_000_000))
        confirmed = min(confirmed, start - timedelta(minutes=5)) if filled else None
        cancelled_at = None
        cancelled_late = False
        if state is BookingState.CANCELLED:
            cancelled_late = rng.random() < LATE_CANCELLATION_SHARE
            before = timedelta(hours=_between(rng, 1, 23)) if cancelled_late else timedelta(days=_between(rng, 2, 10))
            cancelled_at = max(start - before, (confirmed or created) + timedelta(seconds=1))
            cancelled_late = start - cancelled_at < timedelta(hours=24)
        officer = OFFICIAL_LANGUAGE[office.country_code] if relay or rng.random() < 0.6 else RELAY_LANGUAGE
        applicant = self._languages.draw(rng)
        batch.bookings.append(
            {
                "id": booking_id,
                "code": f"R{booking_id:09d}",
                "department_id": office.department_id,
                "country_id": office.country_id,
                "created_by_id": office.caseworker_id,
                "applicant_language": applicant,
                "officer_language": officer,
                "dialect": None,
                "session_kind": SESSION_KINDS[_below(rng, len(SESSION_KINDS))],
                "modality": modality,
                "starts_at": start,
                "ends_at": end,
                "case_reference": f"{office.country_code}-{REPORT_YEAR}-{booking_id:07d}",
                "notes": None,
                "gender": None,
                "gender_rule": GenderRule.NONE,
                "continuity": False,
                "relay": relay,
                "state": state,
                "version": 1,
                "offer_wave": 1,
                "created_at": created,
                "updated_at": cancelled_at or confirmed or created,
                "confirmed_at": confirmed,
                "cancelled_at": cancelled_at,
                "cancel_reason": "The applicant withdrew the claim." if cancelled_at else None,
                "cancelled_late": cancelled_late,
                "calendar_sequence": 0,
            }
        )
        self.counts.bookings += 1
        busy = busy_interval(Interval(start, end), REST_GAP_MINUTES)
        for leg, interpreter_id in enumerate(interpreters, start=1):
            batch.assignments.append(
                {
                    "booking_id": booking_id,
                    "leg": leg,
                    "interpreter_id": interpreter_id,
                    "busy_from": busy.start,
                    "busy_until": busy.end,
                    "assigned_at": confirmed,
                    "assigned_by_id": None,
                    "manual": False,
                    "released_at": cancelled_at,
                    "release_reason": "cancelled" if cancelled_at else None,
                    "waived_reasons": None,
                }
            )
        self.counts.assignments += len(interpreters)
        if interpreters:
            self._call(batch, booking_id, state, modality, start, end, interpreters[0])

    def _take_interpreters(self, start: datetime, end: datetime, wanted: int) -> list[int]:
        """The interpreters free longest (rest gap included), else new ones; [] when too few are free."""
        gap = timedelta(minutes=REST_GAP_MINUTES)
        taken = []
        while len(taken) < wanted:
            if self._free and self._free[0][0] <= start - gap:
                taken.append(heapq.heappop(self._free)[1])
            elif self._unused <= self.size.interpreters:
                taken.append(self._unused)
                self._unused += 1
            else:
                for interpreter_id in taken:  # give them back
                    heapq.heappush(self._free, (start - gap, interpreter_id))
                return []
        for interpreter_id in taken:
            heapq.heappush(self._free, (end + gap, interpreter_id))
        return taken

    def _call(
        self,
        batch: _Batch,
        booking_id: int,
        state: BookingState,
        modality: Modality,
        start: datetime,
        end: datetime,
        interpreter_id: int,
    ) -> None:
        """The call records: a summary and two attendances for most completed video sessions,
        the officer alone for some failed ones, telephone legs for a few."""
        rng = self.rng
        user_id = self.interpreter_users[interpreter_id]
        if modality is Modality.PHONE:
            if state is BookingState.COMPLETED and rng.random() < PHONE_BOOKED_LEG_SHARE:
                self._phone_leg(batch, booking_id, start, end, user_id, answered=True)
            return
        if state is BookingState.TECHNICAL_FAILURE and rng.random() < 0.5:
            self._attendance(batch, booking_id, CallRole.OFFICER, "browser", start, start + timedelta(minutes=10))
            return
        if state is not BookingState.COMPLETED or rng.random() >= SUMMARY_SHARE:
            return
        booked = int((end - start).total_seconds())
        delivered = max(0, booked - _between(rng, -300, 900))
        joined = start + timedelta(seconds=_below(rng, 301))
        left = joined + timedelta(seconds=delivered)
        channel = "phone" if rng.random() < PHONE_ATTENDANCE_SHARE else "browser"
        self._attendance(batch, booking_id, CallRole.OFFICER, "browser", joined, left)
        self._attendance(batch, booking_id, CallRole.INTERPRETER, channel, joined, left)
        batch.summaries.append(
            {
                "booking_id": booking_id,
                "delivered_seconds": delivered,
                "first_joined_at": joined,
                "last_left_at": left,
                "updated_at": left,
            }
        )
        self.counts.call_summaries += 1
        if rng.random() < PHONE_LEG_SHARE:
            self._phone_leg(batch, booking_id, joined, left, user_id, answered=rng.random() < 0.8)

    def _attendance(
        self, batch: _Batch, booking_id: int, role: CallRole, channel: str, joined: datetime, left: datetime
    ) -> None:
        batch.attendances.append(closed_attendance_row(booking_id, role, channel, joined, left))
        self.counts.call_attendances += 1

    def _phone_leg(
        self, batch: _Batch, booking_id: int, start: datetime, end: datetime, user_id: int, *, answered: bool
    ) -> None:
        batch.phone_legs.append(
            {
                "booking_id": booking_id,
                "participant": Participant.user(user_id).phone().encode(),
                "person_participant": Participant.user(user_id).encode(),
                "user_id": user_id,
                "role": CallRole.INTERPRETER,
                "display_name": f"Interpreter {user_id} (phone)",
                "direction": PhoneDirection.OUTBOUND,
                "number_tail": f"{user_id % 10_000:04d}",
                "call_sid": None,
                "status": PhoneLegStatus.COMPLETED if answered else PhoneLegStatus.NO_ANSWER,
                "requested_at": start - timedelta(seconds=30),
                "answered_at": start if answered else None,
                "ended_at": end if answered else start,
                "duration_seconds": int((end - start).total_seconds()) if answered else None,
                "simulated": True,
            }
        )
        self.counts.phone_legs += 1


class _Draw:
    """Draws keys of a weights table in proportion to their weight (faster than `Random.choices`)."""

    def __init__(self, weights: dict[Any, int]) -> None:
        self.keys = list(weights)
        self.cumulative = list(accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random) -> Any:
        return self.keys[bisect(self.cumulative, rng.random() * self.total)]


def _below(rng: random.Random, count: int) -> int:
    """A whole number in [0, count)."""
    return int(rng.random() * count)


def _between(rng: random.Random, low: int, high: int) -> int:
    """A whole number in [low, high]."""
    return low + int(rng.random() * (high - low + 1))


def _after_load() -> None:
    """On PostgreSQL: move the id sequences past the explicit ids, and gather planner statistics
    (as autovacuum would shortly after a bulk load). SQLite is left as the app leaves it."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in (Country, Department, User, InterpreterProfile, Booking, Assignment, CallAttendance, PhoneLeg):
        name = table.__tablename__
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 (our table names)
                f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
            )
        )
    db.session.commit()
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
