// What the call page shows, written into the DOM of templates/calls/call.html. Text always goes
// in through textContent: display names come from other people.

const QUALITY_LEVELS = ["unknown", "good", "fair", "poor"];

const SVG = "http://www.w3.org/2000/svg";
const PHONE_ICON_PATH = "M4.2 1.5 6.4 4c.4.5.4 1.1 0 1.6L5.3 6.8a9.4 9.4 0 0 0 3.9 3.9l1.2-1.1c.5-.4 1.1-.4 "
  + "1.6 0l2.5 2.2c.5.4.5 1.2 0 1.7l-1.3 1.3c-.8.8-2 1-3 .6A15.4 15.4 0 0 1 .6 5.8c-.4-1-.2-2.2.6-3L2.5 1.5c.5-.5 "
  + "1.2-.5 1.7 0z";

/**
 * A participant's tile (video, name, role, state, quality), placed before `before`. A phone in
 * the call is labelled in words beside an icon ("On the phone"; "Your phone" for `ownPhone`).
 */
export function makeTile(list, before, peer, text, ownPhone = false) {
  const root = document.createElement("li");
  root.className = "call-tile";
  root.dataset.peer = peer.id;
  root.dataset.state = "connecting";
  const video = document.createElement("video");
  video.autoplay = true;
  video.playsInline = true;
  video.muted = ownPhone;  // one's own voice, back from the phone, would only echo
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
  if (peer.phone) {
    root.dataset.phone = ownPhone ? "own" : "yes";
    const label = span("call-tile-phone", "");
    label.append(phoneIcon(), span("call-tile-phone-text", text(ownPhone ? "phone_tile_yours" : "phone_tile")));
    info.insertBefore(label, state);
    const picture = phoneIcon();
    picture.classList.add("call-tile-phone-picture");
    root.insertBefore(picture, info);
  }
  list.insertBefore(root, before);
  return { root, video, state, quality, qualityText, stats };
}

function phoneIcon() {
  const icon = document.createElementNS(SVG, "svg");
  icon.setAttribute("viewBox", "0 0 16 16");
  icon.setAttribute("width", "16");
  icon.setAttribute("height", "16");
  icon.setAttribute("aria-hidden", "true");
  icon.setAttribute("focusable", "false");
  icon.classList.add("phone-icon");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", PHONE_ICON_PATH);
  icon.append(path);
  return icon;
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
