"""Draws the reports benchmark's year (`benchmarks.report_data` gives its shape): the reference
rows (countries, departments, caseworkers, interpreters), then the bookings day by day with their
assignments, call summaries, attendances and telephone legs, as plain row dicts, from one seeded
Random. Interpreters are handed out in start order, each taking the next job only after their
rest gap, so the database's overlap guard accepts every assignment."""

from __future__ import annotations

import heapq
import random
from bisect import bisect
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table

from benchmarks.catalogue import COUNTRY_WEIGHTS, RELAY_LANGUAGE
from benchmarks.people import CREATED, Row, country_row, user_row
from benchmarks.report_data import (
    ALL_APPLICANT_LANGUAGES,
    BATCH_BOOKINGS,
    FILL_MINUTES,
    LATE_CANCELLATION_SHARE,
    LEAD_DAYS,
    MONTH_WEIGHTS,
    OFFICE_HOURS,
    OFFICIAL_LANGUAGE,
    PHONE_ATTENDANCE_SHARE,
    PHONE_BOOKED_LEG_SHARE,
    PHONE_LEG_SHARE,
    RATES,
    RELAY_SHARE,
    REPORT_YEAR,
    REST_GAP_MINUTES,
    SESSION_KINDS,
    SESSION_MINUTES,
    SESSION_WEIGHTS,
    STATE_WEIGHTS,
    SUMMARY_SHARE,
    VIDEO_SHARE,
    WEEKEND_WEIGHT,
    Batch,
    GeneratedCounts,
    Office,
    ReportSize,
)
from rris.accounts.models.accounts import User
from rris.calls.domain.call_participants import Participant
from rris.demo.bulk_rows import closed_attendance_row
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
)
from rris.matching.domain.clashes import busy_interval
from rris.matching.domain.snapshots import Interval
from rris.pool.models.geography import Country, Department
from rris.pool.models.interpreters import InterpreterProfile


class YearGenerator:
    """Draws the reference rows, then the bookings day by day, from one seeded Random."""

    def __init__(self, rng: random.Random, size: ReportSize) -> None:
        self.rng = rng
        self.size = size
        self.counts = GeneratedCounts()
        self.offices: dict[str, list[Office]] = {}
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
            countries.append(country_row(country_id, country))
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
            office = Office(department_id, country_id, seed.country, ZoneInfo(zones[seed.country]), user_id)
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

    def batches(self) -> Iterator[Batch]:
        """Every booking of the year with the rows that refer to it, about BATCH_BOOKINGS at a time."""
        batch = Batch()
        for day, count in self._bookings_per_day():
            self._day(batch, day, count)
            if len(batch.bookings) >= BATCH_BOOKINGS:
                yield batch
                batch = Batch()
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

    def _day(self, batch: Batch, day: date, count: int) -> None:
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

    def _booking(self, batch: Batch, start: datetime, office: Office) -> None:
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
        batch: Batch,
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
        self, batch: Batch, booking_id: int, role: CallRole, channel: str, joined: datetime, left: datetime
    ) -> None:
        batch.attendances.append(closed_attendance_row(booking_id, role, channel, joined, left))
        self.counts.call_attendances += 1

    def _phone_leg(
        self, batch: Batch, booking_id: int, start: datetime, end: datetime, user_id: int, *, answered: bool
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
