"""The tests' own ears on a whole call: a recording Whisper's greedy decoding loops on
("you can call or text 988-8-8-8-8...", the rest of the window lost) is heard whole."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import FIXTURES, read_wav
from tests.e2e.helpers import spoken_digits
from voicebot.engines.stt import transcribe_recording

pytestmark = pytest.mark.models

HEARD = FIXTURES / "en_heard_distress_call.wav"  # the caller's side of a distress call


def test_a_recording_whisper_loops_on_is_heard_to_its_end(recognizer):
    audio = read_wav(HEARD)
    greedy, _ = recognizer.model.transcribe(
        audio.astype(np.float32), language="en", beam_size=1, temperature=0.0,
        condition_on_previous_text=False, vad_filter=True)
    looped = " ".join(s.text for s in greedy)
    # What the recording is kept for: decoded greedily, whisper repeats itself.
    assert "8-8-8-8-8" in looped and "colleague" not in looped, looped

    heard = transcribe_recording(recognizer, audio, "en").lower()
    assert "8-8-8-8" not in heard, heard
    # The whole call: the greeting, the verification, the balance, and the reply to
    # the caller's distress to its last sentence.
    for words in ("automated assistant", "zip code", "six monthly payments",
                  "so sorry", "crisis lifeline", "colleague", "stay on the line"):
        assert words in heard, (words, heard)
    assert spoken_digits(heard, "en").endswith("988"), heard
