"""The e-mail channel: every kind of message, to every account, with an iCalendar invite where
it belongs; one SMTP connection (or the instance's mail folder) per dispatcher run."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import select

from rris.access.domain.case_access import Disclosure
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Booking
from rris.bookings.services.move_wording import why_moved
from rris.calls.domain.call_tickets import OPENS_BEFORE_START
from rris.enums import NotificationKind as K
from rris.enums import NotificationState, Role
from rris.extensions import db
from rris.matching.models.conflicts import BookingConflict
from rris.matching.services.conflict_wording import conflict_text
from rris.notifications.domain.notices import LIVE_STATES, REMINDER_LEADS, UNFILLED_KINDS
from rris.notifications.integrations.calendar_invites import Attendee, Invite, InviteMethod, invite_attachment
from rris.notifications.integrations.mail import (
    Attachment,
    MailDeliveryUncertain,
    OutgoingMessage,
    current_mailer,
    rendered,
)
from rris.notifications.models.notifications import Notification
from rris.notifications.queries.notices import participants
from rris.notifications.services.channels.base import DeliveryChannel, Draft, MaybeDelivered, Refused, Send, TryLater
from rris.notifications.services.messages import Addressee, Letterhead, addressed_to, languages_for, summary_lines
from rris.notifications.services.messages import message_gettext as _


def calendar_uid(booking: Booking) -> str:
    """Stable for the booking's whole life, so every update replaces the same calendar entry."""
    return f"booking-{booking.code}@rris"


def compose_email(draft: Draft) -> OutgoingMessage:
    """The e-mail for a due message, worded as of the draft's moment in its recipient's language,
    its links and invite under its letterhead."""
    notification, shown, letterhead = draft.row, draft.shown, draft.letterhead
    recipient = notification.recipient
    with addressed_to(recipient, draft.now) as to:
        subject, text = _email_text(notification, to, shown, draft.conflict, letterhead)
        attachments: tuple[Attachment, ...] = ()
        if notification.kind in (K.INVITATION, K.INVITATION_CANCEL):
            attachments = (invite_attachment(_invite(notification, to, draft.now, shown, letterhead)),)
    message = OutgoingMessage(
        to=(recipient.email,), subject=subject, text=text, attachments=attachments, language=to.reader.tag
    )
    return rendered(message, letterhead.mail_from)  # its bytes made with its words, off the send's path


@contextmanager
def mail_session() -> Iterator[Send[OutgoingMessage]]:
    """One connection to the mail server for a whole dispatcher run; each failure said as the outbox needs it."""
    with current_mailer().session() as mail:

        def send(message: OutgoingMessage) -> str:
            try:
                mail.send(message)
            except MailDeliveryUncertain as error:
                raise MaybeDelivered(str(error)) from error
            except smtplib.SMTPResponseException as error:
                if 500 <= error.smtp_code < 600:
                    raise Refused(f"SMTP {error.smtp_code}") from error
                raise TryLater(f"SMTP {error.smtp_code}") from error
            except smtplib.SMTPRecipientsRefused as error:
                codes = [code for code, _reply in error.recipients.values()]
                if codes and all(400 <= code < 500 for code in codes):
                    raise TryLater(f"the mail server deferred the recipient ({codes[0]})") from error
                raise Refused(f"the mail server refused the recipient ({codes[0] if codes else '?'})") from error
            except (OSError, smtplib.SMTPException) as error:
                raise TryLater(f"mail server unavailable: {type(error).__name__}") from error
            return "smtp"

        yield send


def _reaches_everyone(_user: User) -> bool:
    return True  # every account has an address


EMAIL: DeliveryChannel[OutgoingMessage] = DeliveryChannel(
    label="e-mail",
    kinds=frozenset(K),
    reaches=_reaches_everyone,
    compose=compose_email,
    session=mail_session,
)


def _email_text(
    notification: Notification,
    to: Addressee,
    shown: Disclosure,
    conflict: BookingConflict | None,
    letterhead: Letterhead,
) -> tuple[str, str]:
    booking = notification.booking
    recipient = to.user
    short_when = to.time(booking.starts_at)
    what = languages_for(booking, recipient)
    summary = summary_lines(booking, to, shown)
    kind = notification.kind
    if kind is K.OFFER:
        offer_end = notification.useful_until
        subject = _("Job offer: %(what)s, %(when)s", what=what, when=short_when)
        body = [
            _("You are offered an interpretation job."),
            *summary,
            _(
                "Please answer by %(deadline)s: %(url)s",
                deadline=to.time(offer_end),
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
                *([] if first else why_moved(booking, with_words=shown.case_details)),
                *summary,
                _(
                    "Join the call from %(url)s (it opens %(minutes)d minutes before the start).",
                    url=letterhead.join_url(booking),
                    minutes=OPENS_BEFORE_START // timedelta(minutes=1),
                ),
            ]
        else:
            subject = _("Moved, interpreter being found: %(what)s, %(when)s", what=what, when=short_when)
            body = [
                _("The session was moved. We are finding an interpreter for the new time."),
                *why_moved(booking, with_words=shown.case_details),
                *summary,
            ]
    elif kind is K.INVITATION_CANCEL:
        subject = _("Cancelled: %(what)s, %(when)s", what=what, when=short_when)
        if booking.cancelled_at is not None:
            reason = _("The session was cancelled.")
        else:
            reason = _("You are no longer needed for this session.")
        # Released because the session moved: they had the case, so they read the mover's words too.
        moved = why_moved(booking) if booking.cancelled_at is None and booking.moved_by_id is not None else []
        body = [reason, *moved, *summary]
    elif kind in REMINDER_LEADS:
        subject, opening = {
            K.REMINDER_24H: (_("Tomorrow: %(what)s, %(when)s"), _("A reminder: your session is in 24 hours.")),
            K.REMINDER_1H: (_("In 1 hour: %(what)s, %(when)s"), _("A reminder: your session starts in one hour.")),
            K.JOIN_NOW: (_("Join now: %(what)s, %(when)s"), _("Your session starts in 10 minutes.")),
        }[kind]
        subject = subject % {"what": what, "when": short_when}
        body = [opening, *summary, _("Join the call: %(url)s", url=letterhead.join_url(booking))]
    elif kind in UNFILLED_KINDS:
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
        subject = _("Conflict: %(code)s, %(what)s, %(when)s", code=booking.code, what=what, when=short_when)
        body = [
            _(
                "%(name)s can no longer take this session: %(detail)s",
                name=conflict.interpreter.name if conflict else _("The interpreter"),
                detail=conflict_text(conflict, to.reader.formats) if conflict else "",
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
    body.append(
        _(
            "Times are in your time zone (%(zone)s). RRIS, the Regional Remote Interpretation Service.",
            zone=to.zone(booking.starts_at),
        )
    )
    return subject, "\n".join(str(line) for line in body) + "\n"


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


def _invite(
    notification: Notification, to: Addressee, now: datetime, shown: Disclosure, letterhead: Letterhead
) -> Invite:
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
        summary=_("Interpretation: %(what)s (%(code)s)", what=languages_for(booking, recipient), code=booking.code),
        description="\n".join(str(line) for line in summary_lines(booking, to, shown) if line),
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        zone=recipient.zone_name,
        organizer=Attendee(email=_address_of(letterhead.mail_from), name="RRIS"),
        attendees=attendees,
        stamp=now,
        url=None if cancelled else letterhead.join_url(booking),
        tentative=booking.state not in LIVE_STATES and not cancelled,
        language=to.reader.tag,
    )


def _address_of(mail_from: str) -> str:
    """'RRIS <no-reply@x>' -> 'no-reply@x'."""
    if "<" in mail_from and mail_from.endswith(">"):
        return mail_from.split("<", 1)[1][:-1]
    return mail_from
