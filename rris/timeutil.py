"""Time: UTC instants inside, a zone per person and department, conversion at the edges.

Every function that depends on the current time takes a `Clock` (or `now`) so that tests
set the time instead of sleeping through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


class Clock(Protocol):
    """Something that tells the current UTC instant."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FrozenClock:
    """A clock for tests: stands still until moved."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 15, 9, 0, tzinfo=UTC))

    def __post_init__(self) -> None:
        self.current = ensure_utc(self.current)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by `delta`."""
        self.current += delta

    def set(self, instant: datetime) -> None:
        """Jump to `instant`."""
        self.current = ensure_utc(instant)


def ensure_utc(instant: datetime) -> datetime:
    """Return `instant` as an aware UTC datetime; naive values are taken to be UTC already.

    SQLite hands back naive datetimes for columns we always write in UTC.
    """
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    """Every IANA zone name the tz database knows."""
    return frozenset(available_timezones())


def is_valid_zone(name: str) -> bool:
    """True when `name` is an IANA zone such as 'Asia/Kabul'."""
    if name not in known_zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name (raises ValueError for an unknown one)."""
    if not is_valid_zone(name):
        raise ValueError(f"unknown time zone {name!r}")
    return ZoneInfo(name)


def to_local(instant: datetime, zone_name: str) -> datetime:
    """The UTC `instant` as wall-clock time in `zone_name`."""
    return ensure_utc(instant).astimezone(zone(zone_name))


def utc_offset_label(instant: datetime, zone_name: str) -> str:
    """'UTC+04:30' style offset of `zone_name` at `instant`."""
    offset = to_local(instant, zone_name).utcoffset() or timedelta(0)
    total_minutes = int(offset.total_seconds() // 60)
    sign = "+" if total_minutes >= 0 else "-"
    hours, minutes = divmod(abs(total_minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def city_of_zone(zone_name: str) -> str:
    """'Asia/Kabul' -> 'Kabul', the human part of a zone name."""
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")


class NonexistentLocalTime(ValueError):
    """The wall-clock time is skipped by a DST change (02:30 on the last Sunday of March in Belgrade)."""


class AmbiguousLocalTime(ValueError):
    """The wall-clock time happens twice (the October repeat); the caller must choose which."""

    def __init__(self, local: datetime, zone_name: str) -> None:
        self.earlier = ensure_utc(local.replace(fold=0, tzinfo=zone(zone_name)))
        self.later = ensure_utc(local.replace(fold=1, tzinfo=zone(zone_name)))
        super().__init__(f"{local:%Y-%m-%d %H:%M} happens twice in {zone_name}")


def local_to_utc(local: datetime, zone_name: str, occurrence: int | None = None) -> datetime:
    """The UTC instant of a naive wall-clock time in `zone_name`.

    Raises NonexistentLocalTime for a time the clocks skip, and AmbiguousLocalTime for one
    they pass twice unless `occurrence` says which (0 the first, 1 the second).
    """
    if local.tzinfo is not None:
        raise ValueError("local_to_utc takes a naive wall-clock time")
    tz = zone(zone_name)
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local:
        raise NonexistentLocalTime(f"{local:%Y-%m-%d %H:%M} does not exist in {zone_name}")
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(UTC)
    if occurrence is None:
        raise AmbiguousLocalTime(local, zone_name)
    return (second if occurrence else first).astimezone(UTC)
