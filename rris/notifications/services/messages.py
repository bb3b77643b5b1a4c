"""What every message says alike, whatever carries it: the letterhead its links and sender come
from, and a session's facts worded for one recipient, every time in their zone, zone named.

Messages carry no case reference or notes for interpreters and never an applicant's name:
what a message may tell its recipient is the rule of `rris.access.domain.case_access`, capped by
`in_message` (an inbox outlives any span); the portal shows details to those allowed to see them.
Each channel words its own messages from these (`rris.notifications.services.channels`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from rris.access.domain.case_access import Disclosure
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Booking
from rris.common.services.wording import label, language_name, local_time
from rris.notifications.domain.notices import LIVE_STATES
from rris.settings import Settings

# Babel patterns: a 24-hour clock, as the region and the interpreters' countries read time.
SHORT = "EEE d MMM, HH:mm"
LONG = "EEEE d MMMM y, HH:mm"


@dataclass(frozen=True)
class Letterhead:
    """What every message carries: the portal's public URL its links open, and the sender."""

    public_url: str
    mail_from: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Letterhead:
        """The letterhead of these settings."""
        return cls(public_url=settings.public_url, mail_from=settings.mail_from)

    def booking_url(self, booking: Booking) -> str:
        """The booking's page in the portal."""
        return f"{self.public_url}/bookings/{booking.id}"

    def join_url(self, booking: Booking) -> str:
        """Where participants join the session's call (the portal checks who they are)."""
        return f"{self.public_url}/calls/{booking.id}"

    def offers_url(self) -> str:
        """The interpreter's page of open offers."""
        return f"{self.public_url}/offers"


def summary_lines(booking: Booking, recipient: User, shown: Disclosure) -> list[str]:
    """The session's facts for one recipient: the case reference only where `shown` allows it,
    the interpreters' names only to those who take part."""
    zone_name = recipient.zone_name
    lines = [
        "",
        _("When: %(start)s", start=local_time(booking.starts_at, zone_name, LONG)),
        _("Until: %(end)s", end=local_time(booking.ends_at, zone_name, SHORT)),
        _("Languages: %(what)s", what=languages_for(booking, recipient)),
        _("Session: %(kind)s by %(modality)s", kind=label(booking.session_kind), modality=label(booking.modality)),
        _("For: %(department)s, %(country)s", department=booking.department.name,
          country=booking.country.display_name),
        _("Booking: %(code)s", code=booking.code),
    ]
    if booking.country.footnote:
        lines.append(f"* {booking.country.footnote}")
    if shown.case_details:
        lines.append(_("Case reference: %(reference)s", reference=booking.case_reference))
    names = [assignment.interpreter.name for assignment in booking.active_assignments]
    if names and booking.state in LIVE_STATES and shown.job_is_theirs:
        lines.append(_("Interpreter: %(names)s", names=", ".join(names)))
    lines.append("")
    return lines


def languages_for(booking: Booking, recipient: User) -> str:
    """The pair this person works with: an interpreter of a relay sees their own leg."""
    if recipient.interpreter_profile is not None:
        for assignment in booking.assignments:
            if assignment.interpreter_id == recipient.interpreter_profile.id:
                first, second = booking.leg_languages(assignment.leg)
                return f"{language_name(first)}–{language_name(second)}"
        for offer in booking.offers:
            if offer.interpreter_id == recipient.interpreter_profile.id:
                first, second = booking.leg_languages(offer.leg)
                return f"{language_name(first)}–{language_name(second)}"
    pair = f"{language_name(booking.applicant_language)}–{language_name(booking.officer_language)}"
    return pair + (" " + _("(relayed through English)") if booking.relay else "")
