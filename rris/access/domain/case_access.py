"""What of a booking an interpreter may see now. The one place this rule lives.

Asylum case data reaches an interpreter only while it is needed:
- an open offer shows what is needed to decide (languages, kind, time, modality, the
  department's country and city, duration), never the case reference or the notes;
- the interpreter who holds the job sees the case reference and the notes from their
  confirmation until the session's end plus a short span (`RRIS_CASE_DETAILS_HOURS`), then
  only the job's facts, for their records;
- an offer declined, withdrawn or expired, a job released or replaced, a booking cancelled:
  the booking is gone for them, as if it never existed (404).

Messages outlive any span in an inbox, so they carry at most the job's facts (`in_message`).
`rris.access.queries.scoping` holds the same rule as SQL, for finding the bookings one may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from rris.enums import BookingState, OfferState


class Disclosure(StrEnum):
    """How much of a booking a person may see at a moment."""

    NOTHING = "nothing"  # not theirs (any more): answered as if it did not exist
    OFFER = "offer"  # an open offer: the facts needed to decide
    CASE = "case"  # the job is theirs: the facts, the case reference and the notes
    RECORD = "record"  # the job is over: its facts, for their records
    INSTITUTION = "institution"  # the booking is the viewer's institution's: everything

    @property
    def case_details(self) -> bool:
        """The case reference and the notes to the interpreter may be shown."""
        return self in (Disclosure.CASE, Disclosure.INSTITUTION)

    @property
    def job_is_theirs(self) -> bool:
        """The viewer takes part (or took part) in the session: its call, its colleagues."""
        return self in (Disclosure.CASE, Disclosure.RECORD, Disclosure.INSTITUTION)

    @property
    def institutional(self) -> bool:
        """The institution's own view: history, messages, conflicts, matching, actions."""
        return self is Disclosure.INSTITUTION


@dataclass(frozen=True)
class OfferFacts:
    """One offer made to the interpreter for the booking, as plain values."""

    state: OfferState
    booking_version: int
    expires_at: datetime


@dataclass(frozen=True)
class Involvement:
    """One interpreter's part in one booking: its state and times, their offers, whether they
    hold a leg (an assignment not released)."""

    booking_state: BookingState
    booking_version: int
    starts_at: datetime
    ends_at: datetime
    holds_leg: bool
    offers: tuple[OfferFacts, ...] = ()


def offer_is_open(offer: OfferFacts, involvement: Involvement, now: datetime) -> bool:
    """The offer still waits for an answer: pending, unexpired, for the booking as it is now."""
    return (
        offer.state is OfferState.PENDING
        and offer.expires_at > now
        and offer.booking_version == involvement.booking_version
        and involvement.booking_state is BookingState.OFFERED
    )


def interpreter_disclosure(involvement: Involvement, now: datetime, case_details_span: timedelta) -> Disclosure:
    """What of the booking the interpreter may see at `now`."""
    if involvement.booking_state is BookingState.CANCELLED:
        return Disclosure.NOTHING
    if involvement.holds_leg:
        if now < involvement.ends_at + case_details_span:
            return Disclosure.CASE
        return Disclosure.RECORD
    if any(offer_is_open(offer, involvement, now) for offer in involvement.offers):
        return Disclosure.OFFER
    return Disclosure.NOTHING


def in_message(disclosure: Disclosure) -> Disclosure:
    """What a message may carry: a mail or SMS stays in an inbox past any span, so an
    interpreter's never carries the case reference or the notes."""
    return Disclosure.RECORD if disclosure is Disclosure.CASE else disclosure
