"""Reading iCalendar data back the way a calendar app would, with an independent parser (vobject)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import vobject
from vobject.base import Component


def parse_ics(data: bytes | str) -> Component:
    """The VCALENDAR in `data`."""
    return vobject.readOne(data.decode("utf-8") if isinstance(data, bytes) else data)


def seen_instant(calendar: Component, name: str) -> datetime:
    """The UTC instant of the event's DTSTART or DTEND, read with the file's own VTIMEZONE."""
    line = getattr(calendar.vevent, name)
    tzid = line.params.get("X-VOBJ-ORIGINAL-TZID")
    if tzid is None:
        assert line.value.utcoffset() == timedelta(0), f"{name} is neither UTC nor tied to a VTIMEZONE"
        return line.value.astimezone(UTC)
    # vobject keeps one tzinfo per TZID for the whole process (and falls back to pytz for some
    # zones), so build the zone from this file's VTIMEZONE to test what the file itself says.
    [vtimezone] = [tz for tz in calendar.contents.get("vtimezone", []) if tz.tzid.value == tzid[0]]
    return line.value.replace(tzinfo=vtimezone.gettzinfo()).astimezone(UTC)


def wall_clock(calendar: Component, name: str) -> tuple[str | None, datetime]:
    """(TZID, naive local time) of DTSTART or DTEND as written."""
    line = getattr(calendar.vevent, name)
    tzid = line.params.get("X-VOBJ-ORIGINAL-TZID")
    return (tzid[0] if tzid else None), line.value.replace(tzinfo=None)


