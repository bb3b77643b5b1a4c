"""Audio for the phone bridge: G.711 mu-law at 8 kHz on the phone's side, 48 kHz PCM on the call's.

Everything here works on whole 20 ms frames with numpy; nothing loops over samples in Python
(measured on one 160-byte frame: a Python loop decodes it in ~17 us, a table lookup in ~1.5 us;
the resampling, ~80-160 us a frame, costs far more than either).

- mu-law: two lookup tables made once from PyAV's `pcm_mulaw` codec, the one aiortc's G.711
  codecs use, so the bridge encodes exactly as FFmpeg does.
- Rechunker: a resampler (libswresample through PyAV) whose output comes in exact 20 ms frames
  with no extra buffering: swresample holds back its filter's look-ahead on the first call
  (96 samples going up, 16 going down), and the first frame is padded at the front by that
  much instead of waiting a whole frame for it. The only delay it adds is that look-ahead, 2 ms.
- PeerInput / Mixer: what each other participant said lately, and their sum for the phone,
  20 ms at a time on the phone's clock (the pacer's ticks). Two things keep a participant's
  frames from waiting long for a tick: the ticks are nudged to fall just after the frames of
  whoever is speaking arrive (their RTP clock and ours run at the same rate, so the phase
  holds), and frames that were never needed (the backlog never ran dry for half a second) are
  dropped. A tick that finds no frame (a late packet) stops the dropping for a few seconds, so
  an unlucky phase costs a steady 20 ms rather than a click every half second.
"""

from __future__ import annotations

import fractions
from collections import deque
from functools import cache

import numpy
from av import AudioFrame, AudioResampler, CodecContext, Packet

PHONE_RATE = 8000
CALL_RATE = 48000
FRAME_SECONDS = 0.020
PHONE_FRAME_SAMPLES = 160  # 20 ms at 8 kHz: one Media Streams frame, one byte per sample
CALL_FRAME_SAMPLES = 960  # 20 ms at 48 kHz: one Opus frame
INT16_MIN, INT16_MAX = -32768, 32767

# A participant's audio waits at most this many frames for the phone's next tick; beyond it the
# oldest is dropped, so a burst after a network stall does not turn into lasting delay.
MIXER_BACKLOG_FRAMES = 3
# Ticks over which the mixer watches each input's backlog: frames that were never needed in
# that time (the backlog never fell below them) are only delay, and are dropped.
MIXER_TRIM_TICKS = 25
MIXER_HOLD_TICKS = 250  # after a tick found nothing, no dropping for this long (5 s)...
MIXER_SETTLE_FRAMES = 50  # ...once a participant's audio has settled (its first second is ragged)
LOUDNESS_SMOOTHING = 0.1  # weight of the newest frame in a participant's running loudness
TICK_MARGIN_SECONDS = 0.004  # the phone's tick comes this long after the lead participant's frame
TICK_NUDGE_SECONDS = 0.001  # ...reached by moving each tick at most this much


@cache
def _tables() -> tuple[numpy.ndarray, numpy.ndarray]:
    """(byte -> int16 sample, uint16 view of an int16 sample -> byte), from PyAV's pcm_mulaw."""
    decoder = CodecContext.create("pcm_mulaw", "r")
    decoder.format = "s16"
    decoder.layout = "mono"
    decoder.sample_rate = PHONE_RATE
    decoded = decoder.decode(Packet(bytes(range(256))))
    to_pcm = numpy.concatenate([frame.to_ndarray().reshape(-1) for frame in decoded]).astype(numpy.int16)

    encoder = CodecContext.create("pcm_mulaw", "w")
    encoder.format = "s16"
    encoder.layout = "mono"
    encoder.sample_rate = PHONE_RATE
    encoder.time_base = fractions.Fraction(1, PHONE_RATE)
    # Every int16 value in the order of its uint16 bit pattern: 0..32767, then -32768..-1.
    every_sample = numpy.arange(65536, dtype=numpy.uint16).view(numpy.int16)
    frame = AudioFrame.from_ndarray(every_sample.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = PHONE_RATE
    frame.pts = 0
    encoded = b"".join(bytes(packet) for packet in encoder.encode(frame))
    encoded += b"".join(bytes(packet) for packet in encoder.encode(None))
    to_mulaw = numpy.frombuffer(encoded, dtype=numpy.uint8).copy()
    if to_pcm.shape != (256,) or to_mulaw.shape != (65536,):
        raise RuntimeError("PyAV's pcm_mulaw codec returned an unexpected number of samples")
    return to_pcm, to_mulaw


def mulaw_to_pcm(payload: bytes) -> numpy.ndarray:
    """G.711 mu-law bytes to int16 samples (one per byte)."""
    return _tables()[0][numpy.frombuffer(payload, dtype=numpy.uint8)]


def pcm_to_mulaw(samples: numpy.ndarray) -> bytes:
    """int16 samples to G.711 mu-law bytes."""
    return _tables()[1][numpy.ascontiguousarray(samples, dtype=numpy.int16).view(numpy.uint16)].tobytes()


class Rechunker:
    """Resamples int16 audio to `rate` mono and hands it out in frames of `frame_samples`."""

    def __init__(self, rate: int, frame_samples: int) -> None:
        self._resampler = AudioResampler(format="s16", layout="mono", rate=rate)
        self._frame_samples = frame_samples
        self._pending = numpy.zeros(0, dtype=numpy.int16)
        self._primed = False

    def push_pcm(self, samples: numpy.ndarray, rate: int) -> list[numpy.ndarray]:
        """Mono int16 `samples` at `rate` in; the whole frames now ready out."""
        frame = AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = rate
        return self.push_frame(frame)

    def push_frame(self, frame: AudioFrame) -> list[numpy.ndarray]:
        """An audio frame of any layout and rate in (as aiortc decodes it); whole frames out."""
        frame.pts = None  # the resampler keeps its own time; a stream's pts may jump
        # s16 already (the resampler's format): astype copies nothing, and tells the type checker so.
        out = [
            resampled.to_ndarray().reshape(-1).astype(numpy.int16, copy=False)
            for resampled in self._resampler.resample(frame)
        ]
        if not out:
            return []
        fresh = numpy.concatenate(out) if len(out) > 1 else out[0]
        if not self._primed:
            self._primed = True
            # The first output is short by the filter's look-ahead: pad it to a whole frame now.
            fresh = numpy.concatenate([numpy.zeros(-len(fresh) % self._frame_samples, numpy.int16), fresh])
        if len(self._pending):
            fresh = numpy.concatenate([self._pending, fresh])
        whole = len(fresh) // self._frame_samples * self._frame_samples
        self._pending = fresh[whole:]
        return list(fresh[:whole].reshape(-1, self._frame_samples))


class PeerInput:
    """One participant's audio on its way to the phone: 20 ms frames at 8 kHz, oldest first."""

    def __init__(self) -> None:
        self._rechunker = Rechunker(PHONE_RATE, PHONE_FRAME_SAMPLES)
        self._frames: deque[numpy.ndarray] = deque(maxlen=MIXER_BACKLOG_FRAMES)
        self._least_backlog = MIXER_BACKLOG_FRAMES
        self._ticks = 0
        self._hold = 0
        self._added = 0
        self.arrived_at: float | None = None  # when the last frame came (the event loop's clock)
        self.loudness = 0.0  # running mean absolute amplitude

    def add(self, frame: AudioFrame, at: float) -> None:
        """A frame as the participant's decoder gave it (8 kHz from G.711, 48 kHz stereo from Opus)."""
        for resampled in self._rechunker.push_frame(frame):
            self._frames.append(resampled)
            level = float(numpy.abs(resampled.astype(numpy.int32)).mean())
            self.loudness += LOUDNESS_SMOOTHING * (level - self.loudness)
            self._added += 1
        self.arrived_at = at

    def take(self) -> numpy.ndarray | None:
        """The next 20 ms for the phone, or None when nothing has arrived in time."""
        frame = self._frames.popleft() if self._frames else None
        if frame is None and self._added > MIXER_SETTLE_FRAMES:
            self._hold = MIXER_HOLD_TICKS
        self._least_backlog = min(self._least_backlog, len(self._frames))
        self._ticks += 1
        self._hold = max(0, self._hold - 1)
        if self._ticks == MIXER_TRIM_TICKS:
            if not self._hold:
                for _spare in range(self._least_backlog):
                    self._frames.popleft()  # never needed: 20 ms less delay from now on, each
            self._ticks, self._least_backlog = 0, MIXER_BACKLOG_FRAMES
        return frame


class Mixer:
    """The sum of everyone else in the call, for the phone, 20 ms at a time."""

    def __init__(self) -> None:
        self.inputs: dict[str, PeerInput] = {}

    def input_for(self, peer: str) -> PeerInput:
        return self.inputs.setdefault(peer, PeerInput())

    def remove(self, peer: str) -> None:
        self.inputs.pop(peer, None)

    def nudge(self, next_tick: float) -> float:
        """How far to move the phone's `next_tick` (seconds, + later) towards TICK_MARGIN_SECONDS
        after the arrivals of the loudest participant lately; 0 while nobody is heard."""
        heard = [source for source in self.inputs.values() if source.arrived_at is not None]
        if not heard:
            return 0.0
        lead = max(heard, key=lambda source: source.loudness)
        assert lead.arrived_at is not None
        wait = (next_tick - lead.arrived_at) % FRAME_SECONDS  # how long its frames wait for a tick
        early = wait - TICK_MARGIN_SECONDS
        if early > FRAME_SECONDS / 2:
            early -= FRAME_SECONDS  # quicker to wait for the frame after
        return -max(-TICK_NUDGE_SECONDS, min(TICK_NUDGE_SECONDS, early))

    def next_frame(self) -> bytes:
        """160 mu-law bytes: every input's next frame summed and clipped (silence when none)."""
        total = numpy.zeros(PHONE_FRAME_SAMPLES, dtype=numpy.int32)
        for source in list(self.inputs.values()):
            frame = source.take()
            if frame is not None:
                total += frame
        return pcm_to_mulaw(numpy.clip(total, INT16_MIN, INT16_MAX).astype(numpy.int16))
