// The simulated phone's microphone path, on the audio rendering thread: the microphone at the
// audio context's rate, resampled to 8 kHz, cut into 20 ms frames and mu-law encoded. Each frame
// goes to the page (phone-simulator.js) as {bytes: Uint8Array(160), level: 0..1}, paced by the
// audio clock. With no microphone the input is silent and the frames still come every 20 ms.

import { encodeFrame, Framer, level, PHONE_SAMPLE_RATE, Resampler } from "./phone-audio.js";

const RENDER_QUANTUM = 128;

class PhoneCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    // `sampleRate` is the audio context's rate, a global of the worklet scope.
    this.resampler = new Resampler(sampleRate, PHONE_SAMPLE_RATE);
    this.framer = new Framer();
    this.silence = new Float32Array(RENDER_QUANTUM);
    this.running = true;
    this.port.onmessage = (event) => {
      if (event.data === "stop") {
        this.running = false;
      }
    };
  }

  process(inputs) {
    const channels = inputs[0] || [];
    for (const frame of this.framer.push(this.resampler.push(mono(channels, this.silence)))) {
      const bytes = encodeFrame(frame);
      this.port.postMessage({ bytes, level: level(frame) }, [bytes.buffer]);
    }
    return this.running;
  }
}

// The average of the input's channels (a microphone is usually one already).
function mono(channels, silence) {
  if (channels.length === 0) {
    return silence;
  }
  if (channels.length === 1) {
    return channels[0];
  }
  const mixed = new Float32Array(channels[0].length);
  for (const channel of channels) {
    for (let i = 0; i < mixed.length; i += 1) {
      mixed[i] += channel[i] / channels.length;
    }
  }
  return mixed;
}

registerProcessor("phone-capture", PhoneCapture);
