// The interpreter's "Available now" page: keeps her live connection (with its beats, which keep
// her reachable), rings when a request reaches her (sound, notification, the panel with Accept and
// Decline, a countdown) and stops at once when the ring ends. Accept and Decline go over the live
// connection when it is open: the signalling node commits them and tells the other pages in the
// same moment; after Accept the page opens the call, after Decline she stays available. Otherwise
// (or when the node cannot decide) the page posts the form, and the portal answers.
import { LiveConnection, secondsLeft, ticketFetcher } from "./ondemand-live.js";
import { RingSound } from "./ring-sound.js";
import { strings } from "./strings.js";

const t = strings();
const config = JSON.parse(document.getElementById("available-config").textContent);
const $ = (id) => document.getElementById(id);

const ui = {
  switchPanel: $("now-switch"),
  presenceText: $("now-presence-text"),
  connection: $("now-connection"),
  switchForm: $("switch-form"),
  switchButton: $("switch-button"),
  soundOn: $("sound-on"),
  notificationsOn: $("notifications-on"),
  alerts: $("alerts-status"),
  panel: $("ring-panel"),
  summary: $("ring-summary"),
  countdown: $("ring-countdown"),
  acceptForm: $("accept-form"),
  declineForm: $("decline-form"),
  ended: $("ring-ended"),
};

const sound = new RingSound();
const baseTitle = document.title;
let available = Boolean(config.available);
let connected = false;
let ring = null; // {ring_id, until, summary} while her page rings
let countdownTimer = null;
let notification = null;
let accepting = null; // the ring whose acceptance went over the live connection, until it is answered
let declining = null; // the ring whose decline went over the live connection, until it is answered

function showPresence() {
  ui.switchPanel.dataset.available = available ? "yes" : "no";
  ui.switchPanel.dataset.reachable = connected ? "yes" : "no";
  if (!available) {
    ui.presenceText.textContent = t("not_available");
  } else {
    ui.presenceText.textContent = connected ? t("reachable") : t("unreachable");
  }
  ui.switchForm.elements.available.value = available ? "false" : "true";
  ui.switchButton.textContent = available ? t("switch_off") : t("switch_on");
  ui.switchButton.className = available ? "button-secondary" : "button";
}

function showConnection(state, detail) {
  connected = state === "open";
  if (state === "open" || state === "connecting") {
    ui.connection.hidden = true;
  } else {
    ui.connection.hidden = false;
    ui.connection.textContent = state === "refused" ? t("refused", { message: detail }) : t("reconnecting");
  }
  showPresence();
}

function showCountdown() {
  if (!ring) {
    return;
  }
  const left = secondsLeft(ring.until, Date.now());
  if (left <= 0) {
    ui.countdown.textContent = t("ring_lapsed");
    stopRinging();
    ui.panel.hidden = true;
    return;
  }
  ui.countdown.textContent = t("ring_left", { count: left });
}

function notify(frame) {
  if (!("Notification" in window) || Notification.permission !== "granted") {
    return;
  }
  try {
    notification = new Notification(t("ringing_title"), { body: frame.summary, tag: "rris-ring", requireInteraction: true });
    notification.onclick = () => {
      window.focus();
      notification.close();
    };
  } catch {
    notification = null; // some browsers allow notifications from a service worker only
  }
}

function startRinging(frame) {
  ring = { ring_id: frame.ring_id, until: frame.until, summary: frame.summary };
  ui.summary.textContent = frame.summary;
  ui.acceptForm.action = `${config.rings_url}${frame.ring_id}/accept`;
  ui.declineForm.action = `${config.rings_url}${frame.ring_id}/decline`;
  ui.ended.textContent = "";
  ui.panel.hidden = false;
  ui.panel.dataset.ringing = "yes";
  document.title = `${t("ringing_title")} · ${baseTitle}`;
  sound.start();
  ui.panel.dataset.sound = sound.blocked ? "blocked" : "playing";
  if (sound.blocked) {
    ui.soundOn.hidden = false;
  }
  notify(frame);
  if (countdownTimer === null) {
    countdownTimer = setInterval(showCountdown, 1000);
  }
  showCountdown();
}

function stopRinging() {
  sound.stop();
  ui.panel.dataset.sound = "off";
  if (countdownTimer !== null) {
    clearInterval(countdownTimer);
    countdownTimer = null;
  }
  if (notification) {
    notification.close();
    notification = null;
  }
  ui.panel.dataset.ringing = "no";
  document.title = baseTitle;
  ring = null;
}

function ringEnded(frame) {
  if (!ring || ring.ring_id !== frame.ring_id) {
    return;
  }
  stopRinging();
  ui.panel.hidden = true;
  ui.ended.textContent = t(`ended_${frame.outcome}`);
}

function acceptAnswered(frame) {
  if (accepting !== frame.ring_id) {
    return;
  }
  accepting = null;
  if (frame.type === "accepted") {
    window.location.assign(frame.call_url);
  } else if (frame.type === "accept_refused") {
    stopRinging();
    ui.panel.hidden = true;
    ui.ended.textContent = frame.message;
  } else {
    ui.acceptForm.submit(); // the portal decides instead
  }
}

ui.acceptForm.addEventListener("submit", (event) => {
  if (ring && accepting === null && live.send({ type: "accept", ring_id: ring.ring_id })) {
    event.preventDefault();
    accepting = ring.ring_id;
  }
});

function declineAnswered(frame) {
  if (declining !== frame.ring_id) {
    return;
  }
  declining = null;
  if (frame.type === "declined") {
    ringEnded({ ring_id: frame.ring_id, outcome: "declined" }); // she stays available for others
  } else if (frame.type === "decline_refused") {
    stopRinging();
    ui.panel.hidden = true;
    ui.ended.textContent = frame.message;
  } else {
    ui.declineForm.submit(); // the portal decides instead
  }
}

ui.declineForm.addEventListener("submit", (event) => {
  if (ring && accepting === null && declining === null && live.send({ type: "decline", ring_id: ring.ring_id })) {
    event.preventDefault();
    declining = ring.ring_id;
  }
});

function receive(frame) {
  if (frame.type === "accepted" || frame.type === "accept_refused" || frame.type === "accept_failed") {
    acceptAnswered(frame);
  } else if (frame.type === "declined" || frame.type === "decline_refused" || frame.type === "decline_failed") {
    declineAnswered(frame);
  } else if (frame.type === "ring") {
    startRinging(frame);
  } else if (frame.type === "ring_ended") {
    ringEnded(frame);
  } else if (frame.type === "presence") {
    available = Boolean(frame.available);
    showPresence();
  }
}

function offerAlerts() {
  if (sound.blocked) {
    ui.soundOn.hidden = false;
  }
  ui.soundOn.addEventListener("click", () => {
    sound.unlock().then((playing) => {
      ui.soundOn.hidden = playing;
      ui.alerts.textContent = playing ? t("sound_on") : t("sound_blocked");
    });
  });
  if (!("Notification" in window)) {
    ui.alerts.textContent = t("notifications_unsupported");
    return;
  }
  const told = () => {
    ui.notificationsOn.hidden = Notification.permission !== "default";
    if (Notification.permission === "granted") {
      ui.alerts.textContent = t("notifications_on");
    } else if (Notification.permission === "denied") {
      ui.alerts.textContent = t("notifications_denied");
    }
  };
  // Browsers ask only after a gesture: hence a button, never a prompt on load.
  ui.notificationsOn.addEventListener("click", () => {
    Promise.resolve(Notification.requestPermission()).then(told, told);
  });
  told();
}

offerAlerts();
if (config.ring) {
  startRinging(config.ring);
}
const live = new LiveConnection({
  url: config.live_url,
  ticket: config.ticket,
  fetchTicket: ticketFetcher(config.ticket_url),
  onFrame: receive,
  onState: showConnection,
  beats: true,
});
live.start();
window.addEventListener("pagehide", () => {
  stopRinging();
  live.stop();
});
