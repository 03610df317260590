"""Inbound audio: carrier mu-law to 16 kHz, voice activity, turn events, and a
bounded buffer from which a finished turn's audio is cut."""

from __future__ import annotations

import numpy as np

from voicebot.audio.codec import int16_to_float, ulaw_decode
from voicebot.audio.resample import StreamResampler
from voicebot.turns.detector import TurnConfig, TurnDetector, TurnEvent
from voicebot.turns.vad import VAD_RATE, WINDOW_SECONDS, VoiceActivity

PRE_ROLL = 0.25  # seconds kept before the detected onset: VAD reacts late to soft starts
MAX_GAP_FILL = 2.0  # longest lost-audio gap replaced with silence


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
        self.gaps_filled = 0

    @property
    def now(self) -> float:
        return self.ring.now

    def push_ulaw(self, payload: bytes, timestamp_ms: int | None = None) -> list[TurnEvent]:
        events: list[TurnEvent] = []
        if timestamp_ms is not None and self._expected_ms is not None:
            gap_ms = timestamp_ms - self._expected_ms
            if 0 < gap_ms <= MAX_GAP_FILL * 1000:
                # Lost packets: keep stream time true to the call with silence.
                self.gaps_filled += 1
                events += self._push_pcm(np.zeros(gap_ms * self._carrier_rate // 1000,
                                                  dtype=np.float32))
        if timestamp_ms is not None:
            self._expected_ms = timestamp_ms + len(payload) * 1000 // self._carrier_rate
        events += self._push_pcm(int16_to_float(ulaw_decode(payload)))
        return events

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
