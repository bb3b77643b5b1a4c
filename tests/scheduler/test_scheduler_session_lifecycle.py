"""The scheduler's session job starts sessions on the app's clock and completes them once their
call is over; it runs every minute."""

from datetime import UTC, datetime, timedelta

from rris.calls.domain.call_participants import Participant
from rris.calls.services import call_records
from rris.enums import BookingState, CallRole
from scheduler.jobs import advance_sessions
from scheduler.runner import JOBS
from tests import factories
from tests.notifications.test_outbox import confirmed

START = datetime(2026, 1, 14, 8, 0, tzinfo=UTC)  # the booking's start; it lasts two hours


def test_the_job_runs_every_minute():
    [job] = [job for job in JOBS if job.function is advance_sessions]
    assert job.every_seconds == 60


def test_the_job_starts_a_session_at_its_time_and_completes_it_after_the_call(app, ctx, clock):
    jelena = factories.caseworker("RS")
    mariam = factories.interpreter(pairs=(("pus", "srp"),))
    booking = confirmed(jelena, mariam)
    clock.set(START - timedelta(minutes=1))
    advance_sessions()
    assert booking.state is BookingState.CONFIRMED
    clock.set(START)
    advance_sessions()
    assert booking.state is BookingState.IN_PROGRESS
    for user, role, connection in ((jelena, CallRole.OFFICER, "c-1"), (mariam.user, CallRole.INTERPRETER, "c-2")):
        call_records.record_join(booking.id, Participant.user(user.id), role, user.name, "browser", connection, START)
        call_records.record_leave(connection, START + timedelta(minutes=118), call_records.LEFT, None)
    clock.set(START + timedelta(minutes=149))
    advance_sessions()
    assert booking.state is BookingState.IN_PROGRESS  # the call is open until 30 minutes after the end
    clock.set(START + timedelta(minutes=150))
    advance_sessions()
    assert booking.state is BookingState.COMPLETED
