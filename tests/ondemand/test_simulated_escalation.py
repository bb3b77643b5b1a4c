"""Without a Twilio account the escalation's call is simulated, as other telephone legs are: no
call is placed, the log names the simulated phone's page (its address signed for the leg), and
pressing 1 there takes the call as the real webhook does, then plays her phone into the call on
the simulated phone page; pressing 2 lets it go to the next on-call interpreter."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest

from rris.calls.domain.call_tickets import TicketKind, read_ticket
from rris.extensions import db
from rris.ondemand.domain.states import CallState, RingChannel, RingOutcome
from rris.phone.models.phone_legs import PhoneLeg
from tests.conftest import TEST_SECRET_KEY
from tests.ondemand.test_phone_escalation import (
    AFTER,
    call_row,
    leg_of,
    on_call_world,
    ring_outcomes,
    tick,
)
from tests.support.twilio_recorder import changed_settings

SIMULATED = re.compile(r"play the simulated phone at https://rris\.test(/phone/simulated-call/\d+/\S+)")


@pytest.fixture
def world(app, clock):
    with changed_settings(app, ondemand_phone_after_seconds=60):
        yield on_call_world(app)


def simulated_page(app, clock, world, caplog) -> str:
    with caplog.at_level(logging.INFO, logger="rris.ondemand.services.phone_escalation"):
        tick(app, clock, AFTER)
    [path] = SIMULATED.findall(caplog.text)
    return path


def test_the_simulated_phone_takes_the_call_with_1_and_plays_into_the_call(app, browser, clock, world, caplog):
    path = simulated_page(app, clock, world, caplog)
    leg_id, call_sid = leg_of(app, world, "mariam")
    with app.app_context():
        assert db.session.get_one(PhoneLeg, leg_id).simulated and call_sid is None
    page = browser.get(path)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert "Press 1 to take a Pashto call for Serbia." in page.get_data(as_text=True)
    response = browser.submit(path, {"key": "1"})
    assert response.status_code == 302
    simulator, ticket = response.location.split("#")
    assert simulator == f"/calls/phone-simulator/{leg_id}"
    read = read_ticket(ticket, TEST_SECRET_KEY, clock.now(), TicketKind.LEG)
    assert read.participant.encode() == f"phone-user-{world.users['mariam']}"
    assert call_row(app, world) == (CallState.ANSWERED, world.mariam)


def test_the_simulated_phone_lets_the_call_go_with_2(app, browser, clock, world, caplog):
    path = simulated_page(app, clock, world, caplog)
    response = browser.submit(path, {"key": "2"})
    assert response.status_code == 200
    assert "Thank you. Another interpreter will be called." in response.get_data(as_text=True)
    assert ring_outcomes(app, world) == {world.mariam: (RingChannel.PHONE, RingOutcome.DECLINED)}
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="rris.ondemand.services.phone_escalation"):
        tick(app, clock, AFTER + timedelta(seconds=5))
    assert len(SIMULATED.findall(caplog.text)) == 1  # Nadia's simulated phone now
    assert set(ring_outcomes(app, world)) == {world.mariam, world.nadia}


def test_a_simulated_phone_page_opens_only_with_its_own_signed_address(app, browser, clock, world, caplog):
    path = simulated_page(app, clock, world, caplog)
    prefix, leg, token = path.rsplit("/", 2)
    assert browser.get(f"{prefix}/{leg}/{token[:-2]}xx").status_code == 404
    assert browser.get(f"{prefix}/{int(leg) + 1}/{token}").status_code == 404
    assert call_row(app, world) == (CallState.RINGING, None)
