"""A kept month stays right: every way a figure of a closed month can change (a session completed
or given an outcome after the month ended, a call's summary recomputed, the retention purge, a
released leg, a telephone leg, an on-demand call, a moved booking, a changed rate) makes its
rollup stale, whether by the services, the ORM or a bulk statement, and the next report counts
the month again; a change to nothing the report reads keeps it. Both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from rris.access.queries.actors import actor_of
from rris.bookings.domain.booking_states import BookingAction
from rris.bookings.models.bookings import Assignment, Booking
from rris.bookings.services.bookings import record_outcome
from rris.calls.domain.call_participants import Participant
from rris.calls.services.call_records import record_join, record_leave
from rris.calls.services.session_lifecycle import complete_finished_sessions
from rris.context import current_settings
from rris.enums import BookingState, CallRole, Modality, PhoneDirection, PhoneLegStatus
from rris.extensions import db
from rris.ondemand.models.ondemand import OnDemandCall
from rris.phone.models.phone_legs import PhoneLeg
from rris.pool.models.interpreters import InterpreterProfile
from rris.reports.domain.rollups import filter_key
from rris.reports.models.rollups import ReportRollup
from rris.reports.queries.on_demand import on_demand_report
from rris.reports.queries.reports import monthly_report
from rris.reports.queries.rollups import month_figures, rollup_for, write_rollup
from rris.reports.queries.utilisation import pool_utilisation
from rris.reports.services.reporting import build_report
from rris.retention.services.retention import purge_expired, retention_policy
from tests import factories
from tests.reports.rollup_months import AFTER_JANUARY
from tests.reports.test_report_rollups import COORDINATOR, JANUARY

LATE_JANUARY = JANUARY.bounds[1] - timedelta(hours=20)


def january_is_current() -> bool:
    rollup = db.session.scalars(
        select(ReportRollup).where(
            ReportRollup.first_day == date(2026, 1, 1), ReportRollup.filter_key == filter_key(JANUARY)
        )
    ).one()
    db.session.refresh(rollup)
    return rollup.filled_version == rollup.version


def keep_january() -> None:
    build_report(COORDINATOR, JANUARY, AFTER_JANUARY)
    assert january_is_current()


def assert_counted_again(now=AFTER_JANUARY) -> None:
    """The rollup went stale; the page counts January again, as live, and keeps it anew."""
    assert not january_is_current()
    view = build_report(COORDINATOR, JANUARY, now)
    assert view.report == monthly_report(JANUARY)
    assert view.on_demand == on_demand_report(JANUARY)
    assert view.utilisation == pool_utilisation(JANUARY)
    assert january_is_current()


def a_january_booking(months, **wanted) -> Booking:
    _calls, bookings = months
    return next(
        booking
        for booking in bookings
        if booking.starts_at.month == 1 and all(getattr(booking, key) == value for key, value in wanted.items())
    )


@pytest.fixture
def in_progress(months) -> Booking:
    """A telephone session of 30 January that nobody closed: held, in progress, no call records."""
    booking = factories.booking(
        factories.department("RS"), starts_at=LATE_JANUARY, state=BookingState.IN_PROGRESS, modality=Modality.PHONE
    )
    factories.held(booking, factories.interpreter(name="Late Closer"))
    db.session.commit()
    return booking


def test_a_session_completed_after_its_month_closed(in_progress):
    keep_january()
    before = monthly_report(JANUARY).delivered_sessions
    assert complete_finished_sessions(AFTER_JANUARY) == 1
    assert_counted_again()
    assert monthly_report(JANUARY).delivered_sessions == before + 1


def test_an_outcome_recorded_after_the_month_closed(in_progress):
    keep_january()
    record_outcome(
        in_progress.id, actor_of(in_progress.created_by), BookingAction.MARK_APPLICANT_NO_SHOW, AFTER_JANUARY
    )
    assert_counted_again()
    assert monthly_report(JANUARY).applicant_no_shows >= 1


def test_a_call_summary_recomputed_when_a_late_connection_leaves(months):
    booking = a_january_booking(months, state=BookingState.COMPLETED, modality=Modality.VIDEO)
    keep_january()
    officer = booking.created_by
    record_join(
        booking.id, Participant.user(officer.id), CallRole.OFFICER, "Officer", "browser", "late-1", booking.starts_at
    )
    record_leave("late-1", booking.ends_at, "left", None)
    assert_counted_again()


def test_the_retention_purge_of_a_closed_months_call_records(months):
    keep_january()
    policy = retention_policy(current_settings())
    later = AFTER_JANUARY + timedelta(days=policy.session_days + 40)
    calls_before = monthly_report(JANUARY).calls
    purge_expired(later, policy)
    assert_counted_again(later)
    assert monthly_report(JANUARY).calls < calls_before  # who joined the call went with the attendances


def release_a_leg(months) -> None:
    booking = a_january_booking(months, state=BookingState.COMPLETED)
    db.session.execute(update(Assignment).where(Assignment.booking_id == booking.id).values(released_at=AFTER_JANUARY))


def ring_by_telephone(months) -> None:
    booking = a_january_booking(months, state=BookingState.COMPLETED, modality=Modality.VIDEO)
    db.session.add(
        PhoneLeg(
            booking_id=booking.id,
            participant="u1:phone",
            person_participant="u1",
            role=CallRole.INTERPRETER,
            display_name="Interpreter (phone)",
            direction=PhoneDirection.OUTBOUND,
            number_tail="0002",
            status=PhoneLegStatus.COMPLETED,
            requested_at=booking.starts_at,
            answered_at=booking.starts_at,
            ended_at=booking.ends_at,
            simulated=True,
        )
    )


def forget_an_abandonment(months) -> None:
    calls, _bookings = months
    db.session.execute(update(OnDemandCall).where(OnDemandCall.id == calls.call_ids["C"]).values(abandoned_at=None))


def move_a_booking_to_february(months) -> None:
    booking = a_january_booking(months, state=BookingState.CANCELLED)
    db.session.execute(
        update(Booking)
        .where(Booking.id == booking.id)
        .values(starts_at=booking.starts_at + timedelta(days=20), ends_at=booking.ends_at + timedelta(days=20))
    )


def raise_a_rate(months) -> None:
    person = db.session.scalars(select(InterpreterProfile).where(InterpreterProfile.rate_currency == "TRY")).first()
    assert person is not None
    person.hourly_rate += Decimal("100.00")


def delete_a_booking(months) -> None:
    db.session.delete(a_january_booking(months))


CHANGES: list[Callable[..., None]] = [
    release_a_leg,
    ring_by_telephone,
    forget_an_abandonment,
    move_a_booking_to_february,
    raise_a_rate,
    delete_a_booking,
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_a_change_by_the_orm_or_a_bulk_statement(months, change):
    keep_january()
    before = (monthly_report(JANUARY), on_demand_report(JANUARY))
    change(months)
    db.session.commit()
    assert (monthly_report(JANUARY), on_demand_report(JANUARY)) != before  # the change is one the report sees
    assert_counted_again()


def test_a_change_to_nothing_the_report_reads_keeps_the_month(months):
    keep_january()
    booking = a_january_booking(months)
    db.session.execute(update(Booking).where(Booking.id == booking.id).values(notes="Interpreter was excellent."))
    db.session.commit()
    assert january_is_current()


def test_figures_counted_while_a_booking_changed_are_not_kept(months):
    rollup_id, version = rollup_for(JANUARY)
    db.session.commit()
    figures = month_figures(JANUARY)
    booking = a_january_booking(months, state=BookingState.COMPLETED)
    db.session.execute(update(Booking).where(Booking.id == booking.id).values(state=BookingState.WRONG_LANGUAGE))
    db.session.commit()  # another transaction changed the month meanwhile
    assert not write_rollup(rollup_id, version, figures, AFTER_JANUARY)
    db.session.rollback()
    assert not january_is_current()
    assert build_report(COORDINATOR, JANUARY, AFTER_JANUARY).report == monthly_report(JANUARY)
    assert january_is_current()
