"""The dial-in line: a caller types a booking's PIN and their call becomes a leg of that booking's
call, as a guest. Wrong PINs are throttled per caller (by a keyed digest of their number, never
the number) and over all callers, so the million PINs cannot be walked through."""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from rris.accounts.domain.login_throttle import ThrottlePolicy, throttled_until
from rris.bookings.models.bookings import Booking
from rris.calls.domain.call_participants import Participant
from rris.calls.domain.call_tickets import GRACE_AFTER_END
from rris.calls.services.call_access import DIAL_IN_PIN_DIGITS, JOINABLE_STATES, check_call_open
from rris.common.domain.errors import Conflict, InvalidInput, TooManyAttempts
from rris.common.services.transactions import begin_write, lock_booking
from rris.enums import CallRole, PhoneDirection, PhoneLegStatus
from rris.extensions import db
from rris.phone.domain.toll_guard import number_tail
from rris.phone.models.phone_legs import DialInFailure, PhoneLeg, PhoneLegEvent
from rris.phone.services.phone_guard import CALL_NOT_OPEN, PhoneSetup, guard_new_leg, refuse
from rris.phone.services.phone_legs import CALL_SID_PATTERN, leg_is_over

log = logging.getLogger(__name__)

PIN_DIGITS = DIAL_IN_PIN_DIGITS
PIN_WINDOW = timedelta(minutes=15)
MAX_WRONG_PINS_PER_CALLER = 5
# All callers together: a million PINs must not be walked through from many numbers.
MAX_WRONG_PINS_OVERALL = 50


def dial_in(pin: str, caller: str, now: datetime, setup: PhoneSetup, call_sid: str | None = None) -> PhoneLeg:
    """A caller on the dial-in line typed `pin`: their call becomes a leg of that booking's call
    (callers keyed and legs capped by `setup`).

    TooManyAttempts after MAX_WRONG_PINS_PER_CALLER wrong PINs from this number (or
    MAX_WRONG_PINS_OVERALL from all) within PIN_WINDOW; InvalidInput for a wrong PIN;
    PhoneRefused (CALL_NOT_OPEN, BOOKING_CAP, DAILY_CAP) for a right one that cannot join now.
    The same CallSid typing its PIN again gets its leg back.
    """
    caller_digest = _caller_digest(caller, setup.secret_key)
    tail = number_tail(caller)
    call_sid = call_sid if call_sid and CALL_SID_PATTERN.fullmatch(call_sid) else None
    begin_write()
    if call_sid is not None:
        existing = db.session.scalar(select(PhoneLeg).where(PhoneLeg.call_sid == call_sid))
        if existing is not None and existing.direction is PhoneDirection.INBOUND and not leg_is_over(existing):
            db.session.commit()
            return existing
        if existing is not None:
            call_sid = None  # that call's leg is over; a CallSid names one leg only
    window_start = now - PIN_WINDOW
    db.session.execute(delete(DialInFailure).where(DialInFailure.at <= window_start))
    failures = db.session.execute(
        select(DialInFailure.caller_digest, DialInFailure.at).where(DialInFailure.at > window_start)
    ).all()
    policy = ThrottlePolicy(MAX_WRONG_PINS_PER_CALLER, MAX_WRONG_PINS_OVERALL, PIN_WINDOW)
    mine = [at for digest, at in failures if digest == caller_digest]
    retry_at = throttled_until(policy, mine, [at for _digest, at in failures], now)
    if retry_at is not None:
        db.session.commit()
        log.warning("dial-in from %s throttled until %s", "…" + tail, retry_at.isoformat())
        raise TooManyAttempts(retry_at)
    booking = _booking_by_pin(pin, now)
    if booking is None:
        db.session.add(DialInFailure(caller_digest=caller_digest, at=now))
        db.session.commit()
        log.warning("dial-in from %s: wrong PIN (%d of %d)", "…" + tail, len(mine) + 1, MAX_WRONG_PINS_PER_CALLER)
        raise InvalidInput({"pin": _("This PIN is not right.")})
    booking_id = booking.id
    booking = lock_booking(booking_id)
    try:
        check_call_open(booking, now, booking.department.timezone)
    except Conflict as closed:
        refuse(CALL_NOT_OPEN, booking_id, "dial-in", tail, str(closed))
    guard_new_leg(booking_id, "dial-in", tail, now, setup.caps)
    leg = PhoneLeg(
        booking_id=booking_id,
        participant="",  # the caller is named after the leg, once it has an id (below)
        person_participant=None,
        user_id=None,
        role=CallRole.GUEST,
        display_name=_("Caller ending %(digits)s", digits=tail) if tail else _("Caller"),
        direction=PhoneDirection.INBOUND,
        number_tail=tail,
        call_sid=call_sid,
        status=PhoneLegStatus.IN_PROGRESS,
        requested_at=now,
        answered_at=now,
        simulated=False,
    )
    db.session.add(leg)
    db.session.flush()
    leg.participant = Participant.caller(leg.id).encode()
    db.session.add(PhoneLegEvent(leg_id=leg.id, status=PhoneLegStatus.IN_PROGRESS, at=now))
    db.session.commit()
    log.info("call %s: %s dialled in as leg %s", booking_id, "…" + tail, leg.id)
    return leg


def _booking_by_pin(pin: str, now: datetime) -> Booking | None:
    digits = "".join(character for character in pin or "" if character.isdigit())
    if len(digits) != PIN_DIGITS or digits != (pin or "").strip():
        return None
    # The call not over yet with this PIN, the soonest first; PINs are unique among overlapping calls.
    return db.session.scalar(
        select(Booking)
        .where(
            Booking.dial_in_pin == digits,
            Booking.state.in_(JOINABLE_STATES),
            Booking.ends_at > now - GRACE_AFTER_END,
        )
        .order_by(Booking.starts_at)
        .limit(1)
    )


def _caller_digest(caller: str, secret_key: str) -> str:
    """A keyed digest of the caller's number: throttles per number without storing it."""
    key = hashlib.sha256(b"rris dial-in caller|" + secret_key.encode()).digest()
    return hmac.new(key, (caller or "anonymous").encode(), hashlib.sha256).hexdigest()
