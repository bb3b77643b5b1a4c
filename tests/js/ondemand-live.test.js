// The on-demand pages' live connection (static/js/ondemand-live.js): hello with the page's ticket,
// beats at the pace the welcome sets, reconnection with growing delays and a fresh ticket each
// time; and the sentences the officer's page writes from a status frame.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  LiveConnection, MAX_BACKOFF_MS, backoffDelay, secondsLeft, statusSentences, waitSentence,
} from "../../static/js/ondemand-live.js";
import { translator } from "../../static/js/strings.js";

// A stand-in for the browser's WebSocket: records what the page sends; the test plays the service.
class FakeSocket {
  static opened = [];

  constructor(url) {
    this.url = url;
    this.sent = [];
    this.readyState = 0;
    this.closedWith = null;
    FakeSocket.opened.push(this);
  }

  send(text) {
    this.sent.push(JSON.parse(text));
  }

  close(code) {
    this.closedWith = code;
  }

  open() {
    this.readyState = 1;
    this.onopen();
  }

  push(frame) {
    this.onmessage({ data: JSON.stringify(frame) });
  }

  drop() {
    this.readyState = 3;
    this.onclose({ code: 1006 });
  }
}

// Timers the test runs by hand.
class Timers {
  constructor() {
    this.next = 1;
    this.pending = new Map();
  }

  setTimeout(callback, delay) {
    const id = this.next++;
    this.pending.set(id, { callback, delay, repeat: false });
    return id;
  }

  setInterval(callback, delay) {
    const id = this.next++;
    this.pending.set(id, { callback, delay, repeat: true });
    return id;
  }

  clearTimeout(id) {
    this.pending.delete(id);
  }

  clearInterval(id) {
    this.pending.delete(id);
  }

  delays() {
    return [...this.pending.values()].map((timer) => [timer.repeat ? "every" : "after", timer.delay]);
  }

  fire() {
    for (const [id, timer] of [...this.pending]) {
      if (!timer.repeat) {
        this.pending.delete(id);
      }
      timer.callback();
    }
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function connection(options = {}) {
  FakeSocket.opened = [];
  const timers = new Timers();
  const frames = [];
  const states = [];
  const tickets = ["fresh-1", "fresh-2", "fresh-3"];
  const live = new LiveConnection({
    url: "ws://127.0.0.1:8765/ondemand/ws",
    ticket: "page-ticket",
    fetchTicket: () => Promise.resolve(tickets.shift()),
    onFrame: (frame) => frames.push(frame),
    onState: (state, detail) => states.push(detail ? `${state}: ${detail}` : state),
    WebSocketClass: FakeSocket,
    timers,
    random: () => 1,
    ...options,
  });
  return { live, timers, frames, states };
}

describe("the live connection", () => {
  it("says hello with the page's ticket, then beats every heartbeat_seconds the welcome set", () => {
    const { live, timers, states } = connection({ beats: true });
    live.start();
    const socket = FakeSocket.opened[0];
    assert.equal(socket.url, "ws://127.0.0.1:8765/ondemand/ws");
    socket.open();
    assert.deepEqual(socket.sent, [{ type: "hello", ticket: "page-ticket" }]);
    socket.push({ type: "welcome", heartbeat_seconds: 10 });
    assert.deepEqual(states, ["connecting", "open"]);
    assert.deepEqual(timers.delays(), [["every", 10000]]);
    timers.fire();
    timers.fire();
    assert.deepEqual(socket.sent.slice(1), [{ type: "beat" }, { type: "beat" }]);
  });

  it("passes every later frame on, and an officer's page never beats", () => {
    const { live, timers, frames } = connection();
    live.start();
    const socket = FakeSocket.opened[0];
    socket.open();
    socket.push({ type: "welcome", heartbeat_seconds: 10 });
    socket.push({ type: "status", state: "waiting", position: 2, expected_wait_seconds: null, call_url: null });
    socket.onmessage({ data: "not json" });
    assert.deepEqual(frames, [{ type: "status", state: "waiting", position: 2, expected_wait_seconds: null, call_url: null }]);
    assert.deepEqual(timers.delays(), []);
  });

  it("comes back after a drop with a fresh ticket, waiting longer each time it fails", async () => {
    const { live, timers, states } = connection({ beats: true });
    live.start();
    FakeSocket.opened[0].open();
    FakeSocket.opened[0].push({ type: "welcome", heartbeat_seconds: 10 });
    FakeSocket.opened[0].drop();
    assert.deepEqual(timers.delays(), [["after", 1000]], "the beats stop; one retry is due");
    timers.fire();
    await settle();
    const second = FakeSocket.opened[1];
    second.open();
    assert.deepEqual(second.sent, [{ type: "hello", ticket: "fresh-1" }]);
    second.drop();
    assert.deepEqual(timers.delays(), [["after", 2000]]);
    timers.fire();
    await settle();
    FakeSocket.opened[2].open();
    FakeSocket.opened[2].push({ type: "welcome", heartbeat_seconds: 5 });
    assert.deepEqual(timers.delays(), [["every", 5000]]);
    FakeSocket.opened[2].drop();
    assert.deepEqual(timers.delays(), [["after", 1000]], "a welcome starts the delays over");
    assert.deepEqual(states, ["connecting", "open", "reconnecting", "open", "reconnecting"]);
  });

  it("shows the service's refusal and still tries again later", async () => {
    const { live, timers, states } = connection();
    live.start();
    FakeSocket.opened[0].open();
    FakeSocket.opened[0].push({ type: "refused", reason: "expired", message: "This presence ticket has expired." });
    FakeSocket.opened[0].drop();
    assert.deepEqual(states, ["connecting", "refused: This presence ticket has expired."]);
    timers.fire();
    await settle();
    assert.equal(FakeSocket.opened.length, 2);
  });

  it("tries again when no fresh ticket can be had, and stops for good on stop()", async () => {
    const { live, timers } = connection({ fetchTicket: () => Promise.reject(new Error("offline")) });
    live.start();
    FakeSocket.opened[0].drop();
    timers.fire();
    await settle();
    assert.equal(FakeSocket.opened.length, 1);
    assert.deepEqual(timers.delays(), [["after", 2000]]);
    live.stop();
    assert.deepEqual(timers.delays(), []);
  });
});

describe("the delays between attempts", () => {
  it("double from one second to at most thirty, with up to half taken off at random", () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 9].map((n) => backoffDelay(n, () => 1)),
      [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    assert.equal(backoffDelay(3, () => 0), 4000);
    assert.equal(backoffDelay(40, () => 0), MAX_BACKOFF_MS / 2);
  });
});

describe("a ring's countdown", () => {
  it("counts whole seconds up to the ring's end, never below zero", () => {
    const now = Date.parse("2026-01-12T08:00:00Z");
    assert.equal(secondsLeft("2026-01-12T08:00:30Z", now), 30);
    assert.equal(secondsLeft("2026-01-12T08:00:30Z", now + 29_100), 1);
    assert.equal(secondsLeft("2026-01-12T08:00:30Z", now + 31_000), 0);
    assert.equal(secondsLeft("not a time", now), 0);
  });
});

describe("the officer's status sentences", () => {
  const t = translator({}, {
    state_waiting: "Waiting in the queue.",
    state_ringing: "Ringing.",
    state_abandoned: "You gave up.",
    position: "Place: {position}.",
    wait_unknown: "Wait: unknown.",
    wait_under_minute: "Wait: under a minute.",
    wait_minutes: { one: "Wait: about {count} minute.", other: "Wait: about {count} minutes." },
  });

  it("name the state, the place and the expected wait while the request waits", () => {
    assert.deepEqual(statusSentences(t, { state: "waiting", position: 3, expected_wait_seconds: 150 }),
      ["Waiting in the queue.", "Place: 3.", "Wait: about 3 minutes."]);
    assert.deepEqual(statusSentences(t, { state: "ringing", position: 1, expected_wait_seconds: null }),
      ["Ringing.", "Place: 1.", "Wait: unknown."]);
  });

  it("name only the state once it stopped waiting", () => {
    assert.deepEqual(statusSentences(t, { state: "abandoned", position: null, expected_wait_seconds: null }),
      ["You gave up."]);
  });

  it("round the wait to minutes as the portal does", () => {
    assert.equal(waitSentence(t, 29), "Wait: under a minute.");
    assert.equal(waitSentence(t, 60), "Wait: about 1 minute.");
    assert.equal(waitSentence(t, 0), "Wait: under a minute.");
  });
});
