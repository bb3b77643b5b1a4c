"""Two signalling nodes sharing one Redis serve one call: real servers on 127.0.0.1, real aiortc
peers, a real redis-server. A room is hosted on one node and the other bridges to it; used
tickets and "one connection per participant" hold across nodes; a node that stops hands its
calls over; a stopped Redis refuses new calls while the running ones keep their media."""

from __future__ import annotations

import asyncio
import json
import shutil
from datetime import timedelta

import pytest
from redis.asyncio import Redis

from deploy.local.ports import poll_until
from deploy.local.redis import HOST, LocalRedis, answers_ping
from rris.bookings.models.bookings import Booking
from rris.calls.models.calls import CallSummary
from rris.enums import CallRole
from rris.extensions import db
from rris.ondemand.domain.states import CallState
from signaling.nodes import ROOM_KEY
from signaling.protocol import Close
from tests import factories
from tests.signaling.node_world import Nodes, two_nodes
from tests.signaling.test_ondemand_live import answered_call, call_state
from tests.signaling.test_phone_bridge import leg_ticket, near
from tests.support.aiortc_loopback import loopback_ice  # noqa: F401  (fixture)
from tests.support.call_bookings import attendances, guest_token, token
from tests.support.call_peers import FAST, AiortcParticipant, ProtocolClient
from tests.support.media_streams import PhoneSide, ToneFrames

pytestmark = pytest.mark.usefixtures("loopback_ice")

OFFICER_HZ, INTERPRETER_HZ = 440.0, 880.0
LEFT_AR = "لقد غادرت هذه المكالمة. للانضمام إليها مجددًا، افتح صفحة الجلسة مرة أخرى."


def run(app, clock, redis_url: str, scenario) -> None:
    async def main() -> None:
        async with two_nodes(app, clock, redis_url) as nodes:
            async with asyncio.timeout(60):
                await scenario(nodes)
            for node in (nodes.a, nodes.b):
                await node.service.recorder.drain()

    asyncio.run(main())


async def still_hearing(listener: AiortcParticipant, speaker: str, frames: int = 25) -> None:
    """`listener` keeps receiving `speaker`'s audio: `frames` more frames (0.5 s) arrive."""
    before = listener.heard[speaker].frames
    await listener.wait_heard(speaker, frames=before + frames)


async def told_to_reconnect(client: ProtocolClient) -> int | None:
    """The close code of a socket whose last frame asked the page to reconnect."""
    code = await client.close_code()
    assert json.loads(client.frames[-1]) == {"type": "reconnect"}, client.frames[-3:]
    return code


def test_peers_on_different_nodes_connect_and_hear_each_other(app, clock, call, redis_server):
    booking, jelena, mariam = call
    tokens = token(booking, jelena, clock), token(booking, mariam, clock)

    async def scenario(nodes: Nodes) -> None:
        officer = AiortcParticipant(await nodes.client(nodes.a), OFFICER_HZ)
        interpreter = AiortcParticipant(await nodes.client(nodes.b), INTERPRETER_HZ)
        await officer.join(tokens[0])
        await interpreter.join(tokens[1])
        await officer.wait_connected(interpreter.me)
        await interpreter.wait_connected(officer.me)
        assert (await officer.wait_heard(interpreter.me, frames=50)).tones()[0] == pytest.approx(INTERPRETER_HZ, abs=15)
        assert (await interpreter.wait_heard(officer.me, frames=50)).tones()[0] == pytest.approx(OFFICER_HZ, abs=15)
        # One node holds the room; the other only bridges its page to it.
        assert [len(nodes.a.service.rooms), len(nodes.b.service.rooms)] == [1, 0]
        clock.advance(timedelta(minutes=10))
        await interpreter.leave()
        await officer.leave()

    run(app, clock, redis_server.url, scenario)
    assert [(a.role, a.left_at - a.joined_at, a.left_reason) for a in attendances(booking)] == [
        (CallRole.OFFICER, timedelta(minutes=10), "left"),
        (CallRole.INTERPRETER, timedelta(minutes=10), "left"),
    ]


def test_a_ticket_left_on_one_node_is_refused_on_the_other(app, clock, call, redis_server):
    booking, jelena, _mariam = call
    ticket = token(booking, jelena, clock)

    async def scenario(nodes: Nodes) -> None:
        first = await nodes.client(nodes.a)
        await first.join(ticket)
        await first.send("leave")
        assert await first.close_code() == Close.NORMAL
        again = await nodes.client(nodes.b)
        await again.send("join", ticket=ticket, resume=False)
        assert (await again.expect("error"))["code"] == "ticket_used"
        assert await again.close_code() == Close.TICKET_USED

    run(app, clock, redis_server.url, scenario)


def test_a_page_refused_by_the_node_hosting_its_room_is_told_why_in_its_browsers_language(
    app, clock, call, redis_server
):
    booking, jelena, mariam = call
    ticket = token(booking, jelena, clock)

    async def scenario(nodes: Nodes) -> None:
        interpreter = await nodes.client(nodes.a)
        await interpreter.join(token(booking, mariam, clock))  # node A hosts the room throughout
        first = await nodes.client(nodes.a)
        await first.join(ticket)
        await first.send("leave")
        assert await first.close_code() == Close.NORMAL
        socket = await nodes.session.ws_connect(
            nodes.b.url, origin=nodes.b.origin, headers={"Accept-Language": "ar-SA, en;q=0.1"}
        )
        again = ProtocolClient(socket)
        await again.send("join", ticket=ticket, resume=False)
        refused = await again.expect("error")
        assert (refused["code"], refused["message"]) == ("ticket_used", LEFT_AR)
        assert await again.close_code() == Close.TICKET_USED
        assert [len(nodes.a.service.rooms), len(nodes.b.service.rooms)] == [1, 0]  # refused by A, through B

    run(app, clock, redis_server.url, scenario)


def test_a_second_connection_on_another_node_replaces_the_first(app, clock, call, redis_server):
    booking, jelena, mariam = call
    officer_ticket, interpreter_ticket = token(booking, jelena, clock), token(booking, mariam, clock)

    async def scenario(nodes: Nodes) -> None:
        interpreter = await nodes.client(nodes.a)
        await interpreter.join(interpreter_ticket)
        first_tab = await nodes.client(nodes.a)
        await first_tab.join(officer_ticket)
        second_tab = await nodes.client(nodes.b)
        welcome = await second_tab.join(officer_ticket)
        assert [peer["id"] for peer in welcome["peers"]] == [f"user-{mariam.id}"]
        assert (await first_tab.expect("error"))["code"] == "replaced"
        assert await first_tab.close_code() == Close.REPLACED
        assert (await interpreter.expect("peer-joined"))["peer"]["id"] == f"user-{jelena.id}"
        # The replacement on node B is the one the room relays to.
        await interpreter.send("restart", to=f"user-{jelena.id}")
        assert (await second_tab.expect("restart"))["from"] == f"user-{mariam.id}"

    run(app, clock, redis_server.url, scenario)


def test_a_stopped_node_hands_its_call_to_the_other_and_the_media_never_stops(app, clock, call, redis_server):
    booking, jelena, mariam = call
    tokens = token(booking, jelena, clock), token(booking, mariam, clock)

    async def scenario(nodes: Nodes) -> None:
        officer = AiortcParticipant(await nodes.client(nodes.a), OFFICER_HZ)
        interpreter = AiortcParticipant(await nodes.client(nodes.b), INTERPRETER_HZ)
        await officer.join(tokens[0])
        await interpreter.join(tokens[1])
        await officer.wait_connected(interpreter.me)
        await interpreter.wait_heard(officer.me, frames=25)
        await officer.wait_heard(interpreter.me, frames=25)
        clock.advance(timedelta(minutes=10))
        officer_socket, interpreter_socket = officer.client, interpreter.client
        await nodes.drain(nodes.a)  # node A hosted the room
        # Both pages are told to reconnect: the officer by its own node, the interpreter through B.
        assert await told_to_reconnect(officer_socket) == Close.GOING_AWAY
        assert await told_to_reconnect(interpreter_socket) in (Close.GOING_AWAY, Close.SERVICE_RESTART)
        await officer.resume(await nodes.client(nodes.b), tokens[0])
        await interpreter.resume(await nodes.client(nodes.b), tokens[1])
        await still_hearing(officer, interpreter.me)
        await still_hearing(interpreter, officer.me)
        assert len(nodes.b.service.rooms) == 1
        clock.advance(timedelta(minutes=10))
        await interpreter.leave()
        await officer.leave()

    run(app, clock, redis_server.url, scenario)
    present = attendances(booking)
    assert [(a.role, a.left_reason) for a in present] == [
        (CallRole.OFFICER, "service_stopped"),
        (CallRole.INTERPRETER, "service_stopped"),
        (CallRole.OFFICER, "left"),
        (CallRole.INTERPRETER, "left"),
    ]
    assert present[0].left_at == present[2].joined_at  # one continuous stay each, across the move
    assert present[1].left_at == present[3].joined_at
    assert db.session.get(CallSummary, booking.id).delivered_seconds == 20 * 60


class RestartableRedis(LocalRedis):
    """The suite's redis-server, stopped and started again on the same port (a Redis outage)."""

    def outage(self) -> None:
        """Stop the server; `restart` brings it back on the same port, empty."""
        self.kept_port = self.port
        self.stop()

    def restart(self) -> None:
        port, binary = self.kept_port, shutil.which("redis-server")
        assert binary is not None
        self.port = port
        self._process = self._launch(binary)
        assert poll_until(lambda: answers_ping(HOST, port), 10.0), self.log_text()


def test_with_redis_stopped_new_calls_are_refused_running_media_flows_and_all_recovers(
    app, clock, call, tmp_path
):
    booking, jelena, mariam = call
    tokens = token(booking, jelena, clock), token(booking, mariam, clock)
    adviser = guest_token(booking, jelena, clock, "Legal adviser")

    with RestartableRedis(tmp_path / "redis") as redis:

        async def scenario(nodes: Nodes) -> None:
            officer = AiortcParticipant(await nodes.client(nodes.a), OFFICER_HZ)
            interpreter = AiortcParticipant(await nodes.client(nodes.a), INTERPRETER_HZ)
            await officer.join(tokens[0])
            await interpreter.join(tokens[1])
            await officer.wait_heard(interpreter.me, frames=25)
            await interpreter.wait_heard(officer.me, frames=25)
            redis.outage()
            newcomer = await nodes.client(nodes.b)
            await newcomer.send("join", ticket=adviser, resume=False)
            refusal = await newcomer.expect("error")
            assert refusal["code"] == "service_unavailable"
            assert await newcomer.close_code() == Close.TRY_AGAIN
            await still_hearing(officer, interpreter.me)
            await still_hearing(interpreter, officer.me)
            redis.restart()
            # Node A, which hosts the running call, claims its room again within a beat.
            async with Redis.from_url(redis.url) as client, asyncio.timeout(5):
                while await client.get(ROOM_KEY + booking.call_room) != b"node-a":
                    await asyncio.sleep(0.05)
            async with asyncio.timeout(5):
                while True:  # the page tries again with backoff, as call.js does
                    newcomer = await nodes.client(nodes.b)
                    await newcomer.send("join", ticket=adviser, resume=False)
                    first = await newcomer.inbox.get()
                    if first["type"] == "welcome":
                        break
                    await asyncio.sleep(0.2)
            assert {peer["id"] for peer in first["peers"]} == {officer.me, interpreter.me}
            async with asyncio.timeout(5):  # the officer's page hears of the newcomer
                while not any(json.loads(frame)["type"] == "peer-joined" for frame in officer.client.frames):
                    await asyncio.sleep(0.05)

        run(app, clock, redis.url, scenario)


def test_a_phone_stream_reaching_the_other_node_joins_the_call_on_its_host(app, clock, call, redis_server):
    booking, jelena, mariam = call
    officer_token = token(booking, jelena, clock)
    phone_ticket = leg_ticket(booking, mariam)
    phone_id = f"phone-user-{mariam.id}"

    async def scenario(nodes: Nodes) -> None:
        officer = AiortcParticipant(await nodes.client(nodes.a), INTERPRETER_HZ)
        await officer.join(officer_token)
        phone = await PhoneSide.open(nodes.session, nodes.b.phone_url)  # Twilio connected to node B
        await phone.start(phone_ticket)
        phone.play(ToneFrames(OFFICER_HZ))
        await officer.wait_connected(phone_id)
        assert near((await officer.wait_heard(phone_id, frames=50)).tones(), OFFICER_HZ)
        await phone.wait_heard(frames=50)
        assert near(phone.tones(frames=40), INTERPRETER_HZ)
        assert [len(nodes.a.service.rooms), len(nodes.b.service.rooms)] == [1, 0]  # the leg joined node A's room
        clock.advance(timedelta(minutes=5))
        await phone.stop()
        await officer.leave()

    run(app, clock, redis_server.url, scenario)
    assert ("phone", phone_id, "left", timedelta(minutes=5)) in {
        (a.channel, a.participant, a.left_reason, a.left_at - a.joined_at) for a in attendances(booking)
    }


def test_a_node_that_finds_its_room_claimed_elsewhere_sends_its_pages_there(app, clock, call, redis_server):
    booking, jelena, mariam = call
    tokens = token(booking, jelena, clock), token(booking, mariam, clock)

    async def scenario(nodes: Nodes) -> None:
        officer = await nodes.client(nodes.a)
        await officer.join(tokens[0])
        interpreter = await nodes.client(nodes.b)
        await interpreter.join(tokens[1])
        # Node B holds the room now (as after a Redis outage in which B claimed it first).
        async with Redis.from_url(redis_server.url) as client:
            await client.set(ROOM_KEY + booking.call_room, "node-b", px=60_000)
        assert (await officer.expect("reconnect", timeout=2)) == {"type": "reconnect"}
        assert await officer.close_code() == Close.SERVICE_RESTART
        assert await told_to_reconnect(interpreter) in (Close.SERVICE_RESTART, Close.GOING_AWAY)
        officer, interpreter = await nodes.client(nodes.a), await nodes.client(nodes.a)
        assert (await officer.join(tokens[0], resume=True))["you"]["id"] == f"user-{jelena.id}"
        welcome = await interpreter.join(tokens[1], resume=True)
        assert [peer["id"] for peer in welcome["peers"]] == [f"user-{jelena.id}"]
        assert [len(nodes.a.service.rooms), len(nodes.b.service.rooms)] == [0, 1]

    run(app, clock, redis_server.url, scenario)


def test_an_on_demand_call_whose_room_moves_to_the_other_node_is_not_ended_as_deserted(app, clock, ctx, redis_server):
    jelena = factories.caseworker("RS", name="Jelena Marković")
    db.session.commit()
    call_id, booking_id = answered_call(jelena, clock)
    booking = db.session.get_one(Booking, booking_id)
    mariam = booking.active_assignments[0].interpreter.user
    tokens = token(booking, jelena, clock), token(booking, mariam, clock)

    async def scenario(nodes: Nodes) -> None:
        officer = await nodes.client(nodes.a)
        await officer.join(tokens[0])
        # Node B holds the room now: node A's pages leave its room there, and nobody deserted it.
        async with Redis.from_url(redis_server.url) as client:
            await client.set(ROOM_KEY + booking.call_room, "node-b", px=60_000)
        await officer.expect("reconnect", timeout=2)
        await officer.close_code()
        officer = await nodes.client(nodes.b)
        await officer.join(tokens[0], resume=True)
        await asyncio.sleep(FAST.away_grace_seconds * 3)
        assert await nodes.a.core(call_state, call_id) is CallState.ANSWERED
        await officer.send("leave")
        await officer.close_code()

    run(app, clock, redis_server.url, scenario)
