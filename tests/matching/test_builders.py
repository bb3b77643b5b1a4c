"""Snapshot builders shared by the matching tests, and the baseline they start from.

Baseline: a Pashto–English interpreter in Kabul, working Monday to Friday 08:00–18:00 Kabul time,
accredited for Serbia (country 1) through 2026, and a caseworker in Belgrade booking Pashto–English
for Monday 12 January 2026, 09:00–11:00 Belgrade time (08:00 UTC, 12:30 in Kabul).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rris.enums import Gender, Proficiency, Specialisation
from rris.matching.domain.clashes import busy_interval
from rris.matching.domain.rules import evaluate
from rris.matching.domain.snapshots import (
    AccreditationPeriod,
    Candidate,
    Commitment,
    Interval,
    MatchRequest,
    WeeklyWindow,
)

SERBIA = 1
NORTH_MACEDONIA = 2
NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)  # the Saturday before the baseline session
WEEKDAYS = range(5)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Wall-clock time in `zone`, as the UTC instant it is."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def belgrade(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Wall-clock time in Belgrade, as the UTC instant it is."""
    return local("Europe/Belgrade", year, month, day, hour, minute)


def span(start: datetime, minutes: int = 120) -> Interval:
    """An interval of `minutes` from `start`."""
    return Interval(start, start + timedelta(minutes=minutes))


def windows(days: range | tuple[int, ...], start_hour: float, end_hour: float) -> tuple[WeeklyWindow, ...]:
    """The same window on each of `days`, hours in local time (fractions allowed)."""
    return tuple(WeeklyWindow(day, round(start_hour * 60), round(end_hour * 60)) for day in days)


def job(booking_id: int, start: datetime, minutes: int = 120, rest_gap_minutes: int = 15) -> Commitment:
    """A confirmed job of `minutes` from `start`, holding the interpreter's time with `rest_gap_minutes`."""
    session = span(start, minutes)
    return Commitment(booking_id, session, busy_interval(session, rest_gap_minutes))


def make_request(**overrides: Any) -> MatchRequest:
    """The baseline request, with fields replaced."""
    fields: dict[str, Any] = {
        "applicant_language": "pus",
        "officer_language": "eng",
        "country_id": SERBIA,
        "interval": span(belgrade(2026, 1, 12, 9)),
        "country_timezone": "Europe/Belgrade",
    }
    fields.update(overrides)
    return MatchRequest(**fields)


def make_candidate(interpreter_id: int = 1, **overrides: Any) -> Candidate:
    """The baseline interpreter, with fields replaced."""
    fields: dict[str, Any] = {
        "interpreter_id": interpreter_id,
        "name": f"Interpreter {interpreter_id}",
        "active": True,
        "gender": Gender.FEMALE,
        "timezone": "Asia/Kabul",
        "pairs": {frozenset({"pus", "eng"}): Proficiency.C1},
        "dialects": frozenset(),
        "accreditations": (AccreditationPeriod(SERBIA, date(2025, 1, 1), date(2026, 12, 31)),),
        "specialisations": frozenset(),
        "windows": windows(WEEKDAYS, 8, 18),
        "time_off": (),
        "commitments": (),
        "daily_cap_minutes": 360,
        "rest_gap_minutes": 15,
    }
    fields.update(overrides)
    return Candidate(**fields)


ZONES = ("Asia/Kabul", "Asia/Tehran", "Europe/Istanbul", "Asia/Karachi", "Asia/Dhaka", "Europe/London")
APPLICANT_LANGUAGES = ("arb", "apc", "acm", "pes", "prs", "pus", "urd", "ckb", "kmr", "ben", "tir", "som", "fra")
OFFICER_LANGUAGES = ("eng", "srp", "mkd", "tur", "sqi")


def generated_pool(size: int, seed: int = 7) -> list[Candidate]:
    """`size` varied interpreters: random pairs, zones, hours, accreditations, jobs and time off."""
    rnd = random.Random(seed)
    base = utc(2026, 1, 12)
    pool = []
    for interpreter_id in range(1, size + 1):
        pairs = {
            frozenset({rnd.choice(APPLICANT_LANGUAGES), rnd.choice(OFFICER_LANGUAGES)}): rnd.choice(list(Proficiency))
            for _ in range(rnd.randint(1, 3))
        }
        days = tuple(day for day in range(7) if day < 5 or rnd.random() < 0.3)
        start = rnd.choice((7, 8, 9, 10))
        hours = windows(days, start, 12) + windows(days, 13, start + 9)
        jobs = tuple(
            job(interpreter_id * 100 + k, base + timedelta(hours=rnd.randint(-24, 24 * 10)), rnd.choice((60, 90, 120)))
            for k in range(rnd.randint(0, 6))
        )
        time_off = (span(base + timedelta(days=rnd.randint(0, 10)), 3 * 24 * 60),) if rnd.random() < 0.1 else ()
        countries = rnd.sample(range(1, 8), rnd.randint(1, 3))
        pool.append(
            make_candidate(
                interpreter_id,
                active=rnd.random() > 0.05,
                gender=rnd.choice(list(Gender)),
                timezone=rnd.choice(ZONES),
                pairs=pairs,
                accreditations=tuple(AccreditationPeriod(c, date(2025, 6, 1), date(2026, 6, 30)) for c in countries),
                specialisations=frozenset(rnd.sample(list(Specialisation), rnd.randint(0, 3))),
                windows=hours,
                time_off=time_off,
                commitments=jobs,
                daily_cap_minutes=rnd.choice((240, 360, 480)),
                booked_minutes_last_30_days=rnd.randint(0, 6000),
            )
        )
    return pool


def test_the_baseline_interpreter_in_kabul_can_take_the_baseline_belgrade_session():
    assert evaluate(make_candidate(), make_request(), NOW) == ()


def test_the_baseline_session_is_9_in_belgrade_and_half_past_12_in_kabul():
    interval = make_request().interval
    assert interval.start == utc(2026, 1, 12, 8)
    assert interval.start.astimezone(ZoneInfo("Asia/Kabul")).strftime("%H:%M") == "12:30"
