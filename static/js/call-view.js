// What the call page shows, written into the DOM of templates/calls/call.html. Text always goes
// in through textContent: display names come from other people.

const QUALITY_LEVELS = ["unknown", "good", "fair", "poor"];

/** A participant's tile (video, name, role, state, quality), placed before `before`. */
export function makeTile(list, before, peer, text) {
  const root = document.createElement("li");
  root.className = "call-tile";
  root.dataset.peer = peer.id;
  root.dataset.state = "connecting";
  const video = document.createElement("video");
  video.autoplay = true;
  video.playsInline = true;
  const info = document.createElement("div");
  info.className = "call-tile-info";
  const state = span("call-tile-state", text("peer_connecting"));
  const quality = span("call-quality", "");
  quality.dataset.quality = "unknown";
  const bars = span("call-quality-bars", "");
  bars.setAttribute("aria-hidden", "true");
  bars.append(...[1, 2, 3].map(() => document.createElement("i")));
  const qualityText = span("call-quality-text", text("quality_unknown"));
  quality.append(bars, qualityText);
  const stats = span("call-tile-stats", "");
  const name = span("call-tile-name", peer.name);
  const role = span("call-tile-role", text(`role_${peer.role}`));
  info.append(name, role, state, quality, stats);
  root.append(video, info);
  list.insertBefore(root, before);
  return { root, video, state, quality, qualityText, stats };
}

export function showTileState(tile, state, text) {
  if (tile.root.dataset.state !== state) {
    tile.root.dataset.state = state;
    tile.state.textContent = text(`peer_${state}`);
  }
}

/** Quality in words and bars (never colour alone), and the numbers behind it. */
export function showQuality(tile, quality, numbers, text) {
  const level = QUALITY_LEVELS.includes(quality) ? quality : "unknown";
  tile.quality.dataset.quality = level;
  tile.qualityText.textContent = text(`quality_${level}`);
  const parts = [];
  if (level !== "unknown") {
    if (numbers.rtt_ms !== null) parts.push(text("stats_rtt", { rtt: numbers.rtt_ms }));
    if (numbers.loss_percent !== null) parts.push(text("stats_loss", { loss: numbers.loss_percent }));
    if (numbers.bitrate_kbps !== null) parts.push(text("stats_bitrate", { kbps: numbers.bitrate_kbps }));
  }
  tile.stats.textContent = parts.join(" · ");
}

/** The status bar: data-state for styles and tests, a sentence for people (a live region). */
export function showStatus(element, textElement, state, sentence) {
  if (element.dataset.state !== state) {
    element.dataset.state = state;
  }
  if (textElement.textContent !== sentence) {
    textElement.textContent = sentence;
  }
}

export function showSecurity(ui, secure, ciphers, text) {
  const value = secure ? "yes" : "no";
  if (ui.secure.dataset.secure !== value) {
    ui.secure.dataset.secure = value;
    ui.secureText.textContent = text(secure ? "secure" : "not_secure");
  }
  ui.secureDetail.textContent = secure && ciphers.length ? ciphers.join(", ") : "";
}

/** A line in the notices (a live region), keeping the last few. */
export function notify(container, sentence, kept = 4) {
  const line = document.createElement("p");
  line.className = "call-notice";
  line.textContent = sentence;
  container.append(line);
  while (container.children.length > kept) {
    container.firstElementChild.remove();
  }
}

/** Fill a camera or microphone list; `none` is shown (and chosen) while no device of the kind is in use. */
export function fillDeviceList(select, devices, current, none, fallbackName) {
  select.replaceChildren();
  if (none) {
    const option = new Option(none, "");
    option.disabled = true;
    select.append(option);
  }
  devices.forEach((device, index) => {
    const option = new Option(device.label || fallbackName(index + 1), device.deviceId);
    option.selected = !none && device.deviceId === current;
    select.append(option);
  });
  if (none) {
    select.selectedIndex = 0;
  }
}

function span(className, content) {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = content;
  return element;
}
