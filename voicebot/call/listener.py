"""Inbound audio: the carrier's 8 kHz audio (mu-law, or linear PCM from AudioSocket) to
16 kHz, voice activity, turn events, and a bounded buffer from which a finished turn's
audio is cut.

Resampling and voice detection are CPU work, so ``hear`` runs them on a small
pool of threads shared by every call, never on the event loop: one call's audio
cannot delay another call's replies. Each call hears one frame at a time (the
session awaits ``hear``), so frames stay in order and the listener needs no lock.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from voicebot.audio.codec import int16_to_float, slin_decode, ulaw_decode
from voicebot.audio.resample import StreamResampler
from voicebot.telephony.budget import TokenBucket
from voicebot.telephony.events import AudioEncoding
from voicebot.turns.detector import SpeechEnded, TurnConfig, TurnDetector, TurnEvent
from voicebot.turns.vad import VAD_RATE, WINDOW_SECONDS, VoiceActivity

PRE_ROLL = 0.25  # seconds kept before the detected onset: VAD reacts late to soft starts
MAX_GAP_FILL = 2.0  # longest lost-audio gap replaced with silence
# Silence filled for lost packets, per second of wall time: packets cannot go
# missing faster than time passes, so a stream whose timestamps claim they do
# gets no more than this (2 s of burst for a late clump of packets).
GAP_FILL_PER_SECOND = 1.0
AUDIO_THREADS = 2

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def audio_pool() -> ThreadPoolExecutor:
    """The threads every call's resampling and voice detection run on (made on first use).

    Each call has at most one job in it at a time, so its queue is bounded by the
    number of calls.
    """
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(AUDIO_THREADS, thread_name_prefix="audio")
        return _pool


class AudioRing:
    """The last ``capacity`` seconds of 16 kHz audio, addressable by stream time."""

    def __init__(self, seconds: float, rate: int = VAD_RATE) -> None:
        self.rate = rate
        self._buf = np.zeros(int(seconds * rate), dtype=np.float32)
        self.written = 0  # samples since the stream began

    def append(self, samples: np.ndarray) -> None:
        n = len(samples)
        cap = len(self._buf)
        if n > cap:
            self.written += n - cap
            samples = samples[-cap:]
            n = cap
        start = self.written % cap
        first = min(n, cap - start)
        self._buf[start : start + first] = samples[:first]
        self._buf[: n - first] = samples[first:]
        self.written += n

    def slice(self, start: float, end: float) -> np.ndarray:
        """Audio between two stream times, clipped to what is still held."""
        cap = len(self._buf)
        lo = max(int(start * self.rate), self.written - cap, 0)
        hi = min(int(end * self.rate), self.written)
        if hi <= lo:
            return np.zeros(0, dtype=np.float32)
        idx = np.arange(lo, hi) % cap
        return self._buf[idx].copy()

    @property
    def now(self) -> float:
        return self.written / self.rate


class Listener:
    """Feeds caller audio through resampling, VAD and the turn detector."""

    def __init__(self, vad: VoiceActivity, config: TurnConfig, carrier_rate: int = 8000
                 ) -> None:
        self.detector = TurnDetector(config)
        self._vad = vad
        self._resampler = StreamResampler(carrier_rate, VAD_RATE)
        self._carrier_rate = carrier_rate
        self.ring = AudioRing(config.max_turn + 10.0)
        self._vad_time = 0.0  # stream time at the end of the last VAD window
        self._expected_ms: int | None = None
        self._gap_budget: TokenBucket | None = None  # made at the first frame's time
        self.gaps_filled = 0
        self.gap_seconds_refused = 0.0

    @property
    def now(self) -> float:
        return self.ring.now

    @property
    def in_speech(self) -> bool:
        return self.detector.in_speech

    def expect_digits(self, digits: bool) -> None:
        self.detector.expect_digits(digits)

    def end_now(self, last_voiced: float) -> SpeechEnded | None:
        """End the turn now if the caller is still silent since ``last_voiced``."""
        return self.detector.end_now(last_voiced, self.now)

    async def hear(self, payload: bytes, timestamp_ms: int | None, now: float,
                   encoding: AudioEncoding = AudioEncoding.ULAW) -> list[TurnEvent]:
        """``push`` on the shared audio threads; the caller awaits one frame at a time."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(audio_pool(), self.push, payload, encoding,
                                          timestamp_ms, now)

    def push_ulaw(self, payload: bytes, timestamp_ms: int | None = None,
                  now: float | None = None) -> list[TurnEvent]:
        """One mu-law carrier frame (``push``)."""
        return self.push(payload, AudioEncoding.ULAW, timestamp_ms, now)

    def push(self, payload: bytes, encoding: AudioEncoding, timestamp_ms: int | None = None,
             now: float | None = None) -> list[TurnEvent]:
        """One carrier frame in ``encoding``; ``now`` (seconds, the frame's arrival) paces
        gap filling."""
        samples = (slin_decode(payload) if encoding is AudioEncoding.SLIN16
                   else ulaw_decode(payload))
        events: list[TurnEvent] = []
        if timestamp_ms is not None and self._expected_ms is not None:
            gap_ms = timestamp_ms - self._expected_ms
            if 0 < gap_ms <= MAX_GAP_FILL * 1000:
                # Lost packets: keep stream time true to the call with silence.
                fill_ms = self._allowed_gap_ms(gap_ms, now)
                if fill_ms > 0:
                    self.gaps_filled += 1
                    events += self._push_pcm(np.zeros(fill_ms * self._carrier_rate // 1000,
                                                      dtype=np.float32))
        if timestamp_ms is not None:
            self._expected_ms = timestamp_ms + len(samples) * 1000 // self._carrier_rate
        events += self._push_pcm(int16_to_float(samples))
        return events

    def _allowed_gap_ms(self, gap_ms: int, now: float | None) -> int:
        if now is None:
            return gap_ms
        if self._gap_budget is None:
            self._gap_budget = TokenBucket(GAP_FILL_PER_SECOND, MAX_GAP_FILL, now)
        granted = int(self._gap_budget.grant(gap_ms / 1000, now) * 1000)
        self.gap_seconds_refused += (gap_ms - granted) / 1000
        return granted

    def _push_pcm(self, samples: np.ndarray) -> list[TurnEvent]:
        resampled = self._resampler.push(samples)
        if len(resampled) == 0:
            return []
        self.ring.append(resampled)
        events: list[TurnEvent] = []
        for prob in self._vad.push(resampled):
            self._vad_time += WINDOW_SECONDS
            events += self.detector.push(prob, self._vad_time, WINDOW_SECONDS)
        return events

    def turn_audio(self, onset: float, last_voiced: float) -> np.ndarray:
        return self.ring.slice(max(0.0, onset - PRE_ROLL), last_voiced + 0.15)
