"""Silero VAD as the service runs it: streaming, on telephone audio."""

import numpy as np
import pytest

from tests.conftest import FIXTURES, read_wav
from voicebot.turns.vad import WINDOW_SECONDS, SileroVad

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def vad():
    return SileroVad()


def voiced(probs) -> float:
    return sum(p >= 0.5 for p in probs) * WINDOW_SECONDS


@pytest.mark.parametrize("silence", [0, 12, 60])
def test_speech_after_a_long_silent_line_is_still_heard(vad, silence):
    # The caller listens in silence while the bot talks; their answer must score
    # as well as at the start of the call.
    stream = vad.stream()
    stream.push(np.zeros(silence * 16_000, dtype=np.float32))
    probs = stream.push(read_wav(FIXTURES / "en_jane_yes.wav"))
    assert voiced(probs) > 0.7
    assert max(probs) > 0.85


def test_silence_and_a_cough_are_not_speech(vad):
    stream = vad.stream()
    assert max(stream.push(np.zeros(32_000, dtype=np.float32))) < 0.1
    assert voiced(stream.push(read_wav(FIXTURES / "cough.wav"))) == 0


def test_backchannels_are_short(vad):
    for name in ("en_mm.wav", "en_okay.wav"):
        assert 0 < voiced(vad.stream().push(read_wav(FIXTURES / name))) < 0.5
