// One peer's state as its tile shows it and as the page reports it (static/js/call-peer.js).
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { Peer } from "../../static/js/call-peer.js";

function peer(connectionState, { quality = "unknown", away = false, myId = "user-7" } = {}) {
  const made = new Peer({ id: "guest-3", name: "Ana", role: "guest" }, { myId, send: () => true });
  // A stand-in for the RTCPeerConnection: only its connectionState is read.
  made.pc = connectionState === null ? null : { connectionState };
  made.quality = quality;
  made.away = away;
  return made;
}

describe("a peer's state", () => {
  it("follows the connection, shown as poor when the quality is poor", () => {
    const table = [
      ["new", "unknown", "connecting", "connecting"],
      ["connecting", "unknown", "connecting", "connecting"],
      ["connected", "good", "connected", "connected"],
      ["connected", "poor", "poor", "poor"],
      ["disconnected", "good", "reconnecting", "reconnecting"],
      ["failed", "good", "reconnecting", "failed"],
      ["closed", "good", "connecting", "closed"],
    ];
    for (const [connection, quality, shown, reported] of table) {
      const subject = peer(connection, { quality });
      assert.equal(subject.state, shown, `${connection}/${quality} shows ${shown}`);
      assert.equal(subject.report, reported, `${connection}/${quality} reports ${reported}`);
    }
  });

  it("is reconnecting while the other side's socket is away, whatever the connection says", () => {
    assert.equal(peer("connected", { quality: "good", away: true }).state, "reconnecting");
  });

  it("reports closed when there is no connection at all", () => {
    const closed = peer(null);
    assert.equal(closed.connection, "closed");
    assert.equal(closed.report, "closed");
  });

  it("knows which side offers, from the ids", () => {
    assert.equal(peer("new", { myId: "user-7" }).offerer, false);  // "guest-3" sorts first
    assert.equal(peer("new", { myId: "a-1" }).offerer, true);
  });
});
