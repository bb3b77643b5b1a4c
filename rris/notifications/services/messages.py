"""What each outbox message says: email (with an iCalendar invite where it belongs) or SMS,
worded in the recipient's language with every time in the recipient's zone, zone named.

Messages carry no case reference or notes for interpreters and never an applicant's name:
what a message may tell its recipient is the rule of `rris.access.domain.case_access`, capped by
`in_message` (an inbox outlives any span); the portal shows details to those allowed to see them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from rris.access.domain.case_access import Disclosure
from rris.access.queries.actors import actor_of
from rris.access.queries.scoping import lasting_disclosure_of
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Booking
from rris.calls.domain.call_tickets import OPENS_BEFORE_START
from rris.common.services.wording import label, language_name, local_time
from rris.enums import NotificationKind as K
from rris.enums import NotificationState, Role
from rris.extensions import db
from rris.matching.models.conflicts import BookingConflict
from rris.notifications.domain.notices import REMINDER_LEADS
from rris.notifications.integrations.calendar_invites import Attendee, Invite, InviteMethod, invite_attachment
from rris.notifications.integrations.mail import Attachment, OutgoingMessage
from rris.notifications.integrations.sms import OutgoingSms
from rris.notifications.models.notifications import Notification
from rris.notifications.services.notifications import LIVE_STATES, participants
from rris.settings import Settings

SMS_MAX_CHARS = 320  # two SMS segments
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


def calendar_uid(booking: Booking) -> str:
    """Stable for the booking's whole life, so every update replaces the same calendar entry."""
    return f"booking-{booking.code}@rris"


def compose_email(notification: Notification, now: datetime, letterhead: Letterhead) -> OutgoingMessage:
    """The email for an outbox row, as of now, its links and invite under `letterhead`."""
    recipient = notification.recipient
    shown = lasting_disclosure_of(notification.booking, actor_of(recipient), now)
    with force_locale(recipient.locale or "en"):
        subject, text = _email_text(notification, shown, letterhead)
        attachments: tuple[Attachment, ...] = ()
        if notification.kind in (K.INVITATION, K.INVITATION_CANCEL):
            attachments = (invite_attachment(_invite(notification, now, shown, letterhead)),)
    return OutgoingMessage(to=(recipient.email,), subject=subject, text=text, attachments=attachments)


def compose_sms(notification: Notification, letterhead: Letterhead) -> OutgoingSms:
    """The SMS for an outbox row (reminders and offers only), its links under `letterhead`."""
    recipient = notification.recipient
    booking = notification.booking
    with force_locale(recipient.locale or "en"):
        when = local_time(booking.starts_at, recipient.zone_name, SHORT)
        what = _languages_for(booking, recipient)
        if notification.kind is K.OFFER:
            url = letterhead.offers_url()
            body = _("RRIS: job offer, %(what)s, %(when)s. Answer at %(url)s", what=what, when=when, url=url)
        elif notification.kind is K.JOIN_NOW:
            body = _("RRIS: %(what)s starts in 10 minutes (%(when)s). Join: %(url)s", what=what, when=when,
                     url=letterhead.join_url(booking))
        else:
            body = _("RRIS reminder: %(what)s at %(when)s.", what=what, when=when)
    return OutgoingSms(to=recipient.phone or "", body=body[:SMS_MAX_CHARS])


def _email_text(notification: Notification, shown: Disclosure, letterhead: Letterhead) -> tuple[str, str]:
    booking = notification.booking
    recipient = notification.recipient
    zone_name = recipient.zone_name
    short_when = local_time(booking.starts_at, zone_name, SHORT)
    what = _languages_for(booking, recipient)
    summary = _summary_lines(booking, recipient, shown)
    kind = notification.kind
    if kind is K.OFFER:
        offer_end = notification.useful_until
        subject = _("Job offer: %(what)s, %(when)s", what=what, when=short_when)
        body = [
            _("You are offered an interpretation job."),
            *summary,
            _(
                "Please answer by %(deadline)s: %(url)s",
                deadline=local_time(offer_end, zone_name, SHORT),
                url=letterhead.offers_url(),
            ),
        ]
    elif kind is K.INVITATION:
        first = notification.version == 1 or not _had_invitation(notification)
        if booking.state in LIVE_STATES:
            subject = (_("Confirmed: %(what)s, %(when)s") if first else _("Updated: %(what)s, %(when)s")) % {
                "what": what,
                "when": short_when,
            }
            body = [
                _("The session is confirmed.") if first else _("The session has changed; your calendar is updated."),
                *summary,
                _(
                    "Join the call from %(url)s (it opens %(minutes)d minutes before the start).",
                    url=letterhead.join_url(booking),
                    minutes=OPENS_BEFORE_START // timedelta(minutes=1),
                ),
            ]
        else:
            subject = _("Moved, interpreter being found: %(what)s, %(when)s", what=what, when=short_when)
            body = [_("The session was moved. We are finding an interpreter for the new time."), *summary]
    elif kind is K.INVITATION_CANCEL:
        subject = _("Cancelled: %(what)s, %(when)s", what=what, when=short_when)
        if booking.cancelled_at is not None:
            reason = _("The session was cancelled.")
        else:
            reason = _("You are no longer needed for this session.")
        body = [reason, *summary]
    elif kind in REMINDER_LEADS:
        subject, opening = {
            K.REMINDER_24H: (_("Tomorrow: %(what)s, %(when)s"), _("A reminder: your session is in 24 hours.")),
            K.REMINDER_1H: (_("In 1 hour: %(what)s, %(when)s"), _("A reminder: your session starts in one hour.")),
            K.JOIN_NOW: (_("Join now: %(what)s, %(when)s"), _("Your session starts in 10 minutes.")),
        }[kind]
        subject = subject % {"what": what, "when": short_when}
        body = [opening, *summary, _("Join the call: %(url)s", url=letterhead.join_url(booking))]
    elif kind in (K.UNFILLED, K.UNFILLED_24H, K.UNFILLED_2H):
        subject = {
            K.UNFILLED: _("No interpreter found: %(code)s, %(what)s, %(when)s"),
            K.UNFILLED_24H: _("Still no interpreter, 24 hours to go: %(code)s, %(what)s, %(when)s"),
            K.UNFILLED_2H: _("Still no interpreter, 2 hours to go: %(code)s, %(what)s, %(when)s"),
        }[kind] % {"code": booking.code, "what": what, "when": short_when}
        body = [_("Every interpreter who fits was asked; no one accepted."), *summary]
        if recipient.role is Role.COORDINATOR:
            body.append(_("Assign an interpreter by hand: %(url)s", url=letterhead.booking_url(booking)))
        else:
            url = letterhead.booking_url(booking)
            body.append(_("The coordinators can assign someone by hand: %(url)s", url=url))
    elif kind is K.CONFLICT:
        conflict = _conflict(notification)
        subject = _("Conflict: %(code)s, %(what)s, %(when)s", code=booking.code, what=what, when=short_when)
        body = [
            _(
                "%(name)s can no longer take this session: %(detail)s",
                name=conflict.interpreter.name if conflict else _("The interpreter"),
                detail=conflict.detail if conflict else "",
            ),
            *summary,
            _("Offer the session to other interpreters: %(url)s", url=letterhead.booking_url(booking)),
        ]
    elif kind is K.NO_SHOW:
        subject = _("Not everyone joined: %(code)s, %(what)s, %(when)s", code=booking.code, what=what, when=short_when)
        body = [
            _("The session started 10 minutes ago and not both sides have joined the call."),
            *summary,
            _(
                "If the session cannot take place, record what happened: %(url)s",
                url=letterhead.booking_url(booking),
            ),
        ]
    else:  # pragma: no cover - every kind is handled above
        raise ValueError(f"no wording for {kind}")
    body.append("")
    body.append(_("Times are in your time zone (%(zone)s). RRIS, the Regional Remote Interpretation Service.",
                  zone=zone_name))
    return subject, "\n".join(str(line) for line in body) + "\n"


def _summary_lines(booking: Booking, recipient: User, shown: Disclosure) -> list[str]:
    """The session's facts for one recipient: the case reference only where `shown` allows it,
    the interpreters' names only to those who take part."""
    zone_name = recipient.zone_name
    lines = [
        "",
        _("When: %(start)s", start=local_time(booking.starts_at, zone_name, LONG)),
        _("Until: %(end)s", end=local_time(booking.ends_at, zone_name, SHORT)),
        _("Languages: %(what)s", what=_languages_for(booking, recipient)),
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


def _languages_for(booking: Booking, recipient: User) -> str:
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


def _had_invitation(notification: Notification) -> bool:
    earlier = db.session.scalar(
        select(Notification.id).where(
            Notification.booking_id == notification.booking_id,
            Notification.recipient_id == notification.recipient_id,
            Notification.kind == K.INVITATION,
            Notification.version < notification.version,
            Notification.state.in_((NotificationState.SENT, NotificationState.UNCERTAIN)),
        )
    )
    return earlier is not None


def _conflict(notification: Notification) -> BookingConflict | None:
    return db.session.get(BookingConflict, notification.version)


def _invite(notification: Notification, now: datetime, shown: Disclosure, letterhead: Letterhead) -> Invite:
    booking = notification.booking
    recipient = notification.recipient
    cancelled = notification.kind is K.INVITATION_CANCEL
    attendees = tuple(Attendee(email=user.email, name=user.name) for user in participants(booking))
    if cancelled:
        attendees = (Attendee(email=recipient.email, name=recipient.name),)
    return Invite(
        uid=calendar_uid(booking),
        sequence=notification.version,
        method=InviteMethod.CANCEL if cancelled else InviteMethod.REQUEST,
        summary=_("Interpretation: %(what)s (%(code)s)", what=_languages_for(booking, recipient), code=booking.code),
        description="\n".join(str(line) for line in _summary_lines(booking, recipient, shown) if line),
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        zone=recipient.zone_name,
        organizer=Attendee(email=_address_of(letterhead.mail_from), name="RRIS"),
        attendees=attendees,
        stamp=now,
        url=None if cancelled else letterhead.join_url(booking),
        tentative=booking.state not in LIVE_STATES and not cancelled,
    )


def _address_of(mail_from: str) -> str:
    """'RRIS <no-reply@x>' -> 'no-reply@x'."""
    if "<" in mail_from and mail_from.endswith(">"):
        return mail_from.split("<", 1)[1][:-1]
    return mail_from
