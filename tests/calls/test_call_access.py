"""Join tickets are issued to the department's officers and the session's interpreters only,
from 15 minutes before the start, for one random room per booking."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rris.access.queries.actors import actor_of
from rris.access.queries.scoping import NotVisible
from rris.bookings.services.bookings import cancel_booking
from rris.calls.domain.call_tickets import TicketKind, read_ticket
from rris.calls.services.call_access import issue_join_ticket
from rris.common.domain.errors import Conflict, Forbidden
from rris.context import current_settings
from rris.enums import CallRole, Role
from tests import factories
from tests.notifications.test_outbox import SESSION_START, confirmed

OPEN = SESSION_START - timedelta(minutes=15)


@pytest.fixture
def session(ctx, clock):
    jelena = factories.caseworker("RS", email="jelena@mup.rs.example")
    mariam = factories.interpreter(pairs=(("pus", "srp"),), name="Mariam Ahmadzai")
    booking = confirmed(jelena, mariam)
    clock.set(OPEN)
    return booking, jelena, mariam


def ticket_for(booking, user, clock):
    return issue_join_ticket(booking.id, actor_of(user), user, clock.now(), current_settings().secret_key)


def test_the_officer_and_the_interpreter_get_tickets_for_one_random_room(session, clock):
    booking, jelena, mariam = session
    colleague = factories.user(Role.CASEWORKER, department=booking.department, name="Stefan Ilić")
    officer, officer_token = ticket_for(booking, jelena, clock)
    interpreter, _token = ticket_for(booking, mariam.user, clock)
    other_officer, _token = ticket_for(booking, colleague, clock)
    roles = (officer.role, interpreter.role, other_officer.role)
    assert roles == (CallRole.OFFICER, CallRole.INTERPRETER, CallRole.OFFICER)
    assert officer.room == interpreter.room == other_officer.room == booking.call_room
    # 18 random bytes; not the id or the code (a digit of the id may well occur by chance)
    assert len(officer.room) >= 24 and officer.room != str(booking.id) and booking.code not in officer.room
    assert officer.nonce != interpreter.nonce
    assert interpreter.display_name == "Mariam"  # her first name: the full name stays out of the call
    assert read_ticket(officer_token, current_settings().secret_key, clock.now(), TicketKind.JOIN) == officer
    assert officer.expires_at == booking.ends_at + timedelta(minutes=30)


def test_each_booking_has_its_own_room(session, clock):
    booking, jelena, mariam = session
    clock.set(SESSION_START - timedelta(days=3))
    other = confirmed(jelena, mariam, start_local="2026-01-15T09:00")
    clock.set(OPEN)
    first_room = ticket_for(booking, jelena, clock)[0].room
    clock.set(other.starts_at)
    second_room = ticket_for(other, jelena, clock)[0].room
    assert first_room == booking.call_room and second_room == other.call_room and first_room != second_room


def test_before_the_call_opens_the_answer_says_when_it_does(session, clock):
    booking, jelena, _mariam = session
    clock.set(OPEN - timedelta(seconds=1))
    with pytest.raises(Conflict, match="The call opens at 08:45 Belgrade"):  # 09:00 in Belgrade
        ticket_for(booking, jelena, clock)


def test_people_outside_the_session_get_no_ticket(session, clock):
    booking, _jelena, _mariam = session
    outsider = factories.caseworker("AL")
    with pytest.raises(NotVisible):
        ticket_for(booking, outsider, clock)
    for role in (Role.COORDINATOR, Role.FOCAL_POINT):
        with pytest.raises(Forbidden):
            ticket_for(booking, factories.user(role), clock)
    stranger = factories.interpreter(pairs=(("pus", "srp"),))
    with pytest.raises(NotVisible):
        ticket_for(booking, stranger.user, clock)


def test_a_cancelled_session_has_no_call(session, clock):
    booking, jelena, _mariam = session
    clock.set(SESSION_START - timedelta(days=1))
    cancel_booking(booking.id, actor_of(jelena), "withdrawn", clock.now())
    clock.set(OPEN)
    with pytest.raises(Conflict, match="not confirmed"):
        ticket_for(booking, jelena, clock)


def test_a_join_pass_names_the_signalling_url_and_turn_credentials_that_expire_with_the_ticket(
    session, clock
) -> None:
    from rris.calls.domain.ice_servers import turn_credentials
    from rris.calls.services.call_access import CallSetup, issue_join_pass

    booking, jelena, _mariam = session
    settings = current_settings().replace(
        signaling_public_url="wss://calls.rris.example",
        turn_urls=("turn:turn.rris.example:3478",),
        turn_secret="a shared secret of coturn",
    )
    join = issue_join_pass(booking.id, actor_of(jelena), jelena, clock.now(), CallSetup.from_settings(settings))
    assert join.signaling_url == "wss://calls.rris.example/calls/ws"
    [turn] = join.ice_servers
    assert turn["urls"] == ["turn:turn.rris.example:3478"]
    assert (turn["username"], turn["credential"]) == turn_credentials(
        "a shared secret of coturn", f"user-{jelena.id}", join.ticket.expires_at
    )
