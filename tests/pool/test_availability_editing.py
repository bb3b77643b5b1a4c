"""Editing weekly availability and time off: validation naming the day or field, all-or-nothing
writes, local times converted in the interpreter's own zone, who may edit, and jobs at odds."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.access.queries.scoping import NotVisible
from rris.bookings.services.booking_requests import BookingRequest
from rris.bookings.services.bookings import request_booking
from rris.common.domain.errors import Forbidden, InvalidInput
from rris.enums import Role
from rris.extensions import db
from rris.offers.services.offers import accept_offer
from rris.pool.models.interpreters import AvailabilityWindow, TimeOff
from rris.pool.services.availability import (
    Removal,
    WindowInput,
    add_time_off,
    jobs_at_odds,
    remove_time_off,
    replace_weekly_windows,
    upcoming_time_off,
)
from tests import factories
from tests.conftest import DEFAULT_NOW
from tests.support.booking_setup import booking_setup

MONDAY, TUESDAY, WEDNESDAY = 0, 1, 2


def hours(weekday, start, end):
    """A window from 'HH:MM' to 'HH:MM'."""
    to_minutes = [int(part[:2]) * 60 + int(part[3:]) for part in (start, end)]
    return WindowInput(weekday, *to_minutes)


def stored_windows(profile):
    rows = db.session.scalars(
        select(AvailabilityWindow)
        .where(AvailabilityWindow.interpreter_id == profile.id)
        .order_by(AvailabilityWindow.weekday, AvailabilityWindow.start_minute)
    )
    return [(row.weekday, row.start_minute, row.end_minute) for row in rows]


@pytest.fixture
def mariam(ctx):
    return factories.interpreter(zone="Asia/Kabul", email="mariam@pool.example", pairs=(("pus", "srp"),))


@pytest.fixture
def mariam_acts(mariam):
    return actor_of(mariam.user)


def test_two_windows_on_monday_are_stored_in_minutes_after_local_midnight(mariam, mariam_acts):
    replace_weekly_windows(
        mariam.id, mariam_acts, [hours(MONDAY, "09:00", "13:00"), hours(MONDAY, "14:00", "18:00")], DEFAULT_NOW
    )
    assert stored_windows(mariam) == [(MONDAY, 540, 780), (MONDAY, 840, 1080)]


def test_saving_replaces_the_whole_week(mariam, mariam_acts):
    assert len(stored_windows(mariam)) == 5  # the factory's Monday to Friday 09:00-17:00
    replace_weekly_windows(mariam.id, mariam_acts, [hours(WEDNESDAY, "10:00", "24:00")], DEFAULT_NOW)
    assert stored_windows(mariam) == [(WEDNESDAY, 600, 1440)]


def test_an_empty_week_is_allowed(mariam, mariam_acts):
    replace_weekly_windows(mariam.id, mariam_acts, [], DEFAULT_NOW)
    assert stored_windows(mariam) == []


def test_a_window_ending_before_it_starts_is_refused_naming_the_day(mariam, mariam_acts):
    with pytest.raises(InvalidInput) as refused:
        replace_weekly_windows(mariam.id, mariam_acts, [hours(MONDAY, "18:00", "09:00")], DEFAULT_NOW)
    assert set(refused.value.errors) == {"mon"}
    assert "18:00-09:00" in refused.value.errors["mon"]


@pytest.mark.parametrize(
    "windows",
    [
        [hours(TUESDAY, "09:00", "13:00"), hours(TUESDAY, "12:00", "18:00")],
        [hours(TUESDAY, "09:00", "18:00"), hours(TUESDAY, "10:00", "11:00")],
        [hours(TUESDAY, "09:00", "13:00"), hours(TUESDAY, "09:00", "13:00")],
    ],
)
def test_overlapping_windows_on_one_day_are_refused(mariam, mariam_acts, windows):
    with pytest.raises(InvalidInput) as refused:
        replace_weekly_windows(mariam.id, mariam_acts, windows, DEFAULT_NOW)
    assert set(refused.value.errors) == {"tue"}
    assert "overlap" in refused.value.errors["tue"]


def test_touching_windows_are_fine(mariam, mariam_acts):
    replace_weekly_windows(
        mariam.id, mariam_acts, [hours(MONDAY, "09:00", "13:00"), hours(MONDAY, "13:00", "17:00")], DEFAULT_NOW
    )
    assert stored_windows(mariam) == [(MONDAY, 540, 780), (MONDAY, 780, 1020)]


@pytest.mark.parametrize(
    "window",
    [
        WindowInput(MONDAY, 1440, 1440),  # starts at 24:00
        WindowInput(MONDAY, 600, 1500),  # ends at 25:00
        WindowInput(MONDAY, -60, 600),
    ],
)
def test_times_outside_the_day_are_refused(mariam, mariam_acts, window):
    with pytest.raises(InvalidInput) as refused:
        replace_weekly_windows(mariam.id, mariam_acts, [window], DEFAULT_NOW)
    assert set(refused.value.errors) == {"mon"}


def test_more_than_three_windows_a_day_are_refused(mariam, mariam_acts):
    four = [hours(MONDAY, f"{h:02d}:00", f"{h:02d}:30") for h in (8, 10, 12, 14)]
    with pytest.raises(InvalidInput) as refused:
        replace_weekly_windows(mariam.id, mariam_acts, four, DEFAULT_NOW)
    assert "at most 3" in refused.value.errors["mon"]


def test_nothing_is_written_when_any_day_is_bad(mariam, mariam_acts):
    before = stored_windows(mariam)
    with pytest.raises(InvalidInput) as refused:
        replace_weekly_windows(
            mariam.id,
            mariam_acts,
            [hours(MONDAY, "07:00", "11:00"), hours(WEDNESDAY, "18:00", "09:00"), hours(6, "10:00", "12:00")],
            DEFAULT_NOW,
        )
    assert set(refused.value.errors) == {"wed"}
    db.session.expire_all()
    assert stored_windows(mariam) == before


def test_every_bad_day_is_named_at_once(mariam, mariam_acts):
    with pytest.raises(InvalidInput) as refused:
        replace_weekly_windows(
            mariam.id, mariam_acts, [hours(MONDAY, "18:00", "09:00"), hours(6, "25:00", "26:00")], DEFAULT_NOW
        )
    assert set(refused.value.errors) == {"mon", "sun"}


def test_a_coordinator_may_edit_an_interpreters_week(mariam):
    elena = factories.user(Role.COORDINATOR)
    replace_weekly_windows(mariam.id, actor_of(elena), [hours(MONDAY, "08:00", "12:00")], DEFAULT_NOW)
    assert stored_windows(mariam) == [(MONDAY, 480, 720)]


def test_a_caseworker_may_not_edit_availability(mariam):
    jelena = factories.caseworker("RS")
    with pytest.raises(Forbidden):
        replace_weekly_windows(mariam.id, actor_of(jelena), [hours(MONDAY, "08:00", "12:00")], DEFAULT_NOW)
    with pytest.raises(Forbidden):
        add_time_off(mariam.id, actor_of(jelena), datetime(2026, 2, 1, 9), datetime(2026, 2, 2, 9), None, DEFAULT_NOW)
    assert len(stored_windows(mariam)) == 5


def test_another_interpreters_hours_are_not_found(mariam):
    omid = factories.interpreter(email="omid@pool.example")
    with pytest.raises(NotVisible):
        replace_weekly_windows(mariam.id, actor_of(omid.user), [], DEFAULT_NOW)
    assert len(stored_windows(mariam)) == 5


def test_time_off_entered_in_kabul_is_stored_as_the_utc_instant(mariam, mariam_acts):
    record = add_time_off(
        mariam.id, mariam_acts, datetime(2026, 2, 1, 9, 0), datetime(2026, 2, 6, 18, 0), " family ", DEFAULT_NOW
    )
    assert record.starts_at == datetime(2026, 2, 1, 4, 30, tzinfo=UTC)
    assert record.ends_at == datetime(2026, 2, 6, 13, 30, tzinfo=UTC)
    assert record.reason == "family"
    assert [item.id for item in upcoming_time_off(mariam.id, DEFAULT_NOW)] == [record.id]


def test_a_time_that_the_spring_change_skips_is_refused(ctx):
    milan = factories.interpreter(zone="Europe/Belgrade")
    with pytest.raises(InvalidInput) as refused:
        add_time_off(
            milan.id, actor_of(milan.user), datetime(2026, 3, 29, 2, 30), datetime(2026, 3, 29, 12), None, DEFAULT_NOW
        )
    assert set(refused.value.errors) == {"starts_local"}
    assert "does not exist" in refused.value.errors["starts_local"]
    assert db.session.scalars(select(TimeOff)).all() == []


def test_a_time_that_the_autumn_change_repeats_is_refused(ctx):
    milan = factories.interpreter(zone="Europe/Belgrade")
    with pytest.raises(InvalidInput) as refused:
        add_time_off(
            milan.id, actor_of(milan.user), datetime(2026, 10, 24, 9), datetime(2026, 10, 25, 2, 30), None, DEFAULT_NOW
        )
    assert set(refused.value.errors) == {"ends_local"}
    assert "twice" in refused.value.errors["ends_local"]


@pytest.mark.parametrize(
    ("starts", "ends", "field"),
    [
        (datetime(2026, 2, 2, 9), datetime(2026, 2, 1, 9), "ends_local"),
        (datetime(2026, 2, 2, 9), datetime(2026, 2, 2, 9), "ends_local"),
        (datetime(2026, 1, 5, 9), datetime(2026, 1, 10, 9), "ends_local"),  # entirely in the past
        (datetime(2026, 2, 1, 9), datetime(2027, 6, 1, 9), "ends_local"),  # over a year: a mistyped year?
    ],
)
def test_a_period_that_cannot_be_is_refused_naming_the_field(mariam, mariam_acts, starts, ends, field):
    with pytest.raises(InvalidInput) as refused:
        add_time_off(mariam.id, mariam_acts, starts, ends, None, DEFAULT_NOW)
    assert field in refused.value.errors


def test_time_off_that_started_earlier_today_is_accepted(mariam, mariam_acts):
    # 08:00 UTC is 12:30 in Kabul: she is off since 09:00 her time, until tomorrow evening.
    record = add_time_off(
        mariam.id, mariam_acts, datetime(2026, 1, 12, 9), datetime(2026, 1, 13, 18), "sick", DEFAULT_NOW
    )
    assert record.starts_at < DEFAULT_NOW < record.ends_at


def test_a_reason_longer_than_200_characters_is_refused(mariam, mariam_acts):
    with pytest.raises(InvalidInput) as refused:
        add_time_off(mariam.id, mariam_acts, datetime(2026, 2, 1, 9), datetime(2026, 2, 2, 9), "x" * 201, DEFAULT_NOW)
    assert set(refused.value.errors) == {"reason"}


def test_removing_time_off_to_come_deletes_it(mariam, mariam_acts):
    record = add_time_off(mariam.id, mariam_acts, datetime(2026, 2, 1, 9), datetime(2026, 2, 2, 9), None, DEFAULT_NOW)
    assert remove_time_off(record.id, mariam_acts, DEFAULT_NOW) is Removal.DELETED
    assert upcoming_time_off(mariam.id, DEFAULT_NOW) == []


def test_removing_time_off_under_way_ends_it_now_and_keeps_the_part_taken(mariam, mariam_acts):
    record = add_time_off(mariam.id, mariam_acts, datetime(2026, 1, 12, 9), datetime(2026, 1, 14, 9), None, DEFAULT_NOW)
    assert remove_time_off(record.id, mariam_acts, DEFAULT_NOW) is Removal.ENDED_NOW
    kept = db.session.get(TimeOff, record.id)
    assert kept.ends_at == DEFAULT_NOW
    assert upcoming_time_off(mariam.id, DEFAULT_NOW) == []


def test_an_interpreter_cannot_remove_anothers_time_off(mariam, mariam_acts):
    record = add_time_off(mariam.id, mariam_acts, datetime(2026, 2, 1, 9), datetime(2026, 2, 2, 9), None, DEFAULT_NOW)
    omid = factories.interpreter(email="omid@pool.example")
    with pytest.raises(NotVisible):
        remove_time_off(record.id, actor_of(omid.user), DEFAULT_NOW)
    assert db.session.get(TimeOff, record.id) is not None


def test_a_coordinator_may_remove_time_off_and_a_caseworker_may_not(mariam, mariam_acts):
    record = add_time_off(mariam.id, mariam_acts, datetime(2026, 2, 1, 9), datetime(2026, 2, 2, 9), None, DEFAULT_NOW)
    with pytest.raises(Forbidden):
        remove_time_off(record.id, actor_of(factories.caseworker("RS")), DEFAULT_NOW)
    assert remove_time_off(record.id, actor_of(factories.user(Role.COORDINATOR)), DEFAULT_NOW) is Removal.DELETED


def confirmed_job(interpreter, start_local="2026-01-13T09:00", minutes=120):
    """A booking in Belgrade that `interpreter` accepted."""
    jelena = factories.caseworker("RS")
    request = BookingRequest(
        applicant_language="pus",
        officer_language="srp",
        session_kind="asylum_interview",
        start_local=start_local,
        duration_minutes=minutes,
        case_reference=f"RS-{start_local}",
    )
    booking, _created = request_booking(request, jelena, actor_of(jelena), DEFAULT_NOW, booking_setup())
    offer = next(offer for offer in booking.offers if offer.interpreter_id == interpreter.id)
    accept_offer(offer.id, interpreter, DEFAULT_NOW)
    return booking


def test_a_confirmed_job_outside_the_new_windows_is_named_and_kept(mariam, mariam_acts):
    booking = confirmed_job(mariam)  # Tuesday 12:30-14:30 in Kabul
    assert jobs_at_odds(mariam.id, DEFAULT_NOW) == []
    replace_weekly_windows(mariam.id, mariam_acts, [hours(TUESDAY, "08:00", "12:00")], DEFAULT_NOW)
    [odd] = jobs_at_odds(mariam.id, DEFAULT_NOW)
    assert odd.assignment.booking_id == booking.id
    assert odd.outside_windows and not odd.during_time_off
    assert odd.assignment.released_at is None


def test_a_confirmed_job_inside_new_time_off_is_named(mariam, mariam_acts):
    booking = confirmed_job(mariam)
    add_time_off(mariam.id, mariam_acts, datetime(2026, 1, 13, 0), datetime(2026, 1, 14, 0), None, DEFAULT_NOW)
    [odd] = jobs_at_odds(mariam.id, DEFAULT_NOW)
    assert odd.assignment.booking_id == booking.id
    assert odd.during_time_off and not odd.outside_windows


def test_a_job_that_has_ended_is_not_named(mariam, mariam_acts):
    confirmed_job(mariam)
    replace_weekly_windows(mariam.id, mariam_acts, [], DEFAULT_NOW)
    assert jobs_at_odds(mariam.id, DEFAULT_NOW + timedelta(days=2)) == []
