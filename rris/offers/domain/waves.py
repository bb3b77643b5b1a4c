"""How offers go out in waves: how many interpreters are asked at once, and for how long."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from rris.settings import Settings


@dataclass(frozen=True)
class WavePolicy:
    """The size of a wave of offers and how long each offer stands."""

    size: int
    offer_minutes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> WavePolicy:
        """The wave policy of these settings."""
        return cls(size=settings.offer_wave_size, offer_minutes=settings.offer_minutes)

    def expires_at(self, now: datetime, starts_at: datetime) -> datetime:
        """When an offer made now runs out: after its minutes, and never after the session starts."""
        return min(now + timedelta(minutes=self.offer_minutes), starts_at)
