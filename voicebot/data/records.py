"""Writing and reading the records of calls.

Every write is its own short transaction, committed before the method returns: the
session writes a turn when it happens and an arrangement before the bot confirms it
aloud, so a killed process loses at most the turn being written, never an agreed plan,
and leaves no half-written row. The methods are synchronous (a few milliseconds on
SQLite); the call session runs them off the event loop.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from voicebot.clock import Clock, SystemClock
from voicebot.data.database import Database
from voicebot.data.schema import (
    arrangements,
    calls,
    contacts,
    decisions,
    disclosures,
    flags,
    handoffs,
    turns,
)

FLAGS = ("dispute", "cease_contact", "attorney", "bankruptcy", "vulnerability")


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """Aware UTC (SQLite hands back naive datetimes: they were stored as UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _iso(value: dt.datetime | None) -> str | None:
    value = _utc(value)
    return None if value is None else value.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class CallStart:
    call_id: str
    carrier: str
    creditor: str
    language: str
    started_at: dt.datetime
    account: str | None = None
    stream_id: str | None = None
    prompt_version: str | None = None
    policy_version: str | None = None
    policy_hash: str | None = None
    direction: str = "inbound"


@dataclass(frozen=True)
class Instalment:
    date: dt.date
    amount: Decimal

    def to_dict(self) -> dict[str, str]:
        return {"date": self.date.isoformat(), "amount": str(self.amount)}


@dataclass(frozen=True)
class Arrangement:
    """An agreed plan as the caller heard it read back and consented to it."""

    call_id: str
    creditor: str
    currency: str
    schedule: tuple[Instalment, ...]
    kind: str  # instalments, pay_in_full or settlement
    readback: str  # the words the bot read back
    consent_words: str  # the caller's words (redacted)
    agreed_at: dt.datetime
    account: str | None = None
    policy_version: str | None = None
    policy_hash: str | None = None
    readback_finished_at: dt.datetime | None = None  # the read-back's last mark came back
    id: str = field(default_factory=lambda: f"arr_{uuid.uuid4().hex}")

    @property
    def total(self) -> Decimal:
        return sum((i.amount for i in self.schedule), Decimal(0))


class Records:
    """The one place the service writes what happened, and reads it back."""

    def __init__(self, database: Database, *, instance: str = "",
                 clock: Clock | None = None) -> None:
        """``clock`` dates what the records stamp themselves (an export, a contact
        whose call has no start); everything else is dated by whoever writes it."""
        self.db = database
        self.instance = instance
        self.clock: Clock = clock or SystemClock()

    # -- calls -----------------------------------------------------------------------

    def start_call(self, call: CallStart) -> int:
        """A call began: its row and, when the account is known, a contact in the ledger.

        A call already recorded (a stream that reconnected) keeps its row; the number
        of turns it already has is returned, for the new turns to follow them.
        """
        with self.db.begin() as c:
            if c.execute(sa.select(calls.c.id).where(calls.c.id == call.call_id)).first():
                return int(c.execute(sa.select(sa.func.count()).select_from(turns).where(
                    turns.c.call_id == call.call_id)).scalar_one())
            c.execute(calls.insert().values(
                id=call.call_id, carrier=call.carrier, stream_id=call.stream_id,
                creditor=call.creditor, account=call.account, language=call.language,
                started_at=_utc(call.started_at), prompt_version=call.prompt_version,
                policy_version=call.policy_version, policy_hash=call.policy_hash,
                instance=self.instance or None))
            if call.account:
                c.execute(contacts.insert().values(
                    creditor=call.creditor, account=call.account, at=_utc(call.started_at),
                    direction=call.direction, kind="attempt", call_id=call.call_id, detail=""))
        return 0

    def set_account(self, call_id: str, creditor: str, account: str, *,
                    conversation_at: dt.datetime | None = None) -> None:
        """The caller's account became known (and, with ``conversation_at``, they were
        verified and spoke with us about the debt: a conversation in the ledger)."""
        with self.db.begin() as c:
            c.execute(calls.update().where(calls.c.id == call_id).values(account=account))
            attempted = c.execute(sa.select(contacts.c.id).where(
                contacts.c.call_id == call_id, contacts.c.kind == "attempt")).first()
            if attempted is None:  # the call began before the account was known
                started = c.execute(sa.select(calls.c.started_at).where(
                    calls.c.id == call_id)).scalar_one_or_none()
                c.execute(contacts.insert().values(
                    creditor=creditor, account=account, at=_utc(started) or self.clock.wall(),
                    direction="inbound", kind="attempt", call_id=call_id, detail=""))
            if conversation_at is not None:
                c.execute(contacts.insert().values(
                    creditor=creditor, account=account, at=_utc(conversation_at),
                    direction="inbound", kind="conversation", call_id=call_id, detail=""))

    def close_unfinished(self, started_before: dt.datetime, reason: str) -> int:
        """Give a reason to the calls still open that began before ``started_before`` (a
        process stopped without ending them; when they ended is unknown); how many."""
        with self.db.begin() as c:
            done = c.execute(calls.update().where(
                calls.c.ended_at.is_(None), calls.c.end_reason.is_(None),
                calls.c.started_at < _utc(started_before)).values(end_reason=reason))
            return int(done.rowcount)

    def add_turn(self, call_id: str, seq: int, speaker: str, text: str, at_seconds: float, *,
                 interrupted: bool = False, via: str = "voice",
                 timings: Mapping[str, float] | None = None) -> None:
        with self.db.begin() as c:
            c.execute(turns.insert().values(
                call_id=call_id, seq=seq, speaker=speaker, text=text,
                at_seconds=round(at_seconds, 3), interrupted=interrupted, via=via,
                timings=dict(timings) if timings else None))

    def mark_interrupted(self, call_id: str, seq: int, *, heard: str | None = None) -> None:
        """The bot's turn ``seq`` was cut short; ``heard`` is what the caller heard of it."""
        values: dict[str, Any] = {"interrupted": True}
        if heard is not None:
            values["text"] = heard
        with self.db.begin() as c:
            c.execute(turns.update().where(turns.c.call_id == call_id, turns.c.seq == seq)
                      .values(**values))

    def set_turn_timings(self, call_id: str, seq: int, timings: Mapping[str, float]) -> None:
        """The stages of the reply to turn ``seq`` (known once its audio went out)."""
        with self.db.begin() as c:
            c.execute(turns.update().where(turns.c.call_id == call_id, turns.c.seq == seq)
                      .values(timings=dict(timings)))

    def add_decision(self, call_id: str, at_seconds: float, kind: str, detail: str = "") -> None:
        with self.db.begin() as c:
            c.execute(decisions.insert().values(call_id=call_id, at_seconds=round(at_seconds, 3),
                                                kind=kind, detail=detail))

    def disclosure_started(self, call_id: str, name: str, text: str, mark: str | None,
                           at: dt.datetime) -> None:
        with self.db.begin() as c:
            c.execute(disclosures.insert().values(call_id=call_id, name=name, text=text,
                                                  mark=mark, started_at=_utc(at)))

    def add_disclosure(self, call_id: str, name: str, text: str, mark: str | None, *,
                       started_at: dt.datetime, played_at: dt.datetime | None) -> None:
        """A disclosure said, with the mark proving it was played to the end (if it was)."""
        with self.db.begin() as c:
            c.execute(disclosures.insert().values(call_id=call_id, name=name, text=text,
                                                  mark=mark, started_at=_utc(started_at),
                                                  played_at=_utc(played_at)))

    def disclosure_played(self, call_id: str, mark: str, at: dt.datetime) -> bool:
        """The carrier echoed the disclosure's mark: it was played to the end."""
        with self.db.begin() as c:
            done = c.execute(disclosures.update().where(
                disclosures.c.call_id == call_id, disclosures.c.mark == mark,
                disclosures.c.played_at.is_(None)).values(played_at=_utc(at)))
            return bool(done.rowcount)

    def finish_call(self, call_id: str, ended_at: dt.datetime, reason: str,
                    outcome: Mapping[str, Any] | None) -> None:
        with self.db.begin() as c:
            c.execute(calls.update().where(calls.c.id == call_id).values(
                ended_at=_utc(ended_at), end_reason=reason[:128],
                outcome=json.loads(json.dumps(outcome, default=str)) if outcome else None))

    # -- arrangements ----------------------------------------------------------------

    def save_arrangement(self, arrangement: Arrangement) -> str:
        """Commit an agreed plan (before the bot confirms it aloud); its id."""
        a = arrangement
        if not a.schedule:
            raise ValueError("an arrangement needs at least one payment")
        with self.db.begin() as c:
            c.execute(arrangements.insert().values(
                id=a.id, call_id=a.call_id, creditor=a.creditor, account=a.account,
                currency=a.currency, total=str(a.total),
                schedule=[i.to_dict() for i in a.schedule], kind=a.kind,
                policy_version=a.policy_version, policy_hash=a.policy_hash,
                readback=a.readback, readback_finished_at=_utc(a.readback_finished_at),
                consent_words=a.consent_words,
                agreed_at=_utc(a.agreed_at), status="agreed"))
        return a.id

    def readback_finished(self, arrangement_id: str, at: dt.datetime) -> None:
        with self.db.begin() as c:
            c.execute(arrangements.update().where(arrangements.c.id == arrangement_id)
                      .values(readback_finished_at=_utc(at)))

    def arrangements(self, *, creditor: str | None = None, account: str | None = None,
                     limit: int = 100) -> list[dict[str, Any]]:
        query = sa.select(arrangements).order_by(arrangements.c.agreed_at.desc())
        if creditor:
            query = query.where(arrangements.c.creditor == creditor)
        if account:
            query = query.where(arrangements.c.account == account)
        with self.db.connect() as c:
            rows = c.execute(query.limit(_limit(limit))).mappings().all()
        return [_arrangement(row) for row in rows]

    # -- compliance flags and the contact ledger -------------------------------------

    def set_flag(self, creditor: str, account: str, flag: str, *, at: dt.datetime,
                 call_id: str | None = None, detail: str = "") -> bool:
        """Record a compliance flag on an account; False when it is already set."""
        if flag not in FLAGS:
            raise ValueError(f"unknown flag {flag!r}; expected one of {', '.join(FLAGS)}")
        with self.db.begin() as c:
            existing = c.execute(sa.select(flags.c.id).where(
                flags.c.creditor == creditor, flags.c.account == account,
                flags.c.flag == flag, flags.c.cleared_at.is_(None))).first()
            if existing is not None:
                return False
            c.execute(flags.insert().values(creditor=creditor, account=account, flag=flag,
                                            set_at=_utc(at), call_id=call_id, detail=detail))
        return True

    def clear_flag(self, creditor: str, account: str, flag: str, *, at: dt.datetime,
                   by: str) -> bool:
        with self.db.begin() as c:
            done = c.execute(flags.update().where(
                flags.c.creditor == creditor, flags.c.account == account,
                flags.c.flag == flag, flags.c.cleared_at.is_(None)).values(
                    cleared_at=_utc(at), cleared_by=by))
            return bool(done.rowcount)

    def flags(self, creditor: str, account: str, *, include_cleared: bool = False
              ) -> list[dict[str, Any]]:
        query = sa.select(flags).where(flags.c.creditor == creditor,
                                       flags.c.account == account).order_by(flags.c.set_at)
        if not include_cleared:
            query = query.where(flags.c.cleared_at.is_(None))
        with self.db.connect() as c:
            return [_row(r) for r in c.execute(query).mappings().all()]

    def flagged_accounts(self, creditor: str) -> dict[str, tuple[str, ...]]:
        """The accounts of a creditor with flags set now, and those flags."""
        query = sa.select(flags.c.account, flags.c.flag).where(
            flags.c.creditor == creditor, flags.c.cleared_at.is_(None)).order_by(flags.c.id)
        out: dict[str, list[str]] = {}
        with self.db.connect() as c:
            for account, flag in c.execute(query):
                out.setdefault(account, []).append(flag)
        return {account: tuple(found) for account, found in out.items()}

    def add_contact(self, creditor: str, account: str, at: dt.datetime, *, kind: str,
                    direction: str, call_id: str | None = None, detail: str = "") -> None:
        if kind not in ("attempt", "conversation"):
            raise ValueError(f"unknown contact kind {kind!r}")
        if direction not in ("inbound", "outbound"):
            raise ValueError(f"unknown direction {direction!r}")
        with self.db.begin() as c:
            c.execute(contacts.insert().values(creditor=creditor, account=account, at=_utc(at),
                                               direction=direction, kind=kind,
                                               call_id=call_id, detail=detail))

    def contacts(self, creditor: str, account: str, *, since: dt.datetime | None = None
                 ) -> list[dict[str, Any]]:
        query = sa.select(contacts).where(contacts.c.creditor == creditor,
                                          contacts.c.account == account).order_by(contacts.c.at)
        if since is not None:
            query = query.where(contacts.c.at >= _utc(since))
        with self.db.connect() as c:
            return [_row(r) for r in c.execute(query).mappings().all()]

    # -- reading calls ---------------------------------------------------------------

    def calls(self, *, creditor: str | None = None, account: str | None = None,
              limit: int = 100) -> list[dict[str, Any]]:
        """Newest first, without their turns."""
        query = sa.select(calls).order_by(calls.c.started_at.desc(), calls.c.id)
        if creditor:
            query = query.where(calls.c.creditor == creditor)
        if account:
            query = query.where(calls.c.account == account)
        with self.db.connect() as c:
            return [_row(r) for r in c.execute(query.limit(_limit(limit))).mappings().all()]

    def call(self, call_id: str) -> dict[str, Any] | None:
        """One call with everything recorded about it, or None."""
        with self.db.connect() as c:
            row = c.execute(sa.select(calls).where(calls.c.id == call_id)).mappings().first()
            if row is None:
                return None
            out = _row(row)
            out["turns"] = [_row(r) for r in c.execute(
                sa.select(turns).where(turns.c.call_id == call_id).order_by(turns.c.seq)
            ).mappings().all()]
            out["disclosures"] = [_row(r) for r in c.execute(
                sa.select(disclosures).where(disclosures.c.call_id == call_id)
                .order_by(disclosures.c.id)).mappings().all()]
            out["decisions"] = [_row(r) for r in c.execute(
                sa.select(decisions).where(decisions.c.call_id == call_id)
                .order_by(decisions.c.id)).mappings().all()]
            out["arrangements"] = [_arrangement(r) for r in c.execute(
                sa.select(arrangements).where(arrangements.c.call_id == call_id)
                .order_by(arrangements.c.agreed_at)).mappings().all()]
            out["handoffs"] = [json.loads(r.packet) for r in c.execute(
                sa.select(handoffs.c.packet).where(handoffs.c.call_id == call_id)
                .order_by(handoffs.c.created_at)).all()]
            if row["account"]:
                out["flags"] = [_row(r) for r in c.execute(
                    sa.select(flags).where(flags.c.creditor == row["creditor"],
                                           flags.c.account == row["account"])
                    .order_by(flags.c.set_at)).mappings().all()]
            else:
                out["flags"] = []
        return out

    def purge(self, creditor: str, before: dt.datetime) -> dict[str, int]:
        """Delete the creditor's personal data last active before ``before``: calls (with
        their turns, disclosures, decisions, arrangements and hand-offs), ledger rows and
        cleared flags. Flags still set are kept: they protect the person (a request to
        stop contact outlives the retention of the call that made it). Counts deleted."""
        cut = _utc(before)
        counts: dict[str, int] = {}
        with self.db.begin() as c:
            last = sa.func.coalesce(calls.c.ended_at, calls.c.started_at)
            old = sa.select(calls.c.id).where(calls.c.creditor == creditor, last < cut)
            ids = list(c.execute(old).scalars())
            for name, table in (("turns", turns), ("disclosures", disclosures),
                                ("decisions", decisions), ("arrangements", arrangements),
                                ("handoffs", handoffs)):
                counts[name] = 0
                for chunk in _chunks(ids):
                    counts[name] += c.execute(
                        table.delete().where(table.c.call_id.in_(chunk))).rowcount
            counts["calls"] = 0
            for chunk in _chunks(ids):
                counts["calls"] += c.execute(calls.delete().where(calls.c.id.in_(chunk))).rowcount
            counts["contacts"] = c.execute(contacts.delete().where(
                contacts.c.creditor == creditor, contacts.c.at < cut)).rowcount
            counts["flags"] = c.execute(flags.delete().where(
                flags.c.creditor == creditor, flags.c.cleared_at.is_not(None),
                flags.c.cleared_at < cut)).rowcount
        return counts

    def export_account(self, creditor: str | None, account: str) -> dict[str, Any]:
        """Everything kept about one account, as JSON-ready data (a subject access
        request): its calls in full, arrangements, flags, ledger and hand-offs."""
        query = sa.select(calls.c.id).where(calls.c.account == account)
        if creditor:
            query = query.where(calls.c.creditor == creditor)
        with self.db.connect() as c:
            ids = list(c.execute(query.order_by(calls.c.started_at)).scalars())
            creditors = sorted({r for r in c.execute(
                sa.select(calls.c.creditor).where(calls.c.account == account)).scalars()}
                | {r for r in c.execute(
                    sa.select(flags.c.creditor).where(flags.c.account == account)).scalars()}
                | {r for r in c.execute(
                    sa.select(contacts.c.creditor).where(contacts.c.account == account)
                ).scalars()})
        if creditor:
            creditors = [x for x in creditors if x == creditor]
        return {
            "account": account,
            "exported_at": _iso(self.clock.wall()),
            "calls": [self.call(i) for i in ids],
            "arrangements": [a for x in creditors
                             for a in self.arrangements(creditor=x, account=account,
                                                        limit=1000)],
            "flags": [f for x in creditors
                      for f in self.flags(x, account, include_cleared=True)],
            "contacts": [r for x in creditors for r in self.contacts(x, account)],
        }

    def audit(self, *, since: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Every record as one event each, oldest first (the audit export)."""
        events: list[dict[str, Any]] = []
        since = _utc(since)
        with self.db.connect() as c:
            for r in c.execute(sa.select(calls)).mappings():
                events.append({"type": "call", "at": _iso(r["started_at"]), **_row(r)})
            for r in c.execute(sa.select(disclosures)).mappings():
                events.append({"type": "disclosure", "at": _iso(r["started_at"]), **_row(r)})
            for r in c.execute(sa.select(arrangements)).mappings():
                events.append({"type": "arrangement", "at": _iso(r["agreed_at"]),
                               **_arrangement(r)})
            for r in c.execute(sa.select(flags)).mappings():
                events.append({"type": "flag", "at": _iso(r["set_at"]), **_row(r)})
            for r in c.execute(sa.select(contacts)).mappings():
                events.append({"type": "contact", "at": _iso(r["at"]), **_row(r)})
            for r in c.execute(sa.select(handoffs.c.created_at, handoffs.c.packet)):
                events.append({"type": "handoff", "at": r.created_at,
                               **json.loads(r.packet)})
        if since is not None:
            cut = _iso(since) or ""
            events = [e for e in events if (e["at"] or "") >= cut]
        events.sort(key=lambda e: e["at"] or "")
        return events


def _chunks(ids: list[str], size: int = 500) -> list[list[str]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def _limit(limit: int) -> int:
    return max(1, min(int(limit), 1000))


def _row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _iso(v) if isinstance(v, dt.datetime) else v for k, v in dict(row).items()}


def _arrangement(row: Mapping[str, Any]) -> dict[str, Any]:
    out = _row(row)
    out["schedule"] = list(out["schedule"] or [])
    return out


def arrangement_dict(a: Arrangement) -> dict[str, Any]:
    """An unsaved arrangement as JSON-ready data (for reports and tests)."""
    out = asdict(a)
    out["schedule"] = [i.to_dict() for i in a.schedule]
    out["agreed_at"] = _iso(a.agreed_at)
    out["total"] = str(a.total)
    return out


__all__ = ["FLAGS", "Arrangement", "CallStart", "Instalment", "Records", "Sequence"]
