import warnings

import numpy as np
import pytest

from voicebot.audio.codec import float_to_int16, ulaw_decode, ulaw_encode
from voicebot.audio.framing import Framer
from voicebot.audio.resample import StreamResampler, resample

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop


def test_encode_is_bit_exact_with_audioop_for_every_sample():
    every = np.arange(-32768, 32768, dtype=np.int16)
    assert ulaw_encode(every) == audioop.lin2ulaw(every.tobytes(), 2)


def test_decode_is_bit_exact_with_audioop_for_every_code():
    every = bytes(range(256))
    assert ulaw_decode(every).tobytes() == audioop.ulaw2lin(every, 2)


def test_round_trip_of_speech_like_signal_stays_close():
    t = np.arange(8000) / 8000
    signal = float_to_int16(0.5 * np.sin(2 * np.pi * 440 * t))
    back = ulaw_decode(ulaw_encode(signal)).astype(np.float64)
    snr = 10 * np.log10(np.sum(signal.astype(np.float64) ** 2) / np.sum((signal - back) ** 2))
    assert snr > 30  # G.711 gives about 38 dB on a loud tone


def test_framer_yields_whole_frames_and_pads_the_rest():
    framer = Framer(160)
    frames = list(framer.push(b"\x01" * 400))
    assert [len(f) for f in frames] == [160, 160]
    rest = list(framer.flush(pad=0xFF))
    assert rest == [b"\x01" * 80 + b"\xff" * 80]
    assert list(framer.flush()) == []


@pytest.mark.parametrize(("src", "dst"), [(8000, 16000), (22050, 8000), (24000, 8000)])
def test_resample_keeps_frequency_and_length(src, dst):
    t = np.arange(src) / src
    tone = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    out = resample(tone, src, dst)
    assert abs(len(out) - dst) <= 2
    spectrum = np.abs(np.fft.rfft(out))
    peak_hz = np.argmax(spectrum) * dst / len(out)
    assert abs(peak_hz - 1000) < 5


def test_stream_resampler_matches_one_shot_in_chunks():
    rng = np.random.default_rng(1)
    signal = rng.normal(0, 0.1, 8000).astype(np.float32)
    stream = StreamResampler(8000, 16000)
    chunks = [stream.push(signal[i : i + 160]) for i in range(0, 8000, 160)]
    chunks.append(stream.push(np.zeros(0, dtype=np.float32), last=True))
    streamed = np.concatenate(chunks)
    assert abs(len(streamed) - 16000) <= 2
    one_shot = resample(signal, 8000, 16000)
    n = min(len(streamed), len(one_shot))
    # Same filter, so the same signal apart from edge effects.
    assert np.corrcoef(streamed[200 : n - 200], one_shot[200 : n - 200])[0, 1] > 0.99
