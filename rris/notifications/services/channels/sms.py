"""The SMS channel: offers and reminders, short, to people with a verified phone who asked for
SMS; through Twilio (or the instance's SMS folder)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rris.accounts.models.accounts import User
from rris.enums import NotificationKind as K
from rris.notifications.domain.sms_text import fit_sms
from rris.notifications.integrations.sms import (
    OutgoingSms,
    SmsDeliveryUncertain,
    SmsPermanentError,
    SmsTemporaryError,
    current_sms_sender,
)
from rris.notifications.services.channels.base import DeliveryChannel, Draft, MaybeDelivered, Refused, Send, TryLater
from rris.notifications.services.messages import addressed_to, languages_for
from rris.notifications.services.messages import message_gettext as _

# Two segments: 306 characters of GSM-7 text, 134 of Cyrillic, Arabic-script or Turkish (UCS-2).
SMS_MAX_SEGMENTS = 2
# The kinds that also go by SMS: those that ask for an answer or a presence soon.
SMS_KINDS = frozenset({K.OFFER, K.REMINDER_24H, K.REMINDER_1H, K.JOIN_NOW})


def wants_sms(user: User) -> bool:
    """True when the person has a verified phone and asked for SMS."""
    return bool(user.phone and user.phone_verified_at and user.sms_opt_in and user.active)


def compose_sms(draft: Draft) -> OutgoingSms:
    """The SMS for a due message (reminders and offers only) in its recipient's language, its links
    under the draft's letterhead."""
    notification, letterhead = draft.row, draft.letterhead
    recipient = notification.recipient
    booking = notification.booking
    with addressed_to(recipient, draft.now) as to:
        when = to.time(booking.starts_at)
        what = languages_for(booking, recipient)
        url: str | None = None
        if notification.kind is K.OFFER:
            url = letterhead.offers_url()
            body = _("RRIS: job offer, %(what)s, %(when)s. Answer at %(url)s", what=what, when=when, url=url)
        elif notification.kind is K.JOIN_NOW:
            url = letterhead.join_url(booking)
            body = _("RRIS: %(what)s starts in 10 minutes (%(when)s). Join: %(url)s", what=what, when=when, url=url)
        else:
            body = _("RRIS reminder: %(what)s at %(when)s.", what=what, when=when)
    # Too long for its segments: shortened at a word, the link left whole.
    return OutgoingSms(to=recipient.phone or "", body=fit_sms(body, SMS_MAX_SEGMENTS, keep=url))


@contextmanager
def sms_session() -> Iterator[Send[OutgoingSms]]:
    """The app's SMS sender for a dispatcher run; each failure said as the outbox needs it."""
    sender = current_sms_sender()

    def send(sms: OutgoingSms) -> str:
        try:
            return sender.send(sms)
        except SmsTemporaryError as error:
            raise TryLater(str(error)) from error
        except SmsPermanentError as error:
            raise Refused(str(error)) from error
        except SmsDeliveryUncertain as error:
            raise MaybeDelivered(str(error)) from error

    yield send


SMS: DeliveryChannel[OutgoingSms] = DeliveryChannel(
    label="SMS", kinds=SMS_KINDS, reaches=wants_sms, compose=compose_sms, session=sms_session
)
