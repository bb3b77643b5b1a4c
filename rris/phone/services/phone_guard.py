"""The toll-fraud guard of telephone legs: the refusals, logged without the number, and the caps
on legs per booking and per day that every new leg (dialled out or in) must pass."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import NoReturn

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, text

from rris.common.domain.errors import DomainError
from rris.common.services.wording import region_label, with_footnote
from rris.extensions import db
from rris.phone.domain.toll_guard import (
    BOOKING_CAP,
    COUNTRY_NOT_ALLOWED,
    DAILY_CAP,
    DAILY_WINDOW,
    NUMBER_TYPE,
    Caps,
    NumberCheck,
    cap_reached,
    check_number,
)
from rris.phone.models.phone_legs import PhoneLeg
from rris.phone.services.callable_countries import callable_countries
from rris.settings import Settings

log = logging.getLogger("rris.phone.services.phone_legs")

# Refusal codes (PhoneRefused.code), with BOOKING_CAP, DAILY_CAP, COUNTRY_NOT_ALLOWED and
# NUMBER_TYPE from the toll guard.
NO_VERIFIED_PHONE = "no_verified_phone"
ALREADY_ON_PHONE = "already_on_phone"
CALL_NOT_OPEN = "call_not_open"
NOT_A_PARTICIPANT = "not_a_participant"
TWILIO_REFUSED = "twilio_refused"
TWILIO_UNAVAILABLE = "twilio_unavailable"

_LEG_LOCK_KEY = int.from_bytes(hashlib.sha256(b"rris.phone_legs").digest()[:8], "big", signed=True)


@dataclass(frozen=True)
class PhoneSetup:
    """What telephone legs are made with: the key that signs leg tickets and keys callers'
    digests, the portal's public URL (Twilio's webhooks, the simulator) and the caps."""

    secret_key: str = field(repr=False)
    public_url: str
    caps: Caps

    @classmethod
    def from_settings(cls, settings: Settings) -> PhoneSetup:
        """The telephone setup of these settings."""
        caps = Caps(settings.phone_calls_per_booking, settings.phone_calls_per_day)
        return cls(secret_key=settings.secret_key, public_url=settings.public_url, caps=caps)


class PhoneRefused(DomainError):
    """The telephone leg was not placed (or not hung up); `code` says why, the message says it
    to the person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def refuse(code: str, booking_id: int, who: str, tail: str | None, message: str) -> NoReturn:
    """Log the refusal (booking, who, last four digits) and raise PhoneRefused; nothing is written."""
    db.session.rollback()
    log.warning(
        "call %s: telephone leg for %s refused (%s), number %s", booking_id, who, code, "…" + tail if tail else "none"
    )
    raise PhoneRefused(code, message)


def check_callable(number: str) -> tuple[NumberCheck, str]:
    """Whether RRIS may ring `number` (its kind, and its country on the coordinators' list), and
    the sentence that says why not ("" when it may)."""
    check = check_number(number, callable_countries().regions)
    if check.refusal == COUNTRY_NOT_ALLOWED and check.region is not None:
        country, footnote = region_label(check.region)
        sentence = _(
            "RRIS may not call numbers in %(country)s: that country is not on the coordinators' list.", country=country
        )
        message = with_footnote(sentence, footnote)
    elif check.refusal == NUMBER_TYPE:
        message = _(
            "RRIS calls only mobile and landline numbers, never premium-rate or shared-cost ones, "
            "and your number is not one of them. Check it on your profile."
        )
    else:
        message = ""
    return check, message


def guard_new_leg(booking_id: int, who: str, tail: str, now: datetime, caps: Caps) -> None:
    """Within the write transaction that holds the booking's lock: PhoneRefused (logged) if one
    more leg would pass the booking's or the daily cap of `caps`.

    On PostgreSQL legs are created one at a time, so the daily cap (a count over all bookings)
    holds under concurrency; SQLite's write lock does this already.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LEG_LOCK_KEY})
    of_booking = db.session.scalar(select(func.count(PhoneLeg.id)).where(PhoneLeg.booking_id == booking_id)) or 0
    last_day = db.session.scalar(select(func.count(PhoneLeg.id)).where(PhoneLeg.requested_at > now - DAILY_WINDOW)) or 0
    reached = cap_reached(caps, of_booking, last_day)
    if reached == BOOKING_CAP:
        message = ngettext(
            "This session has had %(num)d telephone call, the most allowed.",
            "This session has had %(num)d telephone calls, the most allowed.",
            of_booking,
        )
        refuse(BOOKING_CAP, booking_id, who, tail, message)
    if reached == DAILY_CAP:
        refuse(DAILY_CAP, booking_id, who, tail, _("RRIS has placed all the telephone calls allowed today."))
