"""Call records, notes and old messages are purged after the retention period; bookings stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from rris.enums import BookingState, CallRole, Channel, NotificationKind, NotificationState
from rris.extensions import db
from rris.models import Booking, CallAttendance, Notification
from rris.services.retention import purge_expired
from tests import factories

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def delivered(ended_days_ago: int) -> Booking:
    starts = NOW - timedelta(days=ended_days_ago, hours=1)
    booking = factories.booking(starts_at=starts, minutes=60, state=BookingState.COMPLETED, notes="Room 4, bring ID")
    db.session.add(CallAttendance(booking_id=booking.id, user_id=booking.created_by_id, role=CallRole.OFFICER,
                                  joined_at=starts, left_at=starts + timedelta(hours=1)))
    db.session.add(Notification(booking_id=booking.id, kind=NotificationKind.REMINDER_1H, channel=Channel.EMAIL,
                                recipient_id=booking.created_by_id, version=1, state=NotificationState.SENT,
                                created_at=starts - timedelta(days=2), due_at=starts - timedelta(hours=1),
                                useful_until=starts, attempts=1))
    db.session.flush()
    return booking


def count(model, booking):
    return db.session.scalar(select(func.count()).select_from(model).where(model.booking_id == booking.id))


def test_records_past_the_retention_period_are_purged_and_the_booking_kept(ctx):
    old = delivered(ended_days_ago=91)
    recent = delivered(ended_days_ago=80)
    report = purge_expired(NOW, retention_days=90)
    assert (report.call_records, report.notes, report.messages) == (1, 1, 1)
    db.session.refresh(old)
    assert old.notes is None and old.state is BookingState.COMPLETED
    assert count(CallAttendance, old) == 0 and count(Notification, old) == 0
    assert recent.notes == "Room 4, bring ID"
    assert count(CallAttendance, recent) == 1 and count(Notification, recent) == 1
    assert purge_expired(NOW, retention_days=90) == report.__class__(0, 0, 0, 0)


def test_old_phone_legs_keep_their_modality_and_duration_but_not_who_or_which_number(ctx):
    from rris.enums import PhoneDirection, PhoneLegStatus
    from rris.models import PhoneLeg

    def leg(booking: Booking) -> PhoneLeg:
        row = PhoneLeg(
            booking_id=booking.id,
            participant=f"phone-user-{booking.created_by_id}",
            person_participant=f"user-{booking.created_by_id}",
            user_id=booking.created_by_id,
            role=CallRole.INTERPRETER,
            display_name="Mariam Ahmadzai (phone)",
            direction=PhoneDirection.OUTBOUND,
            number_tail="4567",
            status=PhoneLegStatus.COMPLETED,
            requested_at=booking.starts_at,
            answered_at=booking.starts_at,
            ended_at=booking.ends_at,
            duration_seconds=3600,
        )
        db.session.add(row)
        db.session.flush()
        return row

    old, recent = leg(delivered(ended_days_ago=91)), leg(delivered(ended_days_ago=80))
    purge_expired(NOW, retention_days=90)
    db.session.refresh(old)
    db.session.refresh(recent)
    assert (old.number_tail, old.display_name, old.user_id, old.person_participant) == ("", "", None, None)
    assert (old.direction, old.status) == (PhoneDirection.OUTBOUND, PhoneLegStatus.COMPLETED)
    assert old.duration_seconds == 3600
    assert recent.number_tail == "4567" and recent.user_id is not None
