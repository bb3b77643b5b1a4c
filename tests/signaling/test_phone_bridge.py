"""A telephone leg in a call: a simulated Twilio Media Streams client plays Mariam's phone into the
real signalling service on 127.0.0.1; the phone bridge joins the call as "phone-user-<id>" and an
aiortc participant (Jelena's browser) hears the phone's tone by FFT, and the phone hears hers."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpSender
from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket
from sqlalchemy import select

from rris.calls.domain.call_participants import Participant
from rris.calls.domain.call_tickets import CallTicket, sign_ticket, valid_span
from rris.context import current_settings
from rris.enums import CallRole, PhoneLegStatus
from rris.extensions import db
from rris.phone.models.phone_legs import PhoneLeg
from signaling.phone_bridge import RECEIVE_CAPACITY_PACKETS, RECEIVE_PREFETCH_FRAMES, shorten_jitter_buffer
from signaling.protocol import Close
from tests.support.aiortc_loopback import loopback_ice  # noqa: F401  (fixture)
from tests.support.call_bookings import attendances, guest_token, token
from tests.support.call_peers import AiortcParticipant, ProtocolClient, SignalingUnderTest, running_signaling
from tests.support.media_streams import PhoneSide, ToneFrames, twilio_signature

pytestmark = pytest.mark.usefixtures("loopback_ice")

PHONE_HZ, BROWSER_HZ = 440.0, 880.0
TWILIO_TOKEN = "twilio-auth-token-for-tests"
PUBLIC_STREAM_URL = "wss://signal.rris.test/phone/stream"


def near(found: list[float], wanted: float) -> bool:
    return any(abs(frequency - wanted) < 15 for frequency in found)


def leg_ticket(booking, user, **changes: object) -> str:
    """A leg ticket for `user`'s phone, signed as the core signs one (the room exists: `token` made it)."""
    opens, closes = valid_span(booking.starts_at, booking.ends_at)
    fields = dict(
        room=booking.call_room,
        booking_id=booking.id,
        participant=Participant.user(user.id).phone(),
        role=CallRole.INTERPRETER,
        display_name=f"{user.name.split()[0]} (phone)",  # an interpreter by her call name
        not_before=opens,
        expires_at=closes,
        nonce=secrets.token_urlsafe(12),
    )
    fields.update(changes)
    return sign_ticket(CallTicket(**fields), current_settings().secret_key)


def run(app, clock, scenario, settings=None) -> None:
    async def main() -> None:
        async with running_signaling(app, clock, settings=settings) as service:
            async with asyncio.timeout(60):
                await scenario(service)
            await service.service.recorder.drain()

    asyncio.run(main())


def test_the_phone_and_a_browser_hear_each_other_through_the_bridge(app, clock, call):
    booking, jelena, mariam = call
    officer_token = token(booking, jelena, clock)
    phone_ticket = leg_ticket(booking, mariam)
    phone_id = f"phone-user-{mariam.id}"

    async def scenario(service: SignalingUnderTest) -> None:
        officer = AiortcParticipant(await service.connect(), BROWSER_HZ)
        await officer.join(officer_token)
        phone = await PhoneSide.open(service.session, service.phone_url)
        await phone.start(phone_ticket)
        phone.play(ToneFrames(PHONE_HZ))
        # "phone-user-…" sorts before "user-…": the bridge makes the offer, the browser answers.
        await officer.wait_connected(phone_id)
        heard = await officer.wait_heard(phone_id, frames=60)
        assert near(heard.tones(), PHONE_HZ), heard.tones()
        await phone.wait_heard(frames=60)
        assert near(phone.tones(frames=50), BROWSER_HZ), phone.tones(frames=50)
        assert not near(phone.tones(frames=50, count=3), PHONE_HZ)  # the phone does not hear itself
        clock.advance(timedelta(minutes=7))
        await phone.stop()
        await officer.leave()

    run(app, clock, scenario)
    by_channel = {
        (a.channel, a.participant, a.role, a.left_reason, a.left_at - a.joined_at) for a in attendances(booking)
    }
    assert ("phone", phone_id, CallRole.INTERPRETER, "left", timedelta(minutes=7)) in by_channel
    assert ("browser", f"user-{jelena.id}", CallRole.OFFICER, "left", timedelta(minutes=7)) in by_channel
    [phone_attendance] = [a for a in attendances(booking) if a.channel == "phone"]
    assert {change.state for change in phone_attendance.state_changes} >= {"connecting", "connected"}


class OpusOnly(AiortcParticipant):
    """A participant whose browser would not take G.711: the bridge falls back to Opus."""

    def _connection(self, peer: str) -> RTCPeerConnection:
        pc = super()._connection(peer)
        opus = [c for c in RTCRtpSender.getCapabilities("audio").codecs if c.mimeType.lower() == "audio/opus"]
        for transceiver in pc.getTransceivers():
            transceiver.setCodecPreferences(opus)
        return pc


def test_the_bridge_speaks_g711_to_the_call_and_falls_back_to_opus(app, clock, call):
    booking, jelena, mariam = call
    officer_token = token(booking, jelena, clock)
    phone_id = f"phone-user-{mariam.id}"

    async def scenario(service: SignalingUnderTest) -> None:
        for participant_class, codec in ((AiortcParticipant, "audio/PCMU"), (OpusOnly, "audio/opus")):
            officer = participant_class(await service.connect(), BROWSER_HZ)
            await officer.join(officer_token if codec == "audio/PCMU" else token(booking, jelena, clock))
            phone = await PhoneSide.open(service.session, service.phone_url)
            await phone.start(leg_ticket(booking, mariam))
            phone.play(ToneFrames(PHONE_HZ))
            heard = await officer.wait_heard(phone_id, frames=60)
            assert near(heard.tones(), PHONE_HZ), (codec, heard.tones())
            assert heard.rate == (8000 if codec == "audio/PCMU" else 48000)  # what the decoder gives: the codec
            await phone.wait_heard(frames=60)
            assert near(phone.tones(frames=50), BROWSER_HZ), (codec, phone.tones(frames=50))
            await phone.stop()
            await officer.leave()

    run(app, clock, scenario)


def test_a_guest_offers_to_the_phone_and_hears_it(app, clock, call):
    booking, jelena, mariam = call
    adviser = guest_token(booking, jelena, clock, "Legal adviser")
    phone_ticket = leg_ticket(booking, mariam)

    async def scenario(service: SignalingUnderTest) -> None:
        guest = AiortcParticipant(await service.connect(), BROWSER_HZ)
        await guest.join(adviser)
        assert guest.me < f"phone-user-{mariam.id}"  # "guest-…" sorts first: the guest offers
        phone = await PhoneSide.open(service.session, service.phone_url)
        await phone.start(phone_ticket)
        phone.play(ToneFrames(PHONE_HZ))
        heard = await guest.wait_heard(f"phone-user-{mariam.id}", frames=60)
        assert near(heard.tones(), PHONE_HZ)
        await phone.wait_heard(frames=60)
        assert near(phone.tones(frames=50), BROWSER_HZ)
        await phone.stop()
        await guest.leave()

    run(app, clock, scenario)


def test_the_phone_appears_as_a_peer_and_its_stop_makes_the_others_see_it_leave(app, clock, call):
    booking, jelena, mariam = call
    officer_token, own_page_token = token(booking, jelena, clock), token(booking, mariam, clock)
    phone_ticket = leg_ticket(booking, mariam)
    phone_id = f"phone-user-{mariam.id}"

    async def scenario(service: SignalingUnderTest) -> None:
        officer, own_page = await service.connect(), await service.connect()
        await officer.join(officer_token)
        await own_page.join(own_page_token)  # Mariam's browser stays in the call while she is on the phone
        phone = await PhoneSide.open(service.session, service.phone_url)
        await phone.start(phone_ticket)
        await officer.expect("peer-joined")  # Mariam's own page
        joined = await officer.expect("peer-joined")
        assert joined["peer"] == {
            "id": phone_id,
            "role": "interpreter",
            "name": "Mariam (phone)",
            "phone": True,
        }
        assert (await officer.expect("offer"))["from"] == phone_id
        assert (await own_page.expect("offer"))["from"] == phone_id
        await phone.stop()
        for page in (officer, own_page):
            assert await page.expect("peer-left") == {"type": "peer-left", "peer": phone_id, "reason": "left"}
        # A leg ticket works once: the same stream cannot come back.
        again = await PhoneSide.open(service.session, service.phone_url)
        await again.start(phone_ticket)
        assert await again.close_code() == Close.TICKET_USED
        await officer.send("ping")
        await officer.expect("pong")
        assert all(message["type"] != "peer-joined" for message in _drain(officer))
        for page in (officer, own_page):
            await page.close()

    run(app, clock, scenario)


def _drain(client: ProtocolClient) -> list[dict[str, object]]:
    messages = []
    while not client.inbox.empty():
        messages.append(client.inbox.get_nowait())
    return messages


def test_a_phone_stream_without_a_good_leg_ticket_is_closed_and_never_joins(app, clock, call):
    booking, jelena, mariam = call
    officer_token = token(booking, jelena, clock)
    opens, closes = valid_span(booking.starts_at, booking.ends_at)
    cases = {
        "no ticket": (None, Close.TICKET_REFUSED),
        "not a ticket": ("hello", Close.TICKET_REFUSED),
        "signed with another secret": (
            sign_ticket(
                CallTicket(
                    booking.call_room,
                    booking.id,
                    Participant.user(mariam.id).phone(),
                    CallRole.INTERPRETER,
                    "M",
                    opens,
                    closes,
                    "n1",
                ),
                "another secret that is long enough " * 2,
            ),
            Close.TICKET_REFUSED,
        ),
        "expired": (
            leg_ticket(
                booking, mariam, not_before=opens - timedelta(hours=2), expires_at=clock.now() - timedelta(seconds=1)
            ),
            Close.TICKET_REFUSED,
        ),
        "too early": (leg_ticket(booking, mariam, not_before=clock.now() + timedelta(minutes=5)), Close.TICKET_REFUSED),
        "a call page's join ticket": (token(booking, mariam, clock), Close.TICKET_REFUSED),
    }

    async def scenario(service: SignalingUnderTest) -> None:
        officer = await service.connect()
        await officer.join(officer_token)
        for name, (ticket, close_code) in cases.items():
            phone = await PhoneSide.open(service.session, service.phone_url)
            await phone.start(ticket)
            phone.play(ToneFrames(PHONE_HZ))
            assert await phone.close_code() == close_code, name
        silent = await PhoneSide.open(service.session, service.phone_url)
        assert await silent.close_code() == Close.JOIN_TIMEOUT  # no start message in time
        # A leg ticket is no ticket for a call page.
        page = await service.connect()
        await page.send("join", ticket=leg_ticket(booking, mariam))
        assert (await page.expect("error"))["code"] == "ticket_wrong_channel"
        assert await page.close_code() == Close.TICKET_REFUSED
        await officer.send("ping")
        await officer.expect("pong")
        assert _drain(officer) == []  # nobody joined, nothing was relayed
        await officer.close()

    run(app, clock, scenario)
    assert [a.channel for a in attendances(booking)] == ["browser"]


def test_with_twilio_the_stream_must_be_signed_for_the_public_stream_url(app, clock, call):
    booking, jelena, mariam = call
    officer_token = token(booking, jelena, clock)
    settings = dataclasses.replace(
        current_settings(),
        twilio_account_sid="AC" + "1" * 32,
        twilio_auth_token=TWILIO_TOKEN,
        twilio_from="+38111000000",
        signaling_public_url="wss://signal.rris.test",
    )

    async def scenario(service: SignalingUnderTest) -> None:
        officer = await service.connect()
        await officer.join(officer_token)
        # The service runs on 127.0.0.1 behind no proxy here, yet validates against its public URL.
        refused = {
            "unsigned": {},
            "signed for the address it listens on": twilio_signature(TWILIO_TOKEN, service.phone_url),
            "signed for another path": twilio_signature(TWILIO_TOKEN, "wss://signal.rris.test/calls/ws"),
            "signed with another token": twilio_signature("another token", PUBLIC_STREAM_URL),
        }
        for name, headers in refused.items():
            with pytest.raises(aiohttp.WSServerHandshakeError) as handshake:
                await PhoneSide.open(service.session, service.phone_url, headers=headers)
            assert handshake.value.status == 403, name
        for url in (PUBLIC_STREAM_URL, "https://signal.rris.test/phone/stream"):
            signed = twilio_signature(TWILIO_TOKEN, url)
            phone = await PhoneSide.open(service.session, service.phone_url, headers=signed)
            await phone.start(leg_ticket(booking, mariam))
            assert (await officer.expect("peer-joined"))["peer"]["id"] == f"phone-user-{mariam.id}"
            await phone.stop()
            await officer.expect("peer-left")
        await officer.close()

    run(app, clock, scenario, settings=settings)


def test_the_phone_is_hung_up_when_the_call_is_over(app, clock, call):
    booking, jelena, mariam = call
    officer_token = token(booking, jelena, clock)
    phone_ticket = leg_ticket(booking, mariam)
    clock.set(valid_span(booking.starts_at, booking.ends_at)[1] - timedelta(seconds=1))

    async def scenario(service: SignalingUnderTest) -> None:
        officer = await service.connect()
        await officer.join(officer_token)
        phone = await PhoneSide.open(service.session, service.phone_url)
        await phone.start(phone_ticket)
        await officer.expect("peer-joined")
        assert await phone.close_code() == Close.CALL_OVER  # every ticket runs out then, the page's too

    run(app, clock, scenario)
    assert {(a.channel, a.left_reason) for a in attendances(booking)} >= {("phone", "call_over")}


def test_a_page_rings_its_persons_phone_and_hangs_it_up(app, clock, call):
    """Offline (no Twilio) the leg is simulated: the page gets the simulator's address, whose
    fragment carries the leg ticket the simulated phone presents."""
    booking, jelena, mariam = call
    mariam.phone, mariam.phone_verified_at = "+381601234567", datetime(2026, 1, 1, tzinfo=UTC)
    db.session.commit()
    officer_token, own_page_token = token(booking, jelena, clock), token(booking, mariam, clock)
    adviser = guest_token(booking, jelena, clock, "Legal adviser")
    phone_id = f"phone-user-{mariam.id}"

    async def scenario(service: SignalingUnderTest) -> None:
        officer, own_page, guest = await service.connect(), await service.connect(), await service.connect()
        await officer.join(officer_token)
        await own_page.join(own_page_token)
        await guest.join(adviser)
        await guest.send("phone", action="call")
        refused = await guest.expect("phone")
        assert (refused["state"], refused["code"]) == ("refused", "no_verified_phone")

        await own_page.send("phone", action="call")
        dialing = await own_page.expect("phone")
        assert dialing["state"] == "dialing" and dialing["message"].endswith("4567…")
        assert dialing["simulator_url"].startswith("https://rris.test/calls/phone-simulator/")
        await own_page.send("phone", action="call")
        assert (await own_page.expect("phone"))["code"] == "already_on_phone"

        phone = await PhoneSide.open(service.session, service.phone_url)
        await phone.start(dialing["simulator_url"].partition("#")[2])
        while (await officer.expect("peer-joined"))["peer"]["id"] != phone_id:
            pass
        await own_page.send("phone", action="hangup")
        assert (await own_page.expect("phone"))["state"] == "ended"
        assert await phone.close_code() == Close.NORMAL
        assert (await officer.expect("peer-left"))["peer"] == phone_id
        for page in (officer, own_page, guest):
            await page.close()

    run(app, clock, scenario)
    db.session.expire_all()
    [leg] = db.session.scalars(select(PhoneLeg).where(PhoneLeg.booking_id == booking.id)).all()
    assert (leg.participant, leg.simulated, leg.status) == (phone_id, True, PhoneLegStatus.COMPLETED)
    assert leg.answered_at is not None and leg.ended_at is not None
    assert [(a.channel, a.left_reason) for a in attendances(booking) if a.channel == "phone"] == [("phone", "hung_up")]


def test_a_guest_hears_of_the_interpreter_and_her_phone_by_role_and_first_name_only(app, clock, call):
    """Everything a guest's page receives, byte for byte: the interpreter's full name is not in it."""
    booking, jelena, mariam = call
    mariam.phone, mariam.phone_verified_at = "+93701234567", datetime(2026, 1, 1, tzinfo=UTC)  # in Kabul
    db.session.commit()
    own_page_token, adviser = token(booking, mariam, clock), guest_token(booking, jelena, clock, "Legal adviser")
    phone_id = f"phone-user-{mariam.id}"

    async def scenario(service: SignalingUnderTest) -> None:
        own_page, guest = await service.connect(), await service.connect()
        await own_page.join(own_page_token)
        welcome = await guest.join(adviser)
        assert welcome["peers"] == [{"id": f"user-{mariam.id}", "role": "interpreter", "name": "Mariam"}]
        await own_page.send("phone", action="call")
        dialing = await own_page.expect("phone")
        phone = await PhoneSide.open(service.session, service.phone_url)
        await phone.start(dialing["simulator_url"].partition("#")[2])
        joined = await guest.expect("peer-joined")
        assert joined["peer"] == {"id": phone_id, "role": "interpreter", "name": "Mariam (phone)", "phone": True}
        await own_page.send("phone", action="hangup")
        assert (await guest.expect("peer-left"))["peer"] == phone_id
        await own_page.close()
        await guest.expect("peer-left")
        received = "\n".join(guest.frames)
        assert "Ahmadzai" not in received and mariam.email not in received
        await guest.close()

    run(app, clock, scenario)


def test_a_phone_request_must_say_call_or_hangup(app, clock, call):
    booking, jelena, _mariam = call

    async def scenario(service: SignalingUnderTest) -> None:
        page = await service.connect()
        await page.join(token(booking, jelena, clock))
        await page.send("phone", action="dial", number="+381601234567")
        assert (await page.expect("error"))["code"] == "bad_field"
        assert await page.close_code() == Close.BAD_FRAME

    run(app, clock, scenario)


def test_a_lost_packet_costs_the_bridges_receiver_a_frame_not_a_quarter_second_for_good():
    def lag_after_a_loss(buffer: JitterBuffer) -> int:
        released = []
        for sequence in (s for s in range(30) if s != 10):
            packet = RtpPacket(sequence_number=sequence, timestamp=sequence * 160)
            packet._data = b"\xff" * 160
            frame = buffer.add(packet)[1]
            released.append((sequence, frame.timestamp // 160 if frame else None))
        return released[-1][0] - released[-1][1]  # packets behind the newest arrival

    assert lag_after_a_loss(JitterBuffer(capacity=16, prefetch=4)) == 14  # aiortc's own: 280 ms, from 80
    assert lag_after_a_loss(JitterBuffer(RECEIVE_CAPACITY_PACKETS, prefetch=RECEIVE_PREFETCH_FRAMES)) <= 2


def test_the_bridge_can_shorten_aiortcs_audio_jitter_buffer():
    """The bridge replaces a private attribute of aiortc's receiver; an aiortc release that
    renames it must fail here rather than silently add 60 ms to every phone call."""

    async def scenario() -> None:
        offerer, answerer = RTCPeerConnection(RTCConfiguration([])), RTCPeerConnection(RTCConfiguration([]))
        offerer.addTransceiver("audio")
        await offerer.setLocalDescription(await offerer.createOffer())
        await answerer.setRemoteDescription(offerer.localDescription)
        [receiver] = answerer.getReceivers()
        assert shorten_jitter_buffer(receiver)
        await offerer.close()
        await answerer.close()

    asyncio.run(scenario())
