"""On PostgreSQL the database announces each committed on-demand change, and a signalling node
reads at once when it hears one: a real PostgreSQL, a database of the test's own (so commits are
real), a real listening connection. Each read here waits an hour unless a notice wakes it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import psycopg
import pytest
from flask import Flask

from rris.access.queries.actors import actor_of
from rris.extensions import db
from rris.ondemand.models.ondemand import InterpreterPresence
from rris.ondemand.services.presence import heartbeats, set_available
from signaling import change_notices
from signaling.change_notices import CHANNEL, NotifiedChanges, libpq_address
from signaling.presence_feed import PollingChanges, Watched
from signaling.records import CallRecorder
from tests import factories
from tests.conftest import DEFAULT_NOW
from tests.ondemand.support import POLICY, ask
from tests.support.own_database import portal_on_own_database
from tests.support.ports import free_port

pytestmark = pytest.mark.postgres_only
AN_HOUR = 3600.0


@pytest.fixture(scope="module")
def portal(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, smtp_server) -> Iterator[Flask]:
    """One database for the module: each test makes people of its own."""
    folder = tmp_path_factory.mktemp("notices")
    with portal_on_own_database(request, "postgresql", folder, smtp_server[1], "notices") as app:
        yield app


def notices_after(portal: Flask, change) -> int:
    """How many notices a listener hears for `change` (run in the portal's context)."""
    address = libpq_address(portal.extensions["rris.settings"].database_url)
    with psycopg.connect(address, autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANNEL}")
        with portal.test_request_context():
            change()
        return len(list(listener.notifies(timeout=0.5, stop_after=10)))


def test_a_switch_a_request_or_a_lapse_is_announced_but_a_heartbeat_or_a_rollback_is_not(portal):
    with portal.test_request_context():
        mariam = factories.interpreter(pairs=(("pus", "srp"),))
        officer = actor_of(factories.caseworker("RS"))
        db.session.commit()
        mariam_id = mariam.id

    def rolled_back() -> None:
        db.session.add(InterpreterPresence(interpreter_id=mariam_id, available=True, changed_at=DEFAULT_NOW))
        db.session.flush()
        db.session.rollback()

    assert notices_after(portal, rolled_back) == 0
    assert notices_after(portal, lambda: set_available(mariam_id, True, DEFAULT_NOW, POLICY)) == 1
    assert notices_after(portal, lambda: heartbeats([mariam_id], DEFAULT_NOW, POLICY)) == 0
    # A request that rings her: the call and its ring are written in one transaction, one notice.
    assert notices_after(portal, lambda: ask(officer, DEFAULT_NOW)) == 1


def test_a_node_reads_as_soon_as_a_change_is_announced_and_again_after_its_listener_was_cut(portal):
    with portal.test_request_context():
        mariam, nadia = (factories.interpreter(pairs=(("pus", "srp"),)) for _ in range(2))
        officer = actor_of(factories.caseworker("RS"))
        db.session.commit()
        ids = mariam.id, nadia.id
    recorder = CallRecorder(portal)
    changes = NotifiedChanges(PollingChanges(recorder, POLICY, AN_HOUR), current_database_url(portal))
    watched = Watched(interpreters={interpreter: frozenset({"ps"}) for interpreter in ids})

    async def scenario() -> None:
        await changes.start()
        async with asyncio.timeout(30):
            while not changes.listening:
                await asyncio.sleep(0.05)
            await changes.next(lambda: watched)  # the read every new listener makes
            reading = asyncio.ensure_future(changes.next(lambda: watched))
            await recorder.call(set_available, ids[0], True, DEFAULT_NOW, POLICY)
            assert (await reading).interpreters[ids[0]].available is True
            await cut_the_listener(portal)
            while not changes.listening:
                await asyncio.sleep(0.05)
            await changes.next(lambda: watched)
            reading = asyncio.ensure_future(changes.next(lambda: watched))
            await recorder.call(set_available, ids[1], True, DEFAULT_NOW, POLICY)
            await recorder.call(ask, officer, DEFAULT_NOW)
            snapshot = await reading
            while not all(state.ring is not None for state in snapshot.interpreters.values()):
                snapshot = await changes.next(lambda: watched)  # the second commit may come after the read
        await changes.stop()
        await recorder.drain()

    asyncio.run(scenario())


def current_database_url(portal: Flask) -> str:
    return portal.extensions["rris.settings"].database_url


async def cut_the_listener(portal: Flask) -> None:
    """End the node's listening connection from the server's side, as a restart of PostgreSQL would."""
    address = libpq_address(current_database_url(portal))
    async with await psycopg.AsyncConnection.connect(address, autocommit=True) as admin:
        cursor = await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = %s", (f"LISTEN {CHANNEL}",)
        )
        assert [row[0] for row in await cursor.fetchall()] == [True]


def test_a_node_whose_database_refuses_to_listen_says_so_once_and_reads_at_the_interval(portal, monkeypatch, caplog):
    monkeypatch.setattr(change_notices, "RECONNECT_SECONDS", 0.01)
    nowhere = f"postgresql+psycopg://rris@127.0.0.1:{free_port()}/rris"
    recorder = CallRecorder(portal)
    changes = NotifiedChanges(PollingChanges(recorder, POLICY, 0.05), nowhere)

    async def scenario() -> None:
        await changes.start()
        for _read in range(5):  # each at the interval: no notice wakes them, none is needed
            await changes.next(Watched)
        await changes.stop()
        await recorder.drain()

    with caplog.at_level(logging.WARNING, logger="signaling.change_notices"):
        asyncio.run(scenario())
    assert not changes.listening
    assert [record.getMessage().split(" (")[0] for record in caplog.records] == ["on-demand notices are not coming"]
