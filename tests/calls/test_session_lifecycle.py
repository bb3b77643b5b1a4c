"""Sessions that take place: started at their start time, completed once their call is over and
delivered, so that the coordinators' reports count them; outcomes people record stay final."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.bookings.domain.booking_states import BookingAction
from rris.bookings.models.bookings import BookingEvent
from rris.bookings.services.bookings import cancel_booking, record_outcome
from rris.calls.domain.call_participants import Participant
from rris.calls.services import call_records
from rris.calls.services.no_shows import check_no_shows
from rris.calls.services.session_lifecycle import complete_finished_sessions, start_due_sessions
from rris.enums import BookingState, CallRole, NotificationKind, NotificationState, Role
from rris.extensions import db
from rris.notifications.models.notifications import Notification
from rris.notifications.services import outbox
from rris.reports.domain.report_period import ReportFilter
from rris.reports.queries.reports import monthly_report
from tests import factories
from tests.notifications.test_outbox import confirmed
from tests.support.letterhead import letterhead

START = datetime(2026, 1, 14, 8, 0, tzinfo=UTC)  # the flow tests' Wednesday 09:00 in Belgrade
END = START + timedelta(minutes=120)  # booked for two hours
CLOSE = END + timedelta(minutes=30)  # join tickets stop working
BELGRADE = "Europe/Belgrade"


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


@pytest.fixture
def people(ctx, clock):
    jelena = factories.caseworker("RS", email="jelena@mup.rs.example", name="Jelena Marković", locale="en")
    factories.user(Role.COORDINATOR, email="hub@marri.example")
    mariam = factories.interpreter(pairs=(("pus", "srp"),), email="mariam@pool.example", name="Mariam Ahmadzai")
    return jelena, mariam


@pytest.fixture
def video(people):
    jelena, mariam = people
    return confirmed(jelena, mariam)


@pytest.fixture
def phone(people):
    jelena, mariam = people
    return confirmed(jelena, mariam, modality="phone")


def join(booking, user, role, connection, when, channel="browser"):
    call_records.record_join(booking.id, Participant.user(user.id), role, user.name, channel, connection, when)


def leave(connection, when):
    call_records.record_leave(connection, when, call_records.LEFT, None)


def held(booking, people, until=110):
    """The officer and the interpreter were in the call together from minute 1 to `until`."""
    jelena, mariam = people
    join(booking, jelena, CallRole.OFFICER, "c-officer", at(0))
    join(booking, mariam.user, CallRole.INTERPRETER, "c-interpreter", at(1))
    leave("c-interpreter", at(until))
    leave("c-officer", at(until))


def lifecycle_events(booking):
    statement = (
        select(BookingEvent)
        .where(BookingEvent.booking_id == booking.id, BookingEvent.action.in_(["start", "complete"]))
        .order_by(BookingEvent.id)
    )
    return list(db.session.scalars(statement))


def run_at(clock, when):
    """The scheduler's minute at `when`: start, then complete."""
    clock.set(when)
    return start_due_sessions(when), complete_finished_sessions(when)


def test_a_confirmed_session_starts_at_its_start_time_and_not_a_second_before(video, clock):
    assert run_at(clock, START - timedelta(seconds=1)) == (0, 0)
    assert video.state is BookingState.CONFIRMED
    assert run_at(clock, START) == (1, 0)
    assert video.state is BookingState.IN_PROGRESS
    [event] = lifecycle_events(video)
    assert (event.action, event.from_state, event.to_state) == (
        "start",
        BookingState.CONFIRMED,
        BookingState.IN_PROGRESS,
    )
    assert event.actor_id is None and event.at == START  # the system's own move, at the injected time
    assert run_at(clock, at(1)) == (0, 0)
    assert len(lifecycle_events(video)) == 1


def test_a_cancelled_booking_is_never_started(video, people, clock):
    jelena, _mariam = people
    cancel_booking(video.id, actor_of(jelena), "The applicant withdrew.", clock.now())
    assert run_at(clock, START) == (0, 0)
    assert video.state is BookingState.CANCELLED


def test_a_held_session_completes_once_its_call_has_closed(video, people, clock):
    run_at(clock, START)
    held(video, people)
    assert run_at(clock, END) == (0, 0)
    assert run_at(clock, CLOSE - timedelta(seconds=1)) == (0, 0)
    assert video.state is BookingState.IN_PROGRESS
    assert run_at(clock, CLOSE) == (0, 1)
    assert video.state is BookingState.COMPLETED
    start, complete = lifecycle_events(video)
    assert (complete.from_state, complete.to_state) == (BookingState.IN_PROGRESS, BookingState.COMPLETED)
    assert "1 hr, 49 mins" in complete.note  # minute 1 to 110, officer and interpreter together
    assert run_at(clock, CLOSE + timedelta(minutes=1)) == (0, 0)
    assert len(lifecycle_events(video)) == 2


def test_a_long_past_session_is_started_and_completed_in_one_run(video, people, clock):
    held(video, people)
    assert run_at(clock, CLOSE + timedelta(days=3)) == (1, 1)
    assert video.state is BookingState.COMPLETED


def test_a_telephone_session_that_left_no_call_records_completes(phone, clock):
    run_at(clock, START)
    assert run_at(clock, CLOSE - timedelta(seconds=1)) == (0, 0)
    assert run_at(clock, CLOSE) == (0, 1)
    assert phone.state is BookingState.COMPLETED
    [_start, complete] = lifecycle_events(phone)
    assert "booked time counts" in complete.note


def test_a_telephone_session_whose_call_delivered_nothing_awaits_the_caseworker(phone, people, clock):
    jelena, _mariam = people
    run_at(clock, START)
    join(phone, jelena, CallRole.OFFICER, "c-officer", at(0))
    leave("c-officer", at(20))
    assert run_at(clock, CLOSE + timedelta(hours=1)) == (0, 0)
    assert phone.state is BookingState.IN_PROGRESS


def test_a_video_session_without_delivered_time_stays_in_progress(video, people, clock):
    jelena, _mariam = people
    run_at(clock, START)
    assert run_at(clock, CLOSE + timedelta(hours=1)) == (0, 0)  # nobody came at all
    join(video, jelena, CallRole.OFFICER, "c-officer", at(0))
    leave("c-officer", at(30))  # the interpreter never came
    assert run_at(clock, CLOSE + timedelta(hours=2)) == (0, 0)
    assert video.state is BookingState.IN_PROGRESS
    # ...until the caseworker says what happened.
    record_outcome(video.id, actor_of(jelena), BookingAction.MARK_INTERPRETER_NO_SHOW, clock.now())
    assert video.state is BookingState.INTERPRETER_NO_SHOW


def test_someone_still_in_the_call_delays_completion(video, people, clock):
    jelena, mariam = people
    run_at(clock, START)
    join(video, jelena, CallRole.OFFICER, "c-officer", at(0))
    join(video, mariam.user, CallRole.INTERPRETER, "c-interpreter", at(1))
    leave("c-interpreter", at(100))
    assert run_at(clock, CLOSE + timedelta(minutes=5)) == (0, 0)
    assert video.state is BookingState.IN_PROGRESS
    leave("c-officer", CLOSE + timedelta(minutes=6))
    assert run_at(clock, CLOSE + timedelta(minutes=7)) == (0, 1)
    assert video.state is BookingState.COMPLETED


def test_an_outcome_the_caseworker_recorded_is_final(video, people, clock):
    jelena, _mariam = people
    run_at(clock, START)
    held(video, people)
    record_outcome(video.id, actor_of(jelena), BookingAction.MARK_WRONG_LANGUAGE, at(115))
    assert run_at(clock, CLOSE + timedelta(hours=1)) == (0, 0)
    assert video.state is BookingState.WRONG_LANGUAGE
    assert [event.action for event in lifecycle_events(video)] == ["start"]


def test_an_outcome_recorded_before_the_scheduler_started_the_session_is_final(phone, people, clock):
    jelena, _mariam = people
    record_outcome(phone.id, actor_of(jelena), BookingAction.MARK_APPLICANT_NO_SHOW, at(1))
    assert run_at(clock, CLOSE) == (0, 0)
    assert phone.state is BookingState.APPLICANT_NO_SHOW
    assert lifecycle_events(phone) == []


def test_the_monthly_report_counts_the_completed_sessions(video, people, clock):
    jelena, _mariam = people
    farid = factories.interpreter(pairs=(("pus", "srp"),), name="Farid Karimi")
    phone = confirmed(jelena, farid, modality="phone", case_reference="RS-2026-0043")
    held(video, people)
    before = monthly_report(ReportFilter.month(2026, 1, BELGRADE))
    assert (before.delivered_sessions, before.delivered_seconds) == (0, 0)
    run_at(clock, CLOSE)
    report = monthly_report(ReportFilter.month(2026, 1, BELGRADE))
    # The video call's 109 minutes together, and the telephone session at its booked two hours.
    assert (report.delivered_sessions, report.delivered_seconds) == (2, 109 * 60 + 120 * 60)
    assert video.state is phone.state is BookingState.COMPLETED


def test_the_no_show_check_still_finds_a_started_session(video, people, clock):
    jelena, _mariam = people
    run_at(clock, START)
    join(video, jelena, CallRole.OFFICER, "c-officer", at(0))
    clock.set(at(10))
    assert video.state is BookingState.IN_PROGRESS
    assert check_no_shows(clock.now()) == 1
    assert check_no_shows(clock.now()) == 0
    assert any("the interpreter" in (event.note or "") for event in video.events if event.action == "no_show_check")


def test_a_join_now_reminder_still_on_its_way_goes_out_after_the_start(video, clock, mailbox):
    outbox.dispatch_due(clock, letterhead())  # the offer and the invitations
    mailbox.clear()
    run_at(clock, START)  # the scheduler was down from before T-10 min: nothing was sent
    join_now = list(
        db.session.scalars(
            select(Notification).where(
                Notification.booking_id == video.id, Notification.kind == NotificationKind.JOIN_NOW
            )
        )
    )
    assert join_now and all(row.state is NotificationState.PENDING for row in join_now)
    outbox.dispatch_due(clock, letterhead())
    subjects = [message["Subject"] for message in mailbox.wait_for(2)]
    assert sum(subject.startswith("Join now:") for subject in subjects) == 2
    assert all(row.state is NotificationState.SENT for row in join_now)
