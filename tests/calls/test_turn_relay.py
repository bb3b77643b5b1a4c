"""Calls relay through our own coturn with the TURN credentials the portal hands out in a join
pass, and coturn refuses those credentials once the ticket they came with has expired."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aioice.ice import CandidatePair
from aiortc import (
    RTCConfiguration,
    RTCDataChannel,
    RTCIceServer,
    RTCIceTransportPolicy,
    RTCPeerConnection,
)
from aiortc.mediastreams import AudioStreamTrack, MediaStreamTrack
from flask import Flask

from rris.access.queries.actors import actor_of
from rris.bookings.models.bookings import Booking
from rris.calls.services.call_access import JoinPass, issue_join_pass
from rris.extensions import db
from rris.timeutil import FrozenClock
from tests.support.aiortc_loopback import loopback_ice  # noqa: F401  (fixture)
from tests.support.call_bookings import call_setup, open_call
from tests.support.coturn import Coturn
from tests.support.ports import poll_until

pytestmark = pytest.mark.usefixtures("loopback_ice")

SECRET = "the static-auth-secret of our test coturn"
CONNECT_TIMEOUT_SECONDS = 10.0
REFUSAL_TIMEOUT_SECONDS = 1.5


@pytest.fixture
def coturn(tmp_path: Path) -> Iterator[Coturn]:
    """Our own coturn on a free loopback port, for this test only."""
    if shutil.which("turnserver") is None:
        pytest.skip("turnserver (coturn) is missing; run scripts/ensure_system_packages.sh as root")
    with Coturn(tmp_path, SECRET) as server:
        yield server


@pytest.fixture
def turn_configured(app: Flask, coturn: Coturn, monkeypatch: pytest.MonkeyPatch) -> Coturn:
    """The portal points its join passes at the test coturn, with coturn's secret."""
    settings = app.extensions["rris.settings"].replace(turn_urls=(coturn.url,), turn_secret=SECRET)
    monkeypatch.setitem(app.extensions, "rris.settings", settings)
    return coturn


def test_a_relay_only_call_goes_through_our_coturn_with_the_credentials_of_the_join_pass(ctx, clock, turn_configured):
    booking, jelena, mariam = open_call(clock)
    happening_now(booking, clock)
    officer = issue_join_pass(booking.id, actor_of(jelena), jelena, clock.now(), call_setup())
    interpreter = issue_join_pass(booking.id, actor_of(mariam), mariam, clock.now(), call_setup())
    assert [server["urls"] for server in officer.ice_servers] == [[turn_configured.url]]

    call = asyncio.run(relay_only_call(officer, interpreter, CONNECT_TIMEOUT_SECONDS))

    assert call.states == ("connected", "connected"), turn_configured.log_text()
    assert call.candidate_types == ({"relay"}, {"relay"})  # nothing but relayed candidates was offered
    for pair in call.selected:
        assert (pair.local_candidate.type, pair.remote_candidate.type) == ("relay", "relay")
        assert pair.local_candidate.host == pair.remote_candidate.host == "127.0.0.1"  # coturn's relay address
    assert call.audio_frames == (True, True)
    assert call.messages == ("hello from the interpreter", "hello from the officer")
    assert not refused(turn_configured.log_text(), officer.ice_servers[0]["username"])


def test_turn_credentials_of_an_expired_ticket_are_refused(ctx, clock, turn_configured):
    # The booking is the one of Wednesday 14 January 2026; its ticket, and so its TURN
    # credentials, expired long before coturn's (real) clock reads now.
    booking, jelena, mariam = open_call(clock)
    officer = issue_join_pass(booking.id, actor_of(jelena), jelena, clock.now(), call_setup())
    interpreter = issue_join_pass(booking.id, actor_of(mariam), mariam, clock.now(), call_setup())
    assert officer.ticket.expires_at < datetime.now(UTC)

    call = asyncio.run(relay_only_call(officer, interpreter, REFUSAL_TIMEOUT_SECONDS))

    assert "connected" not in call.states
    assert call.candidate_types == (set(), set())  # coturn allocated no relay for either
    username = officer.ice_servers[0]["username"]
    assert poll_until(lambda: refused(turn_configured.log_text(), username), timeout=2), turn_configured.log_text()


def happening_now(booking: Booking, clock: FrozenClock) -> None:
    """Move the booking (and the portal's clock) to the real present.

    coturn checks the expiry inside a TURN username against the machine's real clock, while the
    suite's clock sits in January 2026; a call that coturn should accept must be running now."""
    now = datetime.now(UTC).replace(microsecond=0)
    booking.starts_at = now - timedelta(minutes=5)
    booking.ends_at = now + timedelta(hours=1)
    db.session.flush()
    clock.set(now)


def refused(coturn_log: str, username: str) -> bool:
    """True when coturn logged a 401 for a request by `username`."""
    return any(username in line and "401" in line for line in coturn_log.splitlines())


def relay_only(join: JoinPass) -> RTCConfiguration:
    """An aiortc configuration from a join pass's ICE servers, using relayed candidates only."""
    servers = [
        RTCIceServer(urls=server["urls"], username=server.get("username"), credential=server.get("credential"))
        for server in join.ice_servers
    ]
    return RTCConfiguration(iceServers=servers, iceTransportPolicy=RTCIceTransportPolicy.RELAY)


@dataclass
class Peer:
    """One side of the call, and what it saw."""

    connection: RTCPeerConnection
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    settled: asyncio.Event = field(default_factory=asyncio.Event)  # connected or failed
    tracks: asyncio.Queue[MediaStreamTrack] = field(default_factory=asyncio.Queue)
    channel: asyncio.Future[RTCDataChannel] = field(default_factory=asyncio.Future)
    messages: asyncio.Queue[str] = field(default_factory=asyncio.Queue)

    def __post_init__(self) -> None:
        self.connection.addTrack(AudioStreamTrack())

        @self.connection.on("connectionstatechange")
        def on_state() -> None:
            if self.connection.connectionState == "connected":
                self.connected.set()
            if self.connection.connectionState in ("connected", "failed", "closed"):
                self.settled.set()

        @self.connection.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            self.tracks.put_nowait(track)

        @self.connection.on("datachannel")
        def on_datachannel(channel: RTCDataChannel) -> None:
            self.listen(channel)

    def listen(self, channel: RTCDataChannel) -> None:
        """Collect the channel's messages; it is this peer's channel once it is open."""
        channel.on("message", self.messages.put_nowait)
        if channel.readyState == "open":
            self.channel.set_result(channel)
        else:
            channel.on("open", lambda: self.channel.done() or self.channel.set_result(channel))

    async def hears_audio(self, timeout: float) -> bool:
        """True when a frame of the other side's audio arrives in time."""
        track = await asyncio.wait_for(self.tracks.get(), timeout)
        await asyncio.wait_for(track.recv(), timeout)
        return True

    def selected_pair(self) -> CandidatePair:
        """The candidate pair ICE nominated. aiortc has no public accessor for it, so this reads
        the aioice connection under the SCTP transport (audio and data share it: BUNDLE)."""
        ice_connection = self.connection.sctp.transport.transport._connection
        [pair] = ice_connection._nominated.values()
        return pair

    def candidate_types(self) -> set[str]:
        """The types of the candidates in this peer's session description."""
        sdp = self.connection.localDescription.sdp
        return {line.split(" typ ")[1].split()[0] for line in sdp.splitlines() if line.startswith("a=candidate:")}


@dataclass
class Call:
    """What the two peers achieved: (officer, interpreter) for each."""

    states: tuple[str, str]
    candidate_types: tuple[set[str], set[str]]
    selected: list[CandidatePair] = field(default_factory=list)
    audio_frames: tuple[bool, bool] = (False, False)
    messages: tuple[str, str] = ("", "")


async def relay_only_call(officer_pass: JoinPass, interpreter_pass: JoinPass, timeout: float) -> Call:
    """Officer offers, interpreter answers (swapped in-process); once connected both send audio
    and a data-channel message. Returns what happened within `timeout`."""
    officer = Peer(RTCPeerConnection(relay_only(officer_pass)))
    interpreter = Peer(RTCPeerConnection(relay_only(interpreter_pass)))
    try:
        officer.listen(officer.connection.createDataChannel("chat"))
        await officer.connection.setLocalDescription(await officer.connection.createOffer())
        await interpreter.connection.setRemoteDescription(officer.connection.localDescription)
        await interpreter.connection.setLocalDescription(await interpreter.connection.createAnswer())
        await officer.connection.setRemoteDescription(interpreter.connection.localDescription)
        settled = asyncio.gather(officer.settled.wait(), interpreter.settled.wait())
        await asyncio.wait_for(settled, timeout)
    except TimeoutError:
        pass
    try:
        call = Call(
            states=(officer.connection.connectionState, interpreter.connection.connectionState),
            candidate_types=(officer.candidate_types(), interpreter.candidate_types()),
        )
        if call.states != ("connected", "connected"):
            return call
        call.selected = [officer.selected_pair(), interpreter.selected_pair()]
        call.audio_frames = (await officer.hears_audio(timeout), await interpreter.hears_audio(timeout))
        officer_channel = await asyncio.wait_for(officer.channel, timeout)
        interpreter_channel = await asyncio.wait_for(interpreter.channel, timeout)
        officer_channel.send("hello from the officer")
        interpreter_channel.send("hello from the interpreter")
        call.messages = (
            await asyncio.wait_for(officer.messages.get(), timeout),
            await asyncio.wait_for(interpreter.messages.get(), timeout),
        )
        return call
    finally:
        await officer.connection.close()
        await interpreter.connection.close()
