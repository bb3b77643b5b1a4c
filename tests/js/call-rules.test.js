// The call page's rules (static/js/call-rules.js), run by `node --test tests/js/`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

import {
  backoffDelay, classifyQuality, closeOutcome, fill, isOfferer, isSecured, measure, overallState, peerLabel,
  readStats, sdpSessionId,
} from "../../static/js/call-rules.js";

// The close codes signalling sends (signaling/protocol.py's Close), read from the source itself.
function serviceCloseCodes() {
  const source = readFileSync(new URL("../../signaling/protocol.py", import.meta.url), "utf8");
  const block = source.slice(source.indexOf("class Close:"), source.indexOf("class ProtocolError"));
  return Object.fromEntries([...block.matchAll(/^\s+([A-Z_]+) = (\d+)/gm)].map((m) => [m[1], Number(m[2])]));
}

describe("what a close code makes the page do", () => {
  it("ends the call, naming why, when the service refuses or ends it", () => {
    assert.deepEqual(closeOutcome(1000), { reconnect: false, key: "ended_by_service" });
    assert.deepEqual(closeOutcome(4409), { reconnect: false, key: "replaced" });
    assert.deepEqual(closeOutcome(4404), { reconnect: false, key: "removed" });
    assert.deepEqual(closeOutcome(4410), { reconnect: false, key: "call_over" });
  });

  it("offers a reload after a refusal a fresh page may not meet again", () => {
    for (const code of [4400, 4422, 1009]) {
      assert.deepEqual(closeOutcome(code), { reconnect: false, key: "refused", reload: true });
    }
    assert.deepEqual(closeOutcome(4429), { reconnect: false, key: "too_many", reload: true });
    assert.deepEqual(closeOutcome(4408), { reconnect: false, key: "join_timeout", reload: true });
    assert.deepEqual(closeOutcome(4503), { reconnect: false, key: "room_full", reload: true });
  });

  it("reads a refused ticket as the call being over once the session's end has passed", () => {
    for (const code of [4401, 4403]) {
      assert.deepEqual(closeOutcome(code, false), { reconnect: false, key: "ticket_refused", reload: true });
      assert.deepEqual(closeOutcome(code, true), { reconnect: false, key: "call_over" });
    }
  });

  it("reconnects with the same ticket when the connection was lost or the service restarts", () => {
    for (const code of [1001, 1006, 1011, 1012, 1013]) {
      assert.deepEqual(closeOutcome(code), { reconnect: true });
    }
  });

  it("ends, with a reload link, on a service code it does not know", () => {
    assert.deepEqual(closeOutcome(4000), { reconnect: false, key: "ended_by_service", reload: true });
    assert.deepEqual(closeOutcome(4999), { reconnect: false, key: "ended_by_service", reload: true });
  });

  it("knows every close code the service sends, and retries only the ones meant to be retried", () => {
    const codes = serviceCloseCodes();
    assert.ok(Object.keys(codes).length >= 14, "the Close class was read");
    const retried = Object.entries(codes).filter(([, code]) => closeOutcome(code).reconnect).map(([name]) => name);
    assert.deepEqual(retried.sort(), ["GOING_AWAY", "SERVICE_RESTART", "TRY_AGAIN"]);
    for (const [name, code] of Object.entries(codes)) {
      if (code >= 4000) {
        const outcome = closeOutcome(code);
        assert.ok(outcome.key !== "ended_by_service" || !outcome.reload, `${name} (${code}) has its own sentence`);
      }
    }
  });
});

describe("reconnection backoff", () => {
  it("doubles from half a second and stays at five seconds", () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 20].map(backoffDelay), [500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it("treats a negative attempt as the first", () => {
    assert.equal(backoffDelay(-3), 500);
  });
});

describe("who makes the offers", () => {
  it("is exactly one side of each pair, the one whose id sorts first", () => {
    assert.equal(isOfferer("guest-3", "user-7"), true);
    assert.equal(isOfferer("user-7", "guest-3"), false);
    assert.equal(isOfferer("phone-user-7", "user-7"), true);
    assert.equal(isOfferer("user-10", "user-9"), true);  // ids compare as text, on both sides alike
    assert.equal(isOfferer("user-7", "user-7"), false);
  });
});

describe("the page's state from its peers' states", () => {
  it("is waiting with nobody else in the call", () => {
    assert.equal(overallState([]), "waiting");
  });

  it("is the worst of the peers' states", () => {
    assert.equal(overallState(["connected", "connected"]), "connected");
    assert.equal(overallState(["connected", "poor"]), "poor");
    assert.equal(overallState(["poor", "connecting", "connected"]), "connecting");
    assert.equal(overallState(["connecting", "reconnecting", "poor"]), "reconnecting");
  });

  it("takes any iterable, such as a Map's values", () => {
    assert.equal(overallState(new Map([["a", "connected"], ["b", "poor"]]).values()), "poor");
  });
});

describe("connection quality", () => {
  it("is unknown until something was measured", () => {
    assert.equal(classifyQuality(null, null), "unknown");
    assert.equal(classifyQuality(undefined, undefined), "unknown");
  });

  it("is poor above 400 ms or 5 % loss, fair above 200 ms or 2 %, good otherwise", () => {
    assert.equal(classifyQuality(401, 0), "poor");
    assert.equal(classifyQuality(400, 0), "fair");
    assert.equal(classifyQuality(201, null), "fair");
    assert.equal(classifyQuality(200, null), "good");
    assert.equal(classifyQuality(null, 5.1), "poor");
    assert.equal(classifyQuality(50, 5), "fair");
    assert.equal(classifyQuality(50, 2), "good");
  });
});

describe("SDP session ids", () => {
  it("reads the o= line's session id, which changes only with a new connection", () => {
    const sdp = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\n";
    assert.equal(sdpSessionId(sdp), "4611731400430051336");
    assert.equal(sdpSessionId("v=0\r\ns=-\r\n"), null);
    assert.equal(sdpSessionId(null), null);
  });
});

// A stand-in for RTCStatsReport: a Map of stats by id (it has forEach, as the real one does).
function report(...stats) {
  return new Map(stats.map((stat) => [stat.id, stat]));
}

describe("reading WebRTC statistics", () => {
  const transport = { id: "T1", type: "transport", selectedCandidatePairId: "P2", dtlsState: "connected", srtpCipher: "AES_CM_128_HMAC_SHA1_80" };
  const pairs = [
    { id: "P1", type: "candidate-pair", nominated: true, state: "succeeded", currentRoundTripTime: 0.9 },
    { id: "P2", type: "candidate-pair", currentRoundTripTime: 0.045 },
  ];
  const audio = { id: "A", type: "inbound-rtp", kind: "audio", bytesReceived: 4000, packetsLost: 3, packetsReceived: 97 };
  const video = { id: "V", type: "inbound-rtp", mediaType: "video", bytesReceived: 60000 };

  it("takes the round trip of the transport's selected pair, and sums the media counters", () => {
    const sample = readStats(report(transport, ...pairs, audio, video), 1000);
    assert.deepEqual(sample, {
      at: 1000, rttMs: 45, audioBytes: 4000, videoBytes: 60000, audioLost: 3, audioReceived: 97, hasAudio: true,
      dtlsConnected: true, srtpCipher: "AES_CM_128_HMAC_SHA1_80",
    });
    assert.equal(isSecured(sample), true);
  });

  it("falls back to the nominated pair, then to the far end's report of the round trip", () => {
    assert.equal(readStats(report(pairs[0]), 0).rttMs, 900);
    const remote = { id: "R", type: "remote-inbound-rtp", roundTripTime: 0.12 };
    assert.equal(readStats(report(remote), 0).rttMs, 120);
    assert.equal(readStats(report(audio), 0).rttMs, null);
  });

  it("is not secured without DTLS connected, or with an empty SRTP cipher", () => {
    assert.equal(isSecured(readStats(report(audio), 0)), false);  // no transport statistics at all
    assert.equal(isSecured(readStats(report({ ...transport, dtlsState: "connecting" }), 0)), false);
    assert.equal(isSecured(readStats(report({ ...transport, srtpCipher: "" }), 0)), false);
    const unreported = { ...transport };
    delete unreported.srtpCipher;  // a browser that does not report the cipher: DTLS connected is enough
    assert.equal(isSecured(readStats(report(unreported), 0)), true);
  });

  it("measures loss and bitrate between two readings", () => {
    const first = readStats(report(transport, ...pairs, audio), 0);
    const second = readStats(
      report(transport, ...pairs, { ...audio, bytesReceived: 29000, packetsLost: 8, packetsReceived: 192 }), 2000,
    );
    assert.deepEqual(measure(first, null), { rtt_ms: 45, loss_percent: null, bitrate_kbps: null });
    // 5 lost of 100 more; 25,000 bytes in 2 s
    assert.deepEqual(measure(second, first), { rtt_ms: 45, loss_percent: 5, bitrate_kbps: 100 });
  });

  it("gives no bitrate when the counters went back (a new connection)", () => {
    const before = readStats(report({ ...audio, bytesReceived: 90000 }), 0);
    const after = readStats(report(audio), 2000);
    assert.equal(measure(after, before).bitrate_kbps, null);
  });
});

describe("sentences", () => {
  it("fills every occurrence of each placeholder", () => {
    assert.equal(fill("{name} joined; {name} is {state}", { name: "Mariam", state: "connected" }), "Mariam joined; Mariam is connected");
    assert.equal(fill("no placeholders"), "no placeholders");
  });

  it("names an interpreter by role and chosen name, anyone else by their name", () => {
    const text = (key, values) => fill({ interpreter_named: "Interpreter · {name}" }[key], values);
    assert.equal(peerLabel({ role: "interpreter", name: "Mariam" }, text), "Interpreter · Mariam");
    assert.equal(peerLabel({ role: "caseworker", name: "Jelena Marković" }, text), "Jelena Marković");
  });
});
