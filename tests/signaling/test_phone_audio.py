"""The bridge's audio pieces: G.711 mu-law as FFmpeg does it, resampling into exact 20 ms frames
with no added frame of delay, and the mix for the phone."""

from __future__ import annotations

import numpy
from av import AudioFrame

from signaling.phone_audio import (
    CALL_FRAME_SAMPLES,
    CALL_RATE,
    MIXER_TRIM_TICKS,
    PHONE_FRAME_SAMPLES,
    PHONE_RATE,
    TICK_NUDGE_SECONDS,
    Mixer,
    PeerInput,
    Rechunker,
    mulaw_to_pcm,
    pcm_to_mulaw,
)
from tests.support.media_streams import mulaw_decode, mulaw_encode


def test_mu_law_matches_pyavs_codec_for_every_byte_and_every_sample():
    every_byte = bytes(range(256))
    assert numpy.array_equal(mulaw_to_pcm(every_byte), mulaw_decode(every_byte))
    every_sample = numpy.arange(-32768, 32768, dtype=numpy.int16)
    assert pcm_to_mulaw(every_sample) == mulaw_encode(every_sample)


def _stereo_frame(samples: numpy.ndarray) -> AudioFrame:
    frame = AudioFrame.from_ndarray(numpy.repeat(samples, 2).reshape(1, -1), format="s16", layout="stereo")
    frame.sample_rate = CALL_RATE
    return frame


def test_resampling_gives_whole_frames_from_the_first_one_on_and_delays_an_impulse_by_at_most_2_ms():
    up = Rechunker(CALL_RATE, CALL_FRAME_SAMPLES)
    impulse = numpy.zeros(PHONE_FRAME_SAMPLES, numpy.int16)
    impulse[0] = 20000
    first = up.push_pcm(impulse, PHONE_RATE)
    later = [up.push_pcm(numpy.zeros(PHONE_FRAME_SAMPLES, numpy.int16), PHONE_RATE) for _ in range(3)]
    assert [len(frames) for frames in [first, *later]] == [1, 1, 1, 1]
    assert all(len(frame) == CALL_FRAME_SAMPLES for frames in [first, *later] for frame in frames)
    assert numpy.argmax(numpy.abs(first[0])) <= 0.002 * CALL_RATE

    down = Rechunker(PHONE_RATE, PHONE_FRAME_SAMPLES)
    seconds = numpy.arange(CALL_FRAME_SAMPLES * 5) / CALL_RATE
    tone = (numpy.sin(2 * numpy.pi * 1000 * seconds) * 8000).astype(numpy.int16)
    out = [down.push_frame(_stereo_frame(chunk)) for chunk in tone.reshape(5, -1)]
    assert [len(frames) for frames in out] == [1] * 5
    spectrum = numpy.abs(numpy.fft.rfft(numpy.concatenate([f for frames in out[1:] for f in frames])))
    assert abs(numpy.argmax(spectrum) * PHONE_RATE / (4 * PHONE_FRAME_SAMPLES) - 1000) < 30


def test_the_mix_sums_everyone_clips_and_is_silence_when_nobody_spoke():
    mixer = Mixer()
    assert mulaw_decode(mixer.next_frame()).max() <= 8  # mu-law's smallest step around zero
    loud = numpy.full(CALL_FRAME_SAMPLES, 30000, numpy.int16)
    for peer in ("user-1", "user-2"):
        for _ in range(2):
            mixer.input_for(peer).add(_stereo_frame(loud), 0.0)
    mixer.next_frame()  # the resampler's first, padded frame
    summed = mulaw_decode(mixer.next_frame())
    assert summed.min() > 30000  # clipped at the top, not wrapped round to negative


def test_a_participant_whose_audio_always_waits_loses_those_frames_of_delay():
    source = PeerInput()
    frame = _stereo_frame(numpy.zeros(CALL_FRAME_SAMPLES, numpy.int16))
    source.add(frame, 0.0)
    source.add(frame, 0.0)  # one spare frame, then one new frame per tick
    backlogs = []
    for _ in range(MIXER_TRIM_TICKS + 5):
        source.add(frame, 0.0)
        assert source.take() is not None
        backlogs.append(len(source._frames))
    assert backlogs[0] == 2 and backlogs[MIXER_TRIM_TICKS - 1] == 0 and backlogs[-1] == 0


def test_the_phones_ticks_move_to_just_after_the_first_participants_frames_arrive():
    mixer = Mixer()
    assert mixer.nudge(1.0) == 0.0  # nobody heard from yet: the ticks keep their phase
    mixer.input_for("user-1").add(_stereo_frame(numpy.zeros(CALL_FRAME_SAMPLES, numpy.int16)), 100.000)
    assert mixer.nudge(100.010) == -TICK_NUDGE_SECONDS  # its frames would wait 10 ms: tick earlier
    assert mixer.nudge(100.002) == TICK_NUDGE_SECONDS  # 2 ms: too close, a late packet would miss it
    assert abs(mixer.nudge(100.004 + 0.020 * 7)) < 1e-9  # 4 ms after an arrival (any frame later): right
    assert mixer.nudge(100.019) == TICK_NUDGE_SECONDS  # just before the next arrival: wait for it
