"""The minutes an interpreter booked in the last 30 days, summed in SQL, are the sessions' whole
minutes exactly as the engine counts them: odd seconds and microseconds, the period's edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rris.enums import BookingState
from rris.extensions import db
from rris.matching.domain.snapshots import Interval
from rris.matching.queries.candidate_query import Fact, facts_query
from rris.matching.queries.candidates import candidate_snapshots
from rris.pool.models.interpreters import InterpreterProfile
from tests import factories

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SPAN = Interval(NOW + timedelta(days=1), NOW + timedelta(days=1, hours=1))
PAIR = frozenset(("pus", "eng"))


def session(interpreter: InterpreterProfile, starts_at: datetime, length: timedelta, released: bool = False) -> None:
    """A completed session of `interpreter` from `starts_at`, `length` long."""
    booking = factories.booking(starts_at=starts_at, state=BookingState.COMPLETED)
    booking.ends_at = starts_at + length
    factories.held(booking, interpreter, released=released)


def test_booked_minutes_count_each_sessions_whole_minutes_within_the_last_30_days(ctx):
    busy, outside, idle = factories.interpreter(), factories.interpreter(), factories.interpreter()
    day = NOW - timedelta(days=3)
    session(busy, day.replace(hour=8), timedelta(minutes=45, seconds=59, microseconds=999_999))  # 45
    odd_start = day.replace(hour=9, microsecond=900_000)
    session(busy, odd_start, timedelta(minutes=19, seconds=59, microseconds=200_000))  # 19
    session(busy, day.replace(hour=10), timedelta(seconds=59, microseconds=999_999))  # 0
    session(busy, day.replace(hour=11), timedelta(hours=2, seconds=30, microseconds=500_000))  # 120
    session(busy, NOW - timedelta(days=30), timedelta(minutes=30))  # the period's first instant: 30
    session(outside, NOW - timedelta(days=30, microseconds=1), timedelta(minutes=50))  # just before it
    session(outside, NOW, timedelta(minutes=60))  # not before now
    session(busy, day.replace(hour=14), timedelta(minutes=90), released=True)  # given back
    db.session.flush()

    found = {c.interpreter_id: c for c in candidate_snapshots(SPAN, NOW, pairs=[PAIR])}

    assert found[busy.id].booked_minutes_last_30_days == 45 + 19 + 0 + 120 + 30
    assert found[outside.id].booked_minutes_last_30_days == 0
    assert found[idle.id].booked_minutes_last_30_days == 0


def test_the_booked_minutes_come_as_one_row_per_interpreter(ctx):
    interpreter = factories.interpreter()
    for hour in range(8, 16):
        session(interpreter, (NOW - timedelta(days=2)).replace(hour=hour), timedelta(minutes=40))
    db.session.flush()
    statement, params = facts_query(SPAN, NOW, [PAIR], None, None)

    booked = [row for row in db.session.execute(statement, params) if row.kind == Fact.BOOKED]

    assert [(row.interpreter_id, row.n0) for row in booked] == [(interpreter.id, 8 * 40)]
