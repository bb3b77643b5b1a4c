// One other participant: its RTCPeerConnection, the offer/answer exchange and ICE restarts.
// In each pair the peer whose id sorts first offers; the other asks it with "restart". The
// page (call.js) carries the messages and draws the tile; this module holds no DOM.

import { isOfferer, sdpSessionId } from "./call-rules.js";

const DISCONNECTED_GRACE_MS = 2000;  // "disconnected" often heals by itself; after this, restart ICE
const RECOVERY_SPACING_MS = 4000;  // at most one ICE restart per peer this often
const OFFER_TIMEOUT_MS = 10000;  // an offer left unanswered this long is taken back and made again

export class Peer {
  /**
   * `description` is the protocol's PEER object. `context` gives: myId, iceServers, media
   * (LocalMedia), send(message) for the signalling socket, changed(peer) after any state change,
   * and streamStarted(peer) when the first remote track arrives.
   */
  constructor(description, context) {
    this.id = description.id;
    this.name = description.name || description.id;
    this.role = description.role;
    this.phone = description.phone === true;  // a telephone bridged into the call (no camera)
    this.context = context;
    this.offerer = isOfferer(context.myId, this.id);
    this.pc = null;
    this.stream = null;
    this.away = false;  // its WebSocket dropped; it may come back
    this.pendingCandidates = [];  // remote candidates that came before the remote description
    this.remoteSessionId = null;
    this.work = Promise.resolve();  // signalling for one peer is handled one message at a time
    this.restartPending = false;
    this.lastRecovery = 0;
    this.recoveryTimer = null;
    this.disconnectTimer = null;
    this.offerTimer = null;
    // Kept here for the page: statistics, the state last reported to the service, the tile.
    this.reported = null;
    this.previousSample = null;
    this.quality = "unknown";
    this.secured = false;
    this.cipher = null;
    this.tile = null;
  }

  /** The state its tile shows: connecting, connected, poor or reconnecting. */
  get state() {
    if (this.away) {
      return "reconnecting";
    }
    const connection = this.connection;
    if (connection === "connected") {
      return this.quality === "poor" ? "poor" : "connected";
    }
    return connection === "disconnected" || connection === "failed" ? "reconnecting" : "connecting";
  }

  /** The state the signalling service records for this pair (protocol CONNECTION_STATES). */
  get report() {
    const connection = this.connection;
    if (connection === "failed" || connection === "closed") {
      return connection;
    }
    if (connection === "disconnected") {
      return "reconnecting";
    }
    if (connection === "connected") {
      return this.quality === "poor" ? "poor" : "connected";
    }
    return "connecting";
  }

  get connection() {
    return this.pc ? this.pc.connectionState : "closed";
  }

  /** Start a connection; the offerer makes the first offer. */
  start() {
    this.open();
    if (this.offerer) {
      this.queue(() => this.makeOffer(false));
    }
  }

  close() {
    clearTimeout(this.disconnectTimer);
    clearTimeout(this.recoveryTimer);
    clearTimeout(this.offerTimer);
    if (this.pc) {
      this.pc.close();
    }
    this.pc = null;
  }

  /** A message relayed from this peer: offer, answer, candidate or restart. */
  receive(message) {
    if (message.type === "offer") {
      this.queue(() => this.receiveOffer(message.sdp));
    } else if (message.type === "answer") {
      this.queue(() => this.receiveAnswer(message.sdp));
    } else if (message.type === "candidate") {
      this.queue(() => this.receiveCandidate(message.candidate));
    } else if (message.type === "restart" && this.offerer) {
      this.lastRecovery = Date.now();
      this.queue(() => this.makeOffer(true));
    }
  }

  /** Restart ICE (spaced out): offer with iceRestart, or ask the offerer to. */
  recover() {
    if (!this.pc) {
      return;
    }
    const wait = this.lastRecovery + RECOVERY_SPACING_MS - Date.now();
    if (wait > 0) {
      clearTimeout(this.recoveryTimer);
      this.recoveryTimer = setTimeout(() => {
        if (this.pc && this.pc.connectionState !== "connected") {
          this.recover();
        }
      }, wait);
      return;
    }
    this.lastRecovery = Date.now();
    if (this.offerer) {
      this.queue(() => this.makeOffer(true));
    } else {
      this.context.send({ type: "restart", to: this.id });
    }
  }

  /** Send this side's `track` (or nothing) for `kind` from now on; no renegotiation needed. */
  replaceTrack(kind, track) {
    const transceiver = this.pc && this.transceiverFor(kind);
    if (transceiver) {
      transceiver.sender.replaceTrack(track).catch((error) => console.warn("replaceTrack", error));
    }
  }

  transceiverFor(kind) {
    return this.pc.getTransceivers().find((t) => t.receiver.track.kind === kind && !t.stopped) || null;
  }

  queue(task) {
    this.work = this.work.then(task).catch((error) => console.warn("peer", this.id, error));
    return this.work;
  }

  open() {
    const pc = new RTCPeerConnection({ iceServers: this.context.iceServers });
    this.pc = pc;
    this.stream = new MediaStream();
    this.pendingCandidates = [];
    this.remoteSessionId = null;
    this.previousSample = null;
    this.quality = "unknown";
    this.secured = false;
    pc.addEventListener("icecandidate", (event) => {
      if (this.pc === pc) {
        const candidate = event.candidate ? event.candidate.toJSON() : null;  // null: gathering is complete
        this.context.send({ type: "candidate", to: this.id, candidate });
      }
    });
    pc.addEventListener("track", (event) => {
      if (this.pc === pc) {
        this.addRemoteTrack(event.track);
      }
    });
    pc.addEventListener("connectionstatechange", () => {
      if (this.pc === pc) {
        this.connectionChanged();
      }
    });
    if (this.offerer) {
      // Both kinds always, sending both ways: a camera found later is sent without renegotiating.
      const media = this.context.media;
      for (const kind of ["audio", "video"]) {
        pc.addTransceiver(media.track(kind) || kind, { direction: "sendrecv", streams: [media.stream] });
      }
    }
    this.context.changed(this);
  }

  reopen() {
    this.close();
    this.open();
  }

  addRemoteTrack(track) {
    for (const old of this.stream.getTracks()) {
      if (old.kind === track.kind && old !== track) {
        this.stream.removeTrack(old);
      }
    }
    if (!this.stream.getTracks().includes(track)) {
      this.stream.addTrack(track);
    }
    this.context.streamStarted(this);
  }

  connectionChanged() {
    const connection = this.pc.connectionState;
    clearTimeout(this.disconnectTimer);
    if (connection === "disconnected") {
      this.disconnectTimer = setTimeout(() => {
        if (this.pc && this.pc.connectionState === "disconnected") {
          this.recover();
        }
      }, DISCONNECTED_GRACE_MS);
    } else if (connection === "failed") {
      this.recover();
    }
    this.context.changed(this);
  }

  async makeOffer(iceRestart) {
    const pc = this.pc;
    if (!pc) {
      return;
    }
    if (pc.signalingState !== "stable") {
      this.restartPending = this.restartPending || iceRestart;  // made once the answer is in
      return;
    }
    const offer = await pc.createOffer(iceRestart ? { iceRestart: true } : undefined);
    await pc.setLocalDescription(offer);
    this.context.send({ type: "offer", to: this.id, sdp: pc.localDescription.sdp });
    clearTimeout(this.offerTimer);
    this.offerTimer = setTimeout(() => this.queue(() => this.offerUnanswered(pc)), OFFER_TIMEOUT_MS);
  }

  async offerUnanswered(pc) {
    if (this.pc !== pc || pc.signalingState !== "have-local-offer") {
      return;
    }
    await pc.setLocalDescription({ type: "rollback" });
    await this.makeOffer(pc.remoteDescription !== null);
  }

  async receiveOffer(sdp) {
    if (!this.pc) {
      return;
    }
    const session = sdpSessionId(sdp);
    if (this.remoteSessionId !== null && session !== this.remoteSessionId) {
      this.reopen();  // the other side started over with a new connection
    }
    const pc = this.pc;
    if (pc.signalingState === "have-local-offer") {
      await pc.setLocalDescription({ type: "rollback" });
    }
    await pc.setRemoteDescription({ type: "offer", sdp });
    this.remoteSessionId = session;
    await this.attachLocalTracks();
    await this.addPendingCandidates();
    await pc.setLocalDescription(await pc.createAnswer());
    this.context.send({ type: "answer", to: this.id, sdp: pc.localDescription.sdp });
  }

  async receiveAnswer(sdp) {
    const pc = this.pc;
    if (!pc || pc.signalingState !== "have-local-offer") {
      return;  // an answer to an offer taken back
    }
    clearTimeout(this.offerTimer);
    const session = sdpSessionId(sdp);
    try {
      if (this.remoteSessionId !== null && session !== this.remoteSessionId) {
        throw new Error("the other side answered from a new connection");
      }
      await pc.setRemoteDescription({ type: "answer", sdp });
    } catch (error) {
      console.warn("answer from", this.id, error);
      this.reopen();
      await this.makeOffer(false);
      return;
    }
    this.remoteSessionId = session;
    await this.addPendingCandidates();
    if (this.restartPending) {
      this.restartPending = false;
      await this.makeOffer(true);
    }
  }

  async receiveCandidate(candidate) {
    if (!this.pc) {
      return;
    }
    if (!this.pc.remoteDescription) {
      this.pendingCandidates.push(candidate);
      return;
    }
    await addCandidate(this.pc, candidate);
  }

  async addPendingCandidates() {
    const waiting = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const candidate of waiting) {
      await addCandidate(this.pc, candidate);
    }
  }

  // The answering side's transceivers come from the offer: send our tracks on them, both ways.
  async attachLocalTracks() {
    const media = this.context.media;
    const done = new Set();
    for (const transceiver of this.pc.getTransceivers()) {
      const kind = transceiver.receiver.track.kind;
      if (transceiver.stopped || transceiver.currentDirection === "stopped" || done.has(kind)) {
        continue;
      }
      done.add(kind);
      const track = media.track(kind);
      if (transceiver.sender.track !== track) {
        await transceiver.sender.replaceTrack(track);
      }
      if (transceiver.sender.setStreams) {
        transceiver.sender.setStreams(media.stream);
      }
      transceiver.direction = "sendrecv";
    }
  }
}

async function addCandidate(pc, candidate) {
  try {
    await (candidate ? pc.addIceCandidate(candidate) : pc.addIceCandidate());
  } catch (error) {
    console.debug("candidate not used:", error);  // e.g. one of an earlier ICE generation
  }
}
