"""Invitations, reminders and alerts: written to the outbox by the booking services, sent by the
dispatcher through a real SMTP server (and the real Twilio SDK), each exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.bookings.services.bookings import cancel_booking, request_booking, reschedule_booking
from rris.context import current_clock
from rris.enums import BookingState, Channel, NotificationKind, NotificationState, Role
from rris.extensions import db
from rris.notifications.integrations import mail as mail_module
from rris.notifications.integrations.sms import TwilioSmsSender
from rris.notifications.models.notifications import Notification
from rris.notifications.services import outbox
from rris.offers.services.offers import accept_offer, expire_offers
from rris.pool.models.interpreters import AvailabilityWindow
from tests import factories
from tests.bookings.test_booking_flow import book, pashto_request, pool
from tests.support.booking_setup import booking_setup, waves
from tests.support.calendars import parse_ics, seen_instant, wall_clock
from tests.support.letterhead import letterhead
from tests.support.twilio_recorder import RecordingHttpClient

K = NotificationKind
SESSION_START = datetime(2026, 1, 14, 8, 0, tzinfo=UTC)  # Wednesday 09:00 Belgrade, 12:30 Kabul
WEDNESDAY_0900_BELGRADE = "2026-01-14T09:00"
ACCOUNT_SID = "AC" + "0" * 32


@pytest.fixture
def jelena(ctx):
    # She chose English: these tests read the outbox's workings, the language rule has its own.
    return factories.caseworker("RS", email="jelena@mup.rs.example", name="Jelena Marković", locale="en")


@pytest.fixture
def mariam(ctx):
    return factories.interpreter(
        pairs=(("pus", "srp"),), email="mariam@interpreters.example", name="Mariam Ahmadzai"
    )


@pytest.fixture
def sms(app: Flask):
    """The app sends SMS through the real Twilio SDK with a recording transport."""
    transport = RecordingHttpClient()
    previous = app.extensions["rris.sms"]
    app.extensions["rris.sms"] = TwilioSmsSender(ACCOUNT_SID, "auth-token", "+15005550006", http_client=transport)
    yield transport
    app.extensions["rris.sms"] = previous


def book_now(user, **changes):
    """Book as of the app's clock (the flow tests' `book` books on DEFAULT_NOW)."""
    request = pashto_request(**{"start_local": WEDNESDAY_0900_BELGRADE, **changes})
    booking, _created = request_booking(request, user, actor_of(user), current_clock().now(), booking_setup())
    return booking


def confirmed(jelena, interpreter, **changes):
    booking = book_now(jelena, **changes)
    offer = next(o for o in booking.offers if o.interpreter_id == interpreter.id)
    accept_offer(offer.id, interpreter, current_clock().now())
    assert booking.state is BookingState.CONFIRMED
    return booking


def dispatch(clock):
    return outbox.dispatch_due(clock, letterhead())


def rows(booking, kind=None):
    statement = select(Notification).where(Notification.booking_id == booking.id).order_by(Notification.id)
    found = list(db.session.scalars(statement))
    return [row for row in found if kind is None or row.kind is kind]


def to_whom(messages):
    return sorted(message["To"] for message in messages)


def invite_of(message):
    [part] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    return part, parse_ics(part.get_content())


def test_confirmation_invites_both_participants_in_their_own_zone(jelena, mariam, clock, mailbox):
    booking = confirmed(jelena, mariam)
    mailbox.clear()  # the offer message went out with the first dispatch below; keep only invitations
    report = dispatch(clock)
    messages = mailbox.wait_for(report.sent)
    invitations = [m for m in messages if m["Subject"].startswith("Confirmed")]
    assert to_whom(invitations) == ["jelena@mup.rs.example", "mariam@interpreters.example"]

    by_recipient = {m["To"]: m for m in invitations}
    part, calendar = invite_of(by_recipient["mariam@interpreters.example"])
    assert part.get_param("method") == "REQUEST"
    assert calendar.method.value == "REQUEST"
    assert calendar.vevent.uid.value == f"booking-{booking.code}@rris"
    assert seen_instant(calendar, "dtstart") == SESSION_START
    assert wall_clock(calendar, "dtstart") == ("Asia/Kabul", datetime(2026, 1, 14, 12, 30))
    attendees = sorted(line.value for line in calendar.vevent.contents["attendee"])
    assert attendees == ["mailto:jelena@mup.rs.example", "mailto:mariam@interpreters.example"]
    assert calendar.vevent.organizer.value.startswith("mailto:")
    assert "12:30" in by_recipient["mariam@interpreters.example"].get_body().get_content()
    assert "Kabul" in by_recipient["mariam@interpreters.example"].get_body().get_content()
    assert "RS-2026-0042" not in by_recipient["mariam@interpreters.example"].get_body().get_content()

    _part, belgrade = invite_of(by_recipient["jelena@mup.rs.example"])
    assert wall_clock(belgrade, "dtstart") == ("Europe/Belgrade", datetime(2026, 1, 14, 9, 0))
    assert seen_instant(belgrade, "dtend") == SESSION_START + timedelta(hours=2)
    assert "9:00" in by_recipient["jelena@mup.rs.example"]["Subject"]
    assert "Belgrade (UTC+01:00)" in by_recipient["jelena@mup.rs.example"]["Subject"]


def test_offers_go_out_by_email_when_the_wave_is_sent(jelena, clock, mailbox):
    interpreters = pool(4)
    book(jelena)
    dispatch(clock)
    offers = [m for m in mailbox.wait_for(3) if m["Subject"].startswith("Job offer")]
    assert len(offers) == 3
    assert {m["To"] for m in offers} <= {i.user.email for i in interpreters}
    assert "/offers" in offers[0].get_body().get_content()


def test_reminders_are_sent_24h_1h_and_10_minutes_before_with_the_join_link(jelena, mariam, clock, mailbox):
    booking = confirmed(jelena, mariam)
    dispatch(clock)
    mailbox.clear()

    expected = [
        (SESSION_START - timedelta(hours=24), "Tomorrow"),
        (SESSION_START - timedelta(hours=1), "In 1 hour"),
        (SESSION_START - timedelta(minutes=10), "Join now"),
    ]
    for due, subject in expected:
        clock.set(due - timedelta(seconds=1))
        assert dispatch(clock).sent == 0
        clock.set(due)
        assert dispatch(clock).sent == 2
        messages = mailbox.wait_for(2)
        assert [m["Subject"].split(":")[0] for m in messages] == [subject, subject]
        assert to_whom(messages) == ["jelena@mup.rs.example", "mariam@interpreters.example"]
        if subject == "Join now":
            assert f"https://rris.test/calls/{booking.id}" in messages[0].get_body().get_content()
        mailbox.clear()
        assert dispatch(clock).sent == 0  # a second run finds nothing to repeat

    clock.set(SESSION_START + timedelta(hours=3))
    assert dispatch(clock).handled == 0


def test_reminders_that_fell_due_while_down_are_sent_if_still_useful_else_skipped(jelena, mariam, clock, mailbox):
    booking = confirmed(jelena, mariam)
    dispatch(clock)
    mailbox.clear()
    clock.set(SESSION_START - timedelta(minutes=30))  # down from T-24 h until T-30 min
    report = dispatch(clock)
    assert report.sent == 2 and report.skipped == 2  # the 1-hour reminder still helps; the 24-hour one does not
    assert {m["Subject"].split(":")[0] for m in mailbox.wait_for(2)} == {"In 1 hour"}
    skipped = [row for row in rows(booking, K.REMINDER_24H)]
    assert {row.state for row in skipped} == {NotificationState.SKIPPED}
    assert {row.outcome for row in skipped} == {"too late to be useful"}

    mailbox.clear()
    clock.set(SESSION_START + timedelta(hours=2, minutes=1))  # down again until after the session
    report = dispatch(clock)
    assert report.sent == 0 and report.skipped == 2
    assert mailbox.messages == []


def test_rescheduling_moves_the_reminders_and_updates_the_calendars(jelena, mariam, clock, mailbox):
    booking = confirmed(jelena, mariam)
    dispatch(clock)
    first_sequence = booking.calendar_sequence
    mailbox.clear()

    moved = reschedule_booking(
        booking.id, actor_of(jelena), datetime(2026, 1, 15, 10, 0), None, clock.now(), booking_setup()
    )
    assert moved.state is BookingState.OFFERED
    assert moved.calendar_sequence > first_sequence
    dispatch(clock)
    changed = ("Moved, interpreter being found", "Cancelled")
    messages = {m["To"]: m for m in mailbox.wait_for(2) if m["Subject"].split(":")[0] in changed}
    _part, interpreter_copy = invite_of(messages["mariam@interpreters.example"])
    assert interpreter_copy.method.value == "CANCEL"
    assert interpreter_copy.vevent.status.value == "CANCELLED"
    caseworker_part, caseworker_copy = invite_of(messages["jelena@mup.rs.example"])
    assert caseworker_copy.method.value == "REQUEST"
    assert caseworker_copy.vevent.status.value == "TENTATIVE"
    assert int(caseworker_copy.vevent.sequence.value) == moved.calendar_sequence
    assert seen_instant(caseworker_copy, "dtstart") == datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
    assert {row.state for row in rows(booking, K.REMINDER_24H)} == {NotificationState.SKIPPED}

    # The previous interpreter is asked first and accepts again: confirmed at the new time.
    offer = next(o for o in moved.offers if o.state.value == "pending" and o.interpreter_id == mariam.id)
    accept_offer(offer.id, mariam, clock.now())
    mailbox.clear()
    dispatch(clock)
    confirmed_again = [m for m in mailbox.wait_for(2) if m["Subject"].startswith(("Updated", "Confirmed"))]
    assert to_whom(confirmed_again) == ["jelena@mup.rs.example", "mariam@interpreters.example"]
    for message in confirmed_again:
        _part, calendar = invite_of(message)
        assert calendar.vevent.status.value == "CONFIRMED"
        assert seen_instant(calendar, "dtstart") == datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
    new_reminders = [row for row in rows(booking, K.REMINDER_24H) if row.state is NotificationState.PENDING]
    assert {row.due_at for row in new_reminders} == {datetime(2026, 1, 14, 9, 0, tzinfo=UTC)}

    mailbox.clear()
    clock.set(SESSION_START - timedelta(hours=24))  # the old 24-hour reminder time: nothing goes out
    dispatch(clock)
    assert mailbox.messages == []


def test_cancelling_sends_a_calendar_cancel_and_no_reminder_ever(jelena, mariam, clock, mailbox):
    booking = confirmed(jelena, mariam)
    dispatch(clock)
    mailbox.clear()
    cancel_booking(booking.id, actor_of(jelena), "The applicant withdrew the claim.", clock.now())
    dispatch(clock)
    cancellations = mailbox.wait_for(2)
    assert to_whom(cancellations) == ["jelena@mup.rs.example", "mariam@interpreters.example"]
    for message in cancellations:
        part, calendar = invite_of(message)
        assert part.get_param("method") == "CANCEL"
        assert calendar.method.value == "CANCEL"
        assert calendar.vevent.uid.value == f"booking-{booking.code}@rris"
    mailbox.clear()
    for moment in (SESSION_START - timedelta(hours=24), SESSION_START - timedelta(minutes=10)):
        clock.set(moment)
        dispatch(clock)
    assert mailbox.messages == []
    assert all(row.state is not NotificationState.PENDING for row in rows(booking))


def test_sms_reminders_go_through_twilio_for_people_who_opted_in(jelena, clock, mailbox, sms):
    mariam = factories.interpreter(
        pairs=(("pus", "srp"),),
        email="mariam@interpreters.example",
        phone="+93700123456",
        phone_verified_at=datetime(2025, 12, 1, tzinfo=UTC),
        sms_opt_in=True,
    )
    booking = confirmed(jelena, mariam)
    dispatch(clock)
    sms.requests.clear()
    clock.set(SESSION_START - timedelta(minutes=10))
    dispatch(clock)
    [request] = sms.requests
    assert request.method == "POST"
    assert request.url == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.auth == (ACCOUNT_SID, "auth-token")
    assert request.data["To"] == "+93700123456"
    assert request.data["From"] == "+15005550006"
    assert "12:30" in request.data["Body"] and f"/calls/{booking.id}" in request.data["Body"]
    sms_row = next(r for r in rows(booking, K.JOIN_NOW) if r.channel is Channel.SMS)
    assert sms_row.state is NotificationState.SENT and sms_row.outcome.startswith("SM")


def test_no_sms_without_a_verified_phone_and_consent(jelena, mariam, clock, sms):
    confirmed(jelena, mariam)
    assert all(row.channel is Channel.EMAIL for row in db.session.scalars(select(Notification)))
    clock.set(SESSION_START - timedelta(minutes=10))
    dispatch(clock)
    assert sms.requests == []


def test_unfilled_bookings_alert_coordinators_at_once_then_24h_and_2h_before(jelena, clock, mailbox):
    factories.user(Role.COORDINATOR, email="hub@marri.example")
    only = pool(1)[0]
    booking = book(jelena, start_local=WEDNESDAY_0900_BELGRADE)
    [offer] = booking.offers
    clock.advance(timedelta(minutes=31))
    expire_offers(clock.now(), waves())
    assert booking.state is BookingState.UNFILLED
    dispatch(clock)
    alerts = [m for m in mailbox.wait_for(2) if m["Subject"].startswith("No interpreter found")]
    assert to_whom(alerts) == ["hub@marri.example", "jelena@mup.rs.example"]
    assert f"https://rris.test/bookings/{booking.id}" in alerts[0].get_body().get_content()

    mailbox.clear()
    clock.set(SESSION_START - timedelta(hours=24))
    dispatch(clock)
    [again] = mailbox.wait_for(1)
    assert again["To"] == "hub@marri.example" and "24 hours to go" in again["Subject"]
    mailbox.clear()
    clock.set(SESSION_START - timedelta(hours=2))
    dispatch(clock)
    [last] = mailbox.wait_for(1)
    assert "2 hours to go" in last["Subject"]
    assert offer.interpreter_id == only.id


def test_a_deferred_message_is_retried_and_a_refused_one_fails_for_good(jelena, mariam, clock, mailbox):
    booking = confirmed(jelena, mariam)
    mailbox.refuse["mariam@interpreters.example"] = "451 4.3.0 try again later"
    mailbox.refuse["jelena@mup.rs.example"] = "550 5.1.1 no such user"
    report = dispatch(clock)
    assert report.retried >= 1 and report.failed >= 1
    invitation = {row.recipient.email: row for row in rows(booking, K.INVITATION)}
    assert invitation["jelena@mup.rs.example"].state is NotificationState.FAILED
    assert "550" in invitation["jelena@mup.rs.example"].outcome
    assert invitation["mariam@interpreters.example"].state is NotificationState.PENDING

    mailbox.refuse.clear()
    clock.advance(timedelta(seconds=59))
    assert dispatch(clock).sent == 0  # not before the retry delay
    clock.advance(timedelta(seconds=1))
    dispatch(clock)
    assert invitation["mariam@interpreters.example"].state is NotificationState.SENT
    assert invitation["mariam@interpreters.example"].attempts == 2


def test_a_message_left_sending_by_a_dead_dispatcher_is_never_sent_again(jelena, mariam, clock, mailbox):
    booking = confirmed(jelena, mariam)
    row = rows(booking, K.INVITATION)[0]
    row.state = NotificationState.SENDING  # as if the process died right after claiming it
    row.claimed_at = clock.now()
    db.session.commit()
    assert outbox.mark_interrupted(clock.now()) == 1
    db.session.refresh(row)
    assert row.state is NotificationState.UNCERTAIN
    dispatch(clock)
    assert row.recipient.email not in [m["To"] for m in mailbox.messages if m["Subject"].startswith("Confirmed")]


def test_the_outbox_refuses_a_second_row_for_the_same_event(jelena, mariam, clock):
    booking = confirmed(jelena, mariam)
    row = rows(booking, K.INVITATION)[0]
    duplicate = Notification(
        booking_id=row.booking_id,
        kind=row.kind,
        channel=row.channel,
        recipient_id=row.recipient_id,
        version=row.version,
        state=NotificationState.PENDING,
        created_at=clock.now(),
        due_at=clock.now(),
        useful_until=clock.now(),
        attempts=0,
    )
    db.session.add(duplicate)
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.flush()
    db.session.rollback()


def test_reminders_across_the_march_clock_change_fall_24_real_hours_before(jelena, mariam, clock, mailbox):
    """Europe moves to summer time on Sunday 29 March 2026; Kabul does not move at all."""
    clock.set(datetime(2026, 3, 27, 8, 0, tzinfo=UTC))  # Friday
    for accreditation in mariam.accreditations:
        accreditation.valid_to = datetime(2026, 12, 31).date()
    booking = confirmed(jelena, mariam, start_local="2026-03-30T09:00")  # Monday, summer time
    assert booking.starts_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    reminder = next(row for row in rows(booking, K.REMINDER_24H) if row.recipient_id == mariam.user_id)
    assert reminder.due_at == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # Sunday 09:00 in Belgrade, after the change
    dispatch(clock)
    mailbox.clear()

    clock.set(reminder.due_at)
    dispatch(clock)
    by_recipient = {m["To"]: m for m in mailbox.wait_for(2)}
    kabul = by_recipient["mariam@interpreters.example"].get_body().get_content()
    belgrade = by_recipient["jelena@mup.rs.example"].get_body().get_content()
    # 12:30 in winter; Kabul keeps its clock, Europe moved.
    assert "When: Mon" in kabul and "11:30" in kabul and "Kabul (UTC+04:30)" in kabul
    assert "When: Mon" in belgrade and "9:00" in belgrade and "Belgrade (UTC+02:00)" in belgrade


def test_a_session_on_the_october_change_night_is_reminded_at_the_right_instant(jelena, clock, mailbox):
    """On Sunday 25 October 2026 Belgrade's 02:00-03:00 happens twice; reminders count real hours."""
    night_owl = factories.interpreter(pairs=(("pus", "srp"),), zone="Europe/London", email="owl@i.example")
    night_owl.availability = [AvailabilityWindow(weekday=day, start_minute=0, end_minute=24 * 60) for day in range(7)]
    for accreditation in night_owl.accreditations:
        accreditation.valid_to = datetime(2026, 12, 31).date()
    clock.set(datetime(2026, 10, 23, 8, 0, tzinfo=UTC))
    booking = book_now(jelena, start_local="2026-10-25T02:30", start_occurrence=1, duration_minutes=60)
    assert booking.starts_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # the second 02:30, in winter time
    offer = next(o for o in booking.offers if o.interpreter_id == night_owl.id)
    accept_offer(offer.id, night_owl, clock.now())
    join_now = next(row for row in rows(booking, K.JOIN_NOW) if row.recipient_id == jelena.id)
    assert join_now.due_at == datetime(2026, 10, 25, 1, 20, tzinfo=UTC)
    dispatch(clock)
    mailbox.clear()
    clock.set(join_now.due_at)
    dispatch(clock)
    body = {m["To"]: m for m in mailbox.wait_for(2)}["jelena@mup.rs.example"].get_body().get_content()
    assert "2:30" in body and "Belgrade (UTC+01:00)" in body  # the second 02:30, on winter time


def test_a_message_whose_answer_never_came_is_uncertain_and_not_sent_again(jelena, mariam, clock, mailbox):
    """The server took the message but its reply was lost: retrying could deliver it twice."""
    booking = confirmed(jelena, mariam)
    previous_timeout = mail_module.SMTP_TIMEOUT_SECONDS
    mailbox.slow_down["mariam@interpreters.example"] = 1.5  # seconds before the reply to the message
    mail_module.SMTP_TIMEOUT_SECONDS = 0.5
    try:
        report = outbox.dispatch_due(clock, letterhead())
    finally:
        mail_module.SMTP_TIMEOUT_SECONDS = previous_timeout
    assert report.uncertain == 1
    row = next(r for r in rows(booking, K.INVITATION) if r.recipient_id == mariam.user_id)
    assert row.state is NotificationState.UNCERTAIN
    assert "no answer after the message was sent" in row.outcome
    clock.advance(timedelta(hours=1))
    outbox.dispatch_due(clock, letterhead())
    db.session.refresh(row)
    assert (row.state, row.attempts) == (NotificationState.UNCERTAIN, 1)  # never handed over a second time
    confirmations = [m for m in mailbox.messages if m["Subject"].startswith("Confirmed")]
    assert [m["To"] for m in confirmations] == ["jelena@mup.rs.example"]  # the next message used a fresh connection
