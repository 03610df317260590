"""A whole call session on virtual time, with scripted stand-ins for the models.

The session, its listener and turn detector, the speaker, the dialogue, the records and
the carrier's side of the line (``LoopbackLine``: marks echoed as audio plays) are the
service's own. What stands in for the models, with the latencies the real ones have on
a 2-core machine:

- **the caller's voice** is tones: each stretch of words the caller says is a sine at a
  frequency of its own, so a recognizer can tell which words were in the audio it was
  given (a turn cut at a pause has only the first ones);
- **voice activity** is the tone's loudness;
- **recognition** names the stretches whose tones it finds, taking ``0.25 s + 0.1 x
  audio`` on one worker (Whisper base on 2 cores is 0.3-0.5 s a turn);
- **synthesis** is a tone, 70 ms per character, made at 0.3x real time plus 50 ms.

The clock moves only when nothing can run (no ready task, no thread at work), so every
run of a test is the same run.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voicebot.audio.framing import ULAW_FRAME_BYTES, to_telephony
from voicebot.call.tasks import cancel, spawn
from voicebot.engines.registry import Engines
from voicebot.engines.stt import Transcript
from voicebot.engines.tts import Voice
from voicebot.errors import OverloadedError
from voicebot.replay.clock import SkipClock
from voicebot.replay.commands import replay_settings
from voicebot.replay.line import LoopbackLine
from voicebot.telephony.events import AudioReceived, CallStarted
from voicebot.turns.vad import WINDOW

CARRIER_RATE = 8000


class DrivenClock(SkipClock):
    """Virtual seconds that move only when every task waits on the clock (a replay's
    clock, without the real time that passes while work runs)."""

    def __init__(self, wall: dt.datetime | None = None) -> None:
        self._now = 0.0  # read by SkipClock.__init__ (the wall time's origin)
        super().__init__(wall=wall)

    def now(self) -> float:
        return self._now

    async def run_until(self, done: Callable[[], bool], limit: float = 300.0) -> None:
        loop = asyncio.get_running_loop()
        while not done():
            await asyncio.sleep(0)
            if getattr(loop, "_ready", None) or self._in_executor:
                if self._in_executor:
                    await asyncio.sleep(0.0005)  # a thread is at work: real time for it
                continue
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)
            if not self._sleepers:
                raise AssertionError("nothing left to wait for")
            due, _, future = heapq.heappop(self._sleepers)
            if due > limit:
                raise AssertionError(f"still not done at {due:.1f} s")
            self._now = max(self._now, due)
            future.set_result(None)


class VirtualPool:
    """A worker pool whose jobs take scripted time on the clock, queued behind each
    other as on a machine with ``workers`` threads for them."""

    def __init__(self, clock: DrivenClock, cost: Callable[..., float], workers: int = 1,
                 max_pending: int = 8) -> None:
        self.name = "virtual"
        self.workers = workers
        self.max_pending = max_pending
        self.pending = 0
        self.jobs = 0
        self._clock = clock
        self._cost = cost
        self._slots = asyncio.Semaphore(workers)

    async def run(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        return await self.submit(0, functools.partial(fn, *args, **kwargs))

    async def submit(self, priority, job):  # type: ignore[no-untyped-def]
        """(Jobs here start in order of arrival, whatever their priority.)"""
        fn, args, kwargs = getattr(job, "func", job), getattr(job, "args", ()), getattr(
            job, "keywords", {})
        if self.pending >= self.max_pending:
            raise OverloadedError("virtual pool is full")
        self.pending += 1
        try:
            async with self._slots:
                self.jobs += 1
                result = fn(*args, **kwargs)
                await self._clock.sleep(self._cost(result, *args))
                return result
        finally:
            self.pending -= 1

    def shutdown(self) -> None:
        pass


# -- the caller's voice -------------------------------------------------------------------

FREQUENCIES = [400.0 + 150.0 * n for n in range(20)]  # one per stretch of words


@dataclass
class Words:
    text: str
    seconds: float
    frequency: float = 0.0


class Vocabulary:
    """Which tone stands for which words."""

    def __init__(self) -> None:
        self.words: dict[float, str] = {}

    def tone(self, text: str, seconds: float) -> bytes:
        frequency = FREQUENCIES[len(self.words)]
        self.words[frequency] = text
        t = np.arange(int(seconds * CARRIER_RATE)) / CARRIER_RATE
        pcm = (9000 * np.sin(2 * np.pi * frequency * t)).astype(np.int16)
        return to_telephony(pcm, CARRIER_RATE)

    def heard(self, audio: np.ndarray, rate: int = 16_000) -> list[str]:
        """The stretches of words whose tones are in ``audio`` (60 ms of one at least),
        in order."""
        found: list[str] = []
        step = rate // 25  # 40 ms: 25 Hz between spectrum bins
        run: tuple[str, int] = ("", 0)
        for start in range(0, len(audio) - step + 1, step // 2):
            chunk = audio[start:start + step]
            if np.sqrt(np.mean(chunk**2)) < 0.1:
                run = ("", 0)
                continue
            spectrum = np.abs(np.fft.rfft(chunk * np.hanning(len(chunk))))
            peak = np.argmax(spectrum) * rate / len(chunk)
            nearest = min(self.words, key=lambda f: abs(f - peak))
            words = self.words[nearest] if abs(nearest - peak) < 30 else ""
            run = (words, run[1] + 1) if words == run[0] else (words, 1)
            if words and run[1] == 3 and (not found or found[-1] != words):
                found.append(words)
        return found


class ToneVad:
    """Voice activity from loudness: a probability per 32 ms window."""

    def stream(self) -> ToneVad:
        return ToneVad()

    def __init__(self) -> None:
        self._pending = np.zeros(0, dtype=np.float32)

    def push(self, samples: np.ndarray) -> list[float]:
        self._pending = np.concatenate([self._pending, samples])
        probs = []
        while len(self._pending) >= WINDOW:
            window, self._pending = self._pending[:WINDOW], self._pending[WINDOW:]
            probs.append(0.95 if np.sqrt(np.mean(window**2)) > 0.05 else 0.02)
        return probs


class ToneRecognizer:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.heard: list[str] = []  # every transcription's text, guesses included

    def transcribe(self, audio: np.ndarray, language: str | None, hint: str | None = None
                   ) -> Transcript:
        text = " ".join(self.vocabulary.heard(audio))
        self.heard.append(text)
        return Transcript(text, language or "en", len(audio) / 16_000, 0.0)

    def detect_language(self, audio: np.ndarray, candidates: Sequence[str]
                        ) -> dict[str, float]:
        return {lang: (1.0 if lang == candidates[0] else 0.0) for lang in candidates}


class ToneVoice:
    sample_rate = 8000
    identity = "scripted-tone"

    def synthesize(self, text: str) -> np.ndarray:
        seconds = 0.07 * len(text)
        t = np.arange(int(seconds * self.sample_rate)) / self.sample_rate
        return (3000 * np.sin(2 * np.pi * 200 * t)).astype(np.int16)


def recognition_cost(result: Any, *args: Any) -> float:
    if isinstance(result, Transcript):
        seconds = result.audio_seconds
    else:  # language detection on the audio so far
        seconds = len(args[0]) / 16_000 if args and isinstance(args[0], np.ndarray) else 1.0
    return 0.25 + 0.1 * seconds


def synthesis_cost(result: Any, *args: Any) -> float:
    return 0.05 + 0.3 * len(result) / ToneVoice.sample_rate


# -- the call -------------------------------------------------------------------------------


class ScriptedCall:
    """One call of the demo creditor: the session, the line, and a caller whose words
    are sent as 20 ms frames on the clock (silence between them)."""

    def __init__(self, tmp: Path, *, parameters: dict[str, str] | None = None,
                 recognition_workers: int = 1) -> None:
        from voicebot.web.app import ServiceState

        self.clock = DrivenClock()
        self.vocabulary = Vocabulary()
        self.recognizer = ToneRecognizer(self.vocabulary)
        settings = replay_settings(None, None, tmp)
        self.engines = Engines(
            vad=ToneVad(),  # type: ignore[arg-type]
            stt=self.recognizer,
            stt_pool=VirtualPool(self.clock, recognition_cost, recognition_workers),  # type: ignore[arg-type]
            voices={lang: Voice(ToneVoice()) for lang in ("en", "fr")},
            tts_pool=VirtualPool(self.clock, synthesis_cost, 2, 64),  # type: ignore[arg-type]
        )
        self.state = ServiceState(settings, self.engines, data_dir=tmp, clock=self.clock)
        self.line = LoopbackLine(self.clock, keep_audio=True)
        started = CallStarted(stream_id="MZscripted", call_id="CAscripted",
                              parameters=parameters or {"creditor": "acme-telecom",
                                                        "account": "100200"})
        self.session = self.state.make_session(started, self.line, clock=self.clock)
        self.line.session = self.session
        self._pending = bytearray()
        self._sent_ms = 0
        self._feed: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.clock.watch(asyncio.get_running_loop())
        self.started = self.clock.now()
        await self.session.start()
        self._feed = spawn(self._run_feed(), "scripted-feed")

    async def _run_feed(self) -> None:
        silence = b"\xff" * ULAW_FRAME_BYTES
        while not self.session.ended:
            frame = bytes(self._pending[:ULAW_FRAME_BYTES])
            del self._pending[:ULAW_FRAME_BYTES]
            frame = frame.ljust(ULAW_FRAME_BYTES, b"\xff") if frame else silence
            await self.session.handle(AudioReceived(frame, self._sent_ms))
            self._sent_ms += 20
            await self.clock.sleep(0.02)

    def say(self, *stretches: tuple[str, float] | float) -> None:
        """Speak: ``("words", seconds)`` for words, a bare number for a pause."""
        for stretch in stretches:
            if isinstance(stretch, tuple):
                self._pending += self.vocabulary.tone(*stretch)
            else:
                self._pending += b"\xff" * int(stretch * CARRIER_RATE)

    @property
    def saying(self) -> bool:
        return bool(self._pending)

    def bot_time_left(self) -> float:
        """Seconds of the bot's reply the caller has still to hear (infinite while its
        last piece has not gone out)."""
        return self.session.speaker.time_left()

    def bot_playing_for(self) -> float:
        """Seconds the bot's current stretch of speech has been playing (0 when quiet)."""
        if not self.session.speaker.speaking() or not self.line.played:
            return 0.0
        return self.clock.now() - self.started - self.line.played[-1].at

    def bot_lines(self) -> list[str]:
        return [e.text for e in self.session.transcript if e.speaker == "bot"]

    def caller_lines(self) -> list[str]:
        return [e.text for e in self.session.transcript if e.speaker == "caller"]

    def events(self, kind: str) -> list[str]:
        return [detail for _, k, detail in self.session.events if k == kind]

    async def until(self, done: Callable[[], bool], limit: float = 300.0) -> None:
        await self.clock.run_until(done, limit)

    async def bot_says(self, words: str, limit: float = 120.0) -> None:
        """Wait until the bot's latest line contains ``words`` and it has started playing."""
        await self.until(lambda: any(words.lower() in line.lower()
                                     for line in self.bot_lines()[-1:])
                         and self.bot_playing_for() > 0, limit)

    async def wait(self, seconds: float) -> None:
        """Let the call run for ``seconds`` of its clock."""
        until = self.clock.now() + seconds
        await self.until(lambda: self.clock.now() >= until)

    async def turn(self, *stretches: tuple[str, float] | float, limit: float = 60.0) -> str:
        """Say something, and wait until it was heard as a turn and the bot's answer has
        played out; returns what the caller was heard to say."""
        heard = len(self.caller_lines())
        self.say(*stretches)
        until = self.clock.now() + limit
        await self.until(lambda: len(self.caller_lines()) > heard, until)
        await self.bot_done()
        return self.caller_lines()[heard]

    async def bot_done(self) -> None:
        """Wait until the bot has said everything and the line is quiet."""
        await self.until(lambda: not self.session.speaker.speaking()
                         and not self.session.answering() and not self.saying
                         and self.line._playhead <= self.clock.now())

    async def close(self) -> None:
        if not self.session.ended:
            await self.session.close("caller_hung_up")
        await cancel(self._feed)
        await self.line.close()
        self.state.database.dispose()
