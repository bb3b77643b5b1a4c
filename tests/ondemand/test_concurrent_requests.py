"""Fifty officers ask at the same instant for ten interpreters, in real threads on their own
database (SQLite and PostgreSQL): ten calls, forty waiting in arrival order, nobody twice; as the
interpreters hang up one by one, the queue drains in arrival order."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from rris.access.queries.actors import actor_of
from rris.bookings.models.bookings import Assignment
from rris.common.domain.errors import Conflict
from rris.extensions import db
from rris.ondemand.domain.states import Answer, CallState
from rris.ondemand.models.ondemand import OnDemandCall
from rris.ondemand.services.answering import accept_ring, hang_up, mark_connected
from rris.ondemand.services.presence import heartbeat
from rris.ondemand.services.requests import queue_place
from rris.pool.models.interpreters import InterpreterProfile
from tests import factories
from tests.conftest import DEFAULT_NOW
from tests.ondemand.support import PASHTO_SERBIAN, POLICY, ask, available_interpreter, live_ring_of
from tests.support.own_database import portal_on_own_database

OFFICERS = 50
INTERPRETERS = 10
NOW = DEFAULT_NOW


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_app(request: pytest.FixtureRequest, tmp_path: Path, smtp_server) -> Iterator[Flask]:
    """A portal on its own database, so that threads commit for real (no test transaction around them)."""
    with portal_on_own_database(request, request.param, tmp_path, smtp_server[1], "ondemand") as app:
        yield app


def answer_every_ring(interpreters, now) -> None:
    """Each interpreter whose page rings accepts, until no page rings."""
    rung = True
    while rung:
        rung = False
        for profile in interpreters:
            ring = live_ring_of(profile.id)
            if ring is not None:
                accept_ring(ring.id, actor_of(profile.user), now, POLICY)
                rung = True


def test_fifty_requests_at_once_for_ten_interpreters(fresh_app):
    with fresh_app.test_request_context():
        officers = [actor_of(factories.caseworker("RS")) for _ in range(OFFICERS)]
        db.session.commit()
        interpreters = [available_interpreter(NOW) for _ in range(INTERPRETERS)]
        interpreter_ids = [profile.id for profile in interpreters]
    start = threading.Barrier(OFFICERS)

    def officer_asks(number: int) -> Answer:
        with fresh_app.test_request_context():
            start.wait()
            return ask(officers[number], NOW, replace(PASHTO_SERBIAN, case_reference=f"RS-{number}")).answer

    with ThreadPoolExecutor(OFFICERS) as pool:
        answers = list(pool.map(officer_asks, range(OFFICERS)))
    assert set(answers) <= {Answer.RINGING, Answer.QUEUED}

    with fresh_app.test_request_context():
        interpreters = [db.session.get_one(InterpreterProfile, pid) for pid in interpreter_ids]
        answer_every_ring(interpreters, NOW + timedelta(seconds=5))
        arrival = list(db.session.scalars(select(OnDemandCall).order_by(OnDemandCall.requested_at, OnDemandCall.id)))
        assert len(arrival) == OFFICERS
        answered, waiting = arrival[:INTERPRETERS], arrival[INTERPRETERS:]
        assert all(call.state is CallState.ANSWERED for call in answered)
        assert all(call.state is CallState.WAITING for call in waiting)
        assert sorted(call.interpreter_id for call in answered) == sorted(interpreter_ids), "nobody connected twice"
        positions = [queue_place(call.id, POLICY).position for call in waiting]
        assert positions == list(range(1, OFFICERS - INTERPRETERS + 1))
        active = select(func.count()).select_from(Assignment).where(Assignment.released_at.is_(None))
        assert db.session.scalar(active) == INTERPRETERS

        # One by one they hang up; each is rung for the oldest waiting request and takes it.
        served = []
        now = NOW + timedelta(minutes=1)
        current = {call.interpreter_id: call.id for call in answered}
        for turn in range(OFFICERS - INTERPRETERS):
            profile = interpreters[turn % INTERPRETERS]
            now += timedelta(seconds=10)
            for other in interpreters:  # every live page beats
                heartbeat(other.id, now, POLICY)
            mark_connected(current[profile.id], now)
            hang_up(current[profile.id], actor_of(profile.user), now, POLICY)
            ring = live_ring_of(profile.id)
            assert ring is not None
            current[profile.id] = accept_ring(ring.id, actor_of(profile.user), now, POLICY).id
            served.append(current[profile.id])
        assert served == [call.id for call in waiting], "the queue drains in arrival order"


def test_interpreters_accepting_one_call_at_the_same_instant_one_wins(fresh_app):
    rung = 3
    with fresh_app.test_request_context():
        officer = actor_of(factories.caseworker("RS"))
        db.session.commit()
        interpreters = [available_interpreter(NOW) for _ in range(rung)]
        call_id = ask(officer, NOW).call_id
        takers = [(live_ring_of(p.id).id, actor_of(p.user)) for p in interpreters]
    start = threading.Barrier(rung)

    def accepts(taker) -> str:
        ring_id, actor = taker
        with fresh_app.test_request_context():
            start.wait()
            try:
                accept_ring(ring_id, actor, NOW + timedelta(seconds=3), POLICY)
            except Conflict:
                return "too late"
            return "connected"

    with ThreadPoolExecutor(rung) as pool:
        outcomes = list(pool.map(accepts, takers))
    assert sorted(outcomes) == ["connected", "too late", "too late"]
    with fresh_app.app_context():
        call = db.session.get_one(OnDemandCall, call_id)
        winner = outcomes.index("connected")
        assert call.state is CallState.ANSWERED and call.interpreter_id == takers[winner][1].interpreter_id
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 1
