"""The hand-off packet: what a human agent sees before saying a word.

A packet is built once, when the bot decides a person must take the call, from
plain values the call session already has (who, why, what was agreed, what was
said). Every string in it goes through a redaction hook before it is stored or
sent anywhere, so card numbers a caller read out never reach the agent desktop.
"""

from __future__ import annotations

import datetime as dt
import statistics
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from voicebot.handoff.reasons import HandoffReason

# Why a call goes to a person.
REASONS = tuple(reason.value for reason in HandoffReason)

# waiting -> active -> completed; a waiting one may instead be abandoned (the
# caller hung up) or fall back (no agent in time: callback offered, message taken).
STATUSES = ("waiting", "active", "completed", "abandoned", "fallback")

# Where the call of the agent who accepted stands (conference mode; see
# ``voicebot.handoff.connect``): ringing, answered (a phone's key press awaited),
# joining (hearing the summary), connected (talking with the caller), ended; or
# missed (no answer, declined, busy), failed (the call could not be placed),
# caller_gone (the caller hung up before the agent joined).
CONNECTION_STATES = ("ringing", "answered", "joining", "connected", "ended", "missed", "failed",
                     "caller_gone")
# The agent is on the way: the caller must go on waiting for them.
ON_THE_WAY = frozenset({"ringing", "answered", "joining"})

# Flags a reason implies, so the agent sees them without reading the transcript.
REASON_FLAGS = {reason.value: reason.flag for reason in HandoffReason if reason.flag}
REASON_TEXT = {reason.value: reason.text for reason in HandoffReason}

MAX_TRANSCRIPT_ENTRIES = 200
MAX_TEXT_CHARS = 2000
MAX_NOTES_CHARS = 10_000

Redactor = Callable[[Any], Any]


def no_redaction(value: Any) -> Any:
    return value


def iso(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC, to the millisecond; naive datetimes are taken as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class HandoffPacket:
    """One call handed to a person. ``to_dict`` is its JSON form."""

    id: str
    created_at: str
    call_id: str
    creditor: dict[str, str]
    language: str
    reason: str
    status: str = "waiting"
    account: dict[str, Any] | None = None
    decision: dict[str, Any] | None = None
    agreed: bool = False
    summary: str = ""
    transcript: list[dict[str, Any]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    timing: dict[str, Any] = field(default_factory=dict)
    agent: str | None = None
    notes: str = ""
    accepted_at: str | None = None
    completed_at: str | None = None
    # The latest call to an agent who accepted (conference mode): agent, reach (client,
    # phone or sip, never the number itself), attempt, call_sid, state (one of
    # CONNECTION_STATES), detail, and when it was requested, answered, connected, ended.
    connection: dict[str, Any] | None = None

    @property
    def agent_on_the_way(self) -> bool:
        """An agent accepted and their phone rings, or they are about to join the caller."""
        return (self.status == "active" and self.connection is not None
                and self.connection.get("state") in ON_THE_WAY)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _copy(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HandoffPacket:
        known = {f.name for f in fields(cls)}
        missing = {"id", "created_at", "call_id", "creditor", "language", "reason"} - set(data)
        if missing:
            raise ValueError(f"hand-off packet lacks {', '.join(sorted(missing))}")
        return cls(**{k: _copy(v) for k, v in data.items() if k in known})


# Fields that identify or date the packet: never free text, never redacted (the
# store keys on them).
_STRUCTURAL = ("id", "created_at", "call_id", "status", "reason", "language", "agent",
               "accepted_at", "completed_at", "timing", "connection")


def redact_packet(packet: HandoffPacket, redact: Redactor) -> HandoffPacket:
    """The packet with every free-text string passed through ``redact``."""
    data = packet.to_dict()
    content = {k: v for k, v in data.items() if k not in _STRUCTURAL}
    cleaned = redact(content)
    if not isinstance(cleaned, Mapping) or set(cleaned) != set(content):
        raise TypeError("the redaction hook must return the mapping it was given, same keys")
    data.update(cleaned)
    return HandoffPacket.from_dict(data)


def build_packet(
    *,
    call_id: str,
    creditor_id: str,
    creditor_name: str,
    language: str,
    reason: str,
    handoff_requested: dt.datetime,
    account_reference: str | None = None,
    account_name: str | None = None,
    verified: bool = False,
    decision: Mapping[str, Any] | Any | None = None,
    agreed: bool = False,
    transcript: Iterable[Mapping[str, Any] | Any] = (),
    transcript_origin: float = 0.0,
    flags: Iterable[str] = (),
    call_started: dt.datetime | None = None,
    turns: int = 0,
    turn_ms: Iterable[float] = (),
    median_turn_ms: float | None = None,
    redact: Redactor = no_redaction,
    packet_id: str | None = None,
) -> HandoffPacket:
    """A waiting packet from plain values, redacted with ``redact``.

    ``handoff_requested`` dates the packet: the caller's clock says when, as nothing
    here reads one.

    ``decision`` is ``Decision.as_dict()`` (or the decision itself). Transcript
    entries are mappings or objects with ``speaker``, ``text``, ``at`` and
    ``interrupted``; ``at`` minus ``transcript_origin`` is kept (seconds into the
    call when the origin is the session's start). ``turn_ms`` are per-turn
    latencies; their median is kept unless ``median_turn_ms`` is given.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown hand-off reason {reason!r}; "
                         f"expected one of {', '.join(REASONS)}")
    if decision is not None and not isinstance(decision, Mapping):
        decision = decision.as_dict()
    plan = dict(decision) if decision is not None else None
    account = (
        {"reference": account_reference, "name": account_name, "verified": bool(verified)}
        if account_reference else None
    )
    lines = [_transcript_entry(e, transcript_origin) for e in transcript]
    lines = lines[-MAX_TRANSCRIPT_ENTRIES:]
    all_flags = _flags(reason, plan, flags)
    latencies = [float(ms) for ms in turn_ms]
    if median_turn_ms is None and latencies:
        median_turn_ms = round(statistics.median(latencies), 1)
    timing = {
        "call_started": iso(call_started),
        "handoff_requested": iso(handoff_requested),
        "duration_seconds": round((handoff_requested - call_started).total_seconds(), 1)
        if call_started else None,
        "turns": int(turns),
        "median_turn_ms": median_turn_ms,
    }
    packet = HandoffPacket(
        id=packet_id or uuid.uuid4().hex,
        created_at=iso(handoff_requested) or "",
        call_id=call_id,
        creditor={"id": creditor_id, "name": creditor_name},
        language=language,
        reason=reason,
        account=account,
        decision=plan,
        agreed=bool(agreed and plan is not None),
        transcript=lines,
        flags=all_flags,
        timing=timing,
    )
    redacted = redact_packet(packet, redact)
    if [e["text"] for e in redacted.transcript] != [e["text"] for e in packet.transcript] \
            and "card_data_detected" not in redacted.flags:
        redacted.flags.append("card_data_detected")
    redacted.summary = redact(summarize(redacted))
    return redacted


def summarize(packet: HandoffPacket) -> str:
    """A few lines for the agent, from the facts only (never from the model)."""
    parts = [REASON_TEXT.get(packet.reason, packet.reason) + "."]
    if packet.account is None:
        parts.append("No account reference.")
    elif packet.account.get("verified"):
        parts.append(f"Account {packet.account['reference']}, identity verified.")
    else:
        parts.append(f"Account {packet.account['reference']} given; identity NOT verified.")
    plan = packet.decision
    if plan is not None:
        label = "Agreed plan" if packet.agreed else "Proposed plan, not agreed"
        parts.append(f"{label}: {plan.get('summary') or _plan_text(plan)}")
        if plan.get("requires_human"):
            parts.append("The plan needs a person's approval.")
    else:
        parts.append("No plan discussed.")
    if packet.flags:
        parts.append("Flags: " + ", ".join(f.replace("_", " ") for f in packet.flags) + ".")
    return " ".join(parts)


def _plan_text(plan: Mapping[str, Any]) -> str:
    count = plan.get("count")
    total = plan.get("total")
    currency = plan.get("currency", "")
    return f"{count} payments totalling {total} {currency}".strip() + "."


def _flags(reason: str, plan: Mapping[str, Any] | None, given: Iterable[str]) -> list[str]:
    out: list[str] = []
    candidates = [REASON_FLAGS.get(reason)]
    if plan is not None and plan.get("hardship"):
        candidates.append("hardship")
    candidates.extend(given)
    for flag in candidates:
        if flag and flag not in out:
            out.append(str(flag))
    if "priority" in out:  # the desktop and the agent see it first
        out.insert(0, out.pop(out.index("priority")))
    return out


def _transcript_entry(entry: Mapping[str, Any] | Any, origin: float) -> dict[str, Any]:
    def get(name: str, default: Any = None) -> Any:
        if isinstance(entry, Mapping):
            return entry.get(name, default)
        return getattr(entry, name, default)

    at = get("at")
    return {
        "speaker": str(get("speaker", "")),
        "text": str(get("text", ""))[:MAX_TEXT_CHARS],
        "at": None if at is None else round(float(at) - origin, 2),
        "interrupted": bool(get("interrupted", False)),
    }


def _copy(value: Any) -> Any:
    """A deep copy of JSON-like data, so packets never share mutable parts."""
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(v) for v in value]
    return value
