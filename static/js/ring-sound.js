// The ring of the "Available now" page, made with WebAudio (no sound file is fetched): two tones
// together, twice, then a pause, repeated until stop(). Browsers keep an AudioContext made without
// a gesture suspended; the page then offers a button whose click calls unlock().

export const RING_TONES_HZ = [440, 480];
export const RING_CYCLE_SECONDS = 3;
// [start, end] of each burst within one cycle, in seconds.
export const RING_BURSTS = [[0, 0.4], [0.6, 1.0]];
const LOUDNESS = 0.18;
const EDGE_SECONDS = 0.02; // a short fade at each edge, so the tone starts and stops without a click

export class RingSound {
  constructor(AudioContextClass = globalThis.AudioContext || globalThis.webkitAudioContext, timers = globalThis) {
    this.context = AudioContextClass ? new AudioContextClass() : null;
    this.timers = timers;
    this.cycleTimer = null;
    this.voices = [];
  }

  /** True when sound cannot play (no WebAudio here, or the browser waits for a gesture). */
  get blocked() {
    return !this.context || this.context.state === "suspended";
  }

  /** Resume the sound after a gesture; resolves to true when it can play. */
  unlock() {
    if (!this.context) {
      return Promise.resolve(false);
    }
    return this.context.resume().then(() => !this.blocked, () => false);
  }

  get ringing() {
    return this.cycleTimer !== null;
  }

  start() {
    if (!this.context || this.ringing) {
      return;
    }
    this.cycle();
    this.cycleTimer = this.timers.setInterval(() => this.cycle(), RING_CYCLE_SECONDS * 1000);
  }

  stop() {
    if (this.cycleTimer !== null) {
      this.timers.clearInterval(this.cycleTimer);
      this.cycleTimer = null;
    }
    for (const voice of this.voices) {
      try {
        voice.stop();
      } catch {
        // already stopped
      }
    }
    this.voices = [];
  }

  cycle() {
    const context = this.context;
    const begin = context.currentTime + 0.05;
    const gain = context.createGain();
    gain.gain.setValueAtTime(0, begin);
    for (const [from, to] of RING_BURSTS) {
      gain.gain.setValueAtTime(0, begin + from);
      gain.gain.linearRampToValueAtTime(LOUDNESS, begin + from + EDGE_SECONDS);
      gain.gain.setValueAtTime(LOUDNESS, begin + to - EDGE_SECONDS);
      gain.gain.linearRampToValueAtTime(0, begin + to);
    }
    gain.connect(context.destination);
    const end = begin + RING_BURSTS[RING_BURSTS.length - 1][1];
    this.voices = RING_TONES_HZ.map((frequency) => {
      const oscillator = context.createOscillator();
      oscillator.frequency.value = frequency;
      oscillator.connect(gain);
      oscillator.start(begin);
      oscillator.stop(end);
      return oscillator;
    });
  }
}
