"""The contact history the rules read, as plain values.

Whoever stores calls (the data layer, a JSON Lines file for the command line)
hands these in; the rules never look anything up. Every time is aware and kept
in UTC. ``from_dict`` reads one record as JSON gives it, with errors that say
which field is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from voicebot.compliance.windows import utc
from voicebot.errors import VoicebotError


class RecordError(VoicebotError):
    """A contact-history record is invalid (bad input, not retryable)."""


class Flag(StrEnum):
    """What is on record about an account that changes how it may be contacted."""

    DISPUTE = "dispute"  # the debt, or proof of it, is disputed (FDCPA §809(b))
    CEASE_CONTACT = "cease_contact"  # asked in writing to stop contact (FDCPA §805(c))
    ATTORNEY = "attorney"  # represented by an attorney for this debt (FDCPA §805(a)(2))
    BANKRUPTCY = "bankruptcy"  # bankruptcy or over-indebtedness procedure (11 U.S.C. §362)
    VULNERABILITY = "vulnerability"  # in vulnerable circumstances (FCA FG21/1)

    @property
    def stops_collection(self) -> bool:
        """Whether collection stops on the account while the flag is set.

        A vulnerable debtor's debt is still owed, but only a trained person
        speaks to them about it: the bot hands off at once either way.
        """
        return self is not Flag.VULNERABILITY


# The names the hand-off packets use for the same facts. A request for proof
# (validation) suspends collection exactly as a dispute does (FDCPA §809(b)).
FLAG_ALIASES: Mapping[str, Flag] = {
    "stop_contact": Flag.CEASE_CONTACT,
    "lawyer": Flag.ATTORNEY,
    "validation": Flag.DISPUTE,
}


def parse_flag(text: str) -> Flag:
    """A flag from its name or a hand-off packet's name for it."""
    if text in FLAG_ALIASES:
        return FLAG_ALIASES[text]
    try:
        return Flag(text)
    except ValueError:
        known = ", ".join([*Flag, *FLAG_ALIASES])
        raise RecordError(f"unknown flag {text!r} (known: {known})") from None


class Direction(StrEnum):
    """Who placed a call."""

    OUTBOUND = "outbound"  # the collector (or the bot) called the debtor
    INBOUND = "inbound"  # the debtor called in


def _set_utc(record: Any, *names: str) -> None:
    for name in names:
        value = getattr(record, name)
        if value is not None:
            object.__setattr__(record, name, utc(value))


@dataclass(frozen=True, slots=True)
class Attempt:
    """One telephone call about a debt, placed at ``at``, whether anyone answered or not.

    Outbound calls count toward the frequency limit, unless placed with the
    debtor's direct prior consent (``consented``: a call-back they asked for or
    accepted); calls the debtor placed (inbound) never count.
    """

    at: dt.datetime
    account: str
    debt: str = ""  # the debt the call was about; empty: the account's own
    direction: Direction = Direction.OUTBOUND
    consented: bool = False

    def __post_init__(self) -> None:
        _set_utc(self, "at")
        if not self.debt:
            object.__setattr__(self, "debt", self.account)


@dataclass(frozen=True, slots=True)
class Conversation:
    """A telephone conversation with the debtor about a debt, in either direction.

    The quiet period runs from ``at``: the time it ended is the strictest
    reading, the time the debtor was verified is the ledger's. A conversation is
    not an attempt: record the call that carried it as an :class:`Attempt` too.
    """

    at: dt.datetime
    account: str
    debt: str = ""

    def __post_init__(self) -> None:
        _set_utc(self, "at")
        if not self.debt:
            object.__setattr__(self, "debt", self.account)


@dataclass(frozen=True, slots=True)
class Consent:
    """The debtor's direct consent, given at ``at``, to be called about a debt.

    A call placed within the law's consent period after it (7 days under
    Regulation F §1006.14(b)(3)) is exempt from the frequency limits, which lets
    the bot offer a call-back during the quiet period after a conversation.
    """

    at: dt.datetime
    account: str
    debt: str = ""

    def __post_init__(self) -> None:
        _set_utc(self, "at")
        if not self.debt:
            object.__setattr__(self, "debt", self.account)


@dataclass(frozen=True, slots=True)
class FlagRecord:
    """A flag set on an account at ``at``, until ``cleared_at`` (``None``: still set)."""

    flag: Flag
    account: str
    at: dt.datetime
    cleared_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        _set_utc(self, "at", "cleared_at")
        if self.cleared_at is not None and self.cleared_at < self.at:
            raise ValueError("a flag cannot be cleared before it was set")

    def active(self, at: dt.datetime) -> bool:
        """Whether the flag is set at the instant ``at``."""
        at = utc(at)
        return self.at <= at and (self.cleared_at is None or at < self.cleared_at)


HistoryRecord = Attempt | Conversation | Consent


def active_flags(flags: Iterable[FlagRecord], account: str, at: dt.datetime) -> tuple[Flag, ...]:
    """The flags set on ``account`` at ``at``, each once, in the order of :class:`Flag`."""
    found = {record.flag for record in flags if record.account == account and record.active(at)}
    return tuple(flag for flag in Flag if flag in found)


def flag_since(
    flags: Iterable[FlagRecord], account: str, flag: Flag, at: dt.datetime
) -> dt.datetime:
    """When the flag active at ``at`` on ``account`` was set (the earliest such record)."""
    return min(r.at for r in flags if r.account == account and r.flag is flag and r.active(at))


# --------------------------------------------------------------------------- from JSON

_FIELDS = {
    "attempt": {"kind", "at", "account", "debt", "direction", "consented"},
    "conversation": {"kind", "at", "account", "debt"},
    "consent": {"kind", "at", "account", "debt"},
    "flag": {"kind", "at", "account", "flag", "cleared_at"},
}


def parse_time(value: Any, field: str = "at") -> dt.datetime:
    """An ISO 8601 time with its UTC offset (``2026-11-02T08:00:00-08:00`` or ``...Z``)."""
    if not isinstance(value, str):
        raise RecordError(f"{field}: expected an ISO 8601 time as text, got {value!r}")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(f"{field}: not an ISO 8601 time: {value!r}") from None
    if moment.tzinfo is None:
        raise RecordError(
            f"{field}: {value!r} has no UTC offset (write it like 2026-11-02T08:00:00-08:00 "
            "or 2026-11-02T16:00:00Z)"
        )
    return utc(moment)


def _text(data: Mapping[str, Any], field: str, required: bool = True) -> str:
    value = data.get(field)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value:
        raise RecordError(f"{field}: expected non-empty text, got {value!r}")
    return value


def _flag_of(data: Mapping[str, Any], field: str, default: bool = False) -> bool:
    value = data.get(field, default)
    if not isinstance(value, bool):
        raise RecordError(f"{field}: expected true or false, got {value!r}")
    return value


def from_dict(data: Any) -> HistoryRecord | FlagRecord:
    """One record from its JSON form; ``kind`` is ``attempt``, ``conversation``,
    ``consent`` or ``flag`` (the contact ledger's kinds, and two more)."""
    if not isinstance(data, Mapping):
        raise RecordError(f"expected a JSON object, got {type(data).__name__}")
    kind = data.get("kind")
    if kind not in _FIELDS:
        raise RecordError(f"kind: expected one of {', '.join(_FIELDS)}, got {kind!r}")
    unknown = sorted(set(data) - _FIELDS[kind])
    if unknown:
        raise RecordError(f"unknown field(s) for {kind} records: {', '.join(unknown)}")
    at = parse_time(data.get("at"))
    account = _text(data, "account")
    if kind == "flag":
        cleared = data.get("cleared_at")
        cleared_at = None if cleared is None else parse_time(cleared, "cleared_at")
        if cleared_at is not None and cleared_at < at:
            raise RecordError("cleared_at: before the flag was set (at)")
        return FlagRecord(parse_flag(_text(data, "flag")), account, at, cleared_at)
    debt = _text(data, "debt", required=False)
    if kind == "consent":
        return Consent(at, account, debt)
    if kind == "conversation":
        return Conversation(at, account, debt)
    direction = data.get("direction", Direction.OUTBOUND.value)
    if direction not in {d.value for d in Direction}:
        raise RecordError(f"direction: expected outbound or inbound, got {direction!r}")
    return Attempt(at, account, debt, Direction(direction), _flag_of(data, "consented"))
