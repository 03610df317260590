"""Whisper sometimes writes its prompt back instead of what was said; such a decode is
done again without the prompt. The model is stood in for: the fault cannot be caused
on demand with the real one."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from voicebot.call.session import DIGIT_HINTS
from voicebot.engines.stt import WhisperRecognizer, echoes_prompt


@pytest.mark.parametrize(("text", "echo"), [
    ("Number, digit by digit.", True),
    ("number digit by digit", True),
    ("Number, digit by digit: 1, 2, 3.", True),  # the whole prompt
    ("number 1 2 3", False),
    ("Numéro, chiffre par chiffre.", False),  # not the English prompt's words
    ("1, 2, 3.", False),  # digits are an answer
    ("9 4 1 0 7", False),
    ("Number", False),  # one word proves nothing
    ("Jane Doe", False),
    ("", False),
])
def test_a_prompt_written_back_is_told_from_an_answer(text, echo):
    assert echoes_prompt(text, DIGIT_HINTS["en"]) is echo


def test_french_prompt_echo():
    assert echoes_prompt("Numéro, chiffre par chiffre :", DIGIT_HINTS["fr"])
    assert not echoes_prompt("neuf quatre un zéro sept", DIGIT_HINTS["fr"])


class EchoingModel:
    """Writes the prompt back when it has one, else the words said."""

    def __init__(self) -> None:
        self.prompts: list[str | None] = []

    def transcribe(self, audio, **options):  # type: ignore[no-untyped-def]
        self.prompts.append(options["initial_prompt"])
        said = options["initial_prompt"] or "9 4 1 0 7"
        segment = SimpleNamespace(text=said, no_speech_prob=0.01, avg_logprob=-0.2)
        return iter([segment]), SimpleNamespace(language="en")


def test_a_decode_that_wrote_its_prompt_back_is_done_again_without_it():
    recognizer = object.__new__(WhisperRecognizer)
    model = EchoingModel()
    recognizer._model = model  # type: ignore[attr-defined]
    recognizer.english_only = False  # type: ignore[attr-defined]
    recognizer.beam_size = 1  # type: ignore[attr-defined]
    heard = recognizer.transcribe(np.zeros(16_000, dtype=np.float32), "en", DIGIT_HINTS["en"])
    assert heard.text == "9 4 1 0 7"
    assert model.prompts == [DIGIT_HINTS["en"], None]
