"""iCalendar (RFC 5545/5546) invites for interpretation sessions, written in each recipient's zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from icalendar import Calendar, Event, vCalAddress
from icalendar.enums import PARTSTAT, ROLE, STATUS

from rris.notifications.integrations.mail import Attachment
from rris.timeutil import ensure_utc, to_local, zone

PRODID = "-//RRIS//Regional Remote Interpretation Service//EN"
INVITE_FILENAME = "invite.ics"
# The VTIMEZONE covers the session's year and this many whole years either side: for Belgrade
# about 0.5 KB instead of 2.2 KB for icalendar's default range of 1970-2038.
VTIMEZONE_MARGIN_YEARS = 1


@dataclass(frozen=True)
class Attendee:
    """A calendar user: the organizer or one participant."""

    email: str
    name: str
    role: str = "REQ-PARTICIPANT"  # RFC 5545 ROLE

    def __post_init__(self) -> None:
        if "@" not in self.email:
            raise ValueError(f"email must be an e-mail address, not {self.email!r}")
        try:
            ROLE(self.role)
        except ValueError:
            raise ValueError(f"role must be one of {', '.join(ROLE)}, not {self.role!r}") from None


class InviteMethod(StrEnum):
    """The iTIP method: a new or changed session, or its cancellation."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True)
class Invite:
    """One participant's view of one session, ready to be written as an .ics file."""

    uid: str
    sequence: int
    method: InviteMethod
    summary: str
    description: str
    starts_at: datetime
    ends_at: datetime
    zone: str
    organizer: Attendee
    attendees: tuple[Attendee, ...]
    stamp: datetime
    url: str | None = None
    location: str | None = None
    tentative: bool = False
    language: str | None = None  # BCP 47 tag of the summary's and description's language: "ps", "sr-Cyrl"

    def __post_init__(self) -> None:
        if not self.uid:
            raise ValueError("uid must not be empty")
        if self.sequence < 0:
            raise ValueError(f"sequence must be 0 or more, not {self.sequence}")
        for name in ("starts_at", "ends_at", "stamp"):
            value: datetime = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"{name} must be an aware datetime, not the naive {value.isoformat()}")
        if self.ends_at <= self.starts_at:
            raise ValueError(f"ends_at {self.ends_at.isoformat()} must be after starts_at {self.starts_at.isoformat()}")
        try:
            zone(self.zone)
        except ValueError:
            raise ValueError(f"zone must be an IANA time zone, not {self.zone!r}") from None
        # Accept the plain string "CANCEL" too, but keep the enum so rendering can rely on it.
        object.__setattr__(self, "method", InviteMethod(self.method))

    @property
    def status(self) -> STATUS:
        """The STATUS a calendar shows for this invite."""
        if self.method is InviteMethod.CANCEL:
            return STATUS.CANCELLED
        return STATUS.TENTATIVE if self.tentative else STATUS.CONFIRMED


def render_invite(invite: Invite) -> bytes:
    """The .ics text of `invite`; equal invites give identical bytes."""
    starts_at, ends_at = ensure_utc(invite.starts_at), ensure_utc(invite.ends_at)
    event = Event.new(
        uid=invite.uid,
        sequence=invite.sequence,
        stamp=ensure_utc(invite.stamp),
        start=_recipient_time(starts_at, invite.zone),
        end=_recipient_time(ends_at, invite.zone),
        summary=invite.summary,
        description=invite.description,
        organizer=vCalAddress.new(invite.organizer.email, cn=invite.organizer.name),
        attendees=[
            vCalAddress.new(
                attendee.email,
                cn=attendee.name,
                role=attendee.role,
                partstat=PARTSTAT.NEEDS_ACTION.value,
                rsvp=False,
            )
            for attendee in invite.attendees
        ],
        status=invite.status,
        url=invite.url,
        location=invite.location,
    )
    if invite.language:  # RFC 5545 3.2.10: which language the texts are in, for the calendar to show
        for name in ("SUMMARY", "DESCRIPTION"):
            event[name].params["LANGUAGE"] = invite.language
    # Calendar.new would otherwise put a random UID on the calendar, so no two renders would match.
    calendar = Calendar.new(prodid=PRODID, method=invite.method.value, uid=invite.uid, subcomponents=[event])
    calendar.add_missing_timezones(
        first_date=date(starts_at.year - VTIMEZONE_MARGIN_YEARS, 1, 1),
        last_date=date(ends_at.year + VTIMEZONE_MARGIN_YEARS, 12, 31),
    )
    return calendar.to_ical()


def invite_attachment(invite: Invite) -> Attachment:
    """`invite` as a mail attachment whose Content-Type method matches the METHOD inside."""
    return Attachment(
        filename=INVITE_FILENAME,
        content=render_invite(invite),
        maintype="text",
        subtype="calendar",
        params={"method": invite.method.value, "charset": "utf-8"},
    )


def _recipient_time(instant: datetime, zone_name: str) -> datetime:
    """`instant` on the recipient's wall clock, or in UTC when that wall-clock time happens twice."""
    local = to_local(instant, zone_name)
    if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
        # RFC 5545 3.3.5 reads a repeated local time as its first occurrence, so the second one
        # (the hour after the clocks go back) can only be written as a UTC time.
        return instant
    return local
