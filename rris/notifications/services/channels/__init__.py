"""The channels a message travels by: each is one module, registered here and nowhere else.

The outbox queues a message once per channel that carries its kind and reaches its recipient
(`channels_for`); the dispatcher asks `CHANNELS` how to word and send it. To add a channel (web
push, say): its value in `rris.enums.Channel` (and its label in `rris.common.services.wording`),
a module beside `email.py` and `sms.py` that builds a `DeliveryChannel`, and one line below.
"""

from __future__ import annotations

from typing import Any

from rris.accounts.models.accounts import User
from rris.enums import Channel, NotificationKind
from rris.notifications.services.channels.base import DeliveryChannel
from rris.notifications.services.channels.email import EMAIL
from rris.notifications.services.channels.sms import SMS

CHANNELS: dict[Channel, DeliveryChannel[Any]] = {
    Channel.EMAIL: EMAIL,
    Channel.SMS: SMS,
}


def channels_for(kind: NotificationKind, user: User) -> tuple[Channel, ...]:
    """The channels a message of `kind` goes to `user` by: those that carry the kind and reach them."""
    return tuple(channel for channel, way in CHANNELS.items() if kind in way.kinds and way.reaches(user))
