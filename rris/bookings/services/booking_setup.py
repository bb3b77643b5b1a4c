"""What the booking use cases take from the settings, handed in by the pages, the API and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from rris.bookings.domain.applicant_keys import KeyRing
from rris.bookings.services.applicant_keys import key_ring
from rris.offers.domain.waves import WavePolicy
from rris.settings import Settings


@dataclass(frozen=True)
class BookingSetup:
    """The pool's key ring for applicants' identifiers, and how the offers of a booking go out."""

    keys: KeyRing
    waves: WavePolicy

    @classmethod
    def from_settings(cls, settings: Settings) -> BookingSetup:
        """The booking setup of these settings."""
        return cls(keys=key_ring(settings), waves=WavePolicy.from_settings(settings))
