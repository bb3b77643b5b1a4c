"""The scheduler keeps the report figures of closed months before anyone asks: for each reader's
zone (a focal point's own country), the closed months of the twelve-month trend and the open
month's ended days; a month whose booking changed is counted again on its next run; the open
month is never kept whole, and its days are forgotten once it has ended."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select, update

from rris.bookings.models.bookings import Booking
from rris.enums import BookingState, Role
from rris.extensions import db
from rris.reports.models.rollups import ReportRollup
from scheduler import jobs
from scheduler.runner import JOBS
from tests import factories
from tests.reports.rollup_months import months  # noqa: F401 (a fixture)


def kept(days: bool = False) -> set[tuple[str, date, str, bool]]:
    """The kept months (or, with `days`, the kept days): zone, first day, narrowing, current."""
    return {
        (rollup.zone_name, rollup.first_day, rollup.filter_key, rollup.filled_version == rollup.version)
        for rollup in db.session.scalars(select(ReportRollup))
        if (rollup.first_day == rollup.last_day) is days
    }


def test_the_job_keeps_each_readers_closed_months_and_counts_a_changed_one_again(months):  # noqa: F811
    factories.user(Role.COORDINATOR, timezone="Europe/Belgrade")
    factories.user(Role.FOCAL_POINT, country=factories.country("MK"))
    db.session.commit()
    jobs.keep_report_months()
    rollups = kept()
    everyone = "country=&department=&language=&kind=&modality="
    skopje = "country=MK&department=&language=&kind=&modality="
    assert ("Europe/Belgrade", date(2026, 1, 1), everyone, True) in rollups
    assert ("Europe/Belgrade", date(2025, 3, 1), everyone, True) in rollups  # the trend's first month
    assert ("Europe/Skopje", date(2025, 12, 1), skopje, True) in rollups
    assert not any(first_day >= date(2026, 2, 1) for _zone, first_day, _key, _current in rollups)  # open month
    assert all(current for *_rest, current in rollups)
    # The open month's ended days (it is 10 February, in Belgrade), for each reader.
    days = kept(days=True)
    assert {first_day for zone, first_day, key, _current in days if key == everyone} == {
        date(2026, 2, day) for day in range(1, 10)
    }
    assert ("Europe/Skopje", date(2026, 2, 9), skopje, True) in days
    assert all(current for *_rest, current in days)

    _calls, bookings = months
    january = next(booking for booking in bookings if booking.starts_at.month == 1)
    db.session.execute(update(Booking).where(Booking.id == january.id).values(state=BookingState.WRONG_LANGUAGE))
    db.session.commit()
    assert ("Europe/Belgrade", date(2026, 1, 1), everyone, False) in kept()
    jobs.keep_report_months()
    assert all(current for *_rest, current in kept())


def test_the_job_forgets_the_days_of_a_month_that_has_ended(months, clock):  # noqa: F811
    factories.user(Role.COORDINATOR, timezone="Europe/Belgrade")
    db.session.commit()
    jobs.keep_report_months()
    assert {first_day.month for _zone, first_day, _key, _current in kept(days=True)} == {2}
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    jobs.keep_report_months()
    assert {first_day.month for _zone, first_day, _key, _current in kept(days=True)} == {3}
    assert ("Europe/Belgrade", date(2026, 2, 1), "country=&department=&language=&kind=&modality=", True) in kept()


def test_the_job_runs_every_hour_not_at_start_where_a_stop_would_wait_for_it():
    job = next(job for job in JOBS if job.function is jobs.keep_report_months)
    assert not job.at_start and job.every_seconds == 3600
