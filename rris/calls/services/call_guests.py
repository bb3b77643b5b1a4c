"""Guests of a call: a legal adviser or guardian whom an officer invites by link.

A guest has no account. The officer gets a link with a secret once; the link's page asks
the portal for a join ticket of the guest's own ("guest-<id>"), valid in the same span as
everyone else's. Withdrawing the invitation stops new tickets, and one already issued stops
working too: the signalling service checks the roster (`check_roster`) and cuts the guest off
within seconds.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from rris.access.domain.permissions import Actor
from rris.access.queries.scoping import NotVisible, get_visible, visible_bookings
from rris.accounts.domain.secrets import digest
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Booking
from rris.bookings.services.booking_events import record_event
from rris.calls.domain.call_participants import Participant
from rris.calls.domain.call_tickets import CallTicket, sign_ticket
from rris.calls.models.call_guests import CallGuest
from rris.calls.services.call_access import (
    JOINABLE_STATES,
    CallSetup,
    JoinPass,
    call_role_of,
    check_call_open,
    ensure_call_room,
    join_pass_for,
)
from rris.common.domain.errors import Conflict, Forbidden
from rris.common.services.text_input import required_text
from rris.common.services.transactions import begin_write, lock_booking
from rris.common.services.wording import label
from rris.enums import CallRole, GuestKind
from rris.extensions import db

# Browser calls are a mesh of two to four people: officer, interpreter and at most two guests.
MAX_GUESTS_PER_CALL = 2
GUEST_NAME_MAX_CHARS = 80


def invite_guest(
    booking_id: int, actor: Actor, user: User, kind: GuestKind, display_name: str, now: datetime
) -> tuple[CallGuest, str]:
    """Invite a guest into the booking's call; returns the invitation and the link secret (shown once)."""
    booking = get_visible(visible_bookings(actor, now), Booking, booking_id)
    if call_role_of(booking, user) is not CallRole.OFFICER:
        raise Forbidden(_("Only the officers of the department invite guests to the call."))
    name = required_text(
        " ".join(display_name.split()),
        "display_name",
        _("Enter the name the others will see in the call."),
        GUEST_NAME_MAX_CHARS,
    )
    begin_write()
    booking = lock_booking(booking.id)
    if booking.state not in JOINABLE_STATES or now >= booking.ends_at:
        raise Conflict(_("Guests can be invited only to a confirmed session that has not ended."))
    if len(active_guests(booking.id)) >= MAX_GUESTS_PER_CALL:
        raise Conflict(
            ngettext(
                "A call has room for %(num)d guest; withdraw the invitation first.",
                "A call has room for %(num)d guests; withdraw an invitation first.",
                MAX_GUESTS_PER_CALL,
            )
        )
    secret = secrets.token_urlsafe(32)
    guest = CallGuest(
        booking_id=booking.id,
        kind=kind,
        display_name=name,
        link_hash=digest(secret),
        invited_by_id=user.id,
        created_at=now,
    )
    db.session.add(guest)
    record_event(booking, "guest_invited", now, user.id, note=label(kind))
    db.session.commit()
    return guest, secret


def withdraw_guest(booking_id: int, guest_id: int, actor: Actor, user: User, now: datetime) -> CallGuest:
    """Withdraw an invitation: its link gives no new ticket from now on, and the guest leaves the call."""
    booking = get_visible(visible_bookings(actor, now), Booking, booking_id)
    if call_role_of(booking, user) is not CallRole.OFFICER:
        raise Forbidden(_("Only the officers of the department invite guests to the call."))
    begin_write()
    booking = lock_booking(booking.id)
    guest = db.session.get(CallGuest, guest_id)
    if guest is None or guest.booking_id != booking.id:
        raise NotVisible(f"CallGuest {guest_id}")
    if guest.revoked_at is None:
        guest.revoked_at = now
        record_event(booking, "guest_withdrawn", now, user.id, note=label(guest.kind))
    db.session.commit()
    return guest


def active_guests(booking_id: int) -> list[CallGuest]:
    """The booking's invitations that still work, oldest first."""
    statement = (
        select(CallGuest)
        .where(CallGuest.booking_id == booking_id, CallGuest.revoked_at.is_(None))
        .order_by(CallGuest.id)
    )
    return list(db.session.scalars(statement))


def guest_link(secret: str, public_url: str) -> str:
    """The address on the portal at `public_url` that an officer sends to the guest."""
    return f"{public_url}/calls/guest/{secret}"


def guest_by_link(secret: str) -> CallGuest:
    """The invitation behind a link; NotVisible for unknown or withdrawn links (the same to the guest)."""
    guest = db.session.scalar(select(CallGuest).where(CallGuest.link_hash == digest(secret)))
    if guest is None or guest.revoked_at is not None:
        raise NotVisible("CallGuest")
    return guest


def issue_guest_pass(secret: str, now: datetime, setup: CallSetup) -> JoinPass:
    """A join pass for the guest behind the link, while the call is open."""
    guest = guest_by_link(secret)
    booking = guest.booking
    opens, closes = check_call_open(booking, now, booking.department.timezone)
    ticket = CallTicket(
        room=ensure_call_room(booking),
        booking_id=booking.id,
        participant=Participant.guest(guest.id),
        role=CallRole.GUEST,
        display_name=guest.display_name,
        not_before=opens,
        expires_at=closes,
        nonce=secrets.token_urlsafe(12),
    )
    return join_pass_for(ticket, sign_ticket(ticket, setup.secret_key), setup)
