"""Telephone legs: a participant's verified phone is rung (through the real Twilio SDK, recorded
at its HTTP seam, or simulated without an account), within the toll-fraud guard's prefixes and
caps; Twilio's status reports are recorded once each; callers dial in with the booking's PIN,
and wrong PINs are throttled."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from rris.calls.domain.call_participants import Participant
from rris.calls.domain.call_tickets import TicketKind, read_ticket
from rris.calls.services import call_access, call_records
from rris.calls.services.call_access import ensure_call_room, ensure_dial_in_pin
from rris.common.domain.errors import InvalidInput, TooManyAttempts
from rris.context import current_settings
from rris.enums import BookingState, CallRole, PhoneDirection, PhoneLegStatus, Role
from rris.extensions import db
from rris.phone.models.phone_legs import DialInFailure, PhoneLeg, PhoneLegEvent
from rris.phone.services.callable_countries import callable_countries, save_callable_countries
from rris.phone.services.dial_in import dial_in
from rris.phone.services.phone_callbacks import answer_call, record_status
from rris.phone.services.phone_legs import (
    RING_TIMEOUT,
    PhoneRefused,
    dial_out_option,
    hang_up,
    leg_ticket,
    live_leg_id,
    phone_leg_id,
    request_dial_out,
    stream_started,
    stream_stopped,
)
from tests import factories
from tests.support.call_bookings import OPEN, open_call, token
from tests.support.twilio_recorder import (
    TEST_ACCOUNT_SID,
    CannedResponse,
    changed_settings,
    phone_setup,
    twilio_error,
    twilio_voice,
)

MOBILE = "+381641234567"
KABUL_MOBILE = "+93701234567"
CALL_SID = "CA" + "1f" * 16
CALLER = "+38761987654"


def secret() -> str:
    """The key the portal signs tickets with."""
    return current_settings().secret_key


def account() -> str:
    """The Twilio account the portal is configured with (empty offline)."""
    return current_settings().twilio_account_sid


@pytest.fixture(autouse=True)
def _no_twilio_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TWILIO_EDGE", "TWILIO_REGION", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def call(ctx, clock):
    """The call of Wednesday's interview is open; Mariam, its interpreter, verified her mobile."""
    booking, jelena, mariam = open_call(clock)
    mariam.phone, mariam.phone_verified_at = MOBILE, clock.now() - timedelta(days=3)
    db.session.commit()
    return booking, jelena, mariam


def person(user) -> Participant:
    return Participant.user(user.id)


def legs(booking) -> list[PhoneLeg]:
    db.session.expire_all()
    return list(db.session.scalars(select(PhoneLeg).where(PhoneLeg.booking_id == booking.id).order_by(PhoneLeg.id)))


def events(leg_id: int) -> list[str]:
    found = db.session.scalars(select(PhoneLegEvent.status).where(PhoneLegEvent.leg_id == leg_id))
    return sorted(status.value for status in found)


def refusal(booking, participant, clock) -> PhoneRefused:
    with pytest.raises(PhoneRefused) as raised:
        request_dial_out(booking.id, participant, clock.now(), phone_setup())
    return raised.value


def status(sid: str, value: str, **extra: str) -> dict[str, str]:
    return {"AccountSid": TEST_ACCOUNT_SID, "CallSid": sid, "CallStatus": value, **extra}


# --- dial-out -------------------------------------------------------------------------------


def test_without_twilio_the_leg_is_simulated_and_the_simulator_carries_its_ticket(app, call, clock):
    booking, _jelena, mariam = call
    dialing = request_dial_out(booking.id, person(mariam), clock.now(), phone_setup())
    assert dialing.simulated and dialing.phone_participant.encode() == f"phone-user-{mariam.id}"
    assert dialing.number_tail == "4567"
    page, fragment = dialing.simulator_url.split("#")
    assert page == f"https://rris.test/calls/phone-simulator/{dialing.leg_id}"
    ticket = read_ticket(fragment, secret(), clock.now(), TicketKind.LEG)
    assert ticket.participant == Participant.user(mariam.id).phone()
    assert (ticket.role, ticket.display_name) == (CallRole.INTERPRETER, "Mariam (phone)")
    assert ticket.room == booking.call_room and ticket.booking_id == booking.id
    assert ticket.expires_at == booking.ends_at + timedelta(minutes=30)
    assert phone_leg_id(ticket) == dialing.leg_id
    (leg,) = legs(booking)
    assert (leg.direction, leg.status, leg.simulated) == (PhoneDirection.OUTBOUND, PhoneLegStatus.REQUESTED, True)
    assert (leg.number_tail, leg.person_participant, leg.user_id) == ("4567", f"user-{mariam.id}", mariam.id)
    assert leg.call_sid is None and app.extensions["rris.voice"] is None


def test_with_twilio_the_verified_number_is_rung_with_the_legs_webhooks(app, call, clock):
    booking, _jelena, mariam = call
    with twilio_voice(app, CannedResponse(201, {"sid": CALL_SID, "status": "queued"})) as twilio:
        dialing = request_dial_out(booking.id, person(mariam), clock.now(), phone_setup())
    assert not dialing.simulated and dialing.simulator_url is None
    (placed,) = twilio.calls_placed
    assert placed.url == f"https://api.twilio.com/2010-04-01/Accounts/{TEST_ACCOUNT_SID}/Calls.json"
    assert placed.data["To"] == MOBILE and placed.data["From"] == "+15005550006"
    assert placed.data["Url"] == f"https://rris.test/twilio/voice/{dialing.leg_id}"
    assert placed.data["StatusCallback"] == "https://rris.test/twilio/status"
    (leg,) = legs(booking)
    assert (leg.call_sid, leg.status, leg.simulated) == (CALL_SID, PhoneLegStatus.QUEUED, False)


def test_the_officer_is_rung_as_the_officer(app, call, clock):
    booking, jelena, _mariam = call
    jelena.phone, jelena.phone_verified_at = "+381601112233", clock.now()
    db.session.commit()
    dialing = request_dial_out(booking.id, person(jelena), clock.now(), phone_setup())
    fragment = dialing.simulator_url.split("#")[1]
    ticket = read_ticket(fragment, secret(), clock.now(), TicketKind.LEG)
    assert (ticket.role, ticket.display_name) == (CallRole.OFFICER, "Jelena Marković (phone)")


def test_an_unverified_number_is_never_rung_and_the_refusal_is_logged(app, call, clock, caplog):
    booking, _jelena, mariam = call
    mariam.phone_verified_at = None
    db.session.commit()
    with caplog.at_level(logging.WARNING, "rris.phone.services.phone_legs"), twilio_voice(app) as twilio:
        refused = refusal(booking, person(mariam), clock)
    assert refused.code == "no_verified_phone" and "verify" in refused.message
    assert twilio.requests == [] and legs(booking) == []
    assert f"call {booking.id}: telephone leg for user-{mariam.id} refused (no_verified_phone)" in caplog.text


def test_a_guest_has_no_phone_to_ring(app, call, clock):
    booking, _jelena, _mariam = call
    assert refusal(booking, Participant.guest(3), clock).code == "no_verified_phone"


def test_someone_who_is_not_in_the_call_is_not_rung(app, call, clock):
    booking, _jelena, _mariam = call
    stranger = factories.caseworker("AL", phone="+355691234567", phone_verified_at=clock.now())
    db.session.commit()
    assert refusal(booking, person(stranger), clock).code == "not_a_participant"


@pytest.mark.parametrize(
    "number", ["+38190012345", "+909001234567", "+18005550100"], ids=["serbian-premium", "turkish-premium", "toll-free"]
)
def test_a_premium_or_other_non_personal_number_is_refused_and_logged_by_its_tail(app, call, clock, caplog, number):
    booking, _jelena, mariam = call
    mariam.phone = number  # verified: a stolen account could have confirmed it
    db.session.commit()
    with caplog.at_level(logging.WARNING, "rris.phone.services.phone_legs"), twilio_voice(app) as twilio:
        refused = refusal(booking, person(mariam), clock)
    assert refused.code == "number_type" and "premium-rate" in refused.message
    assert twilio.requests == [] and legs(booking) == []
    assert f"refused (number_type), number …{number[-4:]}" in caplog.text and number not in caplog.text


def test_an_interpreter_in_kabul_is_rung_by_default_and_refused_once_a_coordinator_removes_afghanistan(
    app, call, clock, caplog
):
    booking, _jelena, mariam = call
    mariam.phone = KABUL_MOBILE
    hub = factories.user(Role.COORDINATOR, name="Elena Stojanovska")
    db.session.commit()
    assert "AF" in callable_countries().regions and callable_countries().is_default
    first = request_dial_out(booking.id, person(mariam), clock.now(), phone_setup())
    assert first.number_tail == "4567"
    hang_up(first.leg_id, clock.now())
    without_af = callable_countries().regions - {"AF"}
    save_callable_countries(without_af, None, hub, clock.now())
    with caplog.at_level(logging.WARNING, "rris.phone.services.phone_legs"), twilio_voice(app) as twilio:
        refused = refusal(booking, person(mariam), clock)
    assert refused.code == "country_not_allowed"
    assert "Afghanistan" in refused.message and "not on the coordinators' list" in refused.message
    assert twilio.requests == [] and len(legs(booking)) == 1
    assert "refused (country_not_allowed), number …4567" in caplog.text
    assert dial_out_option(mariam).code == "country_not_allowed"


def test_once_saved_the_list_no_longer_follows_the_interpreters_phones(app, call, clock):
    booking, _jelena, mariam = call
    hub = factories.user(Role.COORDINATOR)
    db.session.commit()
    save_callable_countries(callable_countries().regions, None, hub, clock.now())
    mariam.phone = "+436641234567"  # she moved to Vienna and confirmed her new number
    db.session.commit()
    assert refusal(booking, person(mariam), clock).code == "country_not_allowed"
    version = callable_countries().version
    save_callable_countries(version.codes | {"AT"}, version.id, hub, clock.now())
    assert request_dial_out(booking.id, person(mariam), clock.now(), phone_setup()).simulated


def test_no_phone_before_the_call_opens_or_after_it_is_cancelled(app, call, clock):
    booking, _jelena, mariam = call
    clock.set(OPEN - timedelta(minutes=1))
    refused = refusal(booking, person(mariam), clock)
    assert refused.code == "call_not_open" and "The call opens at" in refused.message
    clock.set(OPEN)
    booking.state = BookingState.CANCELLED
    db.session.commit()
    assert refusal(booking, person(mariam), clock).code == "call_not_open"
    assert refusal(booking.__class__(id=10**9), person(mariam), clock).code == "call_not_open"


def test_a_phone_already_ringing_or_connected_is_not_rung_again(app, call, clock):
    booking, _jelena, mariam = call
    first = request_dial_out(booking.id, person(mariam), clock.now(), phone_setup())
    assert refusal(booking, person(mariam), clock).code == "already_on_phone"
    assert live_leg_id(booking.id, person(mariam), clock.now()) == first.leg_id
    assert live_leg_id(booking.id, first.phone_participant, clock.now()) == first.leg_id
    assert stream_started(first.leg_id, clock.now())
    clock.advance(RING_TIMEOUT * 5)
    assert refusal(booking, person(mariam), clock).code == "already_on_phone"  # answered: still on
    assert hang_up(first.leg_id, clock.now())
    assert live_leg_id(booking.id, person(mariam), clock.now()) is None
    assert request_dial_out(booking.id, person(mariam), clock.now(), phone_setup()).leg_id != first.leg_id


def test_a_phone_nobody_answered_may_be_rung_again_after_the_ring_timeout(app, call, clock):
    booking, _jelena, mariam = call
    request_dial_out(booking.id, person(mariam), clock.now(), phone_setup())
    clock.advance(RING_TIMEOUT)
    assert request_dial_out(booking.id, person(mariam), clock.now(), phone_setup())


def test_the_booking_cap_counts_every_leg_placed_and_is_logged(app, call, clock, caplog):
    booking, _jelena, mariam = call
    with changed_settings(app, phone_calls_per_booking=2):
        for _ in range(2):
            hang_up(request_dial_out(booking.id, person(mariam), clock.now(), phone_setup()).leg_id, clock.now())
        with caplog.at_level(logging.WARNING, "rris.phone.services.phone_legs"):
            refused = refusal(booking, person(mariam), clock)
    assert refused.code == "booking_cap" and "2 telephone calls" in refused.message
    assert len(legs(booking)) == 2
    assert "refused (booking_cap), number …4567" in caplog.text


def test_the_daily_cap_counts_the_legs_of_every_booking_in_the_last_24_hours(app, call, clock):
    booking, jelena, mariam = call
    other = factories.booking(department=jelena.department, starts_at=OPEN - timedelta(days=1))
    for hours_ago in (25, 23):
        db.session.add(
            PhoneLeg(
                booking_id=other.id,
                participant="phone-dialin-0",
                role=CallRole.GUEST,
                display_name="Caller",
                direction=PhoneDirection.INBOUND,
                number_tail="0000",
                status=PhoneLegStatus.COMPLETED,
                requested_at=clock.now() - timedelta(hours=hours_ago),
                simulated=False,
            )
        )
    db.session.commit()
    with changed_settings(app, phone_calls_per_day=2):
        first = request_dial_out(booking.id, person(mariam), clock.now(), phone_setup())  # 23 h ago and this one: 2
        hang_up(first.leg_id, clock.now())
        refused = refusal(booking, person(mariam), clock)
        assert refused.code == "daily_cap"
        clock.advance(timedelta(hours=1, seconds=1))  # the leg of 23 h ago leaves the window
        assert request_dial_out(booking.id, person(mariam), clock.now(), phone_setup())


def test_a_number_twilio_refuses_ends_the_leg_as_failed_and_it_counts(app, call, clock, caplog):
    booking, _jelena, mariam = call
    refusal_answer = twilio_error(400, 21217, f"Phone number {MOBILE} is not valid.")
    with caplog.at_level(logging.INFO), twilio_voice(app, refusal_answer):
        refused = refusal(booking, person(mariam), clock)
    assert refused.code == "twilio_refused"
    (leg,) = legs(booking)
    assert (leg.status, leg.ended_at, leg.duration_seconds) == (PhoneLegStatus.FAILED, clock.now(), 0)
    assert MOBILE not in caplog.text


def test_twilio_out_of_reach_is_a_temporary_refusal(app, call, clock):
    booking, _jelena, mariam = call
    with twilio_voice(app, CannedResponse(raises=requests.ConnectionError("refused"))):
        assert refusal(booking, person(mariam), clock).code == "twilio_unavailable"
        (leg,) = legs(booking)
        assert leg.status is PhoneLegStatus.FAILED
        # a failed leg is not "on the phone"
        assert request_dial_out(booking.id, person(mariam), clock.now(), phone_setup())


def test_a_call_twilio_did_not_confirm_takes_its_call_sid_when_answered(app, call, clock):
    booking, _jelena, mariam = call
    with twilio_voice(app, CannedResponse(raises=requests.ReadTimeout("read timed out"))):
        dialing = request_dial_out(booking.id, person(mariam), clock.now(), phone_setup())
        assert not dialing.simulated
        (leg,) = legs(booking)
        assert (leg.call_sid, leg.status) == (None, PhoneLegStatus.REQUESTED)
        ticket = answer_call(dialing.leg_id, CALL_SID, clock.now(), secret())
    read = read_ticket(ticket, secret(), clock.now(), TicketKind.LEG)
    assert read.participant == dialing.phone_participant
    assert legs(booking)[0].call_sid == CALL_SID


def test_the_voice_webhook_ticket_is_only_for_the_legs_own_live_call(app, call, clock):
    booking, _jelena, mariam = call
    with twilio_voice(app, CannedResponse(201, {"sid": CALL_SID, "status": "queued"})):
        dialing = request_dial_out(booking.id, person(mariam), clock.now(), phone_setup())
        assert answer_call(dialing.leg_id, "CA" + "2e" * 16, clock.now(), secret()) is None
        assert answer_call(dialing.leg_id, "not-a-sid", clock.now(), secret()) is None
        first = answer_call(dialing.leg_id, CALL_SID, clock.now(), secret())
        assert first == answer_call(dialing.leg_id, CALL_SID, clock.now(), secret())  # the same ticket each time
        assert record_status(status(CALL_SID, "completed", CallDuration="12"), clock.now(), account())
        assert answer_call(dialing.leg_id, CALL_SID, clock.now(), secret()) is None


# --- hanging up -----------------------------------------------------------------------------


def test_hanging_up_a_simulated_leg_ends_it_with_the_time_it_was_connected(app, call, clock):
    booking, _jelena, mariam = call
    dialing = request_dial_out(booking.id, person(mariam), clock.now(), phone_setup())
    clock.advance(timedelta(seconds=20))
    assert stream_started(dialing.leg_id, clock.now())
    clock.advance(timedelta(minutes=5))
    assert hang_up(dialing.leg_id, clock.now())
    (leg,) = legs(booking)
    assert (leg.status, leg.duration_seconds, leg.ended_at) == (PhoneLegStatus.COMPLETED, 300, clock.now())
    assert events(leg.id) == ["completed", "in-progress"]
    assert not hang_up(dialing.leg_id, clock.now())
    assert not hang_up(10**9, clock.now())
    assert not stream_started(dialing.leg_id, clock.now())  # an ended leg's stream may not come back


def test_a_simulated_leg_ends_when_its_stream_stops(app, call, clock):
    booking, _jelena, mariam = call
    dialing = request_dial_out(booking.id, person(mariam), clock.now(), phone_setup())
    stream_started(dialing.leg_id, clock.now())
    clock.advance(timedelta(minutes=2))
    assert stream_stopped(dialing.leg_id, clock.now())
    assert not stream_stopped(dialing.leg_id, clock.now())
    (leg,) = legs(booking)
    assert (leg.status, leg.duration_seconds) == (PhoneLegStatus.COMPLETED, 120)


def test_hanging_up_a_twilio_call_asks_twilio_and_its_report_brings_the_duration(app, call, clock):
    booking, _jelena, mariam = call
    with twilio_voice(app, CannedResponse(201, {"sid": CALL_SID, "status": "queued"})) as twilio:
        dialing = request_dial_out(booking.id, person(mariam), clock.now(), phone_setup())
        record_status(status(CALL_SID, "in-progress"), clock.now(), account())
        assert stream_started(dialing.leg_id, clock.now())
        assert not stream_stopped(dialing.leg_id, clock.now())  # Twilio reports the end of a real call
        clock.advance(timedelta(minutes=3))
        assert hang_up(dialing.leg_id, clock.now())
        hung = twilio.requests[-1]
        assert hung.url.endswith(f"/Calls/{CALL_SID}.json") and hung.data == {"Status": "completed"}
        assert live_leg_id(booking.id, person(mariam), clock.now()) is None
        clock.advance(timedelta(seconds=2))
        assert record_status(status(CALL_SID, "completed", CallDuration="181"), clock.now(), account())
    (leg,) = legs(booking)
    assert (leg.status, leg.duration_seconds) == (PhoneLegStatus.COMPLETED, 181)
    assert leg.ended_at == clock.now() - timedelta(seconds=2)


def test_a_call_twilio_ended_already_is_marked_ended_when_hung_up(app, call, clock):
    booking, _jelena, mariam = call
    answers = (CannedResponse(201, {"sid": CALL_SID}), twilio_error(400, 21220, "Call is not in-progress."))
    with twilio_voice(app, *answers):
        dialing = request_dial_out(booking.id, person(mariam), clock.now(), phone_setup())
        assert hang_up(dialing.leg_id, clock.now())
    assert legs(booking)[0].ended_at == clock.now()


def test_a_hang_up_twilio_cannot_take_now_leaves_the_leg_as_it_was(app, call, clock):
    booking, _jelena, mariam = call
    answers = (CannedResponse(201, {"sid": CALL_SID}), CannedResponse(raises=requests.ConnectionError("down")))
    with twilio_voice(app, *answers):
        dialing = request_dial_out(booking.id, person(mariam), clock.now(), phone_setup())
        with pytest.raises(PhoneRefused) as raised:
            hang_up(dialing.leg_id, clock.now())
    assert raised.value.code == "twilio_unavailable"
    (leg,) = legs(booking)
    assert leg.ended_at is None and leg.status is PhoneLegStatus.QUEUED


# --- status reports -------------------------------------------------------------------------


@pytest.fixture
def rung(app, call, clock):
    """Mariam's phone rung through Twilio as CALL_SID."""
    booking, _jelena, mariam = call
    with twilio_voice(app, CannedResponse(201, {"sid": CALL_SID, "status": "queued"})):
        dialing = request_dial_out(booking.id, person(mariam), clock.now(), phone_setup())
        yield booking, dialing.leg_id


def test_each_status_is_recorded_once_with_the_answer_and_the_billed_duration(app, rung, clock):
    booking, leg_id = rung
    for value in ("initiated", "ringing"):
        assert record_status(status(CALL_SID, value), clock.now(), account())
    clock.advance(timedelta(seconds=8))
    answered = clock.now()
    assert record_status(status(CALL_SID, "in-progress"), clock.now(), account())
    clock.advance(timedelta(minutes=10))
    assert record_status(status(CALL_SID, "completed", CallDuration="601"), clock.now(), account())
    (leg,) = legs(booking)
    assert (leg.status, leg.answered_at, leg.ended_at) == (PhoneLegStatus.COMPLETED, answered, clock.now())
    assert leg.duration_seconds == 601
    assert events(leg_id) == ["completed", "in-progress", "initiated", "ringing"]


def test_a_replayed_status_changes_nothing(app, rung, clock):
    booking, leg_id = rung
    record_status(status(CALL_SID, "in-progress"), clock.now(), account())
    record_status(status(CALL_SID, "completed", CallDuration="60"), clock.now(), account())
    before = legs(booking)[0]
    snapshot = (before.status, before.answered_at, before.ended_at, before.duration_seconds)
    clock.advance(timedelta(minutes=5))
    assert not record_status(status(CALL_SID, "completed", CallDuration="9999"), clock.now(), account())
    assert not record_status(status(CALL_SID, "in-progress"), clock.now(), account())
    after = legs(booking)[0]
    assert (after.status, after.answered_at, after.ended_at, after.duration_seconds) == snapshot
    assert events(leg_id) == ["completed", "in-progress"]


def test_a_late_ringing_report_does_not_reopen_an_ended_call(app, rung, clock):
    booking, _leg_id = rung
    record_status(status(CALL_SID, "completed", CallDuration="30"), clock.now(), account())
    record_status(status(CALL_SID, "ringing"), clock.now(), account())
    (leg,) = legs(booking)
    assert leg.status is PhoneLegStatus.COMPLETED
    assert leg.answered_at == leg.ended_at - timedelta(seconds=30)  # no in-progress report came


@pytest.mark.parametrize("final", ["busy", "no-answer", "failed", "canceled"])
def test_a_call_that_never_connected_ends_with_no_duration(app, rung, clock, final):
    booking, _leg_id = rung
    assert record_status(status(CALL_SID, final), clock.now(), account())
    (leg,) = legs(booking)
    assert (leg.status.value, leg.duration_seconds, leg.answered_at) == (final, 0, None)
    assert leg.ended_at == clock.now()


def test_reports_of_unknown_calls_statuses_or_accounts_change_nothing(app, rung, clock):
    booking, leg_id = rung
    assert not record_status(status("CA" + "99" * 16, "completed"), clock.now(), account())
    assert not record_status(status(CALL_SID, "exploded"), clock.now(), account())
    assert not record_status({**status(CALL_SID, "completed"), "AccountSid": "AC" + "00" * 16}, clock.now(), account())
    assert not record_status({"CallStatus": "completed"}, clock.now(), account())
    assert events(leg_id) == [] and legs(booking)[0].status is PhoneLegStatus.QUEUED


# --- the phone leg in the call's records ----------------------------------------------------


def test_a_phone_legs_attendance_is_recorded_on_the_telephone_channel(app, call, clock):
    booking, _jelena, mariam = call
    dialing = request_dial_out(booking.id, person(mariam), clock.now(), phone_setup())
    call_records.record_join(
        booking.id, dialing.phone_participant, CallRole.INTERPRETER, "Mariam Ahmadzai (phone)", "phone", "ph-1", OPEN
    )
    call_records.record_join(
        booking.id, Participant.caller(4), CallRole.GUEST, "Caller ending 7654", "phone", "ph-2", OPEN
    )
    from tests.support.call_bookings import attendances

    first, second = attendances(booking)
    assert (first.channel, first.user_id, first.participant) == ("phone", mariam.id, f"phone-user-{mariam.id}")
    assert (second.channel, second.user_id) == ("phone", None)


def test_leg_tickets_are_stable_and_other_tickets_name_no_leg(app, call, clock):
    booking, jelena, mariam = call
    dialing = request_dial_out(booking.id, person(mariam), clock.now(), phone_setup())
    (leg,) = legs(booking)
    assert leg_ticket(leg, secret()) == leg_ticket(leg, secret()) == dialing.simulator_url.split("#")[1]
    join = read_ticket(token(booking, jelena, clock), secret(), clock.now(), TicketKind.JOIN)
    assert phone_leg_id(join) is None


def test_the_call_page_can_tell_who_may_be_rung(app, call, clock):
    _booking, jelena, mariam = call
    assert dial_out_option(mariam).available and dial_out_option(mariam).number_tail == "4567"
    option = dial_out_option(jelena)
    assert not option.available and option.number_tail is None and "verify" in option.reason
    jelena.phone, jelena.phone_verified_at = "+18005550100", clock.now()
    assert not dial_out_option(jelena).available and dial_out_option(jelena).number_tail == "0100"


# --- dial-in --------------------------------------------------------------------------------


@pytest.fixture
def pin(call, clock) -> str:
    booking, jelena, _mariam = call
    token(booking, jelena, clock)  # the first join makes the room, and the PIN with it
    return booking.dial_in_pin


def test_the_pin_is_made_with_the_room_and_a_caller_joins_with_it_as_a_guest(app, call, pin, clock, caplog):
    booking, _jelena, _mariam = call
    assert len(pin) == 6 and pin.isdigit()
    with caplog.at_level(logging.INFO, "rris.phone.services.phone_legs"):
        leg = dial_in(pin, CALLER, clock.now(), phone_setup(), CALL_SID)
    assert (leg.booking_id, leg.direction, leg.role) == (booking.id, PhoneDirection.INBOUND, CallRole.GUEST)
    assert leg.participant == f"phone-dialin-{leg.id}" and leg.display_name == "Caller ending 7654"
    assert (leg.status, leg.answered_at, leg.call_sid) == (PhoneLegStatus.IN_PROGRESS, clock.now(), CALL_SID)
    assert leg.number_tail == "7654" and pin not in caplog.text and CALLER not in caplog.text
    ticket = read_ticket(leg_ticket(leg, secret()), secret(), clock.now(), TicketKind.LEG)
    assert (ticket.participant, ticket.role) == (Participant.caller(leg.id), CallRole.GUEST)
    assert ticket.room == booking.call_room
    assert dial_in(pin, CALLER, clock.now(), phone_setup(), CALL_SID).id == leg.id  # Twilio asking again: the same leg


def test_wrong_pins_are_throttled_per_caller_and_the_number_is_not_stored(app, call, pin, clock):
    wrong = f"{(int(pin) + 1) % 10**6:06d}"
    for _ in range(5):
        with pytest.raises(InvalidInput):
            dial_in(wrong, CALLER, clock.now(), phone_setup())
    with pytest.raises(TooManyAttempts) as raised:
        dial_in(pin, CALLER, clock.now(), phone_setup())  # even the right PIN, now
    assert raised.value.retry_at == clock.now() + timedelta(minutes=15)
    digests = list(db.session.scalars(select(DialInFailure.caller_digest)))
    assert len(digests) == 5 and not any("7654" in digest for digest in digests)
    another_caller = dial_in(pin, "+38970111222", clock.now(), phone_setup())
    assert another_caller.display_name == "Caller ending 1222"
    clock.advance(timedelta(minutes=15))
    assert dial_in(pin, CALLER, clock.now(), phone_setup())


def test_many_callers_guessing_together_are_stopped_too(app, call, pin, clock):
    wrong = f"{(int(pin) + 1) % 10**6:06d}"
    for caller in range(50):
        with pytest.raises(InvalidInput):
            dial_in(wrong, f"+3816000{caller:05d}", clock.now(), phone_setup())
    with pytest.raises(TooManyAttempts):
        dial_in(pin, CALLER, clock.now(), phone_setup())


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "12 345", "abcdef"])
def test_malformed_pins_are_wrong_pins(app, call, pin, clock, typed):
    with pytest.raises(InvalidInput):
        dial_in(typed, CALLER, clock.now(), phone_setup())
    assert db.session.scalar(select(DialInFailure.id)) is not None


def test_a_right_pin_outside_the_calls_hours_is_refused_not_counted(app, call, clock):
    booking, _jelena, _mariam = call
    clock.set(OPEN - timedelta(hours=2))
    pin = ensure_dial_in_pin(booking)  # pages show it ahead of the call
    with pytest.raises(PhoneRefused) as raised:
        dial_in(pin, CALLER, clock.now(), phone_setup())
    assert raised.value.code == "call_not_open" and "The call opens at" in raised.value.message
    assert db.session.scalar(select(DialInFailure.id)) is None
    clock.set(booking.ends_at + timedelta(minutes=30))  # the call closed: the PIN means nothing
    with pytest.raises(InvalidInput):
        dial_in(pin, CALLER, clock.now(), phone_setup())


def test_dial_in_legs_count_towards_the_booking_cap(app, call, pin, clock):
    with changed_settings(app, phone_calls_per_booking=1):
        dial_in(pin, CALLER, clock.now(), phone_setup())
        with pytest.raises(PhoneRefused) as raised:
            dial_in(pin, "+38970111222", clock.now(), phone_setup())
    assert raised.value.code == "booking_cap"


def test_the_pin_stays_once_made(app, call, clock):
    booking, _jelena, _mariam = call
    pin = ensure_dial_in_pin(booking)
    ensure_call_room(booking)
    assert booking.dial_in_pin == pin == ensure_dial_in_pin(booking)


def test_overlapping_calls_never_share_a_pin_but_calls_far_apart_may(app, call, clock, monkeypatch):
    booking, jelena, mariam = call
    ensure_dial_in_pin(booking)
    same_then_other = iter([int(booking.dial_in_pin), 424242, int(booking.dial_in_pin)])
    monkeypatch.setattr(call_access.secrets, "randbelow", lambda _bound: next(same_then_other))
    overlapping = factories.booking(
        department=jelena.department, starts_at=booking.starts_at + timedelta(minutes=30), state=BookingState.CONFIRMED
    )
    later = factories.booking(
        department=jelena.department, starts_at=booking.ends_at + timedelta(hours=2), state=BookingState.CONFIRMED
    )
    assert ensure_dial_in_pin(overlapping) == "424242"
    assert ensure_dial_in_pin(later) == booking.dial_in_pin
