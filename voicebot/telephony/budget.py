"""A stream's real-time budget: what one caller may make the service do per second.

A carrier sends audio at line rate (8 kHz mu-law: 8,000 bytes a second in 20 ms
frames) and a few other frames (marks, keys). A stream that sends faster is
either broken or hostile, and every frame it sends costs the shared event loop
and the shared CPUs. So each stream gets token buckets: audio is accepted at
line rate with a small burst (network jitter bunches frames up), the excess is
dropped, and a stream that keeps going over is closed with 1008 (policy
violation) and a log line. Pure: time is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicebot.errors import ProtocolError
from voicebot.telephony.events import AudioReceived, CarrierEvent

CLOSE_POLICY_VIOLATION = 1008

LINE_RATE = 8000  # bytes of mu-law a second
MIN_FRAME_CHARGE = 80  # a media frame costs at least 10 ms, however small its payload


class TokenBucket:
    """``rate`` units a second, at most ``burst`` saved up. Starts full."""

    def __init__(self, rate: float, burst: float, now: float) -> None:
        if rate <= 0 or burst <= 0:
            raise ValueError("a token bucket needs a positive rate and burst")
        self.rate = rate
        self.burst = burst
        self._level = burst
        self._at = now

    def level(self, now: float) -> float:
        """Units available at ``now`` (time never runs backwards here)."""
        if now > self._at:
            self._level = min(self.burst, self._level + (now - self._at) * self.rate)
            self._at = now
        return self._level

    def take(self, amount: float, now: float) -> bool:
        """Take ``amount`` if all of it is available; otherwise take nothing."""
        if self.level(now) < amount:
            return False
        self._level -= amount
        return True

    def grant(self, amount: float, now: float) -> float:
        """Take as much of ``amount`` as is available; returns what was taken."""
        granted = min(max(amount, 0.0), self.level(now))
        self._level -= granted
        return granted


@dataclass(frozen=True)
class BudgetConfig:
    """Limits per stream. The defaults leave an honest carrier far inside them."""

    audio_rate: float = LINE_RATE  # bytes a second
    audio_burst_seconds: float = 2.0
    other_frames_per_second: float = 20.0  # marks, keys, unknown events
    other_frames_burst: float = 100.0
    close_after_excess_seconds: float = 10.0  # audio dropped before the stream is closed
    close_after_excess_frames: int = 200  # other frames over budget before closing


class StreamBudget:
    """Decides, frame by frame, whether a stream is still within real time.

    ``admit`` returns True to pass an event on, False to drop it (audio over
    budget), and raises ``ProtocolError`` (1008) once a stream has gone over by
    more than the configured excess: at that point it is not jitter.
    """

    def __init__(self, now: float, config: BudgetConfig | None = None) -> None:
        self.config = cfg = config or BudgetConfig()
        self._audio = TokenBucket(cfg.audio_rate, cfg.audio_rate * cfg.audio_burst_seconds, now)
        self._frames = TokenBucket(cfg.other_frames_per_second, cfg.other_frames_burst, now)
        self.dropped_bytes = 0
        self.dropped_frames = 0
        self.excess_frames = 0

    @property
    def dropped_seconds(self) -> float:
        return self.dropped_bytes / self.config.audio_rate

    def admit(self, event: CarrierEvent | None, now: float) -> bool:
        """Charge one inbound frame (``None``: a frame that produced no event)."""
        if isinstance(event, AudioReceived):
            cost = max(len(event.payload), MIN_FRAME_CHARGE)
            if self._audio.take(cost, now):
                return True
            self.dropped_bytes += cost
            self.dropped_frames += 1
            if self.dropped_seconds > self.config.close_after_excess_seconds:
                raise ProtocolError(
                    f"audio arriving faster than real time ({self.dropped_seconds:.1f} s "
                    f"over the line rate in {self.dropped_frames} frames)",
                    close_code=CLOSE_POLICY_VIOLATION,
                )
            return False
        if not self._frames.take(1, now):
            # Never dropped (a stop or a mark matters), but counted.
            self.excess_frames += 1
            if self.excess_frames > self.config.close_after_excess_frames:
                raise ProtocolError(
                    f"{self.excess_frames} frames over the limit of "
                    f"{self.config.other_frames_per_second:g} a second besides audio",
                    close_code=CLOSE_POLICY_VIOLATION,
                )
        return True
