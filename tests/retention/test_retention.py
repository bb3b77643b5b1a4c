"""Personal data is purged when its period is over, younger records stay: call records, free
texts and old messages of sessions past RRIS_RETENTION_DAYS, sign-in records past
RRIS_SIGN_IN_RECORDS_DAYS, the audit trail's oldest entries past RRIS_AUDIT_DAYS; bookings and their facts stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from rris.access.queries.actors import actor_of
from rris.access.services.audit import record_booking_read
from rris.accounts.models.accounts import ApiToken, LoginAttempt, UserSession
from rris.audit.models.entries import AuditEntry
from rris.audit.services.chain_check import verify_trail
from rris.bookings.models.bookings import Booking, BookingEvent, IdempotencyRecord, Offer
from rris.calls.models.call_guests import CallGuest
from rris.calls.models.calls import CallAttendance
from rris.common.models.rate_limits import RateLimitWindow
from rris.enums import BookingState, CallRole, Channel, GuestKind, NotificationKind, NotificationState, OfferState
from rris.extensions import db
from rris.notifications.models.notifications import Notification
from rris.phone.models.phone_legs import DialInFailure
from rris.pool.models.interpreters import TimeOff
from rris.retention.domain.retention import RetentionPolicy
from rris.retention.services.retention import PurgeReport, purge_expired
from tests import factories

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def policy(**changes: object) -> RetentionPolicy:
    """The default periods (90, 30 and 365 days), with `changes`."""
    values: dict[str, object] = {
        "session_days": 90,
        "sign_in_days": 30,
        "audit_days": 365,
        "login_window": timedelta(minutes=15),
        "session_idle": timedelta(minutes=120),
        "dial_in_window": timedelta(minutes=15),
    }
    return RetentionPolicy(**{**values, **changes})


def delivered(ended_days_ago: int) -> Booking:
    starts = NOW - timedelta(days=ended_days_ago, hours=1)
    booking = factories.booking(starts_at=starts, minutes=60, state=BookingState.COMPLETED, notes="Room 4, bring ID")
    db.session.add(
        CallAttendance(
            booking_id=booking.id,
            user_id=booking.created_by_id,
            role=CallRole.OFFICER,
            joined_at=starts,
            left_at=starts + timedelta(hours=1),
        )
    )
    db.session.add(
        Notification(
            booking_id=booking.id,
            kind=NotificationKind.REMINDER_1H,
            channel=Channel.EMAIL,
            recipient_id=booking.created_by_id,
            version=1,
            state=NotificationState.SENT,
            created_at=starts - timedelta(days=2),
            due_at=starts - timedelta(hours=1),
            useful_until=starts,
            attempts=1,
        )
    )
    db.session.flush()
    return booking


def count(model, booking):
    return db.session.scalar(select(func.count()).select_from(model).where(model.booking_id == booking.id))


def test_records_past_the_retention_period_are_purged_and_the_booking_kept(ctx):
    old = delivered(ended_days_ago=91)
    recent = delivered(ended_days_ago=80)
    report = purge_expired(NOW, policy())
    assert (report.call_records, report.notes, report.messages) == (1, 1, 1)
    db.session.refresh(old)
    assert old.notes is None and old.state is BookingState.COMPLETED
    assert count(CallAttendance, old) == 0 and count(Notification, old) == 0
    assert recent.notes == "Room 4, bring ID"
    assert count(CallAttendance, recent) == 1 and count(Notification, recent) == 1
    assert purge_expired(NOW, policy()) == PurgeReport()


def test_old_phone_legs_keep_their_modality_and_duration_but_not_who_or_which_number(ctx):
    from rris.enums import PhoneDirection, PhoneLegStatus
    from rris.phone.models.phone_legs import PhoneLeg

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
    purge_expired(NOW, policy())
    db.session.refresh(old)
    db.session.refresh(recent)
    assert (old.number_tail, old.display_name, old.user_id, old.person_participant) == ("", "", None, None)
    assert (old.direction, old.status) == (PhoneDirection.OUTBOUND, PhoneLegStatus.COMPLETED)
    assert old.duration_seconds == 3600
    assert recent.number_tail == "4567" and recent.user_id is not None


def rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_what_people_wrote_about_an_old_session_goes_and_its_history_lines_stay(ctx):
    interpreter = factories.interpreter()
    sessions = {}
    for label, days in (("old", 91), ("recent", 80)):
        booking = delivered(ended_days_ago=days)
        booking.cancel_reason = "Applicant in hospital"
        booking.move_note = "The applicant's lawyer is away"  # the mover's own words
        db.session.add(
            Offer(
                booking=booking,
                booking_version=1,
                interpreter_id=interpreter.id,
                wave=1,
                rank=1,
                score=1,
                state=OfferState.DECLINED,
                offered_at=booking.created_at,
                expires_at=booking.starts_at,
                decline_reason="My child is ill",
            )
        )
        db.session.add(
            BookingEvent(booking=booking, at=booking.created_at, action="cancel", note="Applicant in hospital")
        )
        db.session.add(
            CallGuest(
                booking=booking,
                kind=GuestKind.GUARDIAN,
                display_name="Amina's guardian",
                link_hash=f"{label:0>64}",
                created_at=booking.created_at,
            )
        )
        sessions[label] = booking
    db.session.flush()

    report = purge_expired(NOW, policy())

    assert (report.free_texts, report.call_guests) == (4, 1)
    old, recent = sessions["old"], sessions["recent"]
    db.session.refresh(old)
    assert old.cancel_reason is None and old.move_note is None and old.offers[0].decline_reason is None
    assert [(event.action, event.note) for event in old.events] == [("cancel", None)]
    assert count(CallGuest, old) == 0
    assert recent.cancel_reason == "Applicant in hospital" and recent.offers[0].decline_reason == "My child is ill"
    assert recent.move_note == "The applicant's lawyer is away"
    assert recent.events[0].note == "Applicant in hospital" and count(CallGuest, recent) == 1


def test_old_time_off_keeps_its_period_but_not_its_reason(ctx):
    interpreter = factories.interpreter()
    old = TimeOff(
        interpreter=interpreter, starts_at=NOW - timedelta(days=100), ends_at=NOW - timedelta(days=91), reason="Surgery"
    )
    recent = TimeOff(
        interpreter=interpreter, starts_at=NOW - timedelta(days=85), ends_at=NOW - timedelta(days=80), reason="Family"
    )
    db.session.add_all([old, recent])
    db.session.flush()
    assert purge_expired(NOW, policy()).time_off_reasons == 1
    db.session.refresh(old)
    assert (old.starts_at, old.reason) == (NOW - timedelta(days=100), None)
    assert recent.reason == "Family"


def test_sign_in_attempts_go_after_their_period_and_never_inside_the_throttling_window(ctx):
    for days in (31, 29):
        db.session.add(
            LoginAttempt(
                email=f"{days}@pool.example",
                ip_address="198.51.100.7",
                attempted_at=NOW - timedelta(days=days),
                succeeded=False,
            )
        )
    db.session.add(
        LoginAttempt(
            email="now@pool.example", ip_address="198.51.100.7", attempted_at=NOW - timedelta(hours=30), succeeded=False
        )
    )
    db.session.flush()
    assert purge_expired(NOW, policy()).login_attempts == 1
    assert set(db.session.scalars(select(LoginAttempt.email))) == {"29@pool.example", "now@pool.example"}
    # A period shorter than the window would let guessing restart: the window wins.
    assert purge_expired(NOW, policy(sign_in_days=1, login_window=timedelta(days=2))).login_attempts == 1
    assert set(db.session.scalars(select(LoginAttempt.email))) == {"now@pool.example"}


def test_ended_browser_sessions_and_dead_api_tokens_go_after_the_period_live_ones_stay(ctx):
    person = factories.user()
    long_ago = NOW - timedelta(days=31)

    def browser_session(name: str, **times: datetime) -> None:
        values = {"created_at": long_ago, "last_seen_at": long_ago, "expires_at": long_ago + timedelta(hours=12)}
        db.session.add(
            UserSession(
                token_hash=f"{name:0>64}",
                user_id=person.id,
                ip_address="198.51.100.7",
                user_agent=name,
                **{**values, **times},
            )
        )

    browser_session("expired")
    browser_session("revoked", expires_at=NOW + timedelta(hours=1), last_seen_at=NOW, revoked_at=long_ago)
    browser_session("idle", expires_at=NOW + timedelta(days=400))
    browser_session("live", expires_at=NOW + timedelta(hours=1), last_seen_at=NOW - timedelta(minutes=5))
    browser_session(
        "recently ended",
        created_at=NOW - timedelta(days=2),
        last_seen_at=NOW - timedelta(days=2),
        expires_at=NOW - timedelta(days=1),
    )

    def token(name: str, **times: datetime | None) -> None:
        db.session.add(
            ApiToken(
                user_id=person.id,
                name=name,
                prefix=name[:8],
                token_hash=f"{name:0>64}",
                created_at=NOW - timedelta(days=400),
                **times,
            )
        )

    token("revoked", revoked_at=long_ago)
    token("expired", expires_at=long_ago)
    token("for ever")
    token("revoked lately", revoked_at=NOW - timedelta(days=3))
    db.session.flush()

    report = purge_expired(NOW, policy())

    assert (report.user_sessions, report.api_tokens) == (3, 2)
    assert set(db.session.scalars(select(UserSession.user_agent))) == {"live", "recently ended"}
    assert set(db.session.scalars(select(ApiToken.name))) == {"for ever", "revoked lately"}


def test_old_audit_entries_idempotency_records_wrong_pins_and_rate_limits_go_when_they_no_longer_matter(ctx):
    booking = factories.booking()
    reader = actor_of(booking.created_by)
    db.session.commit()
    for days in (366, 364):
        record_booking_read(booking, reader, "page", "127.0.0.1", NOW - timedelta(days=days))
    for key, age in (("old", timedelta(days=2)), ("fresh", timedelta(hours=1))):
        db.session.add(
            IdempotencyRecord(
                user_id=booking.created_by_id,
                key=key,
                fingerprint="f",
                status_code=201,
                body='{"case_reference": "RS-1"}',
                created_at=NOW - age,
            )
        )
    for minutes in (16, 5):
        db.session.add(DialInFailure(caller_digest="d" * 64, at=NOW - timedelta(minutes=minutes)))
    for key, seconds in (("e" * 64, -1), ("f" * 64, 30)):  # a window that ended, one still counting
        db.session.add(RateLimitWindow(key=key, hits=3, expires_at=NOW.timestamp() + seconds))
    db.session.flush()

    report = purge_expired(NOW, policy())

    assert (report.audit_entries, report.idempotency_records, report.dial_in_failures) == (1, 1, 1)
    assert report.rate_limit_windows == 1
    assert db.session.scalar(select(RateLimitWindow.key)) == "f" * 64
    kept = db.session.execute(select(AuditEntry.action, AuditEntry.at).order_by(AuditEntry.id)).all()
    assert [tuple(row) for row in kept] == [("booking.read", NOW - timedelta(days=364)), ("audit.pruned", NOW)]
    assert verify_trail() == (2, None)
    assert db.session.scalar(select(IdempotencyRecord.key)) == "fresh"
    assert rows(DialInFailure) == 1
