"""What every message says alike, whatever carries it: the letterhead its links and sender come
from, and a session's facts worded for one recipient, in their language, every time in their
zone with the zone named.

A message speaks its recipient's language and formats (`rris.accounts.services.preferences.writing_to`),
never its sender's: the scheduler words it with no request at all, and the caseworker whose booking
caused an interpreter's offer does not read it. Every time in a message reads as a row of a list
(`rris.common.domain.formats.list_row`, a session as `time_span`): one format for the context.

Messages carry no case reference or notes for interpreters and never an applicant's name:
what a message may tell its recipient is the rule of `rris.access.domain.case_access`, capped by
`in_message` (an inbox outlives any span); the portal shows details to those allowed to see them.
Each channel words its own messages from these (`rris.notifications.services.channels`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from gettext import NullTranslations
from typing import Any

from flask_babel import get_domain
from flask_babel import gettext as babel_gettext

from rris.access.domain.case_access import Disclosure
from rris.accounts.models.accounts import User
from rris.accounts.services.preferences import Reader, writing_to
from rris.bookings.models.bookings import Booking
from rris.common.domain import formats
from rris.common.services.wording import label, language_name, region_footnote, region_label
from rris.notifications.domain.notices import LIVE_STATES
from rris.settings import Settings
from rris.timeutil import to_local


@dataclass(frozen=True)
class Addressee:
    """The person a message is worded for: their zone, their reader's locales and their today."""

    user: User
    reader: Reader
    today: date  # on the recipient's wall clock: a time in another year names its year

    @property
    def zone_name(self) -> str:
        """The zone every time in the message is on."""
        return self.user.zone_name

    def time(self, instant: datetime) -> str:
        """An instant as a message words it: 'Wed 14 Jan, 12:30 Kabul (UTC+04:30)' in their formats."""
        return formats.list_row(instant, self.zone_name, self.reader.formats, self.today)

    def session(self, booking: Booking) -> str:
        """A session's start and end: 'Wed 14 Jan, 12:30–14:30 Kabul (UTC+04:30)'."""
        return formats.time_span(booking.starts_at, booking.ends_at, self.zone_name, self.reader.formats, self.today)

    def zone(self, instant: datetime) -> str:
        """Their zone, named in their language with its offset at `instant`."""
        return formats.zone_label(self.zone_name, instant, self.reader.formats)


# The catalogue of the message being worded (`addressed_to`): Flask-Babel finds the current one
# through the app context at every string, which for a message's score of strings cost more than
# its dates. Catalogues are loaded once per process and locale and never change.
_CATALOGUE: ContextVar[NullTranslations | None] = ContextVar("rris_message_catalogue", default=None)


def message_gettext(string: str, **variables: Any) -> str:
    """gettext for the words of a message: in `addressed_to`, its recipient's catalogue, found once
    for the message; elsewhere Flask-Babel's. The same translation either way."""
    catalogue = _CATALOGUE.get()
    if catalogue is None:
        return babel_gettext(string, **variables)
    text = catalogue.gettext(string)
    return text % variables if variables else text


_ = message_gettext


@contextmanager
def addressed_to(recipient: User, now: datetime) -> Iterator[Addressee]:
    """Word a message for `recipient` as of `now`: gettext speaks their language inside."""
    with writing_to(recipient) as reader:
        token = _CATALOGUE.set(get_domain().get_translations())
        try:
            yield Addressee(user=recipient, reader=reader, today=to_local(now, recipient.zone_name).date())
        finally:
            _CATALOGUE.reset(token)


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


def summary_lines(booking: Booking, to: Addressee, shown: Disclosure) -> list[str]:
    """The session's facts for one recipient: the case reference only where `shown` allows it,
    the interpreters' names only to those who take part."""
    lines = [
        "",
        _("When: %(start)s", start=to.session(booking)),
        _("Languages: %(what)s", what=languages_for(booking, to.user)),
        _("Session: %(kind)s by %(modality)s", kind=label(booking.session_kind), modality=label(booking.modality)),
        _(
            "For: %(department)s, %(country)s",
            department=booking.department.name,
            country=region_label(booking.country.code)[0],
        ),
        _("Booking: %(code)s", code=booking.code),
    ]
    if footnote := region_footnote(booking.country.code):
        lines.append(f"* {footnote}")
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
