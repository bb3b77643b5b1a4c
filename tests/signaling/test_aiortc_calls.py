"""Real WebRTC peers (aiortc) join bookings through the real signalling service on 127.0.0.1 and
hear each other: each sends its own tone, and each finds the others' tones by FFT."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from rris.enums import CallRole
from tests.support.aiortc_loopback import loopback_ice  # noqa: F401  (fixture)
from tests.support.call_bookings import attendances, guest_token, token
from tests.support.call_peers import AiortcParticipant, SignalingUnderTest, running_signaling

pytestmark = pytest.mark.usefixtures("loopback_ice")

OFFICER_HZ, INTERPRETER_HZ, ADVISER_HZ = 440.0, 880.0, 1320.0


def near(found: list[float], wanted: float) -> bool:
    return any(abs(frequency - wanted) < 15 for frequency in found)


def test_officer_and_interpreter_exchange_audio_and_a_data_channel_message(app, clock, call):
    booking, jelena, mariam = call
    tokens = token(booking, jelena, clock), token(booking, mariam, clock)

    async def scenario(service: SignalingUnderTest) -> None:
        officer = AiortcParticipant(await service.connect(), OFFICER_HZ)
        interpreter = AiortcParticipant(await service.connect(), INTERPRETER_HZ)
        await officer.join(tokens[0])
        await interpreter.join(tokens[1])
        officer_id, interpreter_id = f"user-{jelena.id}", f"user-{mariam.id}"
        await officer.wait_connected(interpreter_id)
        await interpreter.wait_connected(officer_id)
        heard_by_officer = await officer.wait_heard(interpreter_id, frames=60)
        heard_by_interpreter = await interpreter.wait_heard(officer_id, frames=60)
        assert near(heard_by_officer.tones(), INTERPRETER_HZ)
        assert near(heard_by_interpreter.tones(), OFFICER_HZ)
        assert await officer.wait_message(interpreter_id) == f"hello from {interpreter_id}"
        assert await interpreter.wait_message(officer_id) == f"hello from {officer_id}"
        clock.advance(timedelta(minutes=20))
        await interpreter.leave()
        await officer.leave()

    run_media(app, clock, scenario)
    present = attendances(booking)
    assert [(a.role, a.left_at - a.joined_at) for a in present] == [
        (CallRole.OFFICER, timedelta(minutes=20)),
        (CallRole.INTERPRETER, timedelta(minutes=20)),
    ]
    assert {state.state for a in present for state in a.state_changes} >= {"connecting", "connected"}


def test_three_parties_everyone_hears_everyone(app, clock, call):
    booking, jelena, mariam = call
    adviser = guest_token(booking, jelena, clock, "Legal adviser")
    tokens = token(booking, jelena, clock), token(booking, mariam, clock), adviser
    frequencies = (OFFICER_HZ, INTERPRETER_HZ, ADVISER_HZ)

    async def scenario(service: SignalingUnderTest) -> None:
        people = [AiortcParticipant(await service.connect(), hz) for hz in frequencies]
        for person, ticket in zip(people, tokens, strict=True):
            await person.join(ticket)
        ids = [person.me for person in people]
        assert ids[:2] == [f"user-{jelena.id}", f"user-{mariam.id}"] and ids[2].startswith("guest-")
        for listener in people:
            for speaker, hz in zip(people, frequencies, strict=True):
                if speaker is listener:
                    continue
                await listener.wait_connected(speaker.me)
                heard = await listener.wait_heard(speaker.me, frames=60)
                assert near(heard.tones(), hz), (listener.me, speaker.me, heard.tones())
                assert not near(heard.tones(), listener.frequency)  # each stream is one person, no echo
        for person in people:
            await person.leave()

    run_media(app, clock, scenario)
    assert {a.role for a in attendances(booking)} == {CallRole.OFFICER, CallRole.INTERPRETER, CallRole.GUEST}


def run_media(app, clock, scenario) -> None:
    async def main() -> None:
        async with running_signaling(app, clock) as service:
            async with asyncio.timeout(60):
                await scenario(service)
            await service.service.recorder.drain()

    asyncio.run(main())


