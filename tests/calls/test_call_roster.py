"""The roster the signalling service asks at every join and every few seconds: a ticket admits its
holder only while they still take part in the session (`check_roster`)."""

from __future__ import annotations

import dataclasses

import pytest

from rris.access.queries.actors import actor_of
from rris.bookings.services.bookings import assign_by_hand, cancel_booking
from rris.calls.domain.call_participants import Participant
from rris.calls.services.call_access import RosterCheck, check_roster, issue_join_ticket
from rris.calls.services.call_guests import invite_guest, issue_guest_pass, withdraw_guest
from rris.enums import CallRole, GuestKind, Role
from rris.extensions import db
from tests import factories
from tests.support.call_bookings import call_setup, open_call
from tests.support.sql_statements import counted_statements


@pytest.fixture
def call(ctx, clock):
    return open_call(clock)


def ticket_of(booking, user, clock):
    return issue_join_ticket(booking.id, actor_of(user), user, clock.now(), call_setup().secret_key)[0]


def the_call(booking, jelena, mariam, clock):
    """Tickets for everyone a call can hold: two officers, the interpreter in the browser and on
    the phone, a guest, a caller who dialled in with the PIN."""
    colleague = factories.user(Role.CASEWORKER, department=booking.department, name="Stefan Ilić")
    guest, secret = invite_guest(
        booking.id, actor_of(jelena), jelena, GuestKind.LEGAL_ADVISER, "Legal adviser", clock.now()
    )
    officer = ticket_of(booking, jelena, clock)
    interpreter = ticket_of(booking, mariam, clock)
    return {
        "officer": officer,
        "colleague": ticket_of(booking, colleague, clock),
        "interpreter": interpreter,
        "her phone": dataclasses.replace(interpreter, participant=interpreter.participant.phone()),
        "guest": issue_guest_pass(secret, clock.now(), call_setup()).ticket,
        "caller": dataclasses.replace(officer, participant=Participant.caller(7), role=CallRole.GUEST),
    }, colleague, guest


def admitted(booking, tickets) -> set[str]:
    db.session.expire_all()
    check = check_roster(booking.id, list(tickets.values()))
    assert not check.cancelled
    return {name for name, ticket in tickets.items() if ticket.participant in check.admitted}


def test_everyone_the_session_holds_is_admitted(call, clock):
    booking, jelena, mariam = call
    tickets, _colleague, _guest = the_call(booking, jelena, mariam, clock)
    assert admitted(booking, tickets) == set(tickets)


def test_who_loses_their_part_is_no_longer_admitted_and_their_phone_with_them(call, clock):
    booking, jelena, mariam = call
    tickets, colleague, guest = the_call(booking, jelena, mariam, clock)
    hub = factories.user(Role.COORDINATOR, email="hub@marri.example")
    other = factories.interpreter(pairs=(("pus", "srp"),), name="Farid Rahimi")
    assign_by_hand(booking.id, other.id, actor_of(hub), clock.now(), despite=True)  # Mariam replaced
    withdraw_guest(booking.id, guest.id, actor_of(jelena), jelena, clock.now())
    colleague.active = False  # the account was deactivated
    db.session.commit()
    assert admitted(booking, tickets) == {"officer", "caller"}
    # The new interpreter is; a ticket claiming another side than the person takes is not (it
    # would need the secret key; the roster holds anyway).
    tickets = {
        "new interpreter": ticket_of(booking, other.user, clock),
        "officer as interpreter": dataclasses.replace(tickets["officer"], role=CallRole.INTERPRETER),
    }
    assert admitted(booking, tickets) == {"new interpreter"}


def test_an_officer_who_moved_to_another_department_is_no_longer_admitted(call, clock):
    booking, jelena, mariam = call
    tickets = {"officer": ticket_of(booking, jelena, clock), "interpreter": ticket_of(booking, mariam, clock)}
    jelena.department = factories.department("RS", name="Another asylum office")
    db.session.commit()
    assert admitted(booking, tickets) == {"interpreter"}


def test_a_cancelled_session_admits_no_one(call, clock):
    booking, jelena, mariam = call
    tickets, _colleague, _guest = the_call(booking, jelena, mariam, clock)
    cancel_booking(booking.id, actor_of(jelena), "The applicant withdrew the claim.", clock.now())
    db.session.expire_all()
    assert check_roster(booking.id, list(tickets.values())) == RosterCheck(cancelled=True, admitted=frozenset())


def test_a_check_costs_five_statements_however_many_people_are_in_the_call(call, clock):
    booking, jelena, mariam = call
    tickets, _colleague, _guest = the_call(booking, jelena, mariam, clock)
    db.session.expunge_all()  # as in the signalling service, where each check has a fresh session
    with counted_statements() as few:
        check_roster(booking.id, [tickets["officer"]])
    db.session.expunge_all()
    with counted_statements() as everyone:
        check_roster(booking.id, list(tickets.values()))
    assert len(few) <= len(everyone) <= 5
