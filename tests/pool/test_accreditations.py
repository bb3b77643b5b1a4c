"""Accreditation warnings: clearances ending within 30 days (both ends counted), and ended ones
that still have confirmed jobs ahead in their country, soonest first."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from rris.bookings.models.bookings import Assignment
from rris.enums import BookingState
from rris.extensions import db
from rris.pool.models.interpreters import Accreditation
from rris.pool.queries.accreditations import ACCREDITATION_WARNING_DAYS, accreditation_warnings
from tests import factories

TODAY = date(2026, 1, 12)
NOW = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)


def cleared_until(last_day: date, country: str = "RS", **fields: object):
    """An active interpreter whose one clearance ends on `last_day`."""
    profile = factories.interpreter(accredited_for=(), **fields)
    profile.accreditations = [
        Accreditation(country=factories.country(country), valid_from=date(2025, 1, 1), valid_to=last_day)
    ]
    db.session.flush()
    return profile


def confirmed_job(profile, country: str, starts_at: datetime) -> None:
    booking = factories.booking(
        department=factories.department(country), starts_at=starts_at, state=BookingState.CONFIRMED
    )
    booking.assignments.append(
        Assignment(
            interpreter=profile,
            busy_from=starts_at,
            busy_until=starts_at + timedelta(hours=1),
            assigned_at=NOW - timedelta(days=3),
        )
    )
    db.session.flush()


def days_left_by_name(**kwargs: object) -> dict[str, int]:
    board = accreditation_warnings(TODAY, NOW, **kwargs)
    return {w.accreditation.interpreter.name: w.days_left for w in board.warnings}


def test_the_warning_window_is_thirty_days():
    assert ACCREDITATION_WARNING_DAYS == 30


def test_clearances_ending_from_today_to_thirty_days_ahead_are_listed_soonest_first(ctx):
    for days in (31, 30, 29, 0):
        cleared_until(TODAY + timedelta(days=days), name=f"ends in {days}")
    board = accreditation_warnings(TODAY, NOW)
    assert [(w.accreditation.interpreter.name, w.days_left, w.expired) for w in board.warnings] == [
        ("ends in 0", 0, False),
        ("ends in 29", 29, False),
        ("ends in 30", 30, False),
    ]


def test_an_ended_clearance_is_listed_only_while_jobs_remain_in_its_country(ctx):
    idle = cleared_until(TODAY - timedelta(days=1), name="ended, idle")
    busy = cleared_until(TODAY - timedelta(days=3), name="ended, busy")
    elsewhere = cleared_until(TODAY - timedelta(days=2), name="ended, busy elsewhere")
    confirmed_job(busy, "RS", NOW + timedelta(days=2))
    confirmed_job(elsewhere, "AL", NOW + timedelta(days=2))
    confirmed_job(idle, "RS", NOW - timedelta(days=2))  # already over
    board = accreditation_warnings(TODAY, NOW)
    assert [(w.accreditation.interpreter.name, w.days_left, w.jobs_ahead, w.expired) for w in board.warnings] == [
        ("ended, busy", -3, 1, True)
    ]


def test_a_renewed_clearance_silences_the_old_one(ctx):
    renewed = cleared_until(TODAY - timedelta(days=5), name="renewed")
    renewed.accreditations.append(
        Accreditation(country=factories.country("RS"), valid_from=TODAY - timedelta(days=4), valid_to=date(2028, 1, 1))
    )
    db.session.flush()
    confirmed_job(renewed, "RS", NOW + timedelta(days=1))
    assert days_left_by_name() == {}


def test_inactive_interpreters_are_left_out(ctx):
    profile = cleared_until(TODAY + timedelta(days=3), name="inactive")
    profile.active = False
    db.session.flush()
    assert days_left_by_name() == {}


@pytest.mark.parametrize(("within", "expected"), [(5, {"soon": 5}), (4, {})])
def test_the_window_can_be_narrowed(ctx, within, expected):
    cleared_until(TODAY + timedelta(days=5), name="soon")
    assert days_left_by_name(within_days=within) == expected


def test_the_board_finds_each_interpreters_most_pressing_warning(ctx):
    profile = cleared_until(TODAY + timedelta(days=20), name="two countries")
    profile.accreditations.append(
        Accreditation(country=factories.country("AL"), valid_from=date(2025, 1, 1), valid_to=TODAY + timedelta(days=2))
    )
    db.session.flush()
    board = accreditation_warnings(TODAY, NOW)
    assert board.by_interpreter[profile.id].accreditation.country.code == "AL"
    assert sorted(w.days_left for w in board.by_accreditation.values()) == [2, 20]


def test_one_interpreters_warnings_are_hers_alone_with_the_same_days_and_jobs(ctx):
    ending = cleared_until(TODAY + timedelta(days=3), name="ending")
    ended = cleared_until(TODAY - timedelta(days=1), name="ended")
    confirmed_job(ended, "RS", NOW + timedelta(days=2))
    whole = accreditation_warnings(TODAY, NOW)
    for profile in (ending, ended):
        [warning] = accreditation_warnings(TODAY, NOW, interpreter_id=profile.id).warnings
        assert warning == whole.by_interpreter[profile.id]
    assert {w.days_left: w.jobs_ahead for w in whole.warnings} == {3: 0, -1: 1}
