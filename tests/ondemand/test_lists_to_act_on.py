"""On-demand requests are served by their queue and rings, never by hand: the lists of bookings
"to act on" leave them out, and the scheduler's booked-session steps leave their calls alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from rris.access.queries.actors import actor_of
from rris.bookings.models.bookings import Booking
from rris.bookings.queries.booking_lists import booking_list
from rris.calls.services.session_lifecycle import start_due_sessions
from rris.desk.services.desk import desk
from rris.enums import BookingState, Role
from rris.extensions import db
from rris.ondemand.domain.states import CallState
from rris.ondemand.models.ondemand import OnDemandCall
from rris.ondemand.services.answering import mark_connected
from tests import factories
from tests.conftest import DEFAULT_NOW
from tests.ondemand.support import PASHTO_SERBIAN, answer, ask, available_interpreter

NOW = DEFAULT_NOW


@pytest.fixture
def officer(ctx):
    jelena = factories.caseworker("RS")
    db.session.commit()
    return actor_of(jelena)


def test_a_waiting_on_demand_request_is_not_on_the_desk_nor_in_needing_attention(officer):
    booked = factories.booking(starts_at=NOW + timedelta(hours=5), state=BookingState.UNFILLED)
    db.session.commit()
    waiting = ask(officer, NOW, PASHTO_SERBIAN, wait=True)  # nobody reachable: it waits in the queue
    request = db.session.get_one(OnDemandCall, waiting.call_id).booking
    assert request.state is BookingState.REQUESTED

    board = desk(NOW + timedelta(seconds=30))
    assert [item.booking.code for item in board.unfilled] == [booked.code]
    coordinator = actor_of(factories.user(Role.COORDINATOR))
    db.session.commit()
    listed = db.session.scalars(booking_list(coordinator, "attention", NOW + timedelta(seconds=30))).all()
    assert request.id not in [booking.id for booking in listed]


def test_the_scheduler_does_not_start_an_answered_on_demand_call_its_connection_does(officer):
    mariam = available_interpreter(NOW)
    asked = ask(officer, NOW)
    call_id = answer(mariam, NOW + timedelta(seconds=5))

    assert start_due_sessions(NOW + timedelta(seconds=10)) == 0
    booking = db.session.scalar(select(Booking).join(OnDemandCall).where(OnDemandCall.id == asked.call_id))
    assert booking is not None and booking.state is BookingState.CONFIRMED

    call = mark_connected(call_id, NOW + timedelta(seconds=20))
    assert call.state is CallState.CONNECTED
    assert call.booking.state is BookingState.IN_PROGRESS
