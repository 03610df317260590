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


@pytest.mark.parametrize("clip", ["en_jane_agree.wav", "en_yes.wav", "en_okay.wav",
                                  "fr_oui.wav", "en_jane_yes.wav"])
def test_a_word_just_after_the_state_is_reset_is_heard_from_its_start(vad, clip):
    # The state resets after about 0.5 s of quiet; a caller who starts speaking at
    # that moment met a cold model and lost a soft first word ("yes, I agree" was
    # heard from "I agree"). Wherever the reset falls, speech is heard within
    # 0.1 s of where it is heard at its earliest.
    rng = np.random.default_rng(7)
    before = read_wav(FIXTURES / "en_jane_100_a_month.wav")
    words = read_wav(FIXTURES / clip)
    first_voiced = []
    for noise in (0.0, 0.003):
        for quiet in (0.45, 0.5, 0.55, 1.0):
            for shift in range(0, 512, 64):
                stream = vad.stream()
                stream.push(before)
                n = int(quiet * 16_000) + shift
                stream.push((noise * rng.standard_normal(n)).astype(np.float32))
                heard = words + (noise * rng.standard_normal(len(words))).astype(np.float32)
                probs = stream.push(heard)
                first_voiced.append(next(i for i, p in enumerate(probs) if p >= 0.5))
    assert max(first_voiced) - min(first_voiced) <= 3, sorted(first_voiced)
