"""A demo session about to start, so that `make run` users can try a call at once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from rris.domain.errors import InvalidInput
from rris.enums import BookingState
from rris.extensions import db
from rris.models import Booking, InterpreterProfile, User
from rris.queries.actors import actor_of
from rris.services.booking_input import BookingInput
from rris.services.bookings import assign_by_hand, request_booking
from rris.services.demo import DEMO_LOGINS
from rris.services.offers import accept_offer
from rris.timeutil import to_local

CALL_MINUTES = 30


def book_demo_call(now: datetime, starts_in: timedelta = timedelta(minutes=5)) -> Booking:
    """Jelena (Belgrade) books Pashto for a session starting soon; Mariam (Kabul) takes it:
    by accepting her offer, or, when the engine would not offer it to her now, by the
    coordinator's hand."""
    logins = dict(DEMO_LOGINS)
    caseworker = _user(logins["caseworker"])
    coordinator = _user(logins["coordinator"])
    mariam = db.session.scalar(
        select(InterpreterProfile).join(User).where(User.email == logins["interpreter"])
    )
    if mariam is None:
        raise LookupError("the demo pool is not loaded: run `flask --app wsgi demo load` first")
    start = to_local(now + starts_in, caseworker.zone_name)
    start = start.replace(second=0, microsecond=0) + timedelta(minutes=1)
    request = BookingInput(
        applicant_language="pus",
        officer_language="srp",
        session_kind="asylum_interview",
        start_local=start.strftime("%Y-%m-%dT%H:%M"),
        duration_minutes=CALL_MINUTES,
        case_reference="DEMO-CALL",
    )
    booking, _created = request_booking(request, caseworker, actor_of(caseworker), now)
    offer = next((o for o in booking.offers if o.interpreter_id == mariam.id), None)
    if offer is not None:
        return accept_offer(offer.id, mariam, now)
    try:
        return assign_by_hand(booking.id, mariam.id, actor_of(coordinator), now, despite=True)
    except InvalidInput:
        if booking.state is BookingState.CONFIRMED:
            return booking
        raise


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        raise LookupError("the demo pool is not loaded: run `flask --app wsgi demo load` first")
    return user
