"""A demo session about to start, so that `make run` users can try a call at once.

Jelena (Belgrade) books Pashto as the booking form would, the matching engine offers it, and
Mariam (Kabul) accepts her offer: the same services a caseworker and an interpreter use, nothing
overridden. All of it is one database transaction: when the engine would not offer the session
to Mariam, the command says why and leaves nothing behind (no booking, no offers, no messages).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from rris.access.queries.actors import actor_of
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Booking
from rris.bookings.services.booking_requests import BookingRequest
from rris.bookings.services.booking_setup import BookingSetup
from rris.bookings.services.bookings import request_booking
from rris.common.domain.errors import DomainError
from rris.database import IMMEDIATE
from rris.demo.pool import DEMO_LOGINS
from rris.enums import BookingState, OfferState, SessionKind
from rris.extensions import db
from rris.matching.services.booking_matching import match_leg
from rris.matching.services.wording import rejection_text
from rris.offers.services.offers import accept_offer
from rris.pool.models.interpreters import InterpreterProfile
from rris.timeutil import to_local

CALL_MINUTES = 30
CASE_REFERENCE = "DEMO-CALL"


class DemoCallRefused(DomainError):
    """The engine would not give the demo session to Mariam; nothing was written."""


@dataclass(frozen=True)
class DemoCall:
    """The confirmed demo session."""

    booking_id: int
    code: str
    state: BookingState
    starts_at: datetime
    interpreter: str


def book_demo_call(now: datetime, setup: BookingSetup, starts_in: timedelta = timedelta(minutes=5)) -> DemoCall:
    """Book Pashto for Jelena starting in `starts_in` (to the next whole minute) and let Mariam
    accept it; raise DemoCallRefused, changing nothing, when the engine does not offer it to her."""
    logins = dict(DEMO_LOGINS)
    caseworker = _user(logins["caseworker"])
    mariam = _user(logins["interpreter"]).interpreter_profile
    if mariam is None:
        raise LookupError(_("The demo interpreter has no profile: load the demo pool again."))
    zone_name = caseworker.zone_name
    start = to_local(now + starts_in, zone_name).replace(second=0, microsecond=0) + timedelta(minutes=1)
    request = BookingRequest(
        applicant_language="pus",
        officer_language="srp",
        session_kind=SessionKind.ASYLUM_INTERVIEW,
        start_local=start.replace(tzinfo=None),
        start_occurrence=start.fold,
        duration_minutes=CALL_MINUTES,
        case_reference=CASE_REFERENCE,
    )
    mariam_id, name, actor = mariam.id, mariam.name, actor_of(caseworker)
    with all_or_nothing():
        booking, _created = request_booking(request, caseworker, actor, now, setup)
        offer = next(
            (o for o in booking.offers if o.interpreter_id == mariam_id and o.state is OfferState.PENDING), None
        )
        if offer is None:
            raise DemoCallRefused(_why_not(booking, mariam_id, name, start, zone_name, now))
        booking = accept_offer(offer.id, db.session.get_one(InterpreterProfile, mariam_id), now)
        return DemoCall(booking.id, booking.code, booking.state, booking.starts_at, name)


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """Run services that commit as they go inside one database transaction, committed only when
    the block ends without an exception: inside, their commits and rollbacks are savepoints."""
    outer = db.session()
    if outer.in_transaction():
        outer.commit()
    connection = outer.connection(execution_options={IMMEDIATE: True})
    inner = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=True)
    registry = db.session.registry
    registry.set(inner)  # type: ignore[arg-type]  # a plain Session: services use only its API
    try:
        yield
    except BaseException:
        inner.close()
        registry.set(outer)
        outer.rollback()
        raise
    inner.close()
    registry.set(outer)
    outer.commit()


def _why_not(booking: Booking, mariam_id: int, name: str, start: datetime, zone_name: str, now: datetime) -> str:
    check = match_leg(booking, 1, now, interpreter_ids=[mariam_id])
    reasons = "; ".join(rejection_text(rejection) for rejection in check.rejections.get(mariam_id, ()))
    when = start.strftime("%Y-%m-%d %H:%M")
    if not reasons:
        reasons = _("others ranked before her in the first wave of offers")
    return _(
        "The matching engine would not offer a session at %(when)s (%(zone)s) to %(name)s: %(reasons)s. "
        "Nothing was booked; try again when she is available.",
        when=when,
        zone=zone_name,
        name=name,
        reasons=reasons,
    )


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        raise LookupError(_("The demo pool is not loaded: run `flask --app wsgi demo load` first."))
    return user
