"""Conflict sweeps: a confirmed job its interpreter can no longer do is flagged once, the
caseworker and coordinators are told, and a re-offer finds someone else."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.bookings.services.bookings import assign_by_hand
from rris.common.domain.errors import Conflict
from rris.enums import BookingState, NotificationKind, OfferState, Role
from rris.extensions import db
from rris.matching.models.conflicts import BookingConflict, SweepRequest
from rris.matching.services.conflicts import process_sweep_requests, reoffer_after_conflict, sweep
from rris.notifications.models.notifications import Notification
from rris.notifications.services import outbox
from rris.pool.services.availability import WindowInput, add_time_off, remove_time_off, replace_weekly_windows
from tests import factories
from tests.bookings.test_booking_flow import book, pool
from tests.notifications.test_outbox import WEDNESDAY_0900_BELGRADE, confirmed
from tests.support.booking_setup import waves
from tests.support.letterhead import letterhead

SESSION_START = datetime(2026, 1, 14, 8, 0, tzinfo=UTC)


@pytest.fixture
def jelena(ctx):
    return factories.caseworker("RS", email="jelena@mup.rs.example", locale="en")  # reads RRIS in English


@pytest.fixture
def hub(ctx):
    return factories.user(Role.COORDINATOR, email="hub@marri.example")


@pytest.fixture
def mariam(ctx):
    return factories.interpreter(pairs=(("pus", "srp"),), email="mariam@interpreters.example", name="Mariam A.")


def open_conflicts(booking):
    return list(
        db.session.scalars(
            select(BookingConflict).where(
                BookingConflict.booking_id == booking.id, BookingConflict.resolved_at.is_(None)
            )
        )
    )


def conflict_messages(booking):
    return list(
        db.session.scalars(
            select(Notification).where(
                Notification.booking_id == booking.id, Notification.kind == NotificationKind.CONFLICT
            )
        )
    )


def test_time_off_over_a_confirmed_job_is_flagged_once_and_people_are_told(jelena, hub, mariam, clock, mailbox):
    booking = confirmed(jelena, mariam)
    outbox.dispatch_due(clock, letterhead())
    mailbox.clear()
    add_time_off(
        mariam.id, actor_of(mariam.user), datetime(2026, 1, 14, 0, 0), datetime(2026, 1, 15, 0, 0), "ill", clock.now()
    )
    assert db.session.scalars(select(SweepRequest)).all(), "the portal asks for a sweep"
    report = process_sweep_requests(clock.now())
    assert (report.checked, report.found) == (1, 1)
    [conflict] = open_conflicts(booking)
    assert conflict.reason == "time_off"
    assert any(event.action == "conflict" for event in booking.events)

    outbox.dispatch_due(clock, letterhead())
    messages = mailbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["hub@marri.example", "jelena@mup.rs.example"]
    body = messages[0].get_body().get_content()
    assert "Mariam A. can no longer take this session" in body
    assert f"https://rris.test/bookings/{booking.id}" in body

    assert sweep(clock.now()).found == 0  # the next sweep finds nothing new
    assert len(conflict_messages(booking)) == 2


def test_a_conflict_is_resolved_when_its_cause_goes_away(jelena, hub, mariam, clock):
    booking = confirmed(jelena, mariam)
    away = add_time_off(
        mariam.id, actor_of(mariam.user), datetime(2026, 1, 14, 0, 0), datetime(2026, 1, 15, 0, 0), None, clock.now()
    )
    process_sweep_requests(clock.now())
    assert open_conflicts(booking)
    remove_time_off(away.id, actor_of(mariam.user), clock.now())
    assert process_sweep_requests(clock.now()).resolved == 1
    assert open_conflicts(booking) == []


def test_an_accreditation_expiring_before_the_session_is_found_by_the_periodic_sweep(jelena, hub, mariam, clock):
    booking = confirmed(jelena, mariam)
    [accreditation] = mariam.accreditations
    accreditation.valid_to = date(2026, 1, 13)
    db.session.commit()
    sweep(clock.now())
    assert [conflict.reason for conflict in open_conflicts(booking)] == ["not_accredited"]


def test_deactivation_and_changed_availability_are_conflicts(jelena, hub, mariam, clock):
    booking = confirmed(jelena, mariam)
    replace_weekly_windows(
        mariam.id, actor_of(mariam.user), [WindowInput(weekday=day, start_minute=14 * 60, end_minute=18 * 60)
                                           for day in range(5)], clock.now()
    )
    process_sweep_requests(clock.now())
    assert [conflict.reason for conflict in open_conflicts(booking)] == ["outside_availability"]
    mariam.user.active = False
    db.session.commit()
    sweep(clock.now())
    assert sorted(conflict.reason for conflict in open_conflicts(booking)) == ["inactive", "outside_availability"]


def test_what_a_coordinator_knowingly_overrode_is_not_flagged(jelena, hub, clock):
    evening = factories.interpreter(pairs=(("pus", "srp"),))
    evening.availability[0].start_minute = 18 * 60  # outside the session on every weekday
    for window in evening.availability:
        window.start_minute, window.end_minute = 18 * 60, 22 * 60
    booking = book(jelena, start_local=WEDNESDAY_0900_BELGRADE)
    assign_by_hand(booking.id, evening.id, actor_of(hub), clock.now(), despite=True)
    assert booking.state is BookingState.CONFIRMED
    assert sweep(clock.now()).found == 0


def test_a_re_offer_releases_the_interpreter_and_asks_others(jelena, hub, mariam, clock, mailbox):
    others = pool(2)
    booking = confirmed(jelena, mariam)
    outbox.dispatch_due(clock, letterhead())
    add_time_off(
        mariam.id, actor_of(mariam.user), datetime(2026, 1, 14, 0, 0), datetime(2026, 1, 15, 0, 0), None, clock.now()
    )
    process_sweep_requests(clock.now())
    mailbox.clear()
    reoffer_after_conflict(booking.id, actor_of(jelena), clock.now(), waves())
    assert booking.state is BookingState.OFFERED
    assert booking.active_assignments == []
    assert open_conflicts(booking) == []
    fresh = {offer.interpreter_id for offer in booking.offers if offer.state is OfferState.PENDING}
    assert fresh == {other.id for other in others}
    outbox.dispatch_due(clock, letterhead())
    cancel = next(m for m in mailbox.wait_for(3) if m["To"] == "mariam@interpreters.example")
    assert cancel["Subject"].startswith("Cancelled")
    with pytest.raises(Conflict, match="no open conflict"):
        reoffer_after_conflict(booking.id, actor_of(jelena), clock.now(), waves())


def test_a_re_offer_with_no_one_left_makes_the_booking_unfilled(jelena, hub, mariam, clock):
    booking = confirmed(jelena, mariam)
    mariam.user.active = False
    db.session.commit()
    sweep(clock.now())
    reoffer_after_conflict(booking.id, actor_of(hub), clock.now(), waves())
    assert booking.state is BookingState.UNFILLED


def test_jobs_under_way_or_over_are_not_swept(jelena, hub, mariam, clock):
    booking = confirmed(jelena, mariam)
    mariam.user.active = False
    db.session.commit()
    clock.set(SESSION_START + timedelta(minutes=5))
    assert sweep(clock.now()).checked == 0
    assert open_conflicts(booking) == []
