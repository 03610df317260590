"""Carrier-neutral events that the call session consumes.

Every adapter (Twilio Media Streams, Asterisk's AudioSocket and WebSocket channel)
turns its wire format into these, so the session never sees a carrier's JSON or bytes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Carrier(enum.StrEnum):
    """Which adapter a call came through (kept in the call's record and metrics)."""

    TWILIO = "twilio"
    AUDIOSOCKET = "asterisk-audiosocket"
    ASTERISK_WS = "asterisk-websocket"


class AudioEncoding(enum.StrEnum):
    """How caller audio is encoded as it arrives (8 kHz mono either way)."""

    ULAW = "audio/x-mulaw"  # G.711 mu-law, a byte a sample (Twilio, chan_websocket)
    SLIN16 = "audio/L16"  # signed 16-bit little-endian linear PCM (AudioSocket)

    @property
    def sample_width(self) -> int:
        return 2 if self is AudioEncoding.SLIN16 else 1


@dataclass(frozen=True)
class CallStarted:
    stream_id: str
    call_id: str
    account_id: str = ""
    parameters: dict[str, str] = field(default_factory=dict)
    sample_rate: int = 8000
    encoding: str = AudioEncoding.ULAW.value
    carrier: Carrier = Carrier.TWILIO


@dataclass(frozen=True)
class AudioReceived:
    """One packet of caller audio, still in the carrier's encoding (decoded once, by the
    listener)."""

    payload: bytes
    timestamp_ms: int | None = None
    encoding: AudioEncoding = AudioEncoding.ULAW

    @property
    def samples(self) -> int:
        return len(self.payload) // self.encoding.sample_width


@dataclass(frozen=True)
class DigitPressed:
    digit: str


@dataclass(frozen=True)
class MarkPlayed:
    """The carrier finished playing everything sent before this mark."""

    name: str


@dataclass(frozen=True)
class CallEnded:
    reason: str = "stop"


CarrierEvent = CallStarted | AudioReceived | DigitPressed | MarkPlayed | CallEnded
