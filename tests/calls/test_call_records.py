"""Call events from the signalling service become attendances, state changes and one summary per
booking: the seconds an officer and an interpreter were in the call together."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from rris.calls.domain.call_participants import Participant
from rris.calls.domain.call_quality import QualitySummary, QualityTally
from rris.calls.models.calls import CallAttendance, CallStateChange, CallSummary
from rris.calls.services import call_records
from rris.enums import BookingState, CallRole
from rris.extensions import db
from rris.retention.services.retention import purge_expired
from tests import factories
from tests.retention.test_retention import policy

START = datetime(2026, 1, 14, 8, 0, tzinfo=UTC)


def minute(n: float) -> datetime:
    return START + timedelta(minutes=n)


@pytest.fixture
def call(ctx):
    """A confirmed booking with its caseworker and interpreter, committed."""
    jelena = factories.caseworker("RS", name="Jelena Marković")
    mariam = factories.interpreter(pairs=(("pus", "srp"),), name="Mariam Ahmadzai")
    booking = factories.booking(starts_at=START, minutes=60, state=BookingState.CONFIRMED, created_by=jelena)
    db.session.commit()
    return booking.id, jelena.id, mariam.user_id


def officer_joins(booking_id, user_id, connection, at, channel="browser"):
    call_records.record_join(
        booking_id, Participant.user(user_id), CallRole.OFFICER, "Jelena Marković", channel, connection, at
    )


def interpreter_joins(booking_id, user_id, connection, at, channel="browser"):
    call_records.record_join(
        booking_id, Participant.user(user_id), CallRole.INTERPRETER, "Mariam Ahmadzai", channel, connection, at
    )


def attendance(connection_id):
    return db.session.scalars(
        select(CallAttendance)
        .where(CallAttendance.connection_id == connection_id)
        .execution_options(populate_existing=True)
    ).one()


def summary(booking_id):
    return db.session.get(CallSummary, booking_id, populate_existing=True)


def attendances_of(booking_id):
    statement = select(func.count()).select_from(CallAttendance).where(CallAttendance.booking_id == booking_id)
    return db.session.scalar(statement)


def good_line(samples: int = 2) -> QualitySummary:
    tally = QualityTally()
    for _ in range(samples):
        tally.add(45, 0.2, 900)
    result = tally.summary()
    assert result is not None
    return result


def test_a_call_from_join_to_leave_with_states_quality_and_delivered_time(call):
    booking_id, jelena_id, mariam_id = call
    officer_joins(booking_id, jelena_id, "c-officer", minute(0))
    interpreter_joins(booking_id, mariam_id, "c-interp", minute(2))
    joined = attendance("c-officer")
    assert (joined.user_id, joined.role, joined.participant, joined.display_name) == (
        jelena_id,
        CallRole.OFFICER,
        f"user-{jelena_id}",
        "Jelena Marković",
    )
    assert joined.left_at is None and joined.last_seen_at == minute(0)

    call_records.record_state("c-officer", f"user-{mariam_id}", "connecting", minute(2))
    call_records.record_state("c-officer", f"user-{mariam_id}", "connected", minute(2.1))
    call_records.record_state("c-officer", f"user-{mariam_id}", "connected", minute(30))  # no change: not stored
    call_records.record_state("c-officer", "x" * 41, "connected", minute(31))  # a peer no ticket names: ignored
    states = [(c.state, c.at) for c in attendance("c-officer").state_changes]
    assert states == [("connecting", minute(2)), ("connected", minute(2.1))]
    assert attendance("c-officer").last_seen_at == minute(30)

    call_records.record_leave("c-officer", minute(60), call_records.LEFT, good_line(40))
    closed = attendance("c-officer")
    assert (closed.left_at, closed.left_reason, closed.quality_samples, closed.poor_samples) == (
        minute(60),
        "left",
        40,
        0,
    )
    assert closed.rtt_ms_mean == pytest.approx(45) and closed.loss_percent_max == pytest.approx(0.2)
    # The interpreter is still in the call: counted until last seen (joined at 2), not yet closed.
    assert summary(booking_id).last_left_at is None

    call_records.record_leave("c-interp", minute(61), call_records.CALL_OVER, None)
    result = summary(booking_id)
    assert result.delivered_seconds == 58 * 60  # together from 2 to 60
    assert (result.first_joined_at, result.last_left_at, result.updated_at) == (minute(0), minute(61), minute(61))
    assert attendance("c-interp").quality_samples == 0


def test_the_same_connection_joining_or_leaving_twice_is_recorded_once(call):
    booking_id, jelena_id, _mariam_id = call
    officer_joins(booking_id, jelena_id, "c-1", minute(0))
    officer_joins(booking_id, jelena_id, "c-1", minute(1))
    assert attendances_of(booking_id) == 1 and attendance("c-1").joined_at == minute(0)
    call_records.record_leave("c-1", minute(30), call_records.GONE, None)
    call_records.record_leave("c-1", minute(45), call_records.LEFT, good_line())
    closed = attendance("c-1")
    assert (closed.left_at, closed.left_reason, closed.quality_samples) == (minute(30), "gone", 0)


def test_a_reconnect_overlapping_the_old_connection_counts_once(call):
    booking_id, jelena_id, mariam_id = call
    officer_joins(booking_id, jelena_id, "c-officer", minute(0))
    interpreter_joins(booking_id, mariam_id, "c-old", minute(0))
    interpreter_joins(booking_id, mariam_id, "c-new", minute(30))  # new tab before the old one is gone
    call_records.record_leave("c-old", minute(31), call_records.REPLACED, None)
    call_records.record_leave("c-new", minute(60), call_records.LEFT, None)
    call_records.record_leave("c-officer", minute(60), call_records.LEFT, None)
    assert summary(booking_id).delivered_seconds == 3600


def test_a_telephone_leg_counts_as_presence_like_the_browser(call):
    booking_id, jelena_id, mariam_id = call
    officer_joins(booking_id, jelena_id, "c-officer", minute(0))
    interpreter_joins(booking_id, mariam_id, "c-browser", minute(0))
    call_records.record_leave("c-browser", minute(10), call_records.GONE, None)
    interpreter_joins(booking_id, mariam_id, "phone-CA123", minute(12), channel="phone")
    call_records.record_leave("phone-CA123", minute(60), call_records.LEFT, None)
    call_records.record_leave("c-officer", minute(60), call_records.LEFT, None)
    assert attendance("phone-CA123").channel == "phone"
    assert summary(booking_id).delivered_seconds == 58 * 60  # 0-10 and 12-60


def test_a_guest_is_recorded_but_does_not_make_delivered_time(call):
    booking_id, jelena_id, _mariam_id = call
    officer_joins(booking_id, jelena_id, "c-officer", minute(0))
    call_records.record_join(
        booking_id, Participant.guest(3), CallRole.GUEST, "Legal adviser", "browser", "c-guest", minute(0)
    )
    call_records.record_leave("c-guest", minute(60), call_records.LEFT, None)
    call_records.record_leave("c-officer", minute(60), call_records.LEFT, None)
    guest = attendance("c-guest")
    assert (guest.user_id, guest.participant, guest.display_name) == (None, "guest-3", "Legal adviser")
    assert summary(booking_id).delivered_seconds == 0


def test_touch_moves_last_seen_of_open_connections_only_and_never_back(call):
    booking_id, jelena_id, mariam_id = call
    officer_joins(booking_id, jelena_id, "c-officer", minute(0))
    interpreter_joins(booking_id, mariam_id, "c-interp", minute(0))
    call_records.record_leave("c-interp", minute(5), call_records.LEFT, None)
    call_records.touch(["c-officer", "c-interp", "c-unknown"], minute(10))
    assert attendance("c-officer").last_seen_at == minute(10)
    assert attendance("c-interp").last_seen_at == minute(5)
    call_records.touch(["c-officer"], minute(9))
    assert attendance("c-officer").last_seen_at == minute(10)
    call_records.touch([], minute(11))  # nothing to do, no transaction


def test_attendances_left_open_by_a_stopped_service_are_closed_when_last_seen(call):
    booking_id, jelena_id, mariam_id = call
    officer_joins(booking_id, jelena_id, "c-officer", minute(0))
    interpreter_joins(booking_id, mariam_id, "c-interp", minute(1))
    call_records.touch(["c-officer", "c-interp"], minute(20))
    call_records.record_state("c-officer", f"user-{mariam_id}", "connected", minute(21))
    # The service stops; the next one starts at 40 and closes what was not seen for 3 minutes.
    assert call_records.close_orphans(seen_before=minute(37), at=minute(40)) == 2
    officer, interpreter = attendance("c-officer"), attendance("c-interp")
    assert (officer.left_at, officer.left_reason) == (minute(21), call_records.SERVICE_RESTART)
    assert (interpreter.left_at, interpreter.left_reason) == (minute(20), call_records.SERVICE_RESTART)
    assert summary(booking_id).delivered_seconds == 19 * 60  # together 1-20
    assert summary(booking_id).last_left_at == minute(21)
    assert call_records.close_orphans(seen_before=minute(38), at=minute(41)) == 0


def test_a_connection_seen_recently_or_never_seen_after_a_recent_join_stays_open(call):
    booking_id, jelena_id, mariam_id = call
    officer_joins(booking_id, jelena_id, "c-live", minute(0))
    interpreter_joins(booking_id, mariam_id, "c-new", minute(38))
    call_records.touch(["c-live"], minute(39))
    assert call_records.close_orphans(seen_before=minute(37), at=minute(40)) == 0
    assert attendance("c-live").left_at is None and attendance("c-new").left_at is None
    assert summary(booking_id) is None


def test_retention_keeps_the_delivered_time_and_drops_attendances_with_their_states(call):
    booking_id, jelena_id, mariam_id = call
    officer_joins(booking_id, jelena_id, "c-officer", minute(0))
    interpreter_joins(booking_id, mariam_id, "c-interp", minute(5))
    call_records.record_state("c-interp", f"user-{jelena_id}", "connected", minute(5))
    call_records.touch(["c-officer", "c-interp"], minute(50))  # never closed: the service died
    assert summary(booking_id) is None
    report = purge_expired(START + timedelta(days=91), policy(session_days=90))
    assert report.call_records == 2
    assert attendances_of(booking_id) == 0
    assert db.session.scalar(select(func.count()).select_from(CallStateChange)) == 0
    kept = summary(booking_id)
    assert kept.delivered_seconds == 45 * 60  # together from 5 until both were last seen at 50
    assert kept.first_joined_at == minute(0)


def test_events_for_an_unknown_booking_or_connection_are_logged_and_ignored(call, caplog):
    booking_id, jelena_id, _mariam_id = call
    with caplog.at_level(logging.WARNING, logger="rris.calls.services.call_records"):
        officer_joins(booking_id + 1000, jelena_id, "c-lost", minute(0))
        call_records.record_state("c-lost", "user-1", "connected", minute(1))
        call_records.record_leave("c-lost", minute(2), call_records.LEFT, None)
    assert db.session.scalar(select(func.count()).select_from(CallAttendance)) == 0
    assert "unknown booking" in caplog.text and "unknown connection c-lost" in caplog.text


def test_a_user_who_no_longer_exists_is_recorded_without_the_account(call):
    booking_id, _jelena_id, _mariam_id = call
    officer_joins(booking_id, 999_999, "c-ghost", minute(0))
    ghost = attendance("c-ghost")
    assert (ghost.user_id, ghost.participant) == (None, "user-999999")


@pytest.mark.parametrize(
    "changes",
    [
        {"participant": "7"},
        {"participant": "admin-7"},
        {"channel": "carrier-pigeon"},
        {"connection_id": ""},
        {"connection_id": "x" * 41},
        {"display_name": ""},
        {"role": "officer"},
        {"at": datetime(2026, 1, 14, 8, 0)},
    ],
)
def test_malformed_arguments_are_programming_errors(call, changes):
    booking_id, jelena_id, _mariam_id = call
    arguments = {
        "booking_id": booking_id,
        "participant": f"user-{jelena_id}",
        "role": CallRole.OFFICER,
        "display_name": "Jelena",
        "channel": "browser",
        "connection_id": "c-1",
        "at": minute(0),
        **changes,
    }
    with pytest.raises(ValueError):
        call_records.record_join(**arguments)
    assert attendances_of(booking_id) == 0


def test_a_page_resumed_on_another_node_ends_its_orphaned_stay_where_the_new_one_begins(call):
    booking_id, officer_id, interpreter_id = call
    officer_joins(booking_id, officer_id, "a-officer", minute(0))
    interpreter_joins(booking_id, interpreter_id, "a-interpreter", minute(0))
    # Node A is killed at minute 12: nobody records a leave. Both pages resume on node B at minute 12.
    call_records.record_join(
        booking_id, Participant.user(officer_id), CallRole.OFFICER, "Jelena Marković", "browser", "b-officer",
        minute(12), True,
    )  # fmt: skip
    call_records.record_join(
        booking_id, Participant.user(interpreter_id), CallRole.INTERPRETER, "Mariam Ahmadzai", "browser",
        "b-interpreter", minute(12), True,
    )  # fmt: skip
    assert (attendance("a-officer").left_at, attendance("a-officer").left_reason) == (minute(12), "service_restart")
    assert attendance("a-interpreter").left_at == minute(12)
    call_records.record_leave("b-officer", minute(30), "left", None)
    call_records.record_leave("b-interpreter", minute(30), "left", None)
    assert summary(booking_id).delivered_seconds == 30 * 60  # one continuous call
    # An ordinary join (a second tab, a reload) leaves the other stays to their own leaves.
    officer_joins(booking_id, officer_id, "c-officer", minute(31))
    officer_joins(booking_id, officer_id, "d-officer", minute(32))
    assert attendance("c-officer").left_at is None
