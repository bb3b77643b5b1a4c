// The live connection of the on-demand pages to the signalling service (GET /ondemand/ws), and the
// sentences those pages write from what it pushes. Protocol: the page's first frame is
// {"type": "hello", "ticket"}; the service answers "welcome" (with heartbeat_seconds) or "refused"
// and closes. An interpreter's page then sends {"type": "beat"} every heartbeat_seconds. When the
// socket drops, the page waits (exponential backoff with jitter), fetches a fresh ticket from the
// portal (a ticket opens a connection for two minutes only) and connects again.

export const FIRST_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 30000;

/** How long to wait before reconnection attempt `attempt` (0, 1, 2...): between half and all of
 * 1 s, 2 s, 4 s... up to 30 s, so that pages dropped together do not all come back at once. */
export function backoffDelay(attempt, random = Math.random) {
  const ceiling = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Whole seconds from `nowMs` until the instant `until` (ISO 8601), never below zero. */
export function secondsLeft(until, nowMs) {
  const end = Date.parse(until);
  if (Number.isNaN(end)) {
    return 0;
  }
  return Math.max(0, Math.ceil((end - nowMs) / 1000));
}

/** The expected wait as the status page says it (the portal writes the same sentences). */
export function waitSentence(t, seconds) {
  if (seconds == null) {
    return t("wait_unknown");
  }
  const minutes = Math.round(seconds / 60);
  return minutes < 1 ? t("wait_under_minute") : t("wait_minutes", { count: minutes });
}

/** What the status page says for a status frame: the state, then (while waiting or ringing) the
 * place in the queue and the expected wait. */
export function statusSentences(t, status) {
  const sentences = [t(`state_${status.state}`)];
  if (status.position != null) {
    sentences.push(t("position", { position: status.position }));
    sentences.push(waitSentence(t, status.expected_wait_seconds));
  }
  return sentences;
}

/**
 * One page's live connection, kept up until stop(). `onFrame(frame)` receives every frame after
 * the welcome; `onState(state, detail)` hears "connecting", "open", "reconnecting" and "refused"
 * (detail: the service's message). `fetchTicket()` resolves to a fresh ticket for each reconnection.
 */
export class LiveConnection {
  constructor({
    url, ticket, fetchTicket, onFrame = () => {}, onState = () => {}, beats = false,
    WebSocketClass = globalThis.WebSocket, timers = globalThis, random = Math.random,
  }) {
    Object.assign(this, { url, ticket, fetchTicket, onFrame, onState, beats, WebSocketClass, timers, random });
    this.attempt = 0;
    this.socket = null;
    this.beatTimer = null;
    this.retryTimer = null;
    this.stopped = false;
    this.state = "idle";
  }

  start() {
    this.stopped = false;
    this.connect(this.ticket);
  }

  stop() {
    this.stopped = true;
    this.clearBeats();
    if (this.retryTimer !== null) {
      this.timers.clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    if (this.socket) {
      this.socket.close(1000);
      this.socket = null;
    }
  }

  // Sends a frame over the open connection; false when it is not open (the page then posts its form).
  send(frame) {
    if (this.state !== "open" || !this.socket || this.socket.readyState !== 1) {
      return false;
    }
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  setState(state, detail) {
    if (state === this.state && detail === undefined) {
      return; // the page hears each change once
    }
    this.state = state;
    this.onState(state, detail);
  }

  connect(ticket) {
    this.setState(this.attempt === 0 ? "connecting" : "reconnecting");
    let socket;
    try {
      socket = new this.WebSocketClass(this.url);
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => socket.send(JSON.stringify({ type: "hello", ticket }));
    socket.onmessage = (event) => this.receive(socket, event.data);
    socket.onclose = () => {
      if (this.socket !== socket) {
        return;
      }
      this.socket = null;
      this.clearBeats();
      this.retry();
    };
  }

  receive(socket, data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (!frame || typeof frame.type !== "string") {
      return;
    }
    if (frame.type === "welcome") {
      this.attempt = 0;
      this.setState("open");
      this.startBeats(socket, frame.heartbeat_seconds);
    } else if (frame.type === "refused") {
      this.setState("refused", frame.message || frame.reason || "");
    } else {
      this.onFrame(frame);
    }
  }

  startBeats(socket, seconds) {
    this.clearBeats();
    if (!this.beats || !(seconds > 0)) {
      return;
    }
    this.beatTimer = this.timers.setInterval(() => {
      if (socket.readyState === 1) {
        socket.send(JSON.stringify({ type: "beat" }));
      }
    }, seconds * 1000);
  }

  clearBeats() {
    if (this.beatTimer !== null) {
      this.timers.clearInterval(this.beatTimer);
      this.beatTimer = null;
    }
  }

  retry() {
    if (this.stopped) {
      return;
    }
    if (this.state !== "refused") {
      this.setState("reconnecting");
    }
    const delay = backoffDelay(this.attempt, this.random);
    this.attempt += 1;
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      if (this.stopped) {
        return;
      }
      Promise.resolve()
        .then(() => this.fetchTicket())
        .then((ticket) => {
          if (!this.stopped) {
            this.connect(ticket);
          }
        })
        .catch(() => this.retry());
    }, delay);
  }
}

/** A fresh ticket from the portal's small JSON endpoint (the page's own session authenticates). */
export function ticketFetcher(ticketUrl, fetchImpl = globalThis.fetch) {
  return () => fetchImpl(ticketUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => {
      if (!response.ok) {
        throw new Error(`ticket: ${response.status}`);
      }
      return response.json();
    })
    .then((body) => body.ticket);
}
