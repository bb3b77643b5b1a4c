"""The call WebSocket through the real service on 127.0.0.1: who gets in, what is relayed, who is
cut off and why. Tickets come from the portal's own service; records land in the real database."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta

import aiohttp
import pytest

from rris.calls.domain.call_participants import Participant
from rris.calls.domain.call_tickets import CallTicket, sign_ticket
from rris.context import current_settings
from rris.enums import CallRole, GuestKind, Role
from signaling.protocol import Close
from tests import factories
from tests.notifications.test_outbox import confirmed
from tests.support.call_bookings import OPEN, attendances, guest_token, token
from tests.support.call_peers import ProtocolClient, SignalingUnderTest, running_signaling

OFFER_SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=fingerprint:sha-256 AB:CD\r\n"


def run(app, clock, scenario: Callable[[SignalingUnderTest], Awaitable[None]]) -> None:
    async def main() -> None:
        async with running_signaling(app, clock) as service:
            await scenario(service)
            await service.service.recorder.drain()

    asyncio.run(main())


def test_both_sides_see_each_other_and_sdp_is_relayed_only_to_the_named_peer(app, clock, call):
    booking, jelena, mariam = call
    officer_token, interpreter_token = token(booking, jelena, clock), token(booking, mariam, clock)

    async def scenario(service: SignalingUnderTest) -> None:
        officer = await service.connect()
        welcome = await officer.join(officer_token)
        assert welcome["you"] == {"id": f"user-{jelena.id}", "role": "officer", "name": "Jelena Marković"}
        assert welcome["peers"] == []
        interpreter = await service.connect()
        welcome = await interpreter.join(interpreter_token)
        assert [p["id"] for p in welcome["peers"]] == [f"user-{jelena.id}"]
        joined = await officer.expect("peer-joined")
        assert joined["peer"] == {"id": f"user-{mariam.id}", "role": "interpreter", "name": "Mariam"}
        await officer.send("offer", to=f"user-{mariam.id}", sdp=OFFER_SDP)
        offer = await interpreter.expect("offer")
        assert offer == {"type": "offer", "from": f"user-{jelena.id}", "sdp": OFFER_SDP}
        await interpreter.send("candidate", to=f"user-{jelena.id}", candidate=None)
        assert (await officer.expect("candidate"))["from"] == f"user-{mariam.id}"
        await interpreter.send("offer", to="user-999999", sdp=OFFER_SDP)
        assert (await interpreter.expect("error"))["code"] == "unknown_peer"
        await interpreter.send("ping")
        await interpreter.expect("pong")
        await officer.close()
        await interpreter.close()

    run(app, clock, scenario)
    assert [(a.role, a.user_id) for a in attendances(booking)] == [
        (CallRole.OFFICER, jelena.id),
        (CallRole.INTERPRETER, mariam.id),
    ]


def test_a_socket_from_another_origin_or_none_is_refused_before_the_upgrade(app, clock, call):
    async def scenario(service: SignalingUnderTest) -> None:
        for origin in ("https://evil.example", "null"):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await service.connect(origin=origin)
            assert refused.value.status == 403
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await service.session.ws_connect(service.url)  # no Origin header at all

    run(app, clock, scenario)


def forged(original: str, **changes: object) -> str:
    """The ticket with fields changed but the original signature kept."""
    payload, signature = original.split(".")
    fields = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    fields.update(changes)
    new_payload = base64.urlsafe_b64encode(json.dumps(fields).encode()).rstrip(b"=").decode()
    return f"{new_payload}.{signature}"


def test_the_ticket_matrix(app, clock, call):
    booking, jelena, mariam = call
    good = token(booking, mariam, clock)
    other = confirmed(jelena, factories.interpreter(pairs=(("pus", "srp"),)))  # same hour, another case
    secret = current_settings().secret_key

    def signed(**changes: object) -> str:
        fields = dict(
            room=booking.call_room,
            booking_id=booking.id,
            participant=Participant.user(mariam.id),
            role=CallRole.INTERPRETER,
            display_name="Mariam",
            not_before=OPEN,
            expires_at=booking.ends_at + timedelta(minutes=30),
            nonce="n-" + str(len(changes)),
        )
        fields.update(changes)
        return sign_ticket(CallTicket(**fields), secret)

    cases = {
        "not a ticket": ("hello", "ticket_malformed"),
        "another role, same signature": (forged(good, role="officer"), "ticket_bad_signature"),
        "another booking's room, same signature": (forged(good, room="x" * 24), "ticket_bad_signature"),
        "signed with another secret": (
            sign_ticket(CallTicket(**{**_fields(good), "role": CallRole.OFFICER}), "another secret " * 3),
            "ticket_bad_signature",
        ),
        "expired": (signed(expires_at=OPEN + timedelta(seconds=1), not_before=OPEN - timedelta(hours=1)), None),
        "too early": (signed(not_before=OPEN + timedelta(minutes=1)), "ticket_too_early"),
    }

    async def scenario(service: SignalingUnderTest) -> None:
        clock.advance(timedelta(seconds=2))
        for name, (ticket, code) in cases.items():
            client = await service.connect()
            await client.send("join", ticket=ticket)
            error = await client.expect("error")
            assert error["code"] == (code or "ticket_expired"), name
            assert await client.close_code() == Close.TICKET_REFUSED, name
        # A good ticket for another booking lands in that booking's room, never in this one.
        stranger = await service.connect()
        welcome = await stranger.join(token(other, jelena, clock))
        assert welcome["peers"] == []
        await stranger.close()

    run(app, clock, scenario)


def _fields(token: str) -> dict[str, object]:
    from rris.calls.domain.call_tickets import TicketKind, read_ticket

    ticket = read_ticket(token, current_settings().secret_key, OPEN, TicketKind.JOIN)
    return {name: getattr(ticket, name) for name in CallTicket.__dataclass_fields__}


def test_a_ticket_does_not_work_again_after_its_holder_left_but_does_after_a_dropped_connection(app, clock, call):
    booking, jelena, mariam = call
    officer_token, interpreter_token = token(booking, jelena, clock), token(booking, mariam, clock)

    async def scenario(service: SignalingUnderTest) -> None:
        officer = await service.connect()
        await officer.join(officer_token)
        interpreter = await service.connect()
        await interpreter.join(interpreter_token)
        await interpreter.close()  # dropped, not left: the same ticket gets back in
        assert (await officer.expect("peer-away"))["peer"] == f"user-{mariam.id}"
        interpreter = await service.connect()
        await interpreter.join(interpreter_token, resume=True)
        # the same page, same ticket: the others keep their peer connection to it
        assert (await officer.expect("peer-back"))["peer"]["id"] == f"user-{mariam.id}"
        await interpreter.send("leave")
        assert await interpreter.close_code() == Close.NORMAL
        left = await officer.expect("peer-left")
        assert left == {"type": "peer-left", "peer": f"user-{mariam.id}", "reason": "left"}
        replay = await service.connect()
        await replay.send("join", ticket=interpreter_token)
        assert (await replay.expect("error"))["code"] == "ticket_used"
        assert await replay.close_code() == Close.TICKET_USED
        await officer.send("ping")
        await officer.expect("pong")
        assert officer.inbox.empty()  # the refused socket relayed nothing and was never announced
        await officer.close()

    run(app, clock, scenario)
    reasons = [(a.role, a.left_reason) for a in attendances(booking)]
    assert reasons == [
        (CallRole.OFFICER, "gone"),
        (CallRole.INTERPRETER, "gone"),
        (CallRole.INTERPRETER, "left"),
    ]


def test_after_a_restart_of_the_service_returning_pages_are_announced_as_back(app, clock, call):
    booking, jelena, mariam = call
    officer_token, interpreter_token = token(booking, jelena, clock), token(booking, mariam, clock)

    async def scenario(service: SignalingUnderTest) -> None:
        # A fresh service knows no one: the first page back finds the room empty...
        officer = await service.connect()
        assert (await officer.join(officer_token, resume=True))["peers"] == []
        interpreter = await service.connect()
        welcome = await interpreter.join(interpreter_token, resume=True)
        assert [p["id"] for p in welcome["peers"]] == [f"user-{jelena.id}"]
        # ...and the second one is "back", so nobody tears down a call whose media never stopped.
        assert (await officer.expect("peer-back"))["peer"]["id"] == f"user-{mariam.id}"
        # A reload is a new page with a new ticket: that one starts afresh.
        reloaded = await service.connect()
        await reloaded.join(token(booking, mariam, clock), resume=False)
        assert (await officer.expect("peer-joined"))["peer"]["id"] == f"user-{mariam.id}"
        for client in (officer, interpreter, reloaded):
            await client.close()

    run(app, clock, scenario)


def test_joining_from_another_tab_replaces_the_old_connection_cleanly(app, clock, call):
    booking, jelena, mariam = call
    officer_token = token(booking, jelena, clock)
    second_tab_token = token(booking, jelena, clock)

    async def scenario(service: SignalingUnderTest) -> None:
        interpreter = await service.connect()
        await interpreter.join(token(booking, mariam, clock))
        first_tab = await service.connect()
        await first_tab.join(officer_token)
        await interpreter.expect("peer-joined")
        second_tab = await service.connect()
        welcome = await second_tab.join(second_tab_token)
        assert [p["id"] for p in welcome["peers"]] == [f"user-{mariam.id}"]  # not itself
        assert (await first_tab.expect("error"))["code"] == "replaced"
        assert await first_tab.close_code() == Close.REPLACED
        assert (await interpreter.expect("peer-joined"))["peer"]["id"] == f"user-{jelena.id}"
        await interpreter.send("offer", to=f"user-{jelena.id}", sdp=OFFER_SDP)
        assert (await second_tab.expect("offer"))["from"] == f"user-{mariam.id}"
        await asyncio.sleep(1.5)  # longer than the away grace: no ghost "left" for the replaced tab
        await interpreter.send("ping")
        await interpreter.expect("pong")
        assert all(m["type"] != "peer-left" for m in _drain(interpreter))
        await second_tab.close()
        await interpreter.close()

    run(app, clock, scenario)
    assert [a.left_reason for a in attendances(booking) if a.role is CallRole.OFFICER] == ["replaced", "gone"]


def _drain(client: ProtocolClient) -> list[dict[str, object]]:
    messages = []
    while not client.inbox.empty():
        messages.append(client.inbox.get_nowait())
    return messages


def test_a_participant_who_vanishes_is_shown_gone_within_seconds(app, clock, call):
    booking, jelena, mariam = call
    officer_token, interpreter_token = token(booking, jelena, clock), token(booking, mariam, clock)

    async def scenario(service: SignalingUnderTest) -> None:
        officer = await service.connect()
        await officer.join(officer_token)
        # A client that stops answering pings (its network is gone) without closing anything.
        silent = await service.session.ws_connect(service.url, origin=service.origin, autoping=False)
        await silent.send_str(json.dumps({"type": "join", "ticket": interpreter_token}))
        await officer.expect("peer-joined")
        started = asyncio.get_running_loop().time()
        assert (await officer.expect("peer-away"))["peer"] == f"user-{mariam.id}"
        left = await officer.expect("peer-left")
        assert left["reason"] == "gone"
        # heartbeat 1 s + away grace 1 s in the test timings (4 s + 5 s in production)
        assert asyncio.get_running_loop().time() - started < 4
        await silent.close()
        await officer.close()

    run(app, clock, scenario)


def test_the_call_closes_when_the_ticket_runs_out(app, clock, call):
    booking, jelena, _mariam = call
    officer_token = token(booking, jelena, clock)
    clock.set(booking.ends_at + timedelta(minutes=30) - timedelta(seconds=1))

    async def scenario(service: SignalingUnderTest) -> None:
        officer = await service.connect()
        await officer.join(officer_token)
        assert (await officer.expect("error"))["code"] == "call_over"
        assert await officer.close_code() == Close.CALL_OVER

    run(app, clock, scenario)
    assert [a.left_reason for a in attendances(booking)] == ["call_over"]


BAD_INPUT = {
    "not JSON": ("text", "{not json", Close.BAD_FRAME, "not_json"),
    "a JSON array": ("text", "[1, 2]", Close.BAD_FRAME, "bad_frame"),
    "binary": ("bytes", b"\x00\x01", Close.BAD_FRAME, "binary_frame"),
    "unknown type": ("json", {"type": "hack"}, Close.INVALID_MESSAGE, "unknown_type"),
    "SDP without fingerprint": (
        "json",
        {"type": "offer", "to": "x", "sdp": "v=0\r\ns=-\r\n"},
        Close.INVALID_MESSAGE,
        "no_fingerprint",
    ),
    "join twice": ("json", {"type": "join", "ticket": "again"}, Close.INVALID_MESSAGE, "already_joined"),
    "state not in the list": (
        "json",
        {"type": "status", "peer": "x", "state": "on fire"},
        Close.BAD_FRAME,
        "bad_field",
    ),
    "over 64 KB": ("text", json.dumps({"type": "ping", "pad": "x" * 70_000}), Close.TOO_BIG, None),
}


@pytest.mark.parametrize("case", BAD_INPUT, ids=list(BAD_INPUT))
def test_bad_input_cuts_off_the_offender_and_no_one_else(app, clock, call, case):
    booking, jelena, mariam = call
    officer_token, interpreter_token = token(booking, jelena, clock), token(booking, mariam, clock)
    kind, payload, close_code, error_code = BAD_INPUT[case]

    async def scenario(service: SignalingUnderTest) -> None:
        interpreter = await service.connect()
        await interpreter.join(interpreter_token)
        offender = await service.connect()
        await offender.join(officer_token)
        await interpreter.expect("peer-joined")
        if kind == "json":
            await offender.socket.send_str(json.dumps(payload))
        elif kind == "bytes":
            await offender.socket.send_bytes(payload)
        else:
            await offender.socket.send_str(payload)
        if error_code is not None:
            assert (await offender.expect("error"))["code"] == error_code
        assert await offender.close_code() == close_code
        assert (await interpreter.expect("peer-away"))["peer"] == f"user-{jelena.id}"
        await interpreter.send("ping")
        await interpreter.expect("pong")
        await interpreter.close()

    run(app, clock, scenario)


@pytest.mark.parametrize("kind", ["messages", "candidates"])
def test_a_flooding_client_is_cut_off_while_another_room_carries_on(app, clock, call, kind):
    booking, jelena, mariam = call
    other = confirmed(jelena, factories.interpreter(pairs=(("pus", "srp"),)))  # same hour, another case
    other_interpreter = other.active_assignments[0].interpreter.user
    tokens = [token(booking, jelena, clock), token(booking, mariam, clock)]
    other_tokens = [token(other, jelena, clock), token(other, other_interpreter, clock)]

    async def scenario(service: SignalingUnderTest) -> None:
        quiet_officer, quiet_interpreter = await service.connect(), await service.connect()
        await quiet_officer.join(other_tokens[0])
        await quiet_interpreter.join(other_tokens[1])
        flooder, victim = await service.connect(), await service.connect()
        await victim.join(tokens[1])
        await flooder.join(tokens[0])
        for _ in range(400):
            if flooder.socket.closed:
                break
            if kind == "messages":
                await flooder.send("ping")
            else:
                await flooder.send("candidate", to=f"user-{mariam.id}", candidate={"candidate": "candidate:1 1 udp"})
        assert (await flooder.expect("error"))["code"] == ("flood" if kind == "messages" else "candidate_flood")
        assert await flooder.close_code() == Close.FLOOD
        await quiet_officer.send("offer", to=f"user-{other_interpreter.id}", sdp=OFFER_SDP)
        assert (await quiet_interpreter.expect("offer"))["from"] == f"user-{jelena.id}"
        for client in (victim, quiet_officer, quiet_interpreter):
            await client.close()

    run(app, clock, scenario)


def test_a_silent_client_is_closed_and_a_message_before_joining_refused(app, clock, call):
    async def scenario(service: SignalingUnderTest) -> None:
        silent = await service.connect()
        assert (await silent.expect("error"))["code"] == "join_timeout"
        assert await silent.close_code() == Close.JOIN_TIMEOUT
        eager = await service.connect()
        await eager.send("offer", to="user-1", sdp=OFFER_SDP)
        assert (await eager.expect("error"))["code"] == "join_first"
        assert await eager.close_code() == Close.INVALID_MESSAGE

    run(app, clock, scenario)


def test_states_and_quality_are_recorded_per_participant(app, clock, call):
    booking, jelena, mariam = call
    officer_token = token(booking, jelena, clock)

    async def scenario(service: SignalingUnderTest) -> None:
        officer = await service.connect()
        await officer.join(officer_token)
        peer = f"user-{mariam.id}"
        for state in ("connecting", "connected", "connected", "poor", "connected"):
            await officer.send("status", peer=peer, state=state)
        for rtt, loss in ((40, 0.0), (60, 1.0), (500, 8.0)):
            await officer.send("quality", peer=peer, rtt_ms=rtt, loss_percent=loss, bitrate_kbps=900)
        clock.advance(timedelta(minutes=3))
        await officer.send("leave")
        await officer.close_code()

    run(app, clock, scenario)
    [attendance] = attendances(booking)
    assert attendance.left_reason == "left"
    assert attendance.left_at - attendance.joined_at == timedelta(minutes=3)
    assert (attendance.quality_samples, attendance.poor_samples, attendance.rtt_ms_max) == (3, 1, 500)
    assert [change.state for change in attendance.state_changes] == ["connecting", "connected", "poor", "connected"]


def test_a_fifth_participant_is_refused_because_browsers_connect_as_a_mesh(app, clock, call):
    booking, jelena, mariam = call
    colleague = factories.user(Role.CASEWORKER, department=booking.department, name="Stefan Ilić")
    tokens = [
        token(booking, jelena, clock),
        token(booking, mariam, clock),
        guest_token(booking, jelena, clock, "Legal adviser"),
        guest_token(booking, jelena, clock, "Guardian", GuestKind.GUARDIAN),
    ]
    fifth = token(booking, colleague, clock)

    async def scenario(service: SignalingUnderTest) -> None:
        clients = [await service.connect() for _ in tokens]
        for client, ticket in zip(clients, tokens, strict=True):
            await client.join(ticket)
        late = await service.connect()
        await late.send("join", ticket=fifth)
        assert (await late.expect("error"))["code"] == "room_full"
        assert await late.close_code() == Close.ROOM_FULL
        await clients[0].close()  # dropped: their place is kept for a reconnect during the grace
        again = await service.connect()
        await again.send("join", ticket=fifth)
        assert await again.close_code() == Close.ROOM_FULL
        await clients[1].send("leave")  # left for good: the place is free
        await clients[1].close_code()
        assert (await (await service.connect()).join(fifth))["you"]["name"] == "Stefan Ilić"

    run(app, clock, scenario)
