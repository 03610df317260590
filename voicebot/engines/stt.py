"""Speech to text with faster-whisper."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from voicebot.errors import EngineError, ModelError

log = logging.getLogger(__name__)
STT_RATE = 16_000


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    audio_seconds: float
    decode_seconds: float
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0


class SpeechRecognizer(Protocol):
    """Blocking: run it in a WorkerPool."""

    def transcribe(self, audio: np.ndarray, language: str | None, hint: str | None = None
                   ) -> Transcript: ...

    def detect_language(self, audio: np.ndarray, candidates: Sequence[str]
                        ) -> dict[str, float]:
        """How likely the speech is in each of ``candidates`` (probabilities)."""
        ...


class WhisperRecognizer:
    """faster-whisper on CPU, int8, greedy decoding by default (fast enough for calls)."""

    def __init__(self, model_dir: Path, *, cpu_threads: int = 2, beam_size: int = 1,
                 english_only: bool = False, workers: int = 1) -> None:
        """``workers`` turns can be transcribed at once (each on ``cpu_threads``): with
        one, a second call's turn waits for the first's to finish."""
        from faster_whisper import WhisperModel

        try:
            self._model = WhisperModel(str(model_dir), device="cpu", compute_type="int8",
                                       cpu_threads=cpu_threads, num_workers=workers)
        except Exception as exc:  # ctranslate2 raises RuntimeError/ValueError variants
            raise ModelError(f"cannot load whisper model from {model_dir}: {exc}") from exc
        self.beam_size = beam_size
        self.english_only = english_only

    @property
    def model(self):  # type: ignore[no-untyped-def]
        """The faster-whisper model, for callers with needs beyond one turn."""
        return self._model

    def detect_language(self, audio: np.ndarray, candidates: Sequence[str]
                        ) -> dict[str, float]:
        if self.english_only:
            return {lang: float(lang == "en") for lang in candidates}
        try:
            _, _, probabilities = self._model.detect_language(
                audio=audio.astype(np.float32, copy=False))
        except Exception as exc:
            raise EngineError(f"language detection failed: {exc}") from exc
        found = dict(probabilities)
        return {lang: float(found.get(lang, 0.0)) for lang in candidates}

    def transcribe(self, audio: np.ndarray, language: str | None, hint: str | None = None
                   ) -> Transcript:
        started = time.perf_counter()
        if self.english_only:
            language = "en"
        try:
            segments, info = self._model.transcribe(
                audio.astype(np.float32, copy=False),
                language=language,
                beam_size=self.beam_size,
                temperature=0.0,
                condition_on_previous_text=False,
                without_timestamps=True,
                vad_filter=False,
                initial_prompt=hint,
            )
            # The generator decodes lazily: consume it here, on the worker thread.
            pieces = list(segments)
        except Exception as exc:
            raise EngineError(f"speech recognition failed: {exc}") from exc
        kept = [s for s in pieces if not _hallucination(s.no_speech_prob, s.avg_logprob)]
        text = " ".join(s.text.strip() for s in kept).strip()
        if hint and echoes_prompt(text, hint):
            # Whisper sometimes writes its prompt back instead of what was said
            # ("Number, digit by digit."): hear it again without one.
            log.info("speech recognition wrote its prompt back; decoding again without it")
            return self.transcribe(audio, language, None)
        return Transcript(
            text=text,
            language=info.language,
            audio_seconds=len(audio) / STT_RATE,
            decode_seconds=time.perf_counter() - started,
            avg_logprob=float(np.mean([s.avg_logprob for s in pieces])) if pieces else 0.0,
            no_speech_prob=max((s.no_speech_prob for s in pieces), default=1.0),
        )


# Greedy first; warmer only for a window whose text compresses more than 2.4 to 1.
REDECODE_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def transcribe_recording(recognizer: WhisperRecognizer, audio: np.ndarray, language: str | None
                         ) -> str:
    """A whole recording (minutes, not one turn): decoded with timestamps so that
    whisper moves through its 30-second windows without dropping sentences. A window
    whose text repeats itself (whisper caught in a loop: "988-8-8-8-8...", the rest of
    the window lost) is decoded again, warmer; the others stay greedy, the same each
    time."""
    segments, _info = recognizer.model.transcribe(
        audio.astype(np.float32, copy=False), language=language, beam_size=1,
        temperature=REDECODE_TEMPERATURES, compression_ratio_threshold=2.4,
        log_prob_threshold=None, condition_on_previous_text=False, vad_filter=True,
    )
    return " ".join(s.text.strip() for s in segments).strip()


def echoes_prompt(text: str, prompt: str) -> bool:
    """Whether ``text`` is only words of the prompt, two of them or more not digits:
    the prompt written back, not an answer ("1, 2, 3" is an answer that happens to be
    in it)."""
    words = re.findall(r"\w+", text.lower())
    prompt_words = set(re.findall(r"\w+", prompt.lower()))
    return (set(words) <= prompt_words
            and sum(1 for w in words if not w.isdecimal()) >= 2)


def _hallucination(no_speech_prob: float, avg_logprob: float) -> bool:
    # Whisper invents short phrases ("Thank you.") on noise; it also tells us so.
    return no_speech_prob > 0.6 and avg_logprob < -0.8
