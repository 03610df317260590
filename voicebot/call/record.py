"""A call as a frozen value: what a hand-off packet, a stored record or a report
is built from, without reaching into the live session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from voicebot.dialogue.base import Outcome


@dataclass(frozen=True)
class TranscriptLine:
    speaker: str  # "bot" or "caller"
    text: str  # caller text is redacted before it is kept
    at: float  # seconds from the start of the call
    interrupted: bool = False
    via: str = "voice"  # or "keypad"
    timings: Mapping[str, float] | None = None  # ms per stage of the reply to this turn


@dataclass(frozen=True)
class CallRecord:
    call_id: str
    language: str
    started: dt.datetime  # wall-clock start, UTC
    seconds: float  # how long the call has lasted so far
    at: dt.datetime  # wall-clock time this record was taken, UTC (on the call's clock)
    transcript: tuple[TranscriptLine, ...]
    turn_ms: tuple[float, ...]  # caller's last word to the bot's first audio, per turn
    events: tuple[tuple[float, str, str], ...]  # (seconds into the call, kind, detail)
    outcome: Outcome


class HandoffDesk(Protocol):
    """Where a call goes when a person must take it (the web layer provides one)."""

    async def open(self, record: CallRecord, reason: str) -> str | None:
        """Keep the hand-off (before the caller hears about it); its id, None if journaled."""
        ...

    async def transfer(self, record: CallRecord, handoff_id: str | None, reason: str) -> bool:
        """Move the live call to a person; whether it was moved."""
        ...

    async def call_back(self, handoff_id: str | None, why: str) -> None:
        """The caller is gone before the transfer: a person calls them back."""
        ...

    def not_moved(self, language: str) -> str | None:
        """What the caller hears when the transfer did not happen, before the bot hangs
        up (None: the carrier says it itself, as Twilio's ``/twilio/continue`` does)."""
        ...

    async def keep(self, record: CallRecord, request: str) -> None:
        """A request the call ended on, kept for staff to act on."""
        ...


def summary_of(record: CallRecord) -> dict[str, Any]:
    """The JSON a finished call is listed as (redacted text only)."""
    outcome = record.outcome
    return {
        "call_id": record.call_id,
        "language": record.language,
        "prompt_version": outcome.prompt_version,
        "policy_version": outcome.policy_version,
        "transcript": [{"speaker": e.speaker, "text": e.text, "interrupted": e.interrupted}
                       for e in record.transcript],
        "events": [kind for _, kind, _ in record.events],
        "dialogue_events": [list(e) for e in outcome.events],
        "agreed": outcome.agreed,
        "handoff": outcome.handoff,
        "flags": list(outcome.flags),
        "priority": outcome.priority,
        "decision": outcome.decision.as_dict() if outcome.decision else None,
    }
