"""The settings the booking and offer use cases are handed, as the pages and the scheduler read them."""

from __future__ import annotations

from rris.bookings.services.booking_setup import BookingSetup
from rris.context import current_settings
from rris.offers.domain.waves import WavePolicy


def booking_setup() -> BookingSetup:
    """The running app's key ring and offer waves, as a booking page hands them to a use case."""
    return BookingSetup.from_settings(current_settings())


def waves() -> WavePolicy:
    """The running app's offer waves, as the scheduler's expiry job and the offer pages read them."""
    return WavePolicy.from_settings(current_settings())
