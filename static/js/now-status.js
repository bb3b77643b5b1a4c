// The officer's page following a request for an interpreter now: the live status frames say where
// it stands (state, place in the queue, expected wait); once an interpreter answers, the call page
// opens. While the live connection is down, the page asks the API every few seconds instead.
import { LiveConnection, statusSentences, ticketFetcher } from "./ondemand-live.js";
import { strings } from "./strings.js";

const POLL_SECONDS = 5;
const FINAL_STATES = new Set(["ended", "abandoned"]);

const t = strings();
const config = JSON.parse(document.getElementById("now-config").textContent);
const $ = (id) => document.getElementById(id);
const lines = [$("now-state"), $("now-position"), $("now-wait")];
let pollTimer = null;
let live = null;

function show(status) {
  if (status.call_url) {
    window.location.assign(status.call_url);
    return;
  }
  $("now-status").dataset.state = status.state;
  statusSentences(t, status).forEach((sentence, index) => {
    lines[index].textContent = sentence;
    lines[index].hidden = false;
  });
  for (const line of lines.slice(status.position == null ? 1 : 3)) {
    line.hidden = true;
  }
  if (FINAL_STATES.has(status.state)) {
    stopPolling();
    if (live) {
      live.stop();
    }
    window.location.reload(); // the page then offers to ask again or to book
  }
}

function poll() {
  fetch(config.status_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => (response.ok ? response.json() : null))
    .then((status) => {
      if (status) {
        show(status);
      }
    })
    .catch(() => { /* the next round tries again */ });
}

function stopPolling() {
  if (pollTimer !== null) {
    clearInterval(pollTimer);
    pollTimer = null;
  }
}

function showConnection(state, detail) {
  const notice = $("now-connection");
  if (state === "open" || state === "connecting") {
    notice.hidden = true;
    stopPolling();
    return;
  }
  notice.hidden = false;
  notice.textContent = `${state === "refused" ? t("refused", { message: detail }) : t("reconnecting")} ${t("polling")}`;
  if (pollTimer === null) {
    pollTimer = setInterval(poll, POLL_SECONDS * 1000);
    poll();
  }
}

live = new LiveConnection({
  url: config.live_url,
  ticket: config.ticket,
  fetchTicket: ticketFetcher(config.ticket_url),
  onFrame: (frame) => {
    if (frame.type === "status") {
      show(frame);
    }
  },
  onState: showConnection,
});
live.start();
window.addEventListener("pagehide", () => live.stop());
