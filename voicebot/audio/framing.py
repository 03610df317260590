"""Cutting a byte stream into fixed-size frames."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from voicebot.audio.codec import float_to_int16, int16_to_float, ulaw_encode
from voicebot.audio.resample import resample

# Twilio and most SIP gateways move audio in 20 ms packets.
FRAME_MS = 20
TELEPHONY_RATE = 8000
ULAW_FRAME_BYTES = TELEPHONY_RATE * FRAME_MS // 1000  # 160


class Framer:
    """Accumulates bytes and yields whole frames; the remainder waits for more."""

    def __init__(self, frame_bytes: int = ULAW_FRAME_BYTES) -> None:
        self.frame_bytes = frame_bytes
        self._pending = bytearray()

    def push(self, data: bytes) -> Iterator[bytes]:
        self._pending += data
        whole = len(self._pending) - len(self._pending) % self.frame_bytes
        for start in range(0, whole, self.frame_bytes):
            yield bytes(self._pending[start : start + self.frame_bytes])
        del self._pending[:whole]

    def flush(self, pad: int | None = None) -> Iterator[bytes]:
        """Yield the remainder, padded to a whole frame with ``pad`` if given."""
        if not self._pending:
            return
        rest = bytes(self._pending)
        self._pending.clear()
        if pad is not None:
            rest += bytes([pad]) * (self.frame_bytes - len(rest))
        yield rest


def frame_duration(nbytes: int, rate: int = TELEPHONY_RATE, sample_width: int = 1) -> float:
    """Seconds of audio in ``nbytes``."""
    return nbytes / (rate * sample_width)


def to_telephony(pcm: np.ndarray, rate: int) -> bytes:
    """int16 speech at ``rate`` as 8 kHz mu-law, ready to send."""
    if len(pcm) == 0:
        return b""
    return ulaw_encode(float_to_int16(resample(int16_to_float(pcm), rate, TELEPHONY_RATE)))


def ulaw_silence(seconds: float) -> bytes:
    return b"\xff" * int(seconds * TELEPHONY_RATE)
