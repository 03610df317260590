"""What a call leaves in the records, written as the call goes.

The session hands its frozen ``CallRecord`` to a ``CallRecorder`` at the start, after
every reply and at the end; the recorder writes what is new (turns, decisions) and
corrects what changed (a reply cut short by the caller), dating what it writes with
the record's own time (``CallRecord.at``, on the call's clock). Two writes are part of
the conversation itself: an agreed arrangement is committed before the bot confirms it
aloud (``agreed`` raises when it cannot be, and the caller is then passed to a person
instead of hearing a confirmation nothing backs), and each disclosure is stored with
the carrier mark that proves it was played to the end.

Every other write failing is logged and never costs the call.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from voicebot.call.record import CallRecord, summary_of
from voicebot.compliance.records import RecordError, parse_flag
from voicebot.data import Records
from voicebot.data.records import Arrangement, CallStart, Instalment

log = logging.getLogger(__name__)


def account_flag(name: str) -> str | None:
    """The account flag a dialogue flag puts on record (``stop_contact`` is
    ``cease_contact``...), or None for one that is not about the account (a third party)."""
    try:
        return parse_flag(name).value
    except RecordError:
        return None


@dataclass(frozen=True)
class CallContext:
    """What the records need about a call that the dialogue does not say."""

    carrier: str
    stream_id: str | None = None
    policy_hash: str | None = None
    direction: str = "inbound"


class CallRecorder(Protocol):
    async def started(self, record: CallRecord) -> None: ...

    async def progress(self, record: CallRecord) -> None: ...

    async def agreed(self, record: CallRecord, readback: str, consent_words: str, *,
                     readback_finished_at: dt.datetime | None) -> str:
        """Commit the agreed plan; its id. Raises when it could not be kept."""
        ...

    async def disclosure(self, record: CallRecord, name: str, text: str, mark: str | None,
                         played: bool) -> None: ...

    async def finished(self, record: CallRecord, reason: str) -> None: ...


def instance_name() -> str:
    return socket.gethostname()[:48]


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class RecordsRecorder:
    """A ``CallRecorder`` over the service's ``Records``, one per call."""

    records: Records
    context: CallContext
    # (text, interrupted, timings) of each turn written
    _written: list[tuple[str, bool, object]] = field(default_factory=list)
    _events: int = 0
    _account: str | None = None
    _verified: bool = False
    _flags: set[str] = field(default_factory=set)
    _started: bool = False
    _offset: int = 0  # turns recorded before this stream (a reconnected call)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def _call_start(self, record: CallRecord) -> CallStart:
        outcome = record.outcome
        return CallStart(
            call_id=record.call_id, carrier=self.context.carrier, creditor=outcome.creditor_id,
            language=record.language, started_at=record.started,
            account=outcome.account_reference, stream_id=self.context.stream_id,
            prompt_version=outcome.prompt_version, policy_version=outcome.policy_version,
            policy_hash=self.context.policy_hash, direction=self.context.direction)

    async def started(self, record: CallRecord) -> None:
        self._account = record.outcome.account_reference
        try:
            self._offset = await asyncio.to_thread(self.records.start_call,
                                                   self._call_start(record))
        except Exception:
            log.exception("records: could not write the start of a call")
            return
        self._started = True
        await self.progress(record)

    async def progress(self, record: CallRecord) -> None:
        if not self._started:
            return
        async with self._lock:  # one writer at a time keeps the turn numbers in order
            await self._try("progress", self._write_progress, record)

    def _write_progress(self, record: CallRecord) -> None:
        outcome = record.outcome
        call_id = record.call_id
        for index, line in enumerate(record.transcript):
            seq = self._offset + index + 1
            now = (line.text, line.interrupted, dict(line.timings or {}))
            if index < len(self._written):
                if self._written[index] != now:
                    if line.interrupted:
                        self.records.mark_interrupted(call_id, seq, heard=line.text)
                    if line.timings:
                        self.records.set_turn_timings(call_id, seq, line.timings)
                    self._written[index] = now
                continue
            self.records.add_turn(call_id, seq, line.speaker, line.text, line.at,
                                  interrupted=line.interrupted, via=line.via,
                                  timings=line.timings)
            self._written.append(now)
        for at, kind, detail in record.events[self._events:]:
            self.records.add_decision(call_id, at, kind, detail)
        self._events = len(record.events)
        account = outcome.account_reference
        if account and (account != self._account or (outcome.verified and not self._verified)):
            self.records.set_account(call_id, outcome.creditor_id, account,
                                     conversation_at=record.at if outcome.verified else None)
            self._account, self._verified = account, outcome.verified
        if account and outcome.verified:
            for flag in outcome.flags:
                mapped = account_flag(flag)
                if mapped and mapped not in self._flags:
                    self.records.set_flag(outcome.creditor_id, account, mapped,
                                          at=record.at, call_id=call_id)
                    self._flags.add(mapped)

    async def agreed(self, record: CallRecord, readback: str, consent_words: str, *,
                     readback_finished_at: dt.datetime | None) -> str:
        outcome = record.outcome
        decision = outcome.decision
        if decision is None or not decision.schedule:
            raise ValueError("an agreement without a plan")
        if not self._started:
            self._offset = await asyncio.to_thread(self.records.start_call,
                                                   self._call_start(record))
            self._started = True
        arrangement = Arrangement(
            call_id=record.call_id, creditor=outcome.creditor_id,
            account=outcome.account_reference, currency=decision.currency,
            schedule=tuple(Instalment(i.due, i.amount) for i in decision.schedule),
            kind=str(decision.kind), readback=readback, consent_words=consent_words,
            agreed_at=record.at, policy_version=decision.policy_version,
            policy_hash=self.context.policy_hash, readback_finished_at=readback_finished_at)
        async with self._lock:
            return await asyncio.to_thread(self.records.save_arrangement, arrangement)

    async def disclosure(self, record: CallRecord, name: str, text: str, mark: str | None,
                         played: bool) -> None:
        if not self._started:
            return
        await self._try("disclosure", self.records.add_disclosure, record.call_id, name, text,
                        mark, started_at=record.at, played_at=record.at if played else None)

    async def finished(self, record: CallRecord, reason: str) -> None:
        if not self._started:
            return
        await self.progress(record)
        await self._try("finish", self.records.finish_call, record.call_id,
                        record.at, reason, _outcome(record))

    async def _try(self, what: str, fn, *args, **kwargs) -> bool:  # type: ignore[no-untyped-def]
        try:
            await asyncio.to_thread(fn, *args, **kwargs)
            return True
        except Exception:
            log.exception("records: could not write the %s of a call", what)
            return False


def _outcome(record: CallRecord) -> Mapping[str, object]:
    summary = summary_of(record)
    return {key: summary[key] for key in ("agreed", "handoff", "flags", "priority",
                                          "decision", "dialogue_events") if key in summary}
