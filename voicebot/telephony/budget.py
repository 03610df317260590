"""A stream's real-time budget: how fast one caller's frames are read.

A carrier sends audio at line rate (8 kHz: 8,000 samples a second in 20 ms frames,
a byte each in mu-law, two in linear PCM) and a few other frames (marks, keys). A
stream that sends faster is broken or hostile, and every frame read from it costs
the shared event loop and the shared CPUs. So each stream gets token buckets: audio
at line rate (plus a tenth, so a backlog after a network stall drains) with a burst
of two seconds for frames that arrive bunched up, and other frames at a modest rate.

A stream over budget is not read again until it is back within it. Its frames
wait in the network's buffers and TCP holds the sender back: the excess costs
nothing. Dropping it would not help, because reading and parsing a flood is the
expensive part. Closing would not help either: the server then reads the flood
for seconds while it waits for the closing handshake (both were measured).
Pure: time is passed in, and the caller does the waiting.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicebot.telephony.close_codes import (  # noqa: F401 (named here too)
    CLOSE_POLICY_VIOLATION,
)
from voicebot.telephony.events import AudioReceived, CarrierEvent

LINE_RATE = 8000  # samples a second
MIN_FRAME_CHARGE = 80  # a media frame costs at least 10 ms, however small its payload


class TokenBucket:
    """``rate`` units a second, at most ``burst`` saved up. Starts full.

    ``take`` and ``grant`` never go below zero; ``spend`` may (a debt), and says
    how long until the debt is paid.
    """

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

    def spend(self, amount: float, now: float) -> float:
        """Take ``amount`` even into debt; returns seconds until the bucket is back at zero."""
        self._level = self.level(now) - amount
        return max(0.0, -self._level / self.rate)


@dataclass(frozen=True)
class BudgetConfig:
    """Limits per stream. The defaults leave an honest carrier far inside them."""

    audio_rate: float = LINE_RATE * 1.1  # samples a second
    audio_burst_seconds: float = 2.0  # of line rate
    other_frames_per_second: float = 20.0  # marks, keys, unknown events
    other_frames_burst: float = 100.0


class StreamBudget:
    """Charges each frame read from a stream; says how long to wait before the next.

    ``charge`` returns 0 while a stream keeps within real time, and otherwise the
    seconds until it is back within it: the reader waits that long before it
    reads again. ``held_back`` adds up those waits.
    """

    def __init__(self, now: float, config: BudgetConfig | None = None) -> None:
        self.config = cfg = config or BudgetConfig()
        self._audio = TokenBucket(cfg.audio_rate, LINE_RATE * cfg.audio_burst_seconds, now)
        self._frames = TokenBucket(cfg.other_frames_per_second, cfg.other_frames_burst, now)
        self.held_back = 0.0  # seconds the stream was not read because it was over budget
        self.times_held_back = 0

    def charge(self, events: list[CarrierEvent], now: float) -> float:
        """Charge the events of one frame (none: a frame that gave no event)."""
        wait = 0.0
        audio = [e for e in events if isinstance(e, AudioReceived)]
        for event in audio:
            wait = max(wait, self._audio.spend(max(event.samples, MIN_FRAME_CHARGE), now))
        if len(audio) < len(events) or not events:
            wait = max(wait, self._frames.spend(max(1, len(events) - len(audio)), now))
        if wait > 0:
            self.held_back += wait
            self.times_held_back += 1
        return wait
