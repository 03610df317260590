"""Text to speech: Piper for English (and French when a Piper fr_FR voice is
configured), Kokoro-82M with the ``ff_siwis`` voice for French otherwise.

Each synthesizer turns one clause or sentence into int16 samples; the call's
speaker splits replies so the first sentence plays while the rest is made.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from voicebot.engines.phrases import PhraseCache
from voicebot.errors import EngineError, ModelError

log = logging.getLogger(__name__)


# Estimates of synthesis time are stretched by this much, and by a fixed amount,
# so that a small misjudgement of speed does not open a hole.
SYNTHESIS_MARGIN = 1.25
SYNTHESIS_SLACK = 0.05


@dataclass
class SynthesisMeter:
    """How long a voice's speech lasts per character, and how fast it is made.

    Synthesis time is fitted as ``overhead + rtf * audio seconds`` over recent
    pieces, older ones weighing less, and learned from the voice's own work
    (including time queued behind other calls), so the estimate follows the
    machine's load. A piece slower than predicted makes the fit forget faster:
    underestimating synthesis time is what opens holes.
    """

    seconds_per_char: float = 0.07
    real_time_factor: float = 0.5
    overhead: float = 0.05
    samples: int = 0
    _sums: list[float] = field(default_factory=lambda: [0.0] * 5, repr=False)

    def record(self, text: str, audio_seconds: float, elapsed: float) -> None:
        if audio_seconds <= 0:
            return
        elapsed = max(0.0, elapsed)
        per_char = audio_seconds / max(1, len(text))
        if self.samples == 0:
            self.seconds_per_char = per_char
        else:
            self.seconds_per_char += 0.3 * (per_char - self.seconds_per_char)
        slower = self.samples and elapsed > self.predict(audio_seconds)
        decay = 0.3 if slower else 0.8
        weights = (1.0, audio_seconds, elapsed, audio_seconds**2, audio_seconds * elapsed)
        self._sums = [decay * s + w for s, w in zip(self._sums, weights, strict=True)]
        self.samples += 1
        self._fit()

    def _fit(self) -> None:
        n, sx, sy, sxx, sxy = self._sums
        det = n * sxx - sx * sx
        if det > 1e-3 * n * sxx:
            slope = (n * sxy - sx * sy) / det
            intercept = (sy - slope * sx) / n
            if slope > 0.01 and 0.0 <= intercept <= 1.0:
                self.real_time_factor, self.overhead = slope, intercept
                return
        # One length of piece seen so far (or a fit that makes no sense): a ratio.
        self.real_time_factor, self.overhead = sy / max(sx, 1e-6), 0.0

    def predict(self, audio_seconds: float) -> float:
        return self.overhead + self.real_time_factor * audio_seconds

    def audio_seconds(self, text: str) -> float:
        """Estimated length of the speech for ``text``."""
        return len(text) * self.seconds_per_char

    def synthesis_seconds(self, text: str) -> float:
        """Estimated time to synthesize ``text``, on the safe side."""
        return self.predict(self.audio_seconds(text)) * SYNTHESIS_MARGIN + SYNTHESIS_SLACK


class SpeechSynthesizer(Protocol):
    """Blocking: run it in a WorkerPool."""

    sample_rate: int
    identity: str  # names the voice and its settings: fixed phrases are kept per identity

    def synthesize(self, text: str) -> np.ndarray:
        """int16 mono samples for ``text`` at ``sample_rate``."""
        ...


def _onnx_options(threads: int):  # type: ignore[no-untyped-def]
    import onnxruntime

    opts = onnxruntime.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    return opts


class PiperSynthesizer:
    def __init__(self, model: Path, config: Path | None = None, *, threads: int = 1) -> None:
        import json

        import onnxruntime
        from piper import PiperConfig, PiperVoice

        config = config or Path(f"{model}.json")
        if not model.is_file() or not config.is_file():
            raise ModelError(f"Piper voice {model} (or its .json config) not found")
        try:
            self._voice = PiperVoice(
                session=onnxruntime.InferenceSession(
                    str(model), sess_options=_onnx_options(threads),
                    providers=["CPUExecutionProvider"],
                ),
                config=PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8"))),
            )
        except Exception as exc:
            raise ModelError(f"cannot load Piper voice {model}: {exc}") from exc
        self.sample_rate = int(self._voice.config.sample_rate)
        self.identity = f"piper:{model.name}:{model.stat().st_size}"
        self._lock = threading.Lock()

    def synthesize(self, text: str) -> np.ndarray:
        try:
            with self._lock:
                chunks = [c.audio_int16_array for c in self._voice.synthesize(text)]
        except Exception as exc:
            raise EngineError(f"Piper synthesis failed: {exc}") from exc
        if not chunks:
            return np.zeros(0, dtype=np.int16)
        return np.concatenate(chunks).astype(np.int16, copy=False)


class KokoroSynthesizer:
    """Kokoro-82M (int8 ONNX); French through espeak-ng phonemes."""

    def __init__(self, model: Path, voices: Path, *, voice: str = "ff_siwis",
                 language: str = "fr-fr", threads: int = 2, speed: float = 1.0) -> None:
        import onnxruntime
        from kokoro_onnx import Kokoro
        from phonemizer.backend import EspeakBackend

        try:
            session = onnxruntime.InferenceSession(
                str(model), sess_options=_onnx_options(threads),
                providers=["CPUExecutionProvider"],
            )
            self._kokoro = Kokoro.from_session(session, str(voices))
        except Exception as exc:
            raise ModelError(f"cannot load Kokoro from {model}: {exc}") from exc
        if voice not in self._kokoro.voices:
            raise ModelError(f"Kokoro voice {voice!r} is not in {voices}")
        self._ensure_espeak()
        # remove-flags: espeak would otherwise wrap foreign words in (en)...(fr)
        # markers that get spoken aloud.
        # Its warning about removed flags comes with every creditor name in English.
        quiet = logging.getLogger("voicebot.engines.tts.phonemizer")
        quiet.setLevel(logging.ERROR)
        self._phonemizer = EspeakBackend(
            language, preserve_punctuation=True, with_stress=True,
            language_switch="remove-flags", logger=quiet,
        )
        self.voice = voice
        self.language = language
        self.speed = speed
        self.sample_rate = 24_000
        self.identity = f"kokoro:{model.stat().st_size}:{voice}:{language}:{speed}"
        self._vocab = self._kokoro.tokenizer.vocab
        self._lock = threading.Lock()

    @staticmethod
    def _ensure_espeak() -> None:
        import espeakng_loader
        from phonemizer.backend.espeak.wrapper import EspeakWrapper

        EspeakWrapper.set_library(espeakng_loader.get_library_path())
        EspeakWrapper.set_data_path(espeakng_loader.get_data_path())

    def phonemes(self, text: str) -> str:
        with self._lock:
            raw = self._phonemizer.phonemize([text], strip=True)[0]
        return "".join(p for p in raw if p in self._vocab)

    def synthesize(self, text: str) -> np.ndarray:
        try:
            phonemes = self.phonemes(text)
            if not phonemes.strip():
                return np.zeros(0, dtype=np.int16)
            audio, _rate = self._kokoro.create(
                phonemes, voice=self.voice, lang=self.language, is_phonemes=True,
                speed=self.speed,
            )
        except Exception as exc:
            raise EngineError(f"Kokoro synthesis failed: {exc}") from exc
        return (np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16)


class Voice:
    """A synthesizer as calls use it: its measured speed and its fixed phrases.

    One per voice in the process, shared by every call, so each call starts
    with what the previous ones measured and made.
    """

    def __init__(self, synthesizer: SpeechSynthesizer, phrases: PhraseCache | None = None
                 ) -> None:
        self.synthesizer = synthesizer
        self.meter = SynthesisMeter()
        self.phrases = phrases if phrases is not None else PhraseCache(synthesizer.identity)

    @property
    def sample_rate(self) -> int:
        return self.synthesizer.sample_rate

    def synthesize(self, text: str) -> np.ndarray:
        return self.synthesizer.synthesize(text)

    def warm_up(self, text: str) -> None:
        """Synthesize once (paying lazy initialisation) and take a first measurement."""
        started = time.perf_counter()
        pcm = self.synthesize(text)
        self.meter.record(text, len(pcm) / self.sample_rate, time.perf_counter() - started)
