"""The telephone fallback in the browser: the call page offers "Call me on my phone" to a person
whose number is confirmed (and says where to confirm one otherwise), shows the dial-in line and
PIN when the service has one, and the simulated phone page plays a phone without knowing which
call it is in. The simulator's audio (G.711 mu-law, 8 kHz resampling, Media Streams messages)
runs in `node` against PyAV's own mu-law codec, the one the bridge uses."""

from __future__ import annotations

import base64
import json
import math
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import av
import numpy
import pytest
from flask import url_for

from rris.access.queries.actors import actor_of
from rris.accounts.models.accounts import User
from rris.bookings.models.bookings import Booking
from rris.calls.services.call_guests import invite_guest
from rris.context import current_settings
from rris.enums import GuestKind, Role
from rris.extensions import db
from rris.phone.services.callable_countries import save_callable_countries
from rris.phone.services.phone_legs import SIMULATOR_PATH
from tests import factories
from tests.conftest import committed
from tests.factories import PASSWORD
from tests.notifications.test_outbox import SESSION_START, confirmed
from tests.support.call_peers import dominant_frequencies
from tests.support.page_strings import script_strings

OPEN = SESSION_START - timedelta(minutes=15)
CALL_CONFIG = re.compile(r'<script type="application/json" id="call-config">(.*?)</script>', re.S)
PHONE_CONFIG = re.compile(r'<script type="application/json" id="phone-config">(.*?)</script>', re.S)
STATIC_JS = Path(__file__).resolve().parents[2] / "static" / "js"
MARIAM_PHONE = "+38164123456"
JELENA_PHONE = "+38163987654"
DIAL_IN_NUMBER = "+381113300400"
# The codes of the service's "refused" answers (signaling/protocol.py): the core's PhoneRefused
# codes and the signalling service's own two. The page words each one in the person's language.
REFUSAL_CODES = (
    "no_verified_phone", "country_not_allowed", "number_type", "booking_cap", "daily_cap", "already_on_phone",
    "call_not_open", "not_a_participant", "twilio_refused", "twilio_unavailable", "busy", "unavailable",
)
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


@pytest.fixture
def phones(app, clock, monkeypatch):
    """A confirmed session on Wednesday 09:00 Belgrade, its call open: interpreter Mariam has
    confirmed her mobile number, caseworker Jelena typed hers but never confirmed it."""
    with app.app_context():
        settings = current_settings().replace(
            signaling_public_url="ws://127.0.0.1:8765", stun_urls=(), turn_urls=(), turn_secret=""
        )
    monkeypatch.setitem(app.extensions, "rris.settings", settings)
    with committed(app), app.test_request_context():
        jelena = factories.caseworker("RS", email="jelena@mup.rs.example", name="Jelena Marković", phone=JELENA_PHONE)
        mariam = factories.interpreter(
            pairs=(("pus", "srp"),),
            email="mariam@pool.example",
            name="Mariam Ahmadzai",
            phone=MARIAM_PHONE,
            phone_verified_at=OPEN - timedelta(days=3),
        )
        booking = confirmed(jelena, mariam)
        facts = SimpleNamespace(id=booking.id, code=booking.code, jelena=jelena.id, mariam=mariam.user.id)
    clock.set(OPEN)
    return facts


def with_settings(app, monkeypatch, **changes):
    with app.app_context():
        settings = current_settings().replace(**changes)
    monkeypatch.setitem(app.extensions, "rris.settings", settings)


def call_page(browser, email, booking_id):
    browser.sign_in(email, PASSWORD)
    response = browser.get(f"/calls/{booking_id}")
    assert response.status_code == 200
    match = CALL_CONFIG.search(response.get_data(as_text=True))
    assert match, "no call configuration on the page"
    return json.loads(match.group(1)), response.get_data(as_text=True)


def directives(policy):
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


# The call page


def test_a_confirmed_number_is_offered_by_its_last_four_digits_only(phones, browser):
    config, page = call_page(browser, "mariam@pool.example", phones.id)
    assert config["phone"] == {"available": True, "number_tail": "3456", "reason": None}
    assert 'id="phone-call"' in page and "Call me on my phone" in page
    assert 'id="phone-hang-up"' in page and "Hang up the phone" in page
    assert 'id="phone-status"' in page and "ending in 3456" in page
    assert MARIAM_PHONE not in page and "64123456" not in page  # never the whole number


def test_an_unconfirmed_number_is_not_rung_and_the_page_says_where_to_confirm_it(phones, browser):
    config, page = call_page(browser, "jelena@mup.rs.example", phones.id)
    offer = config["phone"]
    assert offer["available"] is False and offer["number_tail"] is None
    assert "profile" in offer["reason"] and offer["reason"] in page
    assert offer["profile_url"] == "/profile#phone"
    assert 'id="phone-call"' not in page and 'id="phone-unavailable"' in page
    assert 'href="/profile#phone"' in page
    assert "9876" not in page  # nothing of a number nobody confirmed


def test_someone_without_any_number_is_told_the_same(phones, browser, app):
    with committed(app):
        db.session.get(User, phones.jelena).phone = None
    config, _page = call_page(browser, "jelena@mup.rs.example", phones.id)
    assert config["phone"]["available"] is False and config["phone"]["profile_url"] == "/profile#phone"


def test_a_confirmed_number_in_a_country_the_service_does_not_call_is_not_offered(phones, browser, app, clock):
    with committed(app), app.test_request_context():
        hub = factories.user(Role.COORDINATOR)
        save_callable_countries({"RS", "TR"}, None, hub, clock.now())  # the coordinators' list, without Germany
        db.session.get(User, phones.mariam).phone = "+4915123456789"
    config, page = call_page(browser, "mariam@pool.example", phones.id)
    offer = config["phone"]
    assert offer["available"] is False and offer["number_tail"] == "6789" and offer["code"] == "country_not_allowed"
    assert "Germany" in offer["reason"] and 'id="phone-call"' not in page


def test_a_guest_has_no_phone_of_record_to_ring(phones, app, browser, clock):
    with committed(app), app.test_request_context():
        jelena = db.session.get(User, phones.jelena)
        _guest, secret = invite_guest(
            phones.id, actor_of(jelena), jelena, GuestKind.GUARDIAN, "Guardian Ivana", clock.now()
        )
    response = browser.client.get(f"/calls/guest/{secret}")
    page = response.get_data(as_text=True)
    config = json.loads(CALL_CONFIG.search(page).group(1))
    assert "phone" not in config
    assert 'id="phone-call"' not in page and 'id="phone-panel"' not in page  # no dial-in line either


def test_the_dial_in_line_and_the_booking_s_pin_are_on_the_page_when_the_service_has_a_line(
    phones, app, browser, monkeypatch
):
    with_settings(app, monkeypatch, signaling_public_url="ws://127.0.0.1:8765", dial_in_number=DIAL_IN_NUMBER)
    config, page = call_page(browser, "jelena@mup.rs.example", phones.id)
    with app.app_context():
        pin = db.session.get(Booking, phones.id).dial_in_pin
    assert re.fullmatch(r"[0-9]{6}", pin)
    assert config["dial_in"] == {"number": DIAL_IN_NUMBER, "pin": pin}
    assert f'<dd id="dial-in-number">{DIAL_IN_NUMBER}</dd>' in page and f'<dd id="dial-in-pin">{pin}</dd>' in page
    # The same booking, the same PIN, for everyone in it.
    other, _page = call_page(browser, "mariam@pool.example", phones.id)
    assert other["dial_in"] == config["dial_in"]


def test_without_a_dial_in_line_there_is_no_pin_to_show(phones, browser):
    config, page = call_page(browser, "mariam@pool.example", phones.id)
    assert "dial_in" not in config and 'id="dial-in"' not in page


def test_every_phone_sentence_is_translated_with_its_placeholders(phones, browser):
    _config, page = call_page(browser, "mariam@pool.example", phones.id)
    strings = script_strings(page)
    assert "{tail}" in strings["phone_dialing"]
    assert strings["phone_on_phone"] == "On the phone"
    for code in REFUSAL_CODES:
        assert strings[f"phone_refused_{code}"].strip(), code
    source = (STATIC_JS / "call-phone.js").read_text()
    assert "`phone_refused_${message.code}`" in source  # the keys the refusals above are built into
    for key in ("phone_tile", "phone_tile_yours", "phone_microphone_off", "phone_microphone_back"):
        assert key in strings


# The simulated phone


def simulator(browser, leg_id=17):
    response = browser.client.get(f"/calls/phone-simulator/{leg_id}")
    return response, response.get_data(as_text=True)


def test_the_simulated_phone_page_needs_no_account_and_knows_nothing_of_the_call(phones, browser):
    response, page = simulator(browser)
    assert response.status_code == 200
    config = json.loads(PHONE_CONFIG.search(page).group(1))
    assert config["stream_url"] == "ws://127.0.0.1:8765/phone/stream"
    assert set(config) == {"stream_url"}  # its sentences are in the page's strings block
    assert "Simulated phone" in page and 'id="phone-hang-up"' in page and "<meter" in page
    for secret in (phones.code, "Mariam", "Jelena", "3456", "ticket"):
        assert secret not in page, secret
    assert 'src="/static/js/phone-simulator.js"' in page and 'type="module"' in page
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert " src=" in tag or 'type="application/json"' in tag, tag


def test_the_simulated_phone_may_reach_the_signalling_service_and_the_microphone_only(phones, browser):
    response, _page = simulator(browser)
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["connect-src"] == ["'self'", "ws://127.0.0.1:8765"]
    assert policy["media-src"] == ["'self'", "blob:", "mediastream:"]
    assert policy["script-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]
    assert response.headers["Permissions-Policy"] == "camera=(), microphone=(self)"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_simulated_phone_s_scripts_are_served(phones, browser):
    _response, page = simulator(browser)
    for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
        assert browser.client.get(url).status_code == 200, url
    # Loaded by the page's script itself: its imports, and the audio worklet module.
    for name in ("phone-audio.js", "phone-stream.js", "phone-simulator-worklet.js"):
        assert browser.client.get(f"/static/js/{name}").status_code == 200, name


def test_the_simulator_address_the_core_hands_out_is_this_page(app):
    with app.test_request_context():
        assert url_for("calls.phone_simulator", leg_id=3) == f"{SIMULATOR_PATH}/3"


def test_with_twilio_there_is_no_simulated_phone(phones, app, browser, monkeypatch):
    with_settings(
        app,
        monkeypatch,
        twilio_account_sid="AC" + "0" * 32,
        twilio_auth_token="a token",
        twilio_from="+38111000000",
    )
    response, _page = simulator(browser)
    assert response.status_code == 404


def test_every_sentence_of_the_simulated_phone_is_translated(phones, browser):
    _response, page = simulator(browser)
    strings = script_strings(page)
    assert all(isinstance(value, str) and value.strip() for value in strings.values())
    source = (STATIC_JS / "phone-simulator.js").read_text()
    used = set(re.findall(r'(?:show\([^,]+, |notify\(|end\()"([a-z_]+)"', source))
    used |= set(re.findall(r'\? "([a-z_]+)" : "([a-z_]+)"', source)[0])
    assert used - set(strings) == set()
    assert len(used) >= 8


# The simulator's audio and messages, in node


def page_scripts(folder: Path) -> Path:
    """A copy of the page's scripts that node reads as ES modules, as browsers do."""
    shutil.copytree(STATIC_JS, folder / "js")
    (folder / "package.json").write_text('{"type": "module"}')
    return folder / "js"


def run_node(tmp_path: Path, body: str):
    """Run an ES module that imports the page's modules ("JS/name.js") and prints JSON."""
    page_scripts(tmp_path)
    script = tmp_path / "harness.js"
    script.write_text(body.replace('"JS/', '"./js/'))
    done = subprocess.run([NODE, str(script)], capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def pyav_mulaw_decode(data: bytes) -> numpy.ndarray:
    decoder = av.CodecContext.create("pcm_mulaw", "r")
    decoder.format = "s16"
    decoder.layout = "mono"
    decoder.sample_rate = 8000
    return numpy.concatenate([frame.to_ndarray().ravel() for frame in decoder.decode(av.Packet(data))])


@needs_node
def test_mu_law_decodes_every_code_exactly_as_the_bridge_s_codec_does(tmp_path):
    result = run_node(tmp_path, """
        import { decodeMuLaw, encodeMuLaw } from "JS/phone-audio.js";
        const codes = [...Array(256).keys()];
        console.log(JSON.stringify({
          decoded: codes.map(decodeMuLaw),
          again: codes.map((code) => encodeMuLaw(decodeMuLaw(code))),
        }));
    """)
    assert result["decoded"] == pyav_mulaw_decode(bytes(range(256))).tolist()
    # Coding a decoded value gives its code back (0x7f and 0xff are both zero).
    assert [code for code in range(256) if result["again"][code] != code] == [0x7F]


@needs_node
def test_mu_law_codes_every_16_bit_sample_within_half_a_step(tmp_path):
    result = run_node(tmp_path, """
        import { encodeMuLaw } from "JS/phone-audio.js";
        const codes = new Uint8Array(65536);
        for (let sample = -32768; sample < 32768; sample += 1) codes[sample + 32768] = encodeMuLaw(sample);
        console.log(JSON.stringify(Buffer.from(codes).toString("base64")));
    """)
    codes = numpy.frombuffer(base64.b64decode(result), dtype=numpy.uint8)
    heard = pyav_mulaw_decode(codes.tobytes()).astype(int)
    samples = numpy.arange(-32768, 32768)
    exponent = ((~codes.astype(int)) >> 4) & 0x07
    half_step = 2 ** (exponent + 2)  # the segment's step is 2 ** (exponent + 3)
    inside = numpy.abs(samples) <= 32124  # beyond that the coder clips to its largest code
    assert numpy.all(numpy.abs(heard - samples)[inside] <= half_step[inside])
    assert heard[0] == -32124 and heard[-1] == 32124


@needs_node
def test_the_microphone_worklet_sends_a_440_hz_tone_as_20_ms_mu_law_frames(tmp_path):
    """The capture worklet as the browser runs it: 48 kHz render quanta of 128 samples in,
    160-byte frames out; PyAV decodes them and the tone is still 440 Hz, at its level."""
    result = run_node(tmp_path, """
        const posted = [];
        let Processor = null;
        globalThis.sampleRate = 48000;
        globalThis.AudioWorkletProcessor = class {
          constructor() { this.port = { postMessage: (message) => posted.push(message) }; }
        };
        globalThis.registerProcessor = (name, cls) => { Processor = cls; };
        await import("JS/phone-simulator-worklet.js");
        const node = new Processor();
        let n = 0;
        for (let block = 0; block < 375; block += 1) {  // one second
          const samples = new Float32Array(128);
          for (let i = 0; i < 128; i += 1, n += 1) samples[i] = 0.5 * Math.sin(2 * Math.PI * 440 * n / 48000);
          node.process([[samples]]);
        }
        const silent = posted.length;
        for (let block = 0; block < 75; block += 1) node.process([[]]);  // no microphone: silence, same pace
        console.log(JSON.stringify({
          sizes: [...new Set(posted.map((m) => m.bytes.length))],
          frames: silent,
          silentFrames: posted.length - silent,
          bytes: Buffer.concat(posted.slice(0, silent).map((m) => Buffer.from(m.bytes))).toString("base64"),
          levels: posted.slice(0, silent).map((m) => m.level),
        }));
    """)
    assert result["sizes"] == [160]
    assert result["frames"] == 49  # 8000 samples, less the filter's 1 ms delay: 49 whole frames
    assert result["silentFrames"] == 10  # 75 quanta of 128 at 48 kHz = 200 ms = 10 frames
    pcm = pyav_mulaw_decode(base64.b64decode(result["bytes"])).astype(float)
    assert abs(dominant_frequencies(pcm, 8000, 1)[0] - 440) < 10
    steady = pcm[800:]  # after the filter settles
    assert 0.48 < numpy.sqrt(numpy.mean(steady**2)) * math.sqrt(2) / 32768 < 0.52
    assert all(0.8 < level < 1 for level in result["levels"][2:])  # -9 dBFS on a 60 dB meter


@needs_node
def test_resampling_to_8_khz_filters_out_what_a_phone_cannot_carry(tmp_path):
    result = run_node(tmp_path, """
        import { Resampler } from "JS/phone-audio.js";
        function run(rate, frequency) {
          const resampler = new Resampler(rate, 8000);
          const out = [];
          let n = 0;
          for (let block = 0; block < Math.round(rate / 128); block += 1) {
            const samples = new Float32Array(128);
            for (let i = 0; i < 128; i += 1, n += 1) samples[i] = Math.sin(2 * Math.PI * frequency * n / rate);
            out.push(...resampler.push(samples));
          }
          return out;
        }
        console.log(JSON.stringify({ voice: run(44100, 1000), whistle: run(48000, 6000), steady: run(48000, 0) }));
    """)
    voice = numpy.array(result["voice"])
    assert abs(len(voice) - 8000) < 60  # one second at 44.1 kHz (whole blocks) is 8000 samples at 8 kHz
    assert abs(dominant_frequencies(voice, 8000, 1)[0] - 1000) < 10
    assert numpy.sqrt(numpy.mean(voice[100:] ** 2)) == pytest.approx(1 / math.sqrt(2), rel=0.02)
    # 6 kHz is above what 8 kHz can carry: it must not come back folded to 2 kHz.
    whistle = numpy.array(result["whistle"])
    assert numpy.sqrt(numpy.mean(whistle[100:] ** 2)) < 0.01
    assert result["steady"] == [0] * len(result["steady"])


@needs_node
def test_the_simulated_phone_speaks_the_media_streams_protocol(tmp_path):
    result = run_node(tmp_path, """
        import { SimulatedStream, readServerMessage, ticketFromHash } from "JS/phone-stream.js";
        import { bytesToBase64, base64ToBytes } from "JS/phone-audio.js";
        const stream = new SimulatedStream("v1.body.signature");
        const payload = bytesToBase64(new Uint8Array(160).fill(0xff));
        console.log(JSON.stringify({
          sent: [stream.connected(), stream.start(), stream.media(payload, 20.4), stream.media(payload, 40),
                 stream.mark("m1"), stream.stop()],
          back: base64ToBytes(payload).length,
          read: [
            readServerMessage(JSON.stringify({ event: "media", streamSid: "MZ1", media: { payload } })),
            readServerMessage('{"event": "mark", "streamSid": "MZ1", "mark": {"name": "m7"}}'),
            readServerMessage('{"event": "clear", "streamSid": "MZ1"}'),
            readServerMessage("not json"),
            readServerMessage('{"event": "media"}'),
          ],
          tickets: ["#v1.abc.def", "#", "", "#v1.a%2Eb.c"].map(ticketFromHash),
        }));
    """)
    connected, start, first, second, mark, stop = result["sent"]
    assert connected == {"event": "connected", "protocol": "Call", "version": "1.0.0"}
    sid = start["streamSid"]
    assert re.fullmatch(r"MZ[0-9a-f]{32}", sid) and re.fullmatch(r"CA[0-9a-f]{32}", start["start"]["callSid"])
    assert start == {
        "event": "start",
        "sequenceNumber": "1",
        "start": {
            "accountSid": "ACsimulated",
            "streamSid": sid,
            "callSid": start["start"]["callSid"],
            "tracks": ["inbound"],
            "customParameters": {"ticket": "v1.body.signature"},
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
        },
        "streamSid": sid,
    }
    assert first == {
        "event": "media",
        "sequenceNumber": "2",
        "media": {"track": "inbound", "chunk": "1", "timestamp": "20", "payload": first["media"]["payload"]},
        "streamSid": sid,
    }
    assert (second["sequenceNumber"], second["media"]["chunk"], second["media"]["timestamp"]) == ("3", "2", "40")
    assert result["back"] == 160
    assert mark == {"event": "mark", "sequenceNumber": "4", "streamSid": sid, "mark": {"name": "m1"}}
    assert stop == {
        "event": "stop",
        "sequenceNumber": "5",
        "stop": {"accountSid": "ACsimulated", "callSid": start["start"]["callSid"]},
        "streamSid": sid,
    }
    payload = first["media"]["payload"]
    assert result["read"] == [
        {"kind": "media", "payload": payload},
        {"kind": "mark", "name": "m7"},
        {"kind": "clear"},
        {"kind": "other"},
        {"kind": "other"},
    ]
    assert result["tickets"] == ["v1.abc.def", None, None, "v1.a.b.c"]


@needs_node
def test_received_audio_plays_behind_a_small_jitter_buffer_with_bounded_delay(tmp_path):
    result = run_node(tmp_path, """
        import { scheduleFrame } from "JS/phone-audio.js";
        console.log(JSON.stringify([
          scheduleFrame(10, null, 0.06, 0.3),      // the first frame: after the jitter buffer
          scheduleFrame(10, 10.08, 0.06, 0.3),     // the next: right after the previous one
          scheduleFrame(10.2, 10.1, 0.06, 0.3),    // an underrun: the buffer fills again
          scheduleFrame(10, 10.31, 0.06, 0.3),     // a burst: more than 300 ms queued, dropped
        ]));
    """)
    assert result == [pytest.approx(10.06), 10.08, pytest.approx(10.26), None]


@needs_node
def test_the_call_page_s_phone_rules(tmp_path):
    result = run_node(tmp_path, """
        import { phoneParticipantOf, phoneState, simulatorAddress } from "JS/call-rules.js";
        const base = "http://127.0.0.1:5000/calls/7";
        console.log(JSON.stringify({
          id: phoneParticipantOf("user-7"),
          states: [
            phoneState({ ended: false, onPhone: false, pending: null }),
            phoneState({ ended: false, onPhone: false, pending: "call" }),
            phoneState({ ended: false, onPhone: true, pending: null }),
            phoneState({ ended: false, onPhone: true, pending: "hangup" }),
            phoneState({ ended: false, onPhone: false, pending: "hangup" }),
            phoneState({ ended: true, onPhone: true, pending: null }),
          ],
          addresses: [
            simulatorAddress("http://127.0.0.1:5000/calls/phone-simulator/3#v1.a.b", base),
            simulatorAddress("javascript:alert(1)", base),
            simulatorAddress("/calls/phone-simulator/4#t", base),
          ],
        }));
    """)
    assert result["id"] == "phone-user-7"
    assert result["states"] == ["idle", "dialing", "on-phone", "hanging-up", "hanging-up", "ended"]
    assert result["addresses"] == [
        "http://127.0.0.1:5000/calls/phone-simulator/3#v1.a.b",
        None,
        "http://127.0.0.1:5000/calls/phone-simulator/4#t",
    ]


@needs_node
def test_a_refusal_offers_the_dial_in_line_only_when_the_phone_will_not_be_rung_as_things_stand(tmp_path):
    result = run_node(tmp_path, """
        import { offersDialIn } from "JS/call-rules.js";
        const codes = ["no_verified_phone", "country_not_allowed", "number_type", "booking_cap", "daily_cap",
                       "twilio_refused", "already_on_phone", "busy", "call_not_open", "not_a_participant"];
        console.log(JSON.stringify(Object.fromEntries(codes.map((code) => [code, offersDialIn(code)]))));
    """)
    offered = {code for code, offers in result.items() if offers}
    assert offered == {"no_verified_phone", "country_not_allowed", "number_type", "booking_cap", "daily_cap",
                       "twilio_refused"}


@needs_node
def test_every_call_and_phone_script_is_valid_javascript(tmp_path):
    for path in sorted(page_scripts(tmp_path).glob("*.js")):
        if path.name.startswith(("call", "phone-")):
            done = subprocess.run([NODE, "--check", str(path)], capture_output=True, text=True, check=False)
            assert done.returncode == 0, f"{path.name}: {done.stderr}"
