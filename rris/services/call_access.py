"""Who may join a session's call, and the signed join ticket that lets them in."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from rris.context import current_settings
from rris.domain.call_tickets import CallTicket, sign_ticket, valid_span
from rris.domain.errors import Conflict, Forbidden
from rris.domain.ice_servers import ice_servers
from rris.domain.permissions import Actor
from rris.enums import BookingState, CallRole, Role
from rris.extensions import db
from rris.models import Booking, User
from rris.queries.scoping import get_visible, visible_bookings
from rris.services.transactions import begin_write, lock_booking
from rris.services.wording import local_time

JOINABLE_STATES = frozenset({BookingState.CONFIRMED, BookingState.IN_PROGRESS})
SIGNALING_PATH = "/calls/ws"


@dataclass(frozen=True)
class JoinPass:
    """What a call page needs to join: the signed ticket, where to present it, and ICE servers
    whose TURN credentials expire with the ticket."""

    ticket: CallTicket
    token: str
    signaling_url: str
    ice_servers: list[dict[str, Any]]


def call_role_of(booking: Booking, user: User) -> CallRole | None:
    """The side a person takes in the booking's call: an officer of the booking's department, or
    one of its interpreters; None for everyone else."""
    if user.role is Role.CASEWORKER and user.department_id == booking.department_id:
        return CallRole.OFFICER
    profile = user.interpreter_profile
    if profile is not None and any(a.interpreter_id == profile.id for a in booking.active_assignments):
        return CallRole.INTERPRETER
    return None


def issue_join_ticket(booking_id: int, actor: Actor, user: User, now: datetime) -> tuple[CallTicket, str]:
    """A signed ticket for this person to join the booking's call now; the room is made on first use."""
    booking = get_visible(visible_bookings(actor), Booking, booking_id)
    role = call_role_of(booking, user)
    if role is None:
        raise Forbidden(_("Only the officers of the department and the session's interpreters join this call."))
    opens, closes = check_call_open(booking, now, user.zone_name)
    room = ensure_call_room(booking)
    ticket = CallTicket(
        room=room,
        booking_id=booking.id,
        participant=f"user-{user.id}",
        role=role,
        display_name=user.name[:80],
        not_before=opens,
        expires_at=closes,
        nonce=secrets.token_urlsafe(12),
    )
    return ticket, sign_ticket(ticket, current_settings().secret_key)


def check_call_open(booking: Booking, now: datetime, zone_name: str) -> tuple[datetime, datetime]:
    """The span the booking's call is open in; Conflict, saying when it opens, outside it."""
    if booking.state not in JOINABLE_STATES:
        raise Conflict(_("This session is not confirmed, so there is no call to join."))
    opens, closes = valid_span(booking.starts_at, booking.ends_at)
    if now < opens:
        raise Conflict(_("The call opens at %(time)s.", time=local_time(opens, zone_name, "HH:mm")))
    if now >= closes:
        raise Conflict(_("This session is over."))
    return opens, closes


def ensure_call_room(booking: Booking) -> str:
    """The booking's random call room, made (and committed) on first use."""
    if booking.call_room is None:
        begin_write()
        booking = lock_booking(booking.id)
        booking.call_room = booking.call_room or secrets.token_urlsafe(18)
        db.session.commit()
    return booking.call_room


def issue_join_pass(booking_id: int, actor: Actor, user: User, now: datetime) -> JoinPass:
    """A join ticket plus the signalling address and ICE servers for this person's call page."""
    ticket, token = issue_join_ticket(booking_id, actor, user, now)
    return join_pass_for(ticket, token)


def join_pass_for(ticket: CallTicket, token: str) -> JoinPass:
    """Wrap an issued ticket with the signalling URL and ICE servers from the settings."""
    settings = current_settings()
    return JoinPass(
        ticket=ticket,
        token=token,
        signaling_url=settings.signaling_public_url + SIGNALING_PATH,
        ice_servers=ice_servers(
            settings.stun_urls, settings.turn_urls, settings.turn_secret, ticket.participant, ticket.expires_at
        ),
    )
