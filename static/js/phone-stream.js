// The Twilio Media Streams WebSocket messages the simulated phone sends, shaped as Twilio sends
// them to a <Connect><Stream> server (twilio.com/docs/voice/media-streams/websocket-messages):
// "connected", then "start", then one "media" per 20 ms, and "stop". Every message but
// "connected" carries a sequenceNumber counting up from "1" and the streamSid; numbers are text.
// No DOM here: the page sends what these functions build.

const SID_HEX_DIGITS = 32;

/** A Twilio-shaped identifier: the two-letter prefix and 32 random hex digits (MZ..., CA...). */
export function makeSid(prefix, random = Math.random) {
  let digits = "";
  for (let i = 0; i < SID_HEX_DIGITS; i += 1) {
    digits += Math.floor(random() * 16).toString(16);
  }
  return prefix + digits;
}

/** One simulated stream's identity and counters; `ticket` is the leg ticket from the page's address. */
export class SimulatedStream {
  constructor(ticket, random = Math.random) {
    this.ticket = ticket;
    this.accountSid = "ACsimulated";
    this.streamSid = makeSid("MZ", random);
    this.callSid = makeSid("CA", random);
    this.sequence = 0;
    this.chunk = 0;
  }

  nextSequence() {
    this.sequence += 1;
    return String(this.sequence);
  }

  connected() {
    return { event: "connected", protocol: "Call", version: "1.0.0" };
  }

  start() {
    return {
      event: "start",
      sequenceNumber: this.nextSequence(),
      start: {
        accountSid: this.accountSid,
        streamSid: this.streamSid,
        callSid: this.callSid,
        tracks: ["inbound"],
        customParameters: { ticket: this.ticket },
        mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
      },
      streamSid: this.streamSid,
    };
  }

  /** The next 20 ms of the caller's voice: `payload` is base64 mu-law; `timestampMs` since the start. */
  media(payload, timestampMs) {
    this.chunk += 1;
    return {
      event: "media",
      sequenceNumber: this.nextSequence(),
      media: { track: "inbound", chunk: String(this.chunk), timestamp: String(Math.round(timestampMs)), payload },
      streamSid: this.streamSid,
    };
  }

  /** Twilio's answer to a "mark" once the audio sent before it has played. */
  mark(name) {
    return { event: "mark", sequenceNumber: this.nextSequence(), streamSid: this.streamSid, mark: { name } };
  }

  stop() {
    return {
      event: "stop",
      sequenceNumber: this.nextSequence(),
      stop: { accountSid: this.accountSid, callSid: this.callSid },
      streamSid: this.streamSid,
    };
  }
}

/**
 * What the service sent, made safe to act on: {kind: "media", payload} (base64 mu-law),
 * {kind: "mark", name}, {kind: "clear"}, or {kind: "other"} for anything else (ignored).
 */
export function readServerMessage(text) {
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    return { kind: "other" };
  }
  if (data === null || typeof data !== "object") {
    return { kind: "other" };
  }
  if (data.event === "media" && data.media && typeof data.media.payload === "string") {
    return { kind: "media", payload: data.media.payload };
  }
  if (data.event === "mark" && data.mark && typeof data.mark.name === "string") {
    return { kind: "mark", name: data.mark.name };
  }
  if (data.event === "clear") {
    return { kind: "clear" };
  }
  return { kind: "other" };
}

/** The leg ticket from an address's fragment ("#<ticket>"), or null when there is none. */
export function ticketFromHash(hash) {
  let ticket = String(hash || "").replace(/^#/, "");
  try {
    ticket = decodeURIComponent(ticket);
  } catch {
    // not percent-encoded text: taken as it is
  }
  ticket = ticket.trim();
  return ticket === "" ? null : ticket;
}
