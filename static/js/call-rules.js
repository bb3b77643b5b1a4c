// The call page's rules, apart from the browser's objects so they can be read (and tried) alone:
// who offers, when to reconnect, what a close code means, and what WebRTC statistics say.

// Thresholds of the quality rule: the poor ones are rris/calls/domain/call_quality.py's (a test keeps them equal).
export const POOR_RTT_MS = 400;
export const POOR_LOSS_PERCENT = 5;
export const FAIR_RTT_MS = 200;
export const FAIR_LOSS_PERCENT = 2;

const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 5000;

// Worst first: the page's state is the worst of its peers' states.
const STATE_RANK = { reconnecting: 4, connecting: 3, poor: 2, connected: 1 };

/**
 * How a participant is named in the page's sentences: an interpreter by role and the name they
 * chose ("Interpreter · Mariam"), never by a full name; anyone else by the name in their ticket.
 */
export function peerLabel(peer, text) {
  return peer.role === "interpreter" ? text("interpreter_named", { name: peer.name }) : peer.name;
}

// Refusals (by their sentences' keys) after which the person's phone will not be rung in this
// call as things stand, so the page offers the dial-in number and PIN instead (a request still
// running, or a phone already in the call, needs no other way in).
const DIAL_IN_INSTEAD = new Set([
  "phone_refused_no_verified_phone", "phone_refused_country_not_allowed", "phone_refused_number_type",
  "phone_refused_booking_cap", "phone_refused_daily_cap", "phone_refused_twilio_refused",
  "phone_refused_twilio_unavailable", "phone_refused_unavailable",
]);

/** Whether a refusal with this code should offer the dial-in number and PIN, when there is one. */
export function offersDialIn(code) {
  return DIAL_IN_INSTEAD.has(`phone_refused_${code}`);
}

/** In each pair the peer whose id sorts first makes the offers, so offers never cross. */
export function isOfferer(myId, peerId) {
  return myId < peerId;
}

/** Milliseconds to wait before reconnection attempt number `attempt` (0, 1, 2...): 0.5 s, 1 s, 2 s, 4 s, then 5 s. */
export function backoffDelay(attempt) {
  return Math.min(BACKOFF_FIRST_MS * 2 ** Math.max(0, attempt), BACKOFF_MAX_MS);
}

/**
 * What a WebSocket close code means for this page: reconnect with the same ticket, or end with
 * the sentence `key` (a key of the page's strings); `reload` offers a reload link.
 * `afterEnd` is true once the session's end has passed (an expired ticket then means "over").
 */
export function closeOutcome(code, afterEnd = false) {
  switch (code) {
    case 1000: return { reconnect: false, key: "ended_by_service" };
    case 4409: return { reconnect: false, key: "replaced" };
    case 4404: return { reconnect: false, key: "removed" };  // no longer on the session's roster
    case 4410: return { reconnect: false, key: "call_over" };
    case 4401:
    case 4403:
      if (afterEnd) {
        return { reconnect: false, key: "call_over" };  // the ticket expired with the session
      }
      return { reconnect: false, key: "ticket_refused", reload: true };
    case 4400:
    case 4422:
    case 1009:
      return { reconnect: false, key: "refused", reload: true };
    case 4429: return { reconnect: false, key: "too_many", reload: true };
    case 4408: return { reconnect: false, key: "join_timeout", reload: true };
    case 4503: return { reconnect: false, key: "room_full", reload: true };
    default:
      if (code >= 4000 && code <= 4999) {
        return { reconnect: false, key: "ended_by_service", reload: true };
      }
      return { reconnect: true };  // 1001 (service restarting), 1006 (connection lost), 1013 (try again)...
  }
}

/** The worst of some peer states; "waiting" when there are none. */
export function overallState(peerStates) {
  let worst = null;
  for (const state of peerStates) {
    if (worst === null || (STATE_RANK[state] || 0) > (STATE_RANK[worst] || 0)) {
      worst = state;
    }
  }
  return worst === null ? "waiting" : worst;
}

/** "good", "fair", "poor", or "unknown" when nothing was measured. */
export function classifyQuality(rttMs, lossPercent) {
  if (rttMs == null && lossPercent == null) {
    return "unknown";
  }
  if ((rttMs ?? 0) > POOR_RTT_MS || (lossPercent ?? 0) > POOR_LOSS_PERCENT) {
    return "poor";
  }
  if ((rttMs ?? 0) > FAIR_RTT_MS || (lossPercent ?? 0) > FAIR_LOSS_PERCENT) {
    return "fair";
  }
  return "good";
}

/** The session id of an SDP's o= line: it changes only when the other side starts a new connection. */
export function sdpSessionId(sdp) {
  const match = /^o=\S+ (\d+) /m.exec(sdp || "");
  return match ? match[1] : null;
}

function kindOf(stat) {
  return stat.kind || stat.mediaType;
}

/**
 * One reading of an RTCStatsReport (any object with forEach): counters and the security state.
 * `at` is the reading's time in milliseconds.
 */
export function readStats(report, at) {
  const pairs = new Map();
  const transports = [];
  const sample = {
    at,
    rttMs: null,
    audioBytes: 0,
    videoBytes: 0,
    audioLost: 0,
    audioReceived: 0,
    hasAudio: false,
    dtlsConnected: null,  // null: the report has no transport statistics
    srtpCipher: null,
  };
  let remoteRttSeconds = null;
  report.forEach((stat) => {
    if (stat.type === "transport") {
      transports.push(stat);
    } else if (stat.type === "candidate-pair") {
      pairs.set(stat.id, stat);
    } else if (stat.type === "inbound-rtp") {
      if (kindOf(stat) === "audio") {
        sample.hasAudio = true;
        sample.audioBytes += stat.bytesReceived || 0;
        sample.audioLost += Math.max(0, stat.packetsLost || 0);
        sample.audioReceived += stat.packetsReceived || 0;
      } else if (kindOf(stat) === "video") {
        sample.videoBytes += stat.bytesReceived || 0;
      }
    } else if (stat.type === "remote-inbound-rtp" && typeof stat.roundTripTime === "number") {
      remoteRttSeconds = Math.max(remoteRttSeconds ?? 0, stat.roundTripTime);
    }
  });
  let pair = null;
  for (const transport of transports) {
    if (transport.selectedCandidatePairId && pairs.has(transport.selectedCandidatePairId)) {
      pair = pairs.get(transport.selectedCandidatePairId);
    }
  }
  if (pair === null) {
    const candidates = [...pairs.values()];
    pair = candidates.find((p) => p.selected) || candidates.find((p) => p.nominated && p.state === "succeeded") || null;
  }
  if (pair && typeof pair.currentRoundTripTime === "number") {
    sample.rttMs = pair.currentRoundTripTime * 1000;
  } else if (remoteRttSeconds !== null) {
    sample.rttMs = remoteRttSeconds * 1000;
  }
  if (transports.length > 0) {
    sample.dtlsConnected = transports.every((t) => t.dtlsState === "connected");
    const ciphers = transports.map((t) => t.srtpCipher).filter((c) => c !== undefined);
    if (ciphers.length > 0) {
      sample.srtpCipher = ciphers.every((c) => typeof c === "string" && c !== "") ? ciphers[0] : "";
    }
  }
  return sample;
}

/** Loss and bitrate between two readings, RTT from the latest: the numbers of a "quality" message. */
export function measure(sample, previous) {
  const result = {
    rtt_ms: sample.rttMs == null ? null : Math.round(sample.rttMs),
    loss_percent: null,
    bitrate_kbps: null,
  };
  if (!previous) {
    return result;
  }
  const lost = Math.max(0, sample.audioLost - previous.audioLost);
  const received = Math.max(0, sample.audioReceived - previous.audioReceived);
  if (sample.hasAudio && lost + received > 0) {
    result.loss_percent = Math.round((1000 * lost) / (lost + received)) / 10;
  }
  const seconds = (sample.at - previous.at) / 1000;
  const bytes = sample.audioBytes + sample.videoBytes - previous.audioBytes - previous.videoBytes;
  if (seconds > 0 && bytes >= 0) {
    result.bitrate_kbps = Math.round((bytes * 8) / seconds / 1000);
  }
  return result;
}

/** Whether a reading shows an encrypted media path: DTLS connected, and an SRTP cipher where reported. */
export function isSecured(sample) {
  return sample.dtlsConnected === true && sample.srtpCipher !== "";
}

// Kept here too for the modules and tests that take it with the rules.
export { fill } from "./strings.js";

/** The participant id a person's phone joins the call as (signalling: "phone-user-7" for "user-7"). */
export function phoneParticipantOf(myId) {
  return `phone-${myId}`;
}

/**
 * Where the phone stands for this page: "ended" (the page left the call), "on-phone" (its phone
 * participant is in the room), "hanging-up", "dialing" (asked for, not in the room yet) or "idle".
 */
export function phoneState({ ended, onPhone, pending }) {
  if (ended) {
    return "ended";
  }
  if (onPhone) {
    return pending === "hangup" ? "hanging-up" : "on-phone";
  }
  if (pending === "call") {
    return "dialing";
  }
  return pending === "hangup" ? "hanging-up" : "idle";
}

/** A simulated phone's address from the service, if it is a web page (http or https) worth opening. */
export function simulatorAddress(url, base) {
  try {
    const parsed = new URL(url, base);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}
