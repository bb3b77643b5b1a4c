"""A channel is one module, registered in one place: every way a message travels is in the
registry, and a message of each goes through its module to the real SMTP server or SMS folder."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from rris.common.services.wording import LABELS
from rris.enums import Channel, NotificationKind, NotificationState
from rris.extensions import db
from rris.notifications.integrations.sms import FolderSmsSender
from rris.notifications.models.notifications import Notification
from rris.notifications.services import channels as channel_package
from rris.notifications.services.channels import CHANNELS, channels_for
from rris.notifications.services.channels.base import DeliveryChannel
from tests import factories
from tests.notifications.test_outbox import SESSION_START, confirmed, dispatch, jelena  # noqa: F401 (a fixture)

K = NotificationKind
PHONE = "+93700123456"


@pytest.fixture
def sms_folder(app: Flask, tmp_path):
    """The app saves SMS to a folder, as it does with no Twilio account."""
    previous = app.extensions["rris.sms"]
    app.extensions["rris.sms"] = FolderSmsSender(tmp_path / "sms")
    yield tmp_path / "sms"
    app.extensions["rris.sms"] = previous


@pytest.fixture
def reachable_by_every_channel(ctx):
    return factories.interpreter(
        pairs=(("pus", "srp"),),
        email="mariam@interpreters.example",
        phone=PHONE,
        phone_verified_at=datetime(2025, 12, 1, tzinfo=UTC),
        sms_opt_in=True,
    )


def _channel_modules() -> set[str]:
    found = {info.name for info in pkgutil.iter_modules(channel_package.__path__)}
    return found - {"base"}


def test_every_channel_has_a_registered_module_and_every_channel_module_is_registered():
    assert set(CHANNELS) == set(Channel)
    registered = set()
    for channel, way in CHANNELS.items():
        module = importlib.import_module(way.compose.__module__)
        assert module.__name__.startswith(channel_package.__name__ + ".")
        assert way.session.__module__ == module.__name__, f"{channel} is worded and sent by one module"
        assert isinstance(way, DeliveryChannel) and (Channel, channel) in LABELS
        registered.add(module.__name__.rsplit(".", 1)[1])
    assert registered == _channel_modules(), "a module in channels/ is a channel only once the registry names it"


def test_a_message_goes_by_every_channel_that_carries_its_kind_and_reaches_the_person(reachable_by_every_channel):
    assert channels_for(K.JOIN_NOW, reachable_by_every_channel.user) == (Channel.EMAIL, Channel.SMS)
    assert channels_for(K.INVITATION, reachable_by_every_channel.user) == (Channel.EMAIL,)


def test_a_join_now_goes_through_each_channel_module_to_the_smtp_server_and_the_sms_folder(
    jelena, reachable_by_every_channel, clock, mailbox, sms_folder  # noqa: F811
):
    booking = confirmed(jelena, reachable_by_every_channel)
    dispatch(clock)  # the offer and the invitations
    mailbox.clear()
    before = set(sms_folder.glob("*.txt"))
    clock.set(SESSION_START - timedelta(minutes=10))
    report = dispatch(clock)  # "join now" to both by e-mail, and to her by SMS

    to_her = [m for m in mailbox.wait_for(report.sent - 1) if m["To"] == "mariam@interpreters.example"]
    [email] = [m for m in to_her if m["Subject"].startswith("Join now")]
    assert f"/calls/{booking.id}" in email.get_body().get_content()
    [saved] = set(sms_folder.glob("*.txt")) - before
    text = saved.read_text(encoding="utf-8")
    assert f"To: {PHONE}" in text and f"/calls/{booking.id}" in text and "12:30" in text
    join_now = db.session.scalars(
        select(Notification).where(
            Notification.booking_id == booking.id,
            Notification.kind == K.JOIN_NOW,
            Notification.recipient_id == reachable_by_every_channel.user_id,
        )
    ).all()
    assert {row.channel: row.state for row in join_now} == {channel: NotificationState.SENT for channel in Channel}
    assert next(row for row in join_now if row.channel is Channel.SMS).outcome == saved.stem


def test_a_channel_that_no_longer_reaches_the_person_holds_its_message_back_alone(
    jelena, reachable_by_every_channel, clock, mailbox, sms_folder  # noqa: F811
):
    booking = confirmed(jelena, reachable_by_every_channel)
    dispatch(clock)
    reachable_by_every_channel.user.sms_opt_in = False  # she withdrew her consent to SMS
    db.session.commit()
    clock.set(SESSION_START - timedelta(minutes=10))
    dispatch(clock)

    assert not sms_folder.exists() or list(sms_folder.glob("*.txt")) == []
    rows = db.session.scalars(
        select(Notification).where(Notification.booking_id == booking.id, Notification.kind == K.JOIN_NOW)
    ).all()
    sms_row = next(row for row in rows if row.channel is Channel.SMS)
    assert sms_row.state is NotificationState.SKIPPED and sms_row.outcome == "the recipient no longer takes SMS"
    emails = [row for row in rows if row.channel is Channel.EMAIL and row.recipient_id == sms_row.recipient_id]
    assert [row.state for row in emails] == [NotificationState.SENT]
