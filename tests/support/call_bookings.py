"""A confirmed booking with its call open, and tickets for it from the portal's own service."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.calls.models.calls import CallAttendance
from rris.calls.services.call_access import CallSetup, issue_join_ticket
from rris.calls.services.call_guests import invite_guest, issue_guest_pass
from rris.context import current_settings
from rris.enums import GuestKind
from rris.extensions import db
from tests import factories
from tests.notifications.test_outbox import SESSION_START, confirmed

OPEN = SESSION_START - timedelta(minutes=15)


def open_call(clock):
    """(booking, caseworker, interpreter user) for Wednesday 09:00 Belgrade, the clock at the opening."""
    jelena = factories.caseworker("RS", email="jelena@mup.rs.example", name="Jelena Marković")
    mariam = factories.interpreter(pairs=(("pus", "srp"),), name="Mariam Ahmadzai")
    booking = confirmed(jelena, mariam)
    clock.set(OPEN)
    return booking, jelena, mariam.user


def call_setup() -> CallSetup:
    """The portal's call setup (ticket key, signalling address, STUN and TURN), from its settings."""
    return CallSetup.from_settings(current_settings())


def token(booking, user, clock) -> str:
    """The join ticket the portal issues to `user` now."""
    return issue_join_ticket(booking.id, actor_of(user), user, clock.now(), current_settings().secret_key)[1]


def guest_token(booking, officer, clock, name: str, kind: GuestKind = GuestKind.LEGAL_ADVISER) -> str:
    """A guest's ticket as a guest gets it: the officer invites them, the link yields the pass."""
    _guest, secret = invite_guest(booking.id, actor_of(officer), officer, kind, name, clock.now())
    return issue_guest_pass(secret, clock.now(), call_setup()).token


def attendances(booking) -> list[CallAttendance]:
    """The booking's call records, freshly read."""
    db.session.expire_all()
    statement = select(CallAttendance).where(CallAttendance.booking_id == booking.id).order_by(CallAttendance.id)
    return list(db.session.scalars(statement))
