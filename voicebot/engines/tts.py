"""Text to speech: Piper for English (and French when a Piper fr_FR voice is
configured), Kokoro-82M with the ``ff_siwis`` voice for French otherwise.

Each synthesizer turns one clause or sentence into int16 samples; the call's
speaker splits replies so the first sentence plays while the rest is made.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from voicebot.errors import EngineError, ModelError

log = logging.getLogger(__name__)


class SpeechSynthesizer(Protocol):
    """Blocking: run it in a WorkerPool."""

    sample_rate: int

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
        self._phonemizer = EspeakBackend(
            language, preserve_punctuation=True, with_stress=True,
            language_switch="remove-flags",
        )
        self.voice = voice
        self.language = language
        self.speed = speed
        self.sample_rate = 24_000
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
