// Telephone audio for the simulated phone: G.711 mu-law, 8 kHz resampling, 20 ms framing and
// the playback schedule. Pure functions and small classes with no DOM and no Web Audio, so the
// AudioWorklet (phone-simulator-worklet.js), the page and `node` can all use them.

export const PHONE_SAMPLE_RATE = 8000;
export const FRAME_SAMPLES = 160;  // 20 ms at 8 kHz: one Media Streams "media" payload
export const FRAME_MS = 20;

// G.711 mu-law (ITU-T G.711, the CCITT reference coder): 14-bit magnitudes, bias 132, 8 segments.
const MU_LAW_BIAS = 0x84;
const MU_LAW_CLIP = 32635;
export const MU_LAW_SILENCE = 0xff;

// Resampling: a windowed-sinc low-pass whose band edge sits a little under the lower Nyquist
// frequency (3.6 kHz for 8 kHz), this many zero crossings on each side of the centre.
const RESAMPLER_BAND = 0.9;
const RESAMPLER_ZERO_CROSSINGS = 8;

// The level meter reads decibels below full scale: this many dB of range, silence at the bottom.
const LEVEL_RANGE_DB = 60;

/** One mu-law byte for a 16-bit linear sample (-32768..32767). */
export function encodeMuLaw(sample) {
  let value = Math.max(-32768, Math.min(32767, Math.trunc(sample)));
  const sign = value < 0 ? 0x80 : 0;
  if (sign) {
    value = -value;
  }
  value = Math.min(value, MU_LAW_CLIP) + MU_LAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (value & mask) === 0 && exponent > 0; mask >>= 1) {
    exponent -= 1;
  }
  const mantissa = (value >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** The 16-bit linear sample a mu-law byte stands for. */
export function decodeMuLaw(byte) {
  const code = ~byte & 0xff;
  const exponent = (code >> 4) & 0x07;
  const magnitude = ((((code & 0x0f) << 3) + MU_LAW_BIAS) << exponent) - MU_LAW_BIAS;
  return code & 0x80 ? -magnitude : magnitude;
}

/** Float samples (-1..1) to 16-bit integers, clipped. */
export function toInt16(sample) {
  return Math.max(-32768, Math.min(32767, Math.round(sample * 32768)));
}

/** A frame of float samples as mu-law bytes. */
export function encodeFrame(samples) {
  const bytes = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i += 1) {
    bytes[i] = encodeMuLaw(toInt16(samples[i]));
  }
  return bytes;
}

/** Mu-law bytes as float samples (-1..1). */
export function decodeFrame(bytes) {
  const samples = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 1) {
    samples[i] = decodeMuLaw(bytes[i]) / 32768;
  }
  return samples;
}

/** Bytes as base64 (the Media Streams payload encoding). */
export function bytesToBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 1) {
    text += String.fromCharCode(bytes[i]);
  }
  return btoa(text);
}

/** Base64 text as bytes; throws on text that is not base64. */
export function base64ToBytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) {
    bytes[i] = binary.charCodeAt(i);
  }
  return bytes;
}

/** A frame's loudness for a meter: 0 (silence, or -60 dBFS and below) to 1 (full scale). */
export function level(samples) {
  if (samples.length === 0) {
    return 0;
  }
  let sum = 0;
  for (let i = 0; i < samples.length; i += 1) {
    sum += samples[i] * samples[i];
  }
  const rms = Math.sqrt(sum / samples.length);
  if (rms <= 0) {
    return 0;
  }
  const decibels = 20 * Math.log10(rms);
  return Math.max(0, Math.min(1, (decibels + LEVEL_RANGE_DB) / LEVEL_RANGE_DB));
}

function sinc(x) {
  if (x === 0) {
    return 1;
  }
  const angle = Math.PI * x;
  return Math.sin(angle) / angle;
}

/**
 * Streaming sample-rate conversion (e.g. a microphone's 48 kHz to the telephone's 8 kHz):
 * push blocks of any length, get every output sample that the input so far determines.
 * Downsampling filters out what the lower rate cannot carry, so nothing aliases.
 */
export class Resampler {
  constructor(fromRate, toRate) {
    if (!(fromRate > 0 && toRate > 0)) {
      throw new RangeError("sample rates must be positive");
    }
    this.step = fromRate / toRate;  // input samples per output sample
    this.band = Math.min(1, toRate / fromRate) * RESAMPLER_BAND;  // of the input's Nyquist frequency
    this.half = Math.ceil(RESAMPLER_ZERO_CROSSINGS / this.band);  // kernel half-width, input samples
    // Zeros before the first sample, so the first output sample sits on the first input sample.
    this.buffer = new Float32Array(this.half);
    this.position = this.half;  // of the next output sample, in input samples from buffer[0]
  }

  /** Output samples for this block of input samples (Float32Array in, Float32Array out). */
  push(input) {
    const joined = new Float32Array(this.buffer.length + input.length);
    joined.set(this.buffer);
    joined.set(input, this.buffer.length);
    const output = [];
    while (Math.floor(this.position) + this.half < joined.length) {
      output.push(this.sampleAt(joined, this.position));
      this.position += this.step;
    }
    // Keep only what later output samples still reach.
    const keepFrom = Math.max(0, Math.floor(this.position) - this.half + 1);
    this.buffer = joined.slice(keepFrom);
    this.position -= keepFrom;
    return Float32Array.from(output);
  }

  sampleAt(samples, position) {
    const centre = Math.floor(position);
    let sum = 0;
    let weights = 0;
    for (let i = centre - this.half + 1; i <= centre + this.half; i += 1) {
      const distance = position - i;
      const taper = Math.abs(distance) / this.half;
      if (i < 0 || taper >= 1) {
        continue;
      }
      const window = 0.5 + 0.5 * Math.cos(Math.PI * taper);  // Hann
      const weight = sinc(this.band * distance) * window;
      sum += samples[i] * weight;
      weights += weight;
    }
    return weights === 0 ? 0 : sum / weights;  // normalised: a steady level passes unchanged
  }
}

/** Cuts a stream of samples into frames of `size` samples (20 ms at 8 kHz by default). */
export class Framer {
  constructor(size = FRAME_SAMPLES) {
    this.size = size;
    this.pending = new Float32Array(size);
    this.filled = 0;
  }

  /** The frames these samples complete (each a new Float32Array of `size`). */
  push(samples) {
    const frames = [];
    for (let i = 0; i < samples.length; i += 1) {
      this.pending[this.filled] = samples[i];
      this.filled += 1;
      if (this.filled === this.size) {
        frames.push(this.pending);
        this.pending = new Float32Array(this.size);
        this.filled = 0;
      }
    }
    return frames;
  }
}

/**
 * When to play a received frame, in the audio clock's seconds. `playhead` is where the previous
 * frame ends (or null). A jitter buffer of `delay` seconds absorbs uneven arrival: after an
 * underrun playback restarts that far ahead; a frame that would play more than `maxDelay`
 * ahead is dropped (null), so the delay stays bounded when frames arrive in a burst.
 */
export function scheduleFrame(now, playhead, delay, maxDelay) {
  if (playhead === null || playhead < now) {
    return now + delay;
  }
  if (playhead - now > maxDelay) {
    return null;
  }
  return playhead;
}
