"""Who may join a session's call, and the signed join ticket that lets them in."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, select, text
from sqlalchemy.orm import selectinload

from rris.access.domain.permissions import Actor
from rris.access.queries.scoping import NotVisible, get_visible, lasting_disclosure_of, visible_bookings
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Booking
from rris.calls.domain.call_names import call_name
from rris.calls.domain.call_participants import Participant, ParticipantKind
from rris.calls.domain.call_tickets import (
    DISPLAY_NAME_MAX_CHARS,
    GRACE_AFTER_END,
    OPENS_BEFORE_START,
    CallTicket,
    sign_ticket,
    valid_span,
)
from rris.calls.domain.ice_servers import ice_servers
from rris.calls.models.call_guests import CallGuest
from rris.common.domain.errors import Conflict, Forbidden
from rris.common.domain.formats import time_of_day
from rris.common.services.transactions import begin_write, lock_booking
from rris.common.services.wording import current_locale
from rris.enums import BookingState, CallRole, Role
from rris.extensions import db
from rris.settings import Settings

JOINABLE_STATES = frozenset({BookingState.CONFIRMED, BookingState.IN_PROGRESS})
SIGNALING_PATH = "/calls/ws"
DIAL_IN_PIN_DIGITS = 6
# A million PINs and a handful of calls open at once: a clash is drawn again, rarely ever twice.
_PIN_DRAWS = 50
_PIN_LOCK_KEY = int.from_bytes(hashlib.sha256(b"rris.dial_in_pin").digest()[:8], "big", signed=True)


@dataclass(frozen=True)
class JoinPass:
    """What a call page needs to join: the signed ticket, where to present it, and ICE servers
    whose TURN credentials expire with the ticket."""

    ticket: CallTicket
    token: str
    signaling_url: str
    ice_servers: list[dict[str, Any]]


@dataclass(frozen=True)
class CallSetup:
    """What join passes are made with: the key that signs tickets, the signalling address
    browsers open, and our own STUN and TURN servers."""

    secret_key: str = field(repr=False)
    signaling_url: str
    stun_urls: tuple[str, ...]
    turn_urls: tuple[str, ...]
    turn_secret: str = field(repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> CallSetup:
        """The call setup of these settings."""
        return cls(
            secret_key=settings.secret_key,
            signaling_url=settings.signaling_public_url + SIGNALING_PATH,
            stun_urls=settings.stun_urls,
            turn_urls=settings.turn_urls,
            turn_secret=settings.turn_secret,
        )


def call_role_of(booking: Booking, user: User) -> CallRole | None:
    """The side a person takes in the booking's call: an officer of the booking's department, or
    one of its interpreters; None for everyone else."""
    if user.role is Role.CASEWORKER and user.department_id == booking.department_id:
        return CallRole.OFFICER
    profile = user.interpreter_profile
    if profile is not None and any(a.interpreter_id == profile.id for a in booking.active_assignments):
        return CallRole.INTERPRETER
    return None


def name_in_call(user: User, role: CallRole) -> str:
    """How the others see this person in the call: an interpreter by the name they chose (their
    first name by default; the page adds their role), everyone else by their name."""
    if role is CallRole.INTERPRETER and user.interpreter_profile is not None:
        return call_name(user.name, user.interpreter_profile.call_name)
    return user.name[:DISPLAY_NAME_MAX_CHARS]


def issue_join_ticket(
    booking_id: int, actor: Actor, user: User, now: datetime, secret_key: str
) -> tuple[CallTicket, str]:
    """A ticket signed with `secret_key` for this person to join the booking's call now; the room
    is made on first use."""
    booking = get_visible(visible_bookings(actor, now), Booking, booking_id)
    if not lasting_disclosure_of(booking, actor, now).job_is_theirs:
        raise NotVisible(f"Booking {booking_id}")  # an interpreter merely offered the job: no call exists for her
    role = call_role_of(booking, user)
    if role is None:
        raise Forbidden(_("Only the officers of the department and the session's interpreters join this call."))
    opens, closes = check_call_open(booking, now, user.zone_name)
    room = ensure_call_room(booking)
    ticket = CallTicket(
        room=room,
        booking_id=booking.id,
        participant=Participant.user(user.id),
        role=role,
        display_name=name_in_call(user, role),
        not_before=opens,
        expires_at=closes,
        nonce=secrets.token_urlsafe(12),
    )
    return ticket, sign_ticket(ticket, secret_key)


@dataclass(frozen=True)
class RosterCheck:
    """Which holders of a call's tickets still take part in its booking."""

    cancelled: bool  # the booking is cancelled (or gone): its call is over for everyone
    admitted: frozenset[Participant]  # who stays


def check_roster(booking_id: int, tickets: Collection[CallTicket]) -> RosterCheck:
    """Which of these tickets (all for the booking's call) still admit their holders: the person
    still takes the ticket's side (`call_role_of`: an officer of the department, an interpreter
    holding the job) with an active account, a guest's invitation is not withdrawn, a caller who
    dialled in does so into a booking still on. Their phones follow them.

    The signalling service asks at every join and again every few seconds for those connected,
    so this only reads, by primary key or an indexed booking id: the booking and its assignments,
    the accounts named and their interpreter profiles, the guests named. Five statements at most,
    however many people are in the call.
    """
    booking = db.session.get(Booking, booking_id, options=[selectinload(Booking.assignments)], populate_existing=True)
    if booking is None or booking.state is BookingState.CANCELLED:
        return RosterCheck(cancelled=True, admitted=frozenset())
    user_ids = {ticket.participant.user_id for ticket in tickets} - {None}
    guest_ids = {t.participant.id for t in tickets if t.participant.kind is ParticipantKind.GUEST}
    users: dict[int, User] = {}
    if user_ids:
        with_profiles = (
            select(User)
            .where(User.id.in_(user_ids))
            .options(selectinload(User.interpreter_profile))
            .execution_options(populate_existing=True)
        )
        users = {user.id: user for user in db.session.scalars(with_profiles)}
    invited: set[int] = set()
    if guest_ids:
        invited = set(
            db.session.scalars(
                select(CallGuest.id).where(
                    CallGuest.booking_id == booking_id, CallGuest.id.in_(guest_ids), CallGuest.revoked_at.is_(None)
                )
            )
        )

    def admits(ticket: CallTicket) -> bool:
        if ticket.booking_id != booking.id:
            return False
        who = ticket.participant
        if who.user_id is not None:  # a person in a browser, or their phone
            user = users.get(who.user_id)
            return user is not None and user.active and call_role_of(booking, user) is ticket.role
        if who.kind is ParticipantKind.GUEST:
            return who.id in invited
        return True  # a caller who typed the booking's PIN: the call is theirs while the booking is on

    return RosterCheck(cancelled=False, admitted=frozenset(t.participant for t in tickets if admits(t)))


def sides_in_call(booking: Booking, users: Collection[User]) -> dict[int, CallRole]:
    """The side each of these people takes in the booking's call as the roster would read it now
    (`check_roster`: an active account on the booking's side); those who take none are left out."""
    if booking.state is BookingState.CANCELLED:
        return {}
    sides = {user.id: call_role_of(booking, user) for user in users if user.active}
    return {user_id: role for user_id, role in sides.items() if role is not None}


def check_call_open(booking: Booking, now: datetime, zone_name: str) -> tuple[datetime, datetime]:
    """The span the booking's call is open in; Conflict, saying when it opens, outside it."""
    if booking.state not in JOINABLE_STATES:
        raise Conflict(_("This session is not confirmed, so there is no call to join."))
    opens, closes = valid_span(booking.starts_at, booking.ends_at)
    if now < opens:
        raise Conflict(_("The call opens at %(time)s.", time=time_of_day(opens, zone_name, current_locale())))
    if now >= closes:
        raise Conflict(_("This session is over."))
    return opens, closes


def ensure_call_room(booking: Booking) -> str:
    """The booking's random call room, made (and committed) on first use with its dial-in PIN."""
    if booking.call_room is None or booking.dial_in_pin is None:
        begin_write()
        booking = lock_booking(booking.id)
        room = make_call_room(booking)
        db.session.commit()
        return room
    return booking.call_room


def make_call_room(booking: Booking) -> str:
    """Give the booking its random call room and dial-in PIN if it has none yet, within the
    caller's write transaction on the booking (a call known to happen: an accepted on-demand call,
    whose two call pages then only read)."""
    room = booking.call_room or secrets.token_urlsafe(18)
    booking.call_room = room
    if booking.dial_in_pin is None:
        booking.dial_in_pin = _free_dial_in_pin(booking)
    return room


@dataclass(frozen=True)
class DialIn:
    """How to join a booking's call by telephone: the number to ring and the PIN to type."""

    number: str
    pin: str


def dial_in_for(booking: Booking, now: datetime, number: str) -> DialIn | None:
    """The dial-in details to show for a session ahead (its PIN is made on first use); None when
    no dial-in `number` is configured (empty) or the session will have no call."""
    if not number or booking.state not in JOINABLE_STATES or now >= booking.ends_at:
        return None
    return DialIn(number=number, pin=ensure_dial_in_pin(booking))


def ensure_dial_in_pin(booking: Booking) -> str:
    """The booking's dial-in PIN, made (and committed) on first use; pages may show it before the
    call opens."""
    if booking.dial_in_pin is None:
        begin_write()
        booking = lock_booking(booking.id)
        if booking.dial_in_pin is None:
            booking.dial_in_pin = _free_dial_in_pin(booking)
        db.session.commit()
    return booking.dial_in_pin


def _free_dial_in_pin(booking: Booking) -> str:
    """A random PIN that no other live booking whose call span overlaps this one's holds, so a
    PIN typed while a call is open names one booking. Within the caller's write transaction."""
    if db.session.get_bind().dialect.name == "postgresql":
        # Two bookings drawing PINs at once would not see each other's: take turns.
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PIN_LOCK_KEY})
    opens, closes = valid_span(booking.starts_at, booking.ends_at)
    # Another call's span [starts - 15 min, ends + 30 min) overlaps [opens, closes).
    overlapping = and_(
        Booking.id != booking.id,
        Booking.state.in_(JOINABLE_STATES),
        Booking.starts_at < closes + OPENS_BEFORE_START,
        Booking.ends_at > opens - GRACE_AFTER_END,
    )
    for _attempt in range(_PIN_DRAWS):
        pin = f"{secrets.randbelow(10**DIAL_IN_PIN_DIGITS):0{DIAL_IN_PIN_DIGITS}d}"
        taken = db.session.scalar(select(Booking.id).where(overlapping, Booking.dial_in_pin == pin).limit(1))
        if taken is None:
            return pin
    raise RuntimeError("no free dial-in PIN found; far too many calls overlap")


def issue_join_pass(booking_id: int, actor: Actor, user: User, now: datetime, setup: CallSetup) -> JoinPass:
    """A join ticket plus the signalling address and ICE servers for this person's call page."""
    ticket, token = issue_join_ticket(booking_id, actor, user, now, setup.secret_key)
    return join_pass_for(ticket, token, setup)


def join_pass_for(ticket: CallTicket, token: str, setup: CallSetup) -> JoinPass:
    """Wrap an issued ticket with the signalling URL and ICE servers of `setup`."""
    return JoinPass(
        ticket=ticket,
        token=token,
        signaling_url=setup.signaling_url,
        ice_servers=ice_servers(
            setup.stun_urls, setup.turn_urls, setup.turn_secret, ticket.participant.encode(), ticket.expires_at
        ),
    )
