"""What the on-demand use cases take from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from rris.settings import Settings


@dataclass(frozen=True)
class OnDemandPolicy:
    """Heartbeat span, rings at once, how long a ring lasts, the longest call, the answer-time sample,
        how long an answered call may wait to be connected, and after how long a waiting request is
    phoned to on-call interpreters (0: never)."""

    heartbeat_seconds: int
    rings_at_once: int
    ring_seconds: int
    max_minutes: int
    wait_sample: int
    join_minutes: int
    phone_after_seconds: int = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> OnDemandPolicy:
        """The on-demand policy of these settings."""
        return cls(
            heartbeat_seconds=settings.presence_heartbeat_seconds,
            rings_at_once=settings.ondemand_rings_at_once,
            ring_seconds=settings.ondemand_ring_seconds,
            max_minutes=settings.ondemand_max_minutes,
            wait_sample=settings.ondemand_wait_sample,
            join_minutes=settings.ondemand_join_minutes,
            phone_after_seconds=settings.ondemand_phone_after_seconds,
        )
