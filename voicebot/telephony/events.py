"""Carrier-neutral events that the call session consumes.

Every adapter (Twilio Media Streams now, Asterisk later) turns its wire format
into these, so the session never sees a carrier's JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CallStarted:
    stream_id: str
    call_id: str
    account_id: str = ""
    parameters: dict[str, str] = field(default_factory=dict)
    sample_rate: int = 8000
    encoding: str = "audio/x-mulaw"


@dataclass(frozen=True)
class AudioReceived:
    """One packet of caller audio, still in the carrier's encoding."""

    payload: bytes
    timestamp_ms: int | None = None


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
