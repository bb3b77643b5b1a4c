"""The scheduler's offer job expires due offers through the service and the next wave goes out."""

from datetime import timedelta

from rris.access.queries.actors import actor_of
from rris.bookings.services.booking_requests import BookingRequest
from rris.bookings.services.bookings import request_booking
from rris.enums import OfferState
from scheduler.jobs import expire_offers
from tests import factories
from tests.conftest import DEFAULT_NOW
from tests.support.booking_setup import booking_setup


def test_the_job_expires_due_offers_and_asks_the_next_interpreter(app, ctx, clock):
    for _ in range(4):
        factories.interpreter(pairs=(("pus", "srp"),))
    caseworker = factories.caseworker("RS")
    request = BookingRequest(
        applicant_language="pus",
        officer_language="srp",
        session_kind="registration",
        start_local="2026-01-13T09:00",
        case_reference="RS-1",
    )
    booking, _ = request_booking(request, caseworker, actor_of(caseworker), DEFAULT_NOW, booking_setup())
    clock.advance(timedelta(minutes=31))
    expire_offers()
    states = sorted(offer.state.value for offer in booking.offers)
    assert states == ["expired"] * 3 + ["pending"]
    assert booking.offer_wave == 2
    assert all(offer.state is not OfferState.PENDING or offer.wave == 2 for offer in booking.offers)
