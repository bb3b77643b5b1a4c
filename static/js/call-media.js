// This side's camera and microphone: one MediaStream with at most one track of each kind, which
// the peer connections send. Switching a device swaps the track in place; muting disables it.

const VIDEO = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 } };
const AUDIO = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

export class LocalMedia {
  constructor() {
    this.stream = new MediaStream();
    this.muted = { audio: false, video: false };
    this.onTrackChanged = () => {};  // (kind, track or null): the peer connections swap their sender's track
  }

  /** Open camera and microphone; if the camera fails, the microphone alone. The problem's string key, or null. */
  async start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return "media_failed";
    }
    try {
      this._adopt(await navigator.mediaDevices.getUserMedia({ audio: AUDIO, video: VIDEO }));
      return null;
    } catch (error) {
      console.warn("camera and microphone:", error);
    }
    try {
      this._adopt(await navigator.mediaDevices.getUserMedia({ audio: AUDIO }));
      return "camera_failed";
    } catch (error) {
      console.warn("microphone:", error);
      return "media_failed";
    }
  }

  track(kind) {
    return (kind === "audio" ? this.stream.getAudioTracks() : this.stream.getVideoTracks())[0] || null;
  }

  setMuted(kind, muted) {
    this.muted[kind] = muted;
    const track = this.track(kind);
    if (track) {
      track.enabled = !muted;
    }
  }

  /** Cameras and microphones as [{deviceId, label}] (labels are empty until permission is given). */
  async devices() {
    const found = { audio: [], video: [] };
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) {
      return found;
    }
    for (const device of await navigator.mediaDevices.enumerateDevices()) {
      const kind = device.kind === "audioinput" ? "audio" : device.kind === "videoinput" ? "video" : null;
      if (kind && device.deviceId) {
        found[kind].push({ deviceId: device.deviceId, label: device.label });
      }
    }
    return found;
  }

  currentDevice(kind) {
    const track = this.track(kind);
    return track && track.getSettings ? track.getSettings().deviceId || "" : "";
  }

  /** Use another camera or microphone; throws if it cannot be opened (the old one stays). */
  async switchDevice(kind, deviceId) {
    const base = kind === "audio" ? AUDIO : VIDEO;
    const constraints = { [kind]: { ...base, deviceId: { exact: deviceId } } };
    const old = this.track(kind);
    let fresh;
    try {
      fresh = (await navigator.mediaDevices.getUserMedia(constraints)).getTracks()[0];
    } catch (error) {
      if (!old || kind !== "video") {
        throw error;
      }
      // Some cameras cannot be open twice at once: free the old one and try again.
      old.stop();
      try {
        fresh = (await navigator.mediaDevices.getUserMedia(constraints)).getTracks()[0];
      } catch (again) {
        const previous = old.getSettings ? old.getSettings().deviceId : undefined;
        const back = { [kind]: previous ? { ...base, deviceId: { exact: previous } } : base };
        const restored = (await navigator.mediaDevices.getUserMedia(back).catch(() => null));
        this._replace(kind, restored ? restored.getTracks()[0] : null);
        throw again;
      }
    }
    this._replace(kind, fresh);
    return fresh;
  }

  stop() {
    for (const track of this.stream.getTracks()) {
      track.stop();
    }
  }

  _adopt(stream) {
    for (const track of stream.getTracks()) {
      this._replace(track.kind, track);
    }
  }

  _replace(kind, track) {
    const old = this.track(kind);
    if (old === track) {
      return;
    }
    if (old) {
      this.stream.removeTrack(old);
      old.stop();
    }
    if (track) {
      track.enabled = !this.muted[kind];
      track.addEventListener("ended", () => this._lost(kind, track));
      this.stream.addTrack(track);
    }
    this.onTrackChanged(kind, track);
  }

  // A device unplugged: fall back to another one of the same kind, if there is one.
  async _lost(kind, track) {
    if (this.track(kind) !== track) {
      return;
    }
    const others = (await this.devices())[kind].filter((d) => d.deviceId !== "default");
    for (const device of others) {
      try {
        await this.switchDevice(kind, device.deviceId);
        return;
      } catch (error) {
        console.warn("device", device.label, error);
      }
    }
    this._replace(kind, null);
  }
}
