"""Telephone legs of a call: ring a participant's verified phone, follow each call's progress
from Twilio, and hang up. Every new leg first passes the toll-fraud guard (rris.phone.services.phone_guard).

A leg joins the call as its own participant (a person's phone, or a caller) through the
signalling service's phone bridge, admitted by a leg ticket (TicketKind.LEG, never taken for a
call page's). The signalling service calls `request_dial_out`, `hang_up`, `stream_started` and
`stream_stopped` from its worker thread inside an app context; the portal's Twilio webhooks call
`answer_call` and `record_status` (callers with a PIN: `rris.phone.services.dial_in`). Every refusal
is logged with the booking and the number's last four digits, never the number.

Without a Twilio account no call is placed: the leg is simulated, and the simulator page plays
the phone through the same media-stream endpoint.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, or_, select

from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Booking
from rris.calls.domain.call_participants import Participant
from rris.calls.domain.call_tickets import CallTicket, sign_ticket, valid_span
from rris.calls.services.call_access import (
    call_role_of,
    check_call_open,
    ensure_call_room,
    name_in_call,
)
from rris.common.domain.errors import Conflict
from rris.common.services.transactions import begin_write, lock_booking
from rris.enums import PhoneDirection, PhoneLegStatus
from rris.extensions import db
from rris.phone.domain.toll_guard import number_tail
from rris.phone.integrations.telephony import (
    VoicePermanentError,
    VoiceTemporaryError,
    VoiceUncertain,
    current_voice,
)
from rris.phone.models.phone_legs import PhoneLeg, PhoneLegEvent
from rris.phone.services.phone_guard import (
    ALREADY_ON_PHONE,
    CALL_NOT_OPEN,
    NO_VERIFIED_PHONE,
    NOT_A_PARTICIPANT,
    TWILIO_REFUSED,
    TWILIO_UNAVAILABLE,
    PhoneRefused,
    PhoneSetup,
    check_callable,
    guard_new_leg,
    refuse,
)

log = logging.getLogger(__name__)

STREAM_PATH = "/phone/stream"
SIMULATOR_PATH = "/calls/phone-simulator"
# A leg nobody answered within this long is over, whether or not Twilio said so (Twilio rings 60 s).
RING_TIMEOUT = timedelta(minutes=2)
DISPLAY_NAME_MAX_CHARS = 80

CALL_SID_PATTERN = re.compile(r"CA[0-9a-fA-F]{32}")
_LEG_NONCE = re.compile(r"leg-([0-9]{1,18})\.[0-9]+")


@dataclass(frozen=True)
class DialOut:
    """A leg being rung: its id, the participant it will join as, and for a simulated leg the
    simulator page that plays the phone (the leg ticket rides in its fragment)."""

    leg_id: int
    phone_participant: Participant
    simulated: bool
    simulator_url: str | None
    number_tail: str = ""


@dataclass(frozen=True)
class PhoneOption:
    """Whether a person could be rung on their phone at all, for the call page's button."""

    available: bool
    number_tail: str | None
    reason: str  # empty when available
    code: str = ""  # the refusal code when not available (NO_VERIFIED_PHONE, COUNTRY_NOT_ALLOWED...)


def dial_out_option(user: User) -> PhoneOption:
    """Can this person ask to be rung: a verified personal number in a country RRIS may call
    (caps and the call's hours are checked when they ask)."""
    if user.phone is None or user.phone_verified_at is None:
        message = _("Add and verify your mobile number on your profile to be called.")
        return PhoneOption(False, None, message, NO_VERIFIED_PHONE)
    tail = number_tail(user.phone)
    check, message = check_callable(user.phone)
    if check.refusal is not None:
        return PhoneOption(False, tail, message, check.refusal)
    return PhoneOption(True, tail, "")


def request_dial_out(booking_id: int, participant: Participant, now: datetime, setup: PhoneSetup) -> DialOut:
    """Ring the verified phone of `participant` (a person with an account) to bridge it into the
    booking's call, with the key, webhooks and caps of `setup`.

    Raises PhoneRefused with one of NO_VERIFIED_PHONE, NOT_A_PARTICIPANT, CALL_NOT_OPEN,
    COUNTRY_NOT_ALLOWED, NUMBER_TYPE, ALREADY_ON_PHONE, BOOKING_CAP, DAILY_CAP, TWILIO_REFUSED or
    TWILIO_UNAVAILABLE.
    """
    who = participant.encode()  # in the log
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        refuse(CALL_NOT_OPEN, booking_id, who, None, _("This session no longer exists."))
    user = _user_of(participant)
    if user is None or user.phone is None or user.phone_verified_at is None:
        message = _("Add and verify your mobile number on your profile to be called.")
        refuse(NO_VERIFIED_PHONE, booking_id, who, None, message)
    phone, tail = user.phone, number_tail(user.phone)
    role = call_role_of(booking, user)
    if role is None:
        message = _("Only the officers of the department and the session's interpreters are called.")
        refuse(NOT_A_PARTICIPANT, booking_id, who, tail, message)
    try:
        check_call_open(booking, now, user.zone_name)
    except Conflict as closed:
        refuse(CALL_NOT_OPEN, booking_id, who, tail, str(closed))
    check, message = check_callable(phone)
    if check.refusal is not None:
        refuse(check.refusal, booking_id, who, tail, message)
    voice = current_voice()
    phone_participant = participant.phone()
    display_name = _("%(name)s (phone)", name=name_in_call(user, role))[:DISPLAY_NAME_MAX_CHARS]
    user_id = user.id

    begin_write()
    lock_booking(booking_id)
    if _live_legs(booking_id, participant, now):
        refuse(ALREADY_ON_PHONE, booking_id, who, tail, _("Your phone is already in this call."))
    guard_new_leg(booking_id, who, tail, now, setup.caps)
    leg = PhoneLeg(
        booking_id=booking_id,
        participant=phone_participant.encode(),
        person_participant=participant.encode(),
        user_id=user_id,
        role=role,
        display_name=display_name,
        direction=PhoneDirection.OUTBOUND,
        number_tail=tail,
        status=PhoneLegStatus.REQUESTED,
        requested_at=now,
        simulated=voice is None,
    )
    db.session.add(leg)
    db.session.commit()
    leg_id = leg.id
    log.info(
        "call %s: ringing %s for %s (leg %s%s)",
        booking_id,
        "…" + tail,
        participant,
        leg_id,
        ", simulated" if voice is None else "",
    )

    if voice is None:
        simulator_url = f"{setup.public_url}{SIMULATOR_PATH}/{leg_id}#{leg_ticket(leg, setup.secret_key)}"
        return DialOut(leg_id, phone_participant, True, simulator_url, tail)
    try:
        call_sid = voice.place_call(
            phone, f"{setup.public_url}/twilio/voice/{leg_id}", f"{setup.public_url}/twilio/status"
        )
    except VoicePermanentError:
        end_unplaced(leg_id, PhoneLegStatus.FAILED, now)
        refuse(TWILIO_REFUSED, booking_id, who, tail, _("The telephone network refused to call this number."))
    except VoiceTemporaryError:
        end_unplaced(leg_id, PhoneLegStatus.FAILED, now)
        refuse(TWILIO_UNAVAILABLE, booking_id, who, tail, _("Calls cannot be placed just now. Try again."))
    except VoiceUncertain:
        # Twilio may have placed it: the voice webhook adopts its CallSid if the phone is answered.
        log.warning("call %s: leg %s may be ringing without a known CallSid", booking_id, leg_id)
    else:
        accept_call_sid(leg_id, call_sid)
    return DialOut(leg_id, phone_participant, False, None, tail)


def hang_up(leg_id: int, now: datetime) -> bool:
    """End the leg: through Twilio when it is a real call, else just marked ended. False when the
    leg is unknown or over already. PhoneRefused(TWILIO_UNAVAILABLE) when Twilio cannot be told."""
    leg = db.session.get(PhoneLeg, leg_id)
    if leg is None or leg_is_over(leg):
        db.session.commit()
        return False
    if not leg.simulated and leg.call_sid is not None:
        _hang_up_at_twilio(leg)
    begin_write()
    leg = locked_leg(leg_id)
    if leg is None or leg_is_over(leg):
        db.session.commit()
        return False
    if leg.simulated:
        finish_leg(leg, PhoneLegStatus.COMPLETED, now, None)
    elif leg.call_sid is None:
        finish_leg(leg, PhoneLegStatus.CANCELED, now, 0)
    else:
        leg.ended_at = now  # Twilio's "completed" callback brings the status and the billed duration
    booking_id = leg.booking_id
    db.session.commit()
    log.info("call %s: leg %s hung up", booking_id, leg_id)
    return True


def leg_ticket(leg: PhoneLeg, secret_key: str) -> str:
    """The ticket signed with `secret_key` that admits the leg's media stream into the call,
    valid for the call's span. The same leg always gets the same ticket."""
    booking = leg.booking
    room = ensure_call_room(booking)
    opens, closes = valid_span(booking.starts_at, booking.ends_at)
    ticket = CallTicket(
        room=room,
        booking_id=booking.id,
        participant=Participant.parse(leg.participant),
        role=leg.role,
        display_name=leg.display_name,
        not_before=opens,
        expires_at=closes,
        nonce=f"leg-{leg.id}.{int(leg.requested_at.timestamp())}",
    )
    return sign_ticket(ticket, secret_key)


def phone_leg_id(ticket: CallTicket) -> int | None:
    """The leg a leg ticket was issued for; None for any other ticket."""
    match = _LEG_NONCE.fullmatch(ticket.nonce)
    if match is None or not ticket.participant.is_phone:
        return None
    return int(match.group(1))


def live_leg_id(booking_id: int, participant: Participant, now: datetime) -> int | None:
    """The leg of this person or phone still ringing or connected."""
    legs = _live_legs(booking_id, participant, now)
    db.session.commit()
    return legs[0] if legs else None


def stream_started(leg_id: int, now: datetime) -> bool:
    """The leg's media stream reached the bridge: the phone is answered. False when the leg is
    unknown or over, and then its stream must not join the call."""
    begin_write()
    leg = locked_leg(leg_id)
    if leg is None or leg_is_over(leg):
        db.session.commit()
        return False
    if leg.answered_at is None:
        leg.answered_at = now
    if leg.simulated and leg.status.rank < PhoneLegStatus.IN_PROGRESS.rank:
        leg.status = PhoneLegStatus.IN_PROGRESS
        if not event_recorded(leg.id, PhoneLegStatus.IN_PROGRESS):
            db.session.add(PhoneLegEvent(leg_id=leg.id, status=PhoneLegStatus.IN_PROGRESS, at=now))
    db.session.commit()
    return True


def stream_stopped(leg_id: int, now: datetime) -> bool:
    """The leg's media stream ended. A simulated leg ends with it; a real call ends at Twilio,
    which reports it to the status webhook. True when the leg was ended here."""
    begin_write()
    leg = locked_leg(leg_id)
    if leg is None or not leg.simulated or leg_is_over(leg):
        db.session.commit()
        return False
    finish_leg(leg, PhoneLegStatus.COMPLETED, now, None)
    db.session.commit()
    return True


# --- helpers -------------------------------------------------------------------------------


def _user_of(participant: Participant) -> User | None:
    user_id = participant.user_id if not participant.is_phone else None
    return db.session.get(User, user_id) if user_id is not None else None


def _live(now: datetime) -> ColumnElement[bool]:
    final = [status for status in PhoneLegStatus if status.is_final]
    return and_(
        PhoneLeg.status.not_in(final),
        PhoneLeg.ended_at.is_(None),
        or_(PhoneLeg.answered_at.is_not(None), PhoneLeg.requested_at > now - RING_TIMEOUT),
    )


def _live_legs(booking_id: int, participant: Participant, now: datetime) -> list[int]:
    whose = PhoneLeg.participant if participant.is_phone else PhoneLeg.person_participant
    return list(
        db.session.scalars(
            select(PhoneLeg.id)
            .where(PhoneLeg.booking_id == booking_id, whose == participant.encode(), _live(now))
            .order_by(PhoneLeg.id.desc())
        )
    )


def leg_is_over(leg: PhoneLeg, now: datetime | None = None) -> bool:
    """True once the leg ended, or (given `now`) rang unanswered past RING_TIMEOUT."""
    if leg.status.is_final or leg.ended_at is not None:
        return True
    return now is not None and leg.answered_at is None and now - leg.requested_at >= RING_TIMEOUT


def locked_leg(leg_id: int) -> PhoneLeg | None:
    """The leg, read fresh after locking its booking (every writer of a booking locks it first)."""
    booking_id = db.session.scalar(select(PhoneLeg.booking_id).where(PhoneLeg.id == leg_id))
    if booking_id is None:
        return None
    lock_booking(booking_id)
    fresh = select(PhoneLeg).where(PhoneLeg.id == leg_id).execution_options(populate_existing=True)
    return db.session.scalars(fresh).one_or_none()


def event_recorded(leg_id: int, status: PhoneLegStatus) -> bool:
    found = db.session.scalar(
        select(PhoneLegEvent.id).where(PhoneLegEvent.leg_id == leg_id, PhoneLegEvent.status == status)
    )
    return found is not None


def finish_leg(
    leg: PhoneLeg, status: PhoneLegStatus, now: datetime, duration: int | None, *, event: bool = True
) -> None:
    """End the leg with a final status. `duration` is Twilio's billed seconds; None: from the
    answer until now (simulated legs)."""
    leg.status = status
    leg.ended_at = min(leg.ended_at or now, now)
    if duration is None:
        duration = 0 if leg.answered_at is None else max(0, int((leg.ended_at - leg.answered_at).total_seconds()))
    leg.duration_seconds = duration
    if leg.answered_at is None and duration > 0:
        leg.answered_at = leg.ended_at - timedelta(seconds=duration)
    if event and not event_recorded(leg.id, status):
        db.session.add(PhoneLegEvent(leg_id=leg.id, status=status, at=now))


def end_unplaced(leg_id: int, status: PhoneLegStatus, now: datetime) -> None:
    """End a leg Twilio did not place (it refused, or could not be reached)."""
    begin_write()
    leg = locked_leg(leg_id)
    if leg is not None and not leg_is_over(leg):
        finish_leg(leg, status, now, 0)
    db.session.commit()


def accept_call_sid(leg_id: int, call_sid: str) -> None:
    """Note the CallSid Twilio gave the leg it placed."""
    begin_write()
    leg = locked_leg(leg_id)
    if leg is not None and leg.call_sid is None:
        leg.call_sid = call_sid
        if leg.status is PhoneLegStatus.REQUESTED:
            leg.status = PhoneLegStatus.QUEUED
    db.session.commit()


def _hang_up_at_twilio(leg: PhoneLeg) -> None:
    voice = current_voice()
    if voice is None or leg.call_sid is None:
        log.warning("call %s: leg %s is a Twilio call but Twilio is not configured", leg.booking_id, leg.id)
        return
    try:
        voice.hang_up(leg.call_sid)
    except VoicePermanentError:
        # Twilio refuses to end a call that has ended already: the leg is over either way.
        log.info("call %s: Twilio had already ended leg %s", leg.booking_id, leg.id)
    except (VoiceTemporaryError, VoiceUncertain):
        db.session.rollback()
        raise PhoneRefused(TWILIO_UNAVAILABLE, _("The phone could not be hung up just now. Try again.")) from None
