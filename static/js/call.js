// The call page: joins the call's room on the signalling service with the ticket the portal
// issued, and keeps one RTCPeerConnection per other participant (call-peer.js); media flows
// peer to peer. The protocol is in signaling/protocol.py. Every sentence comes from the page's
// strings block (translated by the portal, see strings.js), never from this file.

import { LocalMedia } from "./call-media.js";
import { Peer } from "./call-peer.js";
import { PhoneControl } from "./call-phone.js";
import {
  backoffDelay, classifyQuality, closeOutcome, isSecured, measure, overallState, peerLabel, readStats,
} from "./call-rules.js";
import {
  fillDeviceList, makeTile, notify, showQuality, showSecurity, showStatus, showTileState,
} from "./call-view.js";
import { t as text } from "./strings.js";

const STATS_INTERVAL_MS = 2000;
const CONNECT_TIMEOUT_MS = 10000;  // a socket not open by then is given up and tried again
const PING_INTERVAL_MS = 15000;
const SILENCE_LIMIT_MS = 40000;  // nothing heard (not even a pong) this long: the socket is dead
const AWAY_LIMIT_MS = 20000;  // after our reconnect, a peer not back in the service this long is gone

const config = JSON.parse(document.getElementById("call-config").textContent);
const endsAt = Date.parse(config.ends_at);

const ui = {
  status: document.getElementById("call-status"),
  statusText: document.getElementById("call-status-text"),
  secure: document.getElementById("secure-indicator"),
  secureText: document.getElementById("secure-text"),
  secureDetail: document.getElementById("secure-detail"),
  notices: document.getElementById("call-notices"),
  endedActions: document.getElementById("call-ended-actions"),
  reloadLink: document.getElementById("reload-link"),
  tiles: document.getElementById("call-tiles"),
  localTile: document.getElementById("local-tile"),
  localVideo: document.getElementById("local-video"),
  microphoneOff: document.getElementById("local-microphone-off"),
  cameraOff: document.getElementById("local-camera-off"),
  muteMicrophone: document.getElementById("mute-microphone"),
  muteCamera: document.getElementById("mute-camera"),
  cameraSelect: document.getElementById("camera-select"),
  microphoneSelect: document.getElementById("microphone-select"),
  startSound: document.getElementById("start-sound"),
  leave: document.getElementById("leave-call"),
};

const media = new LocalMedia();
const peers = new Map();  // peer id -> Peer
const call = {
  socket: null,
  welcomed: false,  // in the room on the current socket
  everWelcomed: false,
  attempt: 0,
  reconnectTimer: null,
  unavailable: false,  // the service said it cannot start calls just now (its shared state is away)
  lastHeard: 0,
  ended: false,
  endingKey: null,
  timers: [],
  phoneMutedMicrophone: false,  // this page turned the browser microphone off while on the phone
};

// "Call me on my phone": the panel exists when the person has a verified number.
const phone = new PhoneControl(config.phone, {
  panel: document.getElementById("phone-panel"),
  call: document.getElementById("phone-call"),
  hangUp: document.getElementById("phone-hang-up"),
  status: document.getElementById("phone-status"),
  simulator: document.getElementById("phone-simulator"),
  simulatorLink: document.getElementById("phone-simulator-link"),
}, {
  myId: config.me.id,
  send,
  text,
  notify: (sentence) => notify(ui.notices, sentence),
  changed: phoneChanged,
  dialIn: config.dial_in || null,
});

const peerContext = {
  myId: config.me.id,
  iceServers: config.ice_servers || [],
  media,
  send,
  changed: peerChanged,
  streamStarted(peer) {
    if (peer.tile.video.srcObject !== peer.stream) {
      peer.tile.video.srcObject = peer.stream;
    }
    play(peer.tile.video);
  },
};

// Peers

function addPeer(description) {
  const peer = new Peer(description, peerContext);
  const ownPhone = peer.id === phone.id;
  peer.phone = peer.phone || ownPhone;
  peer.tile = makeTile(ui.tiles, ui.localTile, peer, text, ownPhone);
  peers.set(peer.id, peer);
  peer.start();
  return peer;
}

function removePeer(peer) {
  peers.delete(peer.id);
  clearTimeout(peer.awayTimer);
  peer.close();
  peer.tile.root.remove();
  refreshSecurity();
}

function peerChanged(peer) {
  if (peers.get(peer.id) !== peer) {
    return;
  }
  if (peer.tile.video.srcObject && peer.tile.video.srcObject !== peer.stream) {
    peer.tile.video.srcObject = null;  // a new connection: its stream is set with its first track
  }
  showTileState(peer.tile, peer.state, text);
  reportStatus(peer);
  refreshSecurity();
  render();
}

function reportStatus(peer) {
  const state = peer.report;
  if (state !== peer.reported && send({ type: "status", peer: peer.id, state })) {
    peer.reported = state;
  }
}

// This person's phone came into the call (or left it): their voice goes through the phone, so the
// browser microphone is turned off meanwhile (the others would hear them twice), then back on.
function phoneChanged(onPhone) {
  if (onPhone) {
    if (media.track("audio") && !media.muted.audio) {
      media.setMuted("audio", true);
      call.phoneMutedMicrophone = true;
      notify(ui.notices, text("phone_microphone_off"));
    }
  } else if (call.phoneMutedMicrophone) {
    call.phoneMutedMicrophone = false;
    media.setMuted("audio", false);
    notify(ui.notices, text("phone_microphone_back"));
  }
  refreshControls();
}

media.onTrackChanged = (kind, track) => {
  showLocalPreview();
  for (const peer of peers.values()) {
    peer.replaceTrack(kind, track);
  }
  refreshControls();
};

// A network change (Wi-Fi to mobile, a VPN...): restart ICE with everyone, reconnect at once.
function networkChanged() {
  if (call.ended) {
    return;
  }
  if (!socketOpen() && call.reconnectTimer !== null) {
    clearTimeout(call.reconnectTimer);
    call.attempt = 0;
    connect();
  }
  for (const peer of peers.values()) {
    peer.recover();
  }
}

window.addEventListener("online", networkChanged);
if (navigator.connection && navigator.connection.addEventListener) {
  navigator.connection.addEventListener("change", networkChanged);
}

// The signalling WebSocket

function socketOpen() {
  return call.socket !== null && call.socket.readyState === WebSocket.OPEN;
}

function send(message) {
  if (!socketOpen()) {
    return false;
  }
  call.socket.send(JSON.stringify(message));
  return true;
}

function connect() {
  call.reconnectTimer = null;
  if (call.ended) {
    return;
  }
  let socket;
  try {
    socket = new WebSocket(config.signaling_url);
  } catch (error) {
    console.warn("signalling:", error);
    scheduleReconnect();
    return;
  }
  call.socket = socket;
  call.welcomed = false;
  socket.addEventListener("open", () => {
    if (call.socket === socket) {
      call.lastHeard = Date.now();
      // resume: this page was in the call before its socket dropped; the others keep its media
      send({ type: "join", ticket: config.ticket, resume: call.everWelcomed });
    }
  });
  socket.addEventListener("message", (event) => {
    if (call.socket !== socket) {
      return;
    }
    call.lastHeard = Date.now();
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (error) {
      console.warn("signalling sent something that is not JSON", error);
      return;
    }
    handle(message);
  });
  socket.addEventListener("close", (event) => {
    if (call.socket === socket) {
      socketClosed(event.code);
    }
  });
  setTimeout(() => {
    if (call.socket === socket && socket.readyState !== WebSocket.OPEN) {
      abandon(socket);  // an attempt that hangs, or that was blocked without a close event
    }
  }, CONNECT_TIMEOUT_MS);
  render();
}

function abandon(socket) {
  call.socket = null;
  socket.close();
  socketClosed(1006);
}

function socketClosed(code) {
  call.socket = null;
  call.welcomed = false;
  if (call.ended) {
    return;
  }
  const outcome = closeOutcome(code, Date.now() >= endsAt);
  if (outcome.reconnect) {
    scheduleReconnect();  // the same ticket; the peer connections stay up meanwhile
  } else {
    end(outcome.key, { reload: Boolean(outcome.reload) });
  }
}

function scheduleReconnect() {
  if (call.ended || call.reconnectTimer !== null) {
    return;
  }
  call.reconnectTimer = setTimeout(connect, backoffDelay(call.attempt));
  call.attempt += 1;
  render();
}

function heartbeat() {
  if (!socketOpen()) {
    return;
  }
  if (Date.now() - call.lastHeard > SILENCE_LIMIT_MS) {
    abandon(call.socket);  // it died without a close frame (a sleeping laptop, a NAT timeout)
    return;
  }
  send({ type: "ping" });
}

function handle(message) {
  switch (message.type) {
    case "welcome":
      welcomed(message);
      break;
    case "peer-joined":
      peerJoined(message.peer);
      break;
    case "peer-away":
      peerAway(message.peer);
      break;
    case "peer-back":
      peerBack(message.peer);
      break;
    case "peer-left":
      peerLeft(message.peer, message.reason);
      break;
    case "offer":
    case "answer":
    case "candidate":
    case "restart":
      relayed(message);
      break;
    case "phone":
      phone.answer(message);
      break;
    case "reconnect":
      call.attempt = 0;  // this node stops serving the call: the close (1001 or 1012) follows; back at once
      break;
    case "error":
      console.warn("signalling error", message.code, message.message);  // a close with its code follows, if any
      call.unavailable = message.code === "service_unavailable";
      break;
    case "pong":
      break;
    default:
      console.debug("unknown signalling message", message.type);
  }
}

function welcomed(message) {
  const resumed = call.everWelcomed;
  call.welcomed = true;
  call.everWelcomed = true;
  call.attempt = 0;
  call.unavailable = false;
  const listed = new Map((message.peers || []).map((p) => [p.id, p]));
  for (const peer of [...peers.values()]) {
    if (listed.has(peer.id)) {
      continue;
    }
    if (resumed) {
      // Not (yet) back in the service, which may just have restarted and forgotten everyone:
      // keep the media and wait for them to come back before calling them gone.
      markAway(peer);
    } else {
      notify(ui.notices, text("peer_left", { name: peerLabel(peer, text) }));
      removePeer(peer);
    }
  }
  for (const description of listed.values()) {
    const known = peers.get(description.id);
    if (!known) {
      addPeer(description);
    } else if (resumed) {
      // Back after our socket dropped: the media kept flowing, but the network may have changed,
      // and the others saw us "away" until they hear from us again: restart ICE with each.
      known.away = false;
      known.lastRecovery = 0;
      known.recover();
    }
  }
  if (resumed) {
    for (const peer of peers.values()) {
      peer.reported = null;  // the service keeps a record per connection: tell the new one
      peerChanged(peer);
    }
  }
  render();
}

function peerJoined(description) {
  const known = peers.get(description.id);
  if (known) {
    removePeer(known);  // the same participant started over (a reload, another tab)
  } else {
    notify(ui.notices, text("peer_joined", { name: peerLabel(description, text) }));
  }
  addPeer(description);
  render();
}

function peerAway(id) {
  const peer = peers.get(id);
  if (peer) {
    peer.away = true;
    notify(ui.notices, text("peer_away", { name: peerLabel(peer, text) }));
    peerChanged(peer);
  }
}

function peerBack(description) {
  const peer = peers.get(description.id);
  if (!peer) {
    peerJoined(description);  // this page is new to it (a reload here): start a connection
    return;
  }
  clearTimeout(peer.awayTimer);
  if (peer.away) {
    peer.away = false;  // the same page came back; it restarts ICE itself if the network changed
    peerChanged(peer);
  }
}

function markAway(peer) {
  if (!peer.away) {
    peer.away = true;
    peerChanged(peer);
  }
  clearTimeout(peer.awayTimer);
  peer.awayTimer = setTimeout(() => {
    if (peers.get(peer.id) === peer && peer.away) {
      notify(ui.notices, text("peer_gone", { name: peerLabel(peer, text) }));
      removePeer(peer);
      render();
    }
  }, AWAY_LIMIT_MS);
}

function peerLeft(id, reason) {
  const peer = peers.get(id);
  if (peer) {
    const key = { gone: "peer_gone", "replaced-elsewhere": "peer_replaced", removed: "peer_removed" }[reason] || "peer_left";
    notify(ui.notices, text(key, { name: peerLabel(peer, text) }));
    removePeer(peer);
    render();
  }
}

function relayed(message) {
  const peer = peers.get(message.from);
  if (!peer) {
    console.debug("message from an unknown peer", message.type, message.from);
    return;
  }
  if (peer.away) {
    peer.away = false;  // we hear from it again
    peerChanged(peer);
  }
  peer.receive(message);
}

// Statistics every 2 s: quality per peer (shown, and sent to the service), and encryption.

async function collectStats() {
  await Promise.all([...peers.values()].map(measurePeer));
  refreshSecurity();
}

async function measurePeer(peer) {
  const pc = peer.pc;
  if (!pc) {
    return;
  }
  let report;
  try {
    report = await pc.getStats();
  } catch {
    return;
  }
  if (peer.pc !== pc || call.ended) {
    return;
  }
  const sample = readStats(report, performance.now());
  const numbers = measure(sample, peer.previousSample);
  peer.previousSample = sample;
  const connected = pc.connectionState === "connected";
  peer.quality = connected ? classifyQuality(numbers.rtt_ms, numbers.loss_percent) : "unknown";
  peer.secured = connected && (sample.dtlsConnected === null ? dtlsOfSenders(pc) : isSecured(sample));
  peer.cipher = sample.srtpCipher || null;
  showQuality(peer.tile, peer.quality, numbers, text);
  peerChanged(peer);
  if (connected) {
    send({ type: "quality", peer: peer.id, ...numbers });
  }
}

// Browsers without transport statistics still say whether DTLS is up on the sender's transport.
function dtlsOfSenders(pc) {
  const transports = pc.getSenders().map((s) => s.transport).filter(Boolean);
  return transports.length > 0 && transports.every((t) => t.state === "connected");
}

async function inboundBytes(peerId, kind) {
  const peer = peers.get(peerId);
  if (!peer || !peer.pc) {
    return 0;
  }
  const sample = readStats(await peer.pc.getStats(), performance.now());
  return kind === "video" ? sample.videoBytes : sample.audioBytes;
}

// The page's state: ended, (re)connecting to the service, waiting, or the worst of the peers.

function pageState() {
  if (call.ended) {
    return "ended";
  }
  if (!call.welcomed) {
    return call.everWelcomed || call.attempt > 0 ? "reconnecting" : "connecting";
  }
  return overallState([...peers.values()].map((p) => p.state));
}

function render() {
  const state = pageState();
  let key = `state_${state}`;
  if (state === "ended") {
    key = call.endingKey || "state_ended";
  } else if (!call.welcomed) {
    key = state === "connecting" ? "state_joining" : "state_reconnecting_service";
    if (!call.everWelcomed && state === "reconnecting") {
      key = "state_service_unreachable";  // not in the call yet: nothing goes on meanwhile
    }
    if (call.unavailable) {
      key = call.everWelcomed ? "state_service_unavailable_in_call" : "state_service_unavailable";
    }
  }
  showStatus(ui.status, ui.statusText, state, text(key));
  phone.connected(call.welcomed && !call.ended);
  phone.present(peers.has(phone.id));
}

function refreshSecurity() {
  const connected = [...peers.values()].filter((p) => p.connection === "connected");
  const secure = !call.ended && connected.length > 0 && connected.every((p) => p.secured);
  showSecurity(ui, secure, [...new Set(connected.map((p) => p.cipher).filter(Boolean))], text);
}

function play(video) {
  const started = video.play();
  if (started && started.catch) {
    started.catch((error) => {
      if (error.name === "NotAllowedError" && ui.startSound.hidden) {
        ui.startSound.hidden = false;
        notify(ui.notices, text("sound_blocked"));
      }
    });
  }
}

ui.startSound.addEventListener("click", () => {
  ui.startSound.hidden = true;
  for (const peer of peers.values()) {
    play(peer.tile.video);
  }
});

// Controls: mute, devices, leave

function showLocalPreview() {
  // An empty stream would hold up the page's load event: show the preview once there is a track.
  const wanted = media.stream.getTracks().length > 0 && !call.ended ? media.stream : null;
  if (ui.localVideo.srcObject !== wanted) {
    ui.localVideo.srcObject = wanted;
  }
}

function refreshControls() {
  const live = !call.ended;
  for (const [kind, button, flag] of [
    ["audio", ui.muteMicrophone, ui.microphoneOff],
    ["video", ui.muteCamera, ui.cameraOff],
  ]) {
    const hasTrack = media.track(kind) !== null;
    button.disabled = !live || !hasTrack;
    button.setAttribute("aria-pressed", String(media.muted[kind]));
    flag.hidden = !(live && hasTrack && media.muted[kind]);
  }
  ui.localTile.dataset.camera = media.track("video") ? (media.muted.video ? "off" : "on") : "none";
  for (const select of [ui.cameraSelect, ui.microphoneSelect]) {
    select.disabled = !live || ![...select.options].some((option) => option.value);
  }
  ui.leave.disabled = !live;
}

function toggle(kind) {
  if (kind === "audio") {
    call.phoneMutedMicrophone = false;  // the person decides from now on
  }
  media.setMuted(kind, !media.muted[kind]);
  refreshControls();
}

ui.muteMicrophone.addEventListener("click", () => toggle("audio"));
ui.muteCamera.addEventListener("click", () => toggle("video"));

async function fillDeviceLists() {
  const found = await media.devices();
  for (const [kind, select, none, fallback] of [
    ["video", ui.cameraSelect, "no_camera", "camera_n"],
    ["audio", ui.microphoneSelect, "no_microphone", "microphone_n"],
  ]) {
    const missing = media.track(kind) ? null : text(none);
    fillDeviceList(select, found[kind], media.currentDevice(kind), missing, (n) => text(fallback, { n }));
  }
  refreshControls();
}

async function chooseDevice(kind, select) {
  if (!select.value) {
    return;
  }
  try {
    await media.switchDevice(kind, select.value);
  } catch (error) {
    console.warn("device", error);
    notify(ui.notices, text("device_failed"));
  }
  await fillDeviceLists();
}

ui.cameraSelect.addEventListener("change", () => chooseDevice("video", ui.cameraSelect));
ui.microphoneSelect.addEventListener("change", () => chooseDevice("audio", ui.microphoneSelect));
if (navigator.mediaDevices && navigator.mediaDevices.addEventListener) {
  navigator.mediaDevices.addEventListener("devicechange", () => fillDeviceLists().catch(console.warn));
}

function end(key, { reload = false } = {}) {
  if (call.ended) {
    return;
  }
  call.ended = true;
  call.endingKey = key;
  phone.close();
  clearTimeout(call.reconnectTimer);
  call.reconnectTimer = null;
  call.timers.forEach(clearInterval);
  const socket = call.socket;
  call.socket = null;
  if (socket && socket.readyState <= WebSocket.OPEN) {
    socket.close(1000);
  }
  for (const peer of [...peers.values()]) {
    removePeer(peer);
  }
  media.stop();
  showLocalPreview();
  ui.startSound.hidden = true;
  ui.reloadLink.hidden = !reload;
  ui.endedActions.hidden = false;
  refreshControls();
  refreshSecurity();
  render();
  if (reload) {
    ui.reloadLink.focus();
  }
}

function leave() {
  phone.hangUp();  // leaving the call ends this person's phone call too, if there is one
  send({ type: "leave" });  // hang up: the others see "left" at once, and this ticket is used up
  end("left");
}

ui.leave.addEventListener("click", leave);
window.addEventListener("pagehide", () => {
  if (!call.ended) {
    // Closing the page leaves the call but not the phone: someone on the phone may close the laptop.
    send({ type: "leave" });
    end("left");
  }
});

// The read-only hook browser tests use.
window.rrisCall = Object.freeze({
  state: () => ui.status.dataset.state,
  peers: () => [...peers.values()].map((peer) => ({
    id: peer.id,
    name: peer.name,
    role: peer.role,
    phone: peer.phone,
    state: peer.state,
    connection: peer.connection,
    quality: peer.quality,
    secured: peer.secured,
  })),
  secure: () => ui.secure.dataset.secure === "yes",
  phone: () => phone.state,
  inboundVideoBytes: (peerId) => inboundBytes(peerId, "video"),
  inboundAudioBytes: (peerId) => inboundBytes(peerId, "audio"),
});

// Start: camera and microphone first (the offers carry our tracks), then the room.
async function start() {
  render();
  const problem = await media.start();
  if (problem) {
    notify(ui.notices, text(problem));
  }
  showLocalPreview();
  await fillDeviceLists().catch((error) => console.warn("devices", error));
  if (!call.ended) {
    connect();
    call.timers.push(setInterval(collectStats, STATS_INTERVAL_MS));
    call.timers.push(setInterval(heartbeat, PING_INTERVAL_MS));
  }
}

start();
