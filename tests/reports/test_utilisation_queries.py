"""Utilisation read from the database on both backends: who is counted, their windows, time off
and the sessions they held."""

from __future__ import annotations

from datetime import UTC, datetime

from rris.enums import BookingState
from rris.extensions import db
from rris.pool.models.interpreters import TimeOff
from rris.reports.domain.report_period import ReportFilter
from rris.reports.queries.utilisation import pool_utilisation
from tests import factories

HOUR = 3600
# June 2026 in Belgrade: 22 weekdays; Kabul's 09:00-17:00 lies inside each Belgrade day.
JUNE = ReportFilter.month(2026, 6, "Europe/Belgrade")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_hours_offered_less_time_off_and_sessions_held(ctx):
    mariam = factories.interpreter(name="Mariam Ahmadzai")  # Kabul, weekdays 09:00-17:00
    db.session.add(TimeOff(interpreter=mariam, starts_at=utc(2026, 6, 1, 0), ends_at=utc(2026, 6, 3, 0)))
    factories.held(factories.booking(starts_at=utc(2026, 6, 10, 6), minutes=90, state=BookingState.COMPLETED), mariam)
    factories.held(factories.booking(starts_at=utc(2026, 6, 11, 6), minutes=60, state=BookingState.CONFIRMED), mariam)
    cancelled = factories.booking(starts_at=utc(2026, 6, 12, 6), state=BookingState.CANCELLED)
    factories.held(cancelled, mariam)
    factories.held(factories.booking(starts_at=utc(2026, 7, 1, 6), state=BookingState.CONFIRMED), mariam)  # July's
    db.session.flush()

    [row] = [row for row in pool_utilisation(JUNE) if row.name == "Mariam Ahmadzai"]
    assert row.figures.available_seconds == (22 - 2) * 8 * HOUR  # Monday 1 and Tuesday 2 June away
    assert row.figures.booked_seconds == int(2.5 * HOUR)


def test_who_is_counted(ctx):
    factories.interpreter(name="In the pool", accredited_for=("RS",), on=datetime(2026, 6, 1).date())
    away = factories.interpreter(name="Out of the pool")
    away.active = False
    former = factories.interpreter(name="Out but booked")
    former.active = False
    factories.held(factories.booking(starts_at=utc(2026, 6, 10, 6), state=BookingState.COMPLETED), former)
    factories.interpreter(
        name="Dari only", pairs=(("prs", "eng"),), accredited_for=("MK",), on=datetime(2026, 6, 1).date()
    )
    db.session.flush()

    names = {row.name for row in pool_utilisation(JUNE)}
    assert {"In the pool", "Out but booked", "Dari only"} <= names and "Out of the pool" not in names
    macedonia = {
        row.name for row in pool_utilisation(ReportFilter.month(2026, 6, "Europe/Belgrade", country_code="MK"))
    }
    assert "Dari only" in macedonia and "In the pool" not in macedonia
    dari = {row.name for row in pool_utilisation(ReportFilter.month(2026, 6, "Europe/Belgrade", language="prs"))}
    assert "Dari only" in dari and "In the pool" not in dari
