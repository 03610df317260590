"""Hand-off packets in the service's records, with checked state changes and live
subscriptions.

The packets live in the ``handoffs`` table of the service's database (SQLite by
default, PostgreSQL for several instances; see ``voicebot.data``). Writes go
through a lock: the service writes a few rows a minute, each in a millisecond or
two, so calling the store from the event loop is fine. Every change is published
to subscribers (the agent desktop's event streams): each has a bounded queue, and
one that stops reading is dropped instead of holding anyone up; its stream ends
and the browser reconnects.

On PostgreSQL, several service instances share the table, and an agent's desktop
follows whichever instance it reached: each change also sends a notice (the id, the
kind of change and this store's origin id) in the transaction that makes it, and each
store listens for the notices of the others (``voicebot.data.notify``). A notice from
another store is published here just like a local change, the packet read back
from the table; a store's own notices are ignored, so nothing is published twice.
When the listener had to reconnect, notices may have been missed: every
subscription ends as if dropped, and the desktops reload.

Every time a packet carries (accepted, completed, updated, an event's time) is the
store's clock's wall time, so a test with a fake clock knows each one exactly.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import threading
import uuid
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from voicebot.clock import Clock, SystemClock
from voicebot.data.database import Database, IntegrityViolation
from voicebot.data.notify import Listener, Notice, announce
from voicebot.data.schema import handoffs
from voicebot.errors import VoicebotError
from voicebot.handoff.packet import (
    CONNECTION_STATES,
    MAX_NOTES_CHARS,
    STATUSES,
    HandoffPacket,
    Redactor,
    iso,
    no_redaction,
    redact_packet,
)

log = logging.getLogger(__name__)

# Which status may follow which. A packet that fell back or was abandoned can
# still be taken by an agent who calls the person back. An active one goes back to
# waiting when the service called the agent who accepted it and they did not take
# the call (``release``): the caller still holds for another agent.
TRANSITIONS: dict[str, frozenset[str]] = {
    "waiting": frozenset({"active", "abandoned", "fallback"}),
    "fallback": frozenset({"active"}),
    "abandoned": frozenset({"active"}),
    "active": frozenset({"completed", "waiting"}),
    "completed": frozenset(),
}
ACCEPTABLE = frozenset(s for s, nxt in TRANSITIONS.items() if "active" in nxt)
# Newest first; the id breaks same-millisecond ties the same way on every database.
_NEWEST_FIRST = (handoffs.c.created_at.desc(), handoffs.c.id.desc())
DEFAULT_QUEUE_SIZE = 256
CHANNEL = "voicebot_handoffs"  # PostgreSQL's NOTIFY channel between instances
LISTEN_WAIT_SECONDS = 5.0  # a new store waits this long for its listener at most


class HandoffError(VoicebotError):
    """A hand-off cannot be found or cannot change as asked."""


class HandoffNotFound(HandoffError):
    pass


class HandoffStateError(HandoffError):
    """The change does not fit the packet's status (or its agent)."""


@dataclass(frozen=True)
class HandoffEvent:
    """One change: ``kind`` is added, accepted, completed, notes, status, connection (the
    accepting agent's call moved on) or released (back to waiting: that agent did not
    take the call)."""

    seq: int
    kind: str
    id: str
    status: str
    at: str
    packet: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "kind": self.kind, "id": self.id, "status": self.status,
                "at": self.at, "handoff": self.packet}


class Subscription:
    """An async iterator of ``HandoffEvent``; ends when closed or dropped."""

    def __init__(self, store: HandoffStore, loop: asyncio.AbstractEventLoop, size: int) -> None:
        self._store = store
        self._loop = loop
        self._queue: asyncio.Queue[HandoffEvent | None] = asyncio.Queue(size)
        self.closed = False
        self.dropped = False

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> HandoffEvent:
        if self.closed and self._queue.empty():
            raise StopAsyncIteration
        event = await self._queue.get()
        if event is None:
            raise StopAsyncIteration
        return event

    async def get(self, within: float | None = None) -> HandoffEvent | None:
        """The next event, or None after ``within`` seconds; StopAsyncIteration at the end."""
        try:
            return await asyncio.wait_for(self.__anext__(), within)
        except TimeoutError:
            return None

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop receiving; safe from any thread, more than once."""
        self._store._unsubscribe(self)
        self._call(self._finish, False)

    # Called by the store, from any thread.
    def offer(self, event: HandoffEvent) -> None:
        self._call(self._put, event)

    def drop(self) -> None:
        """End as dropped: what the subscriber holds may be stale, it must reload."""
        self._call(self._finish, True)

    def _call(self, fn, arg) -> None:  # type: ignore[no-untyped-def]
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            fn(arg)
        elif not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                self._loop.call_soon_threadsafe(fn, arg)

    def _put(self, event: HandoffEvent) -> None:
        if self.closed:
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            log.warning("hand-off subscriber dropped: %d events unread", self._queue.qsize())
            self._store._unsubscribe(self)
            self._finish(True)

    def _finish(self, dropped: bool) -> None:
        if self.closed:
            return
        self.closed = True
        self.dropped = dropped
        if dropped:  # what it did not read is stale anyway: it must reload
            while not self._queue.empty():
                self._queue.get_nowait()
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)


class HandoffStore:
    """Packets by id, newest first; every change checked and published."""

    def __init__(self, target: str | Path | Database, *, redact: Redactor = no_redaction,
                 queue_size: int = DEFAULT_QUEUE_SIZE, clock: Clock | None = None) -> None:
        """``target``: the service's ``Database``, or (alone, as in tests and tools) a
        SQLite file path or ``":memory:"``, whose schema is brought up to date.
        ``clock`` dates the changes (the system clock by default)."""
        self.clock: Clock = clock or SystemClock()
        if isinstance(target, Database):
            self.db, self._owned = target, False
        else:
            self.path = str(target)
            url = "sqlite://" if self.path == ":memory:" else f"sqlite:///{self.path}"
            self.db, self._owned = Database(url), True
            self.db.upgrade()
        self._redact = redact
        self._queue_size = queue_size
        self._lock = threading.RLock()
        self._subscribers: list[Subscription] = []
        self._seq = itertools.count(1)
        self.origin = uuid.uuid4().hex  # this store's id in change notices
        self._listener: Listener | None = None
        if self.db.backend == "postgresql":
            self._listener = _listen(self)
            if not self._listener.wait_listening(LISTEN_WAIT_SECONDS):
                log.warning("not yet listening for other instances' hand-off changes")

    # -- reading -------------------------------------------------------------------

    def _read(self, query: sa.Select[Any]) -> list[HandoffPacket]:
        with self.db.connect() as c:
            rows = c.execute(query).scalars().all()
        return [HandoffPacket.from_dict(json.loads(r)) for r in rows]

    def get(self, handoff_id: str) -> HandoffPacket:
        found = self._read(sa.select(handoffs.c.packet).where(handoffs.c.id == handoff_id))
        if not found:
            raise HandoffNotFound(f"no hand-off {handoff_id!r}")
        return found[0]

    def list(self, status: str | Iterable[str] | None = None,
             limit: int = 100) -> list[HandoffPacket]:
        """Newest first; ``status`` one status or several."""
        limit = max(1, min(int(limit), 1000))
        query = sa.select(handoffs.c.packet).order_by(*_NEWEST_FIRST).limit(limit)
        if status is not None:
            wanted = [status] if isinstance(status, str) else list(status)
            for s in wanted:
                _check_status(s)
            query = query.where(handoffs.c.status.in_(wanted))
        return self._read(query)

    def find_by_call(self, call_id: str) -> HandoffPacket | None:
        """The latest hand-off of a call (a Twilio CallSid), if any."""
        found = self._read(sa.select(handoffs.c.packet).where(handoffs.c.call_id == call_id)
                           .order_by(*_NEWEST_FIRST).limit(1))
        return found[0] if found else None

    # -- changing ------------------------------------------------------------------

    def add(self, packet: HandoffPacket) -> HandoffPacket:
        """Store a new packet (redacted again: packets may come from anywhere)."""
        _check_status(packet.status)
        clean = redact_packet(packet, self._redact)
        data = clean.to_dict()
        now = iso(self.clock.wall())
        with self._lock:
            try:
                with self.db.begin() as c:
                    c.execute(handoffs.insert().values(
                        id=clean.id, created_at=clean.created_at, updated_at=now,
                        status=clean.status, call_id=clean.call_id,
                        packet=json.dumps(data, ensure_ascii=False)))
                    self._announce(c, "added", clean.id)
            except IntegrityViolation as exc:
                raise HandoffStateError(f"hand-off {clean.id} is already stored") from exc
            self._publish("added", clean)
        log.info("hand-off %s stored: call %s, %s", clean.id, clean.call_id, clean.reason)
        return clean

    def accept(self, handoff_id: str, agent: str, *,
               ring: Mapping[str, Any] | None = None) -> HandoffPacket:
        """``agent`` takes the hand-off. With ``ring`` (the call the service is about to
        place to that agent: attempt, reach), a packet whose caller is still waiting
        gets it as its ``connection``, ringing, in the same change; a packet whose caller
        is gone (fallback, abandoned) is a call-back and gets none."""
        def change(p: HandoffPacket) -> None:
            if p.status == "active":
                raise HandoffStateError(f"hand-off {p.id} was already accepted by {p.agent}")
            if p.status not in ACCEPTABLE:
                raise HandoffStateError(f"hand-off {p.id} is {p.status}; it cannot be accepted")
            now = iso(self.clock.wall())
            if ring is not None and p.status == "waiting":
                p.connection = {**ring, "agent": agent, "state": "ringing", "call_sid": None,
                                "detail": None, "requested_at": now}
            p.status, p.agent, p.accepted_at = "active", agent, now

        return self._change(handoff_id, "accepted", change)

    def update_connection(self, handoff_id: str, attempt: str, *, note: str | None = None,
                          **changes: Any) -> HandoffPacket:
        """Change the accepting agent's call ``attempt`` (a state, its call SID, a time);
        ``note`` is added to the notes in the same change. A stale attempt (the packet has
        moved on to another call) raises HandoffStateError."""
        state = changes.get("state")
        if state is not None and state not in CONNECTION_STATES:
            raise HandoffStateError(f"unknown connection state {state!r}")

        def change(p: HandoffPacket) -> None:
            self._check_attempt(p, attempt)
            assert p.connection is not None
            p.connection.update(changes)
            if note:
                p.notes = self._clean_notes(f"{p.notes}\n{note}".strip())

        return self._change(handoff_id, "connection", change)

    def release(self, handoff_id: str, attempt: str, *, note: str | None = None,
                **changes: Any) -> HandoffPacket:
        """The agent called for ``attempt`` did not take the call: the packet waits again
        for any agent (its connection keeps what happened, with ``changes``)."""
        def change(p: HandoffPacket) -> None:
            self._check_attempt(p, attempt)
            if p.status != "active":
                raise HandoffStateError(f"hand-off {p.id} is {p.status}, not active")
            assert p.connection is not None
            p.connection.update(changes)
            p.status, p.agent, p.accepted_at = "waiting", None, None
            if note:
                p.notes = self._clean_notes(f"{p.notes}\n{note}".strip())

        return self._change(handoff_id, "released", change)

    @staticmethod
    def _check_attempt(packet: HandoffPacket, attempt: str) -> None:
        current = (packet.connection or {}).get("attempt")
        if not attempt or current != attempt:
            raise HandoffStateError(f"hand-off {packet.id}: call attempt {attempt!r} is not "
                                    f"the current one")

    def complete(self, handoff_id: str, agent: str, notes: str | None = None) -> HandoffPacket:
        def change(p: HandoffPacket) -> None:
            if p.status != "active":
                hint = "; accept it first" if p.status in ACCEPTABLE else ""
                raise HandoffStateError(f"hand-off {p.id} is {p.status}, not active{hint}")
            self._check_owner(p, agent)
            p.status, p.completed_at = "completed", iso(self.clock.wall())
            if notes is not None:
                p.notes = self._clean_notes(notes)

        return self._change(handoff_id, "completed", change)

    def set_notes(self, handoff_id: str, agent: str, notes: str) -> HandoffPacket:
        def change(p: HandoffPacket) -> None:
            if p.status not in ("active", "completed"):
                raise HandoffStateError(
                    f"hand-off {p.id} is {p.status}; accept it before writing notes")
            self._check_owner(p, agent)
            p.notes = self._clean_notes(notes)

        return self._change(handoff_id, "notes", change)

    def annotate(self, handoff_id: str, line: str) -> HandoffPacket:
        """Append a line from the service (a recorded message, a carrier result) to the notes."""
        def change(p: HandoffPacket) -> None:
            p.notes = self._clean_notes(f"{p.notes}\n{line}".strip())

        return self._change(handoff_id, "notes", change)

    def mark(self, handoff_id: str, status: str) -> HandoffPacket:
        """Service-side status changes: ``abandoned`` or ``fallback`` (from waiting)."""
        _check_status(status)
        if status in ("active", "completed", "waiting"):
            raise HandoffStateError(f"use accept(), complete() or release() to make a "
                                    f"hand-off {status}")

        def change(p: HandoffPacket) -> None:
            if status not in TRANSITIONS[p.status]:
                raise HandoffStateError(f"hand-off {p.id} is {p.status}; it cannot become {status}")
            p.status = status

        return self._change(handoff_id, "status", change)

    def _change(self, handoff_id: str, kind: str, change) -> HandoffPacket:  # type: ignore[no-untyped-def]
        with self._lock:
            # One transaction: the row is locked (PostgreSQL) while the change is checked,
            # so two instances cannot both accept one hand-off.
            with self.db.begin() as c:
                row = c.execute(sa.select(handoffs.c.packet).where(handoffs.c.id == handoff_id)
                                .with_for_update()).first()
                if row is None:
                    raise HandoffNotFound(f"no hand-off {handoff_id!r}")
                packet = HandoffPacket.from_dict(json.loads(row[0]))
                change(packet)
                c.execute(handoffs.update().where(handoffs.c.id == handoff_id).values(
                    status=packet.status, updated_at=iso(self.clock.wall()),
                    packet=json.dumps(packet.to_dict(), ensure_ascii=False)))
                self._announce(c, kind, handoff_id)
            self._publish(kind, packet)
        return packet

    def _check_owner(self, packet: HandoffPacket, agent: str) -> None:
        if packet.agent != agent:
            raise HandoffStateError(f"hand-off {packet.id} was accepted by {packet.agent}, "
                                    f"not {agent}")

    def _clean_notes(self, notes: str) -> str:
        if len(notes) > MAX_NOTES_CHARS:
            raise HandoffStateError(f"notes are limited to {MAX_NOTES_CHARS} characters")
        return str(self._redact(notes))

    # -- live changes ----------------------------------------------------------------

    def subscribe(self, queue_size: int | None = None) -> Subscription:
        """Changes from now on, for the calling event loop (call it inside one)."""
        loop = asyncio.get_running_loop()
        sub = Subscription(self, loop, queue_size or self._queue_size)
        with self._lock:
            self._subscribers.append(sub)
        return sub

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def _unsubscribe(self, sub: Subscription) -> None:
        with self._lock, contextlib.suppress(ValueError):
            self._subscribers.remove(sub)

    def _publish(self, kind: str, packet: HandoffPacket) -> None:
        event = HandoffEvent(seq=next(self._seq), kind=kind, id=packet.id, status=packet.status,
                             at=iso(self.clock.wall()) or "", packet=packet.to_dict())
        for sub in list(self._subscribers):
            sub.offer(event)

    def _announce(self, connection: sa.Connection, kind: str, handoff_id: str) -> None:
        if self._listener is not None:
            announce(connection, CHANNEL, Notice(handoff_id, kind, self.origin))

    def _on_notice(self, notice: Notice) -> None:
        """Another store changed a packet: publish it here as it is now."""
        if notice.origin == self.origin:
            return
        try:
            packet = self.get(notice.id)
        except HandoffNotFound:
            log.warning("hand-off %s changed elsewhere is gone", notice.id)
            return
        with self._lock:
            self._publish(notice.kind, packet)

    def _resync(self) -> None:
        """Changes may have been missed: every subscriber ends and reloads."""
        with self._lock:
            subs, self._subscribers = self._subscribers, []
        if subs:
            log.warning("hand-off notices may have been missed; %d subscriber(s) reload",
                        len(subs))
        for sub in subs:
            sub.drop()

    @property
    def listening(self) -> bool:
        """On PostgreSQL, whether other instances' changes are heard now; else True."""
        return self._listener is None or self._listener.listening.is_set()

    def close(self) -> None:
        """End every subscription (and close the database if the store opened it)."""
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            subs, self._subscribers = self._subscribers, []
            for sub in subs:
                sub.close()
            if self._owned:
                self.db.dispose()

    def import_legacy(self, path: Path) -> int:
        """Copy the packets of a separate hand-off file of earlier versions (``handoffs.db``)
        that this store does not have yet; how many were copied."""
        import sqlite3

        if not path.is_file():
            return 0
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = source.execute("SELECT id, created_at, updated_at, status, call_id, packet "
                                  "FROM handoffs").fetchall()
        except sqlite3.DatabaseError:
            return 0  # not a hand-off file (or empty)
        finally:
            source.close()
        copied = 0
        with self._lock, self.db.begin() as c:
            have = set(c.execute(sa.select(handoffs.c.id)).scalars())
            for hid, created, updated, status, call_id, packet in rows:
                if hid not in have:
                    c.execute(handoffs.insert().values(
                        id=hid, created_at=created, updated_at=updated, status=status,
                        call_id=call_id, packet=packet))
                    copied += 1
        if copied:
            log.info("%d hand-off(s) copied from %s into the records", copied, path)
        return copied


def _listen(store: HandoffStore) -> Listener:
    """The store's listener, holding it weakly: a store dropped without close() is
    collected and its listener stops."""
    ref = weakref.ref(store)

    def on_notice(notice: Notice) -> None:
        if (live := ref()) is not None:
            live._on_notice(notice)

    def on_gap() -> None:
        if (live := ref()) is not None:
            live._resync()

    listener = Listener(store.db.url, CHANNEL, on_notice=on_notice, on_gap=on_gap,
                        name="handoff-listener")
    weakref.finalize(store, listener.stop)
    return listener


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise HandoffStateError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
