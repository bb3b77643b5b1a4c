// The simulated phone (templates/calls/phone_simulator.html): with no Twilio account, this page
// plays the telephone. It speaks Twilio's Media Streams protocol (phone-stream.js) to the
// signalling service's /phone/stream, exactly as Twilio would for a real call: the microphone
// goes out as 8 kHz mu-law 20 ms frames (phone-simulator-worklet.js), and the call's audio
// that comes back is played. The leg ticket is in the address's fragment, which browsers never
// send to a server; the page takes it out of the address bar at once. Sentences come from the
// page's strings block (translated by the portal, see strings.js).

import { base64ToBytes, bytesToBase64, decodeFrame, level, PHONE_SAMPLE_RATE, scheduleFrame } from "./phone-audio.js";
import { readServerMessage, SimulatedStream, ticketFromHash } from "./phone-stream.js";
import { t as text } from "./strings.js";

const JITTER_BUFFER_S = 0.06;  // received audio plays this far behind, to ride out uneven arrival
const MAX_PLAYBACK_DELAY_S = 0.3;  // frames that would play later than this are dropped
const SOUND_CHECK_MS = 500;  // a context not running by then was held back by the autoplay policy
const MICROPHONE = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

const config = JSON.parse(document.getElementById("phone-config").textContent);

const ui = {
  status: document.getElementById("phone-status"),
  statusText: document.getElementById("phone-status-text"),
  notices: document.getElementById("phone-notices"),
  microphoneLevel: document.getElementById("phone-microphone-level"),
  callLevel: document.getElementById("phone-call-level"),
  hangUp: document.getElementById("phone-hang-up"),
  startSound: document.getElementById("phone-start-sound"),
};

const phone = {
  state: "connecting",  // connecting, on-call, ended
  stream: null,
  socket: null,
  context: null,
  capture: null,
  microphone: null,
  playhead: null,
  playing: new Set(),
  startedAt: 0,
  framesSent: 0,
  framesReceived: 0,
};

function show(state, key) {
  phone.state = state;
  ui.status.dataset.state = state;
  ui.statusText.textContent = text(key);
  ui.hangUp.disabled = state === "ended";
}

function notify(key) {
  const line = document.createElement("p");
  line.className = "call-notice";
  line.textContent = text(key);
  ui.notices.append(line);
}

// Audio: the microphone through the capture worklet, and a clock to schedule playback on.

async function startAudio() {
  const context = new AudioContext({ latencyHint: "interactive" });
  phone.context = context;
  await context.audioWorklet.addModule(new URL("./phone-simulator-worklet.js", import.meta.url));
  const capture = new AudioWorkletNode(context, "phone-capture", {
    numberOfInputs: 1,
    numberOfOutputs: 1,
    outputChannelCount: [1],
  });
  capture.port.onmessage = (event) => frameCaptured(event.data);
  phone.capture = capture;
  try {
    phone.microphone = await navigator.mediaDevices.getUserMedia({ audio: MICROPHONE });
    context.createMediaStreamSource(phone.microphone).connect(capture);
  } catch (error) {
    console.warn("microphone:", error);
    notify("microphone_failed");  // the frames still go out, silent, as a phone with its mute on
  }
  capture.connect(context.destination);  // its output is silent; connected so that it runs
  setTimeout(() => {
    if (context.state !== "running" && phone.state !== "ended") {
      ui.startSound.hidden = false;
      notify("sound_blocked");
    }
  }, SOUND_CHECK_MS);
}

function frameCaptured({ bytes, level: loudness }) {
  ui.microphoneLevel.value = loudness;
  if (phone.state !== "on-call" || !socketOpen()) {
    return;
  }
  send(phone.stream.media(bytesToBase64(bytes), performance.now() - phone.startedAt));
  phone.framesSent += 1;
}

function play(payload) {
  const context = phone.context;
  let samples;
  try {
    samples = decodeFrame(base64ToBytes(payload));
  } catch (error) {
    console.warn("a media frame that is not base64", error);
    return;
  }
  phone.framesReceived += 1;
  ui.callLevel.value = level(samples);
  if (!context || samples.length === 0) {
    return;
  }
  const when = scheduleFrame(context.currentTime, phone.playhead, JITTER_BUFFER_S, MAX_PLAYBACK_DELAY_S);
  if (when === null) {
    return;
  }
  const buffer = context.createBuffer(1, samples.length, PHONE_SAMPLE_RATE);
  buffer.copyToChannel(samples, 0);
  const source = context.createBufferSource();
  source.buffer = buffer;
  source.connect(context.destination);
  source.addEventListener("ended", () => phone.playing.delete(source));
  phone.playing.add(source);
  source.start(when);
  phone.playhead = when + buffer.duration;
}

// "clear": drop the audio not yet played.
function clearPlayback() {
  for (const source of phone.playing) {
    source.stop();
  }
  phone.playing.clear();
  phone.playhead = null;
}

// A "mark" goes back once the audio received before it has played, as Twilio does.
function markPlayed(name) {
  const context = phone.context;
  const wait = context && phone.playhead !== null ? Math.max(0, phone.playhead - context.currentTime) : 0;
  setTimeout(() => {
    if (phone.state === "on-call") {
      send(phone.stream.mark(name));
    }
  }, wait * 1000);
}

// The Media Streams WebSocket.

function socketOpen() {
  return phone.socket !== null && phone.socket.readyState === WebSocket.OPEN;
}

function send(message) {
  if (socketOpen()) {
    phone.socket.send(JSON.stringify(message));
  }
}

function connect() {
  const socket = new WebSocket(config.stream_url);
  phone.socket = socket;
  socket.addEventListener("open", () => {
    phone.startedAt = performance.now();
    send(phone.stream.connected());
    send(phone.stream.start());
    show("on-call", "on_call");
  });
  socket.addEventListener("message", (event) => {
    const message = readServerMessage(event.data);
    if (message.kind === "media") {
      play(message.payload);
    } else if (message.kind === "mark") {
      markPlayed(message.name);
    } else if (message.kind === "clear") {
      clearPlayback();
    }
  });
  socket.addEventListener("close", () => {
    if (phone.socket === socket) {
      phone.socket = null;
      end(phone.state === "on-call" ? "ended_by_call" : "connect_failed");
    }
  });
}

function end(key) {
  if (phone.state === "ended") {
    return;
  }
  show("ended", key);
  const socket = phone.socket;
  phone.socket = null;
  if (socket && socket.readyState <= WebSocket.OPEN) {
    socket.close(1000);
  }
  clearPlayback();
  if (phone.capture) {
    phone.capture.port.postMessage("stop");
  }
  if (phone.microphone) {
    phone.microphone.getTracks().forEach((track) => track.stop());
  }
  if (phone.context) {
    phone.context.close().catch(() => {});
  }
  ui.startSound.hidden = true;
  ui.microphoneLevel.value = 0;
  ui.callLevel.value = 0;
}

function hangUp() {
  if (phone.state === "ended") {
    return;
  }
  send(phone.stream.stop());
  end("hung_up");
}

ui.hangUp.addEventListener("click", hangUp);
ui.startSound.addEventListener("click", () => {
  ui.startSound.hidden = true;
  if (phone.context) {
    phone.context.resume().catch((error) => console.warn("sound", error));
  }
});
window.addEventListener("pagehide", hangUp);

// The read-only hook browser tests use.
window.rrisPhone = Object.freeze({
  state: () => phone.state,
  framesSent: () => phone.framesSent,
  framesReceived: () => phone.framesReceived,
});

async function start() {
  const ticket = ticketFromHash(window.location.hash);
  if (ticket === null) {
    show("ended", "incomplete_link");
    return;
  }
  // Out of the address bar and the history: the ticket is the phone's key to the call.
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  phone.stream = new SimulatedStream(ticket);
  show("connecting", "connecting");
  try {
    await startAudio();
  } catch (error) {
    console.warn("audio:", error);
    end("audio_failed");
    return;
  }
  if (phone.state !== "ended") {
    connect();
  }
}

start();
