"""An officer invites a legal adviser or guardian into the call by link; the link gives the guest
a ticket of their own while the call is open, until the invitation is withdrawn."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rris.access.queries.actors import actor_of
from rris.access.queries.scoping import NotVisible
from rris.calls.domain.call_tickets import TicketKind, read_ticket
from rris.calls.services.call_guests import (
    MAX_GUESTS_PER_CALL,
    active_guests,
    invite_guest,
    issue_guest_pass,
    withdraw_guest,
)
from rris.common.domain.errors import Conflict, Forbidden, InvalidInput
from rris.context import current_settings
from rris.enums import CallRole, GuestKind
from tests import factories
from tests.support.call_bookings import OPEN, call_setup, open_call


@pytest.fixture
def call(ctx, clock):
    booking, jelena, mariam = open_call(clock)
    clock.set(OPEN - timedelta(days=1))  # invitations are made ahead of the session
    return booking, jelena, mariam


def invite(booking, user, clock, name="Adv. Ana Petrović", kind=GuestKind.LEGAL_ADVISER):
    return invite_guest(booking.id, actor_of(user), user, kind, name, clock.now())


def test_the_guest_link_gives_a_ticket_of_the_guests_own_in_the_call_span(call, clock):
    booking, jelena, _mariam = call
    guest, secret = invite(booking, jelena, clock, name="  Adv.  Ana   Petrović ")
    assert guest.display_name == "Adv. Ana Petrović" and guest.link_hash != secret
    assert any(event.action == "guest_invited" for event in booking.events)
    with pytest.raises(Conflict, match="The call opens at 08:45 Belgrade"):  # in the department's zone
        issue_guest_pass(secret, clock.now(), call_setup())
    clock.set(OPEN)
    join = issue_guest_pass(secret, clock.now(), call_setup())
    ticket = read_ticket(join.token, current_settings().secret_key, clock.now(), TicketKind.JOIN)
    assert (ticket.participant.encode(), ticket.role) == (f"guest-{guest.id}", CallRole.GUEST)
    assert ticket.display_name == "Adv. Ana Petrović"
    assert ticket.room == booking.call_room
    assert ticket.expires_at == booking.ends_at + timedelta(minutes=30)


def test_only_the_departments_officers_invite_and_the_name_is_required(call, clock):
    booking, jelena, mariam = call
    with pytest.raises(Forbidden):
        invite(booking, mariam, clock)
    with pytest.raises(NotVisible):
        invite(booking, factories.caseworker("AL"), clock)
    with pytest.raises(InvalidInput) as error:
        invite(booking, jelena, clock, name="   ")
    assert "display_name" in error.value.errors
    with pytest.raises(InvalidInput) as error:
        invite(booking, jelena, clock, name="x" * 81)
    assert "80" in error.value.errors["display_name"]


def test_a_call_has_room_for_two_guests_and_a_withdrawn_link_stops_working(call, clock):
    booking, jelena, _mariam = call
    first, first_secret = invite(booking, jelena, clock)
    invite(booking, jelena, clock, name="Guardian of the applicant", kind=GuestKind.GUARDIAN)
    with pytest.raises(Conflict, match=f"room for {MAX_GUESTS_PER_CALL} guests"):
        invite(booking, jelena, clock, name="A third")
    withdraw_guest(booking.id, first.id, actor_of(jelena), jelena, clock.now())
    assert [g.kind for g in active_guests(booking.id)] == [GuestKind.GUARDIAN]
    clock.set(OPEN)
    with pytest.raises(NotVisible):
        issue_guest_pass(first_secret, clock.now(), call_setup())
    with pytest.raises(NotVisible):
        issue_guest_pass("not-a-link", clock.now(), call_setup())
    invite(booking, jelena, clock, name="A third")  # the freed place


def test_no_guests_for_a_session_that_is_over(call, clock):
    booking, jelena, _mariam = call
    _guest, secret = invite(booking, jelena, clock)
    clock.set(booking.ends_at + timedelta(minutes=30))
    with pytest.raises(Conflict, match="over"):
        issue_guest_pass(secret, clock.now(), call_setup())
    with pytest.raises(Conflict):
        invite(booking, jelena, clock)
