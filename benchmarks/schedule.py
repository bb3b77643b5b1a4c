"""Bookings a year either side of BENCH_NOW, most with an interpreter assigned.

Each interpreter's jobs are drawn day by day in time order, inside their weekly windows and
outside their time off, and a job is dropped when its busy span (the session widened by the
interpreter's rest gap) would overlap the previous one: the database's overlap guard (a
PostgreSQL exclusion constraint, a SQLite trigger) then accepts every row. Bookings nobody was
assigned to (cancelled, unfilled) make up the requested total.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from benchmarks.catalogue import BENCH_NOW, COUNTRY_WEIGHTS, SESSION_MINUTES, SESSION_WEIGHTS
from benchmarks.people import Office, Person, Row, weighted
from rris.enums import BookingState, GenderRule, Modality, SessionKind
from rris.matching.domain.clashes import busy_interval
from rris.matching.domain.snapshots import Interval

HORIZON_DAYS = 365
FIRST_DAY = BENCH_NOW.date() - timedelta(days=HORIZON_DAYS)
TOTAL_DAYS = 2 * HORIZON_DAYS
ASSIGNED_SHARE = 0.88  # of all bookings, the share drawn as assigned jobs of the pool
CASE_REUSE_CHANCE = 0.3  # a job continues the interpreter's previous case (a second interview)
RELEASED_CHANCE = 0.3  # a cancelled booking had an interpreter, since released
OFFICE_HOURS_MINUTES = (8 * 60, 16 * 60)  # when departments start their sessions, local time
SESSION_KINDS = tuple(SessionKind)


@dataclass
class Batch:
    """Bookings and the assignments that refer to them, inserted together."""

    bookings: list[Row] = field(default_factory=list)
    assignments: list[Row] = field(default_factory=list)


@lru_cache(maxsize=128)
def _working_offsets(workdays: tuple[bool, ...]) -> tuple[int, ...]:
    """Day offsets from FIRST_DAY that fall on a weekday with windows."""
    first = FIRST_DAY.weekday()
    return tuple(offset for offset in range(TOTAL_DAYS) if workdays[(first + offset) % 7])


def _at(day: date, minute: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone).astimezone(UTC)


class Schedule:
    """Draws `total` bookings for `people`, handed out in batches."""

    def __init__(self, rng: random.Random, offices: list[Office], people: list[Person], total: int) -> None:
        self.rng = rng
        self.offices = {office.country_code: office for office in offices}
        self.people = people
        self.total = total
        self.next_id = 1
        self.assigned = 0
        self.released = 0
        self._cases: dict[str, int] = defaultdict(int)
        self._all_pairs = sorted({pair for person in people for pair in person.pairs})

    def batches(self, size: int) -> Iterator[Batch]:
        """Every booking and assignment, `size` bookings at a time."""
        batch = Batch()
        for person, target in zip(self.people, self._targets(), strict=True):
            for booking, assignment in self._jobs_of(person, target):
                batch.bookings.append(booking)
                batch.assignments.append(assignment)
                if len(batch.bookings) >= size:
                    yield batch
                    batch = Batch()
        while self.next_id <= self.total:
            booking, assignment = self._unassigned()
            batch.bookings.append(booking)
            if assignment:
                batch.assignments.append(assignment)
            if len(batch.bookings) >= size:
                yield batch
                batch = Batch()
        if batch.bookings:
            yield batch

    def _targets(self) -> list[int]:
        weights = [self.rng.uniform(0.3, 2.0) for _ in self.people]
        budget = round(self.total * ASSIGNED_SHARE)
        scale = budget / sum(weights) if weights else 0
        return [int(weight * scale) for weight in weights]

    def _jobs_of(self, person: Person, target: int) -> Iterator[tuple[Row, Row]]:
        offsets = _working_offsets(tuple(bool(spans) for spans in person.week))
        days = sorted(self.rng.sample(offsets, min(target, len(offsets))))
        busy_until = datetime.min.replace(tzinfo=UTC)
        last_case: tuple[str, str] | None = None
        for offset in days:
            if self.next_id > self.total:
                return
            day = FIRST_DAY + timedelta(days=offset)
            span_start, span_end = self.rng.choice(person.week[day.weekday()])
            minutes = self.rng.choices(SESSION_MINUTES, weights=SESSION_WEIGHTS)[0]
            if span_end - span_start < minutes:
                minutes = SESSION_MINUTES[0]
                if span_end - span_start < minutes:
                    continue
            start = _at(
                day, span_start + 15 * self.rng.randint(0, (span_end - span_start - minutes) // 15), person.zone
            )
            end = start + timedelta(minutes=minutes)
            busy = busy_interval(Interval(start, end), person.rest_gap_minutes)
            if busy.start < busy_until or any(off < end and start < back for off, back in person.time_off):
                continue
            busy_until = busy.end
            code = self._country_on(person, day)
            if last_case and last_case[0] == code and self.rng.random() < CASE_REUSE_CHANCE:
                reference, continuity = last_case[1], True
            else:
                reference, continuity = self._new_case(code, start), False
            last_case = (code, reference)
            applicant, officer = self.rng.choice(person.pairs)
            state = self._delivered_state(start)
            booking = self._booking(self.offices[code], applicant, officer, start, end, reference, state, continuity)
            self.assigned += 1
            yield booking, self._assignment(booking, person)

    def _country_on(self, person: Person, day: date) -> str:
        valid = [code for code, valid_from, valid_to in person.accreditations if valid_from <= day <= valid_to]
        return self.rng.choice(valid or [code for code, _, _ in person.accreditations])

    def _new_case(self, country_code: str, start: datetime) -> str:
        self._cases[country_code] += 1
        return f"{country_code}-{start.year}-{self._cases[country_code]:06d}"

    def _delivered_state(self, start: datetime) -> BookingState:
        if start >= BENCH_NOW:
            return BookingState.CONFIRMED
        draw = self.rng.random()
        if draw < 0.02:
            return BookingState.APPLICANT_NO_SHOW
        if draw < 0.04:
            return BookingState.TECHNICAL_FAILURE
        return BookingState.COMPLETED

    def _unassigned(self) -> tuple[Row, Row | None]:
        office = self.offices[weighted(self.rng, COUNTRY_WEIGHTS)]
        day = FIRST_DAY + timedelta(days=self.rng.randrange(TOTAL_DAYS))
        if day.weekday() >= 5:
            day += timedelta(days=7 - day.weekday())
        minutes = self.rng.choices(SESSION_MINUTES, weights=SESSION_WEIGHTS)[0]
        low, high = OFFICE_HOURS_MINUTES
        start = _at(day, low + 15 * self.rng.randint(0, (high - low) // 15), ZoneInfo(office.timezone))
        end = start + timedelta(minutes=minutes)
        cancelled = self.rng.random() < (0.55 if start < BENCH_NOW else 0.3)
        state = BookingState.CANCELLED if cancelled else BookingState.UNFILLED
        applicant, officer = self.rng.choice(self._all_pairs)
        booking = self._booking(
            office, applicant, officer, start, end, self._new_case(office.country_code, start), state
        )
        if not cancelled:
            return booking, None
        booking["cancelled_at"] = booking["updated_at"]
        booking["cancel_reason"] = "The applicant withdrew the claim."
        booking["cancelled_late"] = start - booking["cancelled_at"] < timedelta(hours=24)
        if self.rng.random() >= RELEASED_CHANCE:
            return booking, None
        assignment = self._assignment(booking, self.rng.choice(self.people))
        assignment["released_at"] = booking["cancelled_at"]
        assignment["release_reason"] = "cancelled"
        self.released += 1
        return booking, assignment

    def _booking(
        self,
        office: Office,
        applicant: str,
        officer: str,
        start: datetime,
        end: datetime,
        reference: str,
        state: BookingState,
        continuity: bool = False,
    ) -> Row:
        booking_id = self.next_id
        self.next_id += 1
        created = min(start - timedelta(days=self.rng.randint(1, 40)), BENCH_NOW - timedelta(hours=1))
        created -= timedelta(minutes=self.rng.randint(0, 600))
        updated = created + timedelta(minutes=self.rng.randint(5, 240))
        delivered = state not in (BookingState.CANCELLED, BookingState.UNFILLED)
        return {
            "id": booking_id,
            "code": f"B{booking_id:09d}",
            "department_id": office.department_id,
            "country_id": office.country_id,
            "created_by_id": self.rng.choice(office.caseworker_ids),
            "applicant_language": applicant,
            "officer_language": officer,
            "dialect": None,
            "session_kind": self.rng.choice(SESSION_KINDS),
            "modality": Modality.VIDEO if self.rng.random() < 0.85 else Modality.PHONE,
            "starts_at": start,
            "ends_at": end,
            "case_reference": reference,
            "notes": None,
            "gender": None,
            "gender_rule": GenderRule.NONE,
            "continuity": continuity,
            "relay": False,
            "state": state,
            "version": 1,
            "offer_wave": 1,
            "created_at": created,
            "updated_at": updated,
            "confirmed_at": updated if delivered else None,
            "cancelled_at": None,
            "cancel_reason": None,
            "cancelled_late": False,
        }

    def _assignment(self, booking: Row, person: Person) -> Row:
        busy = busy_interval(Interval(booking["starts_at"], booking["ends_at"]), person.rest_gap_minutes)
        return {
            "booking_id": booking["id"],
            "leg": 1,
            "interpreter_id": person.interpreter_id,
            "busy_from": busy.start,
            "busy_until": busy.end,
            "assigned_at": booking["updated_at"],
            "assigned_by_id": person.user_id,
            "manual": False,
            "released_at": None,
            "release_reason": None,
        }
