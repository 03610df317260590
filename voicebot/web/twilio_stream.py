"""Glue between a Media Streams WebSocket and a call session.

Everything protocol-related happens in ``voicebot.telephony.twilio``; everything
call-related in ``voicebot.call.session``. This module only moves frames, turns
protocol errors into close codes with a log line, and writes outbound frames
from one task through a bounded queue. It also holds each stream to its limits:
a call slot from accept to close, a ``start`` within seconds, and frames read
no faster than line rate (``voicebot.telephony.budget``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.types import Message
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from voicebot.call.session import CallSession
from voicebot.clock import Clock, SystemClock
from voicebot.errors import ProtocolError, VoicebotError
from voicebot.telephony.budget import CLOSE_POLICY_VIOLATION, BudgetConfig, StreamBudget
from voicebot.telephony.close_codes import (  # noqa: F401 (named here too)
    CLOSE_INTERNAL_ERROR,
    CLOSE_NORMAL,
    CLOSE_TRY_AGAIN_LATER,
)
from voicebot.telephony.events import CallStarted
from voicebot.telephony.twilio import StreamState, TwilioStream

log = logging.getLogger(__name__)
T = TypeVar("T")

OUTBOUND_QUEUE_FRAMES = 1500  # 30 s of 20 ms frames


class TwilioCallControl:
    """Outbound side of one stream: media, marks, clear and hang-up."""

    def __init__(self, ws: WebSocket, protocol: TwilioStream) -> None:
        self._ws = ws
        self._protocol = protocol
        self._queue: asyncio.Queue[str] = asyncio.Queue(OUTBOUND_QUEUE_FRAMES)
        self._writer = asyncio.create_task(self._write(), name="twilio-writer")
        self.closed = False

    async def send_audio(self, ulaw: bytes) -> None:
        await self._queue.put(self._protocol.media(ulaw))

    async def send_mark(self, name: str) -> None:
        await self._queue.put(self._protocol.mark(name))

    async def clear(self) -> None:
        # Audio still queued here was never sent: drop it, then ask the carrier
        # to drop what it buffered.
        while not self._queue.empty():
            self._queue.get_nowait()
            self._queue.task_done()
        await self._queue.put(self._protocol.clear())

    async def hangup(self, reason: str) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._drain(), timeout=2.0)
        await self.close(CLOSE_NORMAL, reason)

    async def abandon(self) -> None:
        """Stop writing and never send a close frame: the server drops the connection
        when the endpoint returns."""
        await self._stop_writing()

    async def close(self, code: int, reason: str = "") -> None:
        if self.closed:
            return
        await self._stop_writing()
        if self._ws.application_state is WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await self._ws.close(code=code, reason=reason[:120])

    async def _stop_writing(self) -> None:
        self.closed = True
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer

    async def _drain(self) -> None:
        await self._queue.join()

    async def _write(self) -> None:
        try:
            while True:
                frame = await self._queue.get()
                try:
                    await self._ws.send_text(frame)
                finally:
                    self._queue.task_done()
        except (WebSocketDisconnect, RuntimeError, OSError) as exc:
            log.info("outbound stream closed: %s", exc)


SessionFactory = Callable[[CallStarted, TwilioCallControl], CallSession]


# An address with SILENT_ENDS streams that ended without ``start`` in the last
# SILENT_WINDOW seconds gives way at once; a carrier's streams always start.
SILENT_ENDS = 3
SILENT_WINDOW = 60.0
MAX_ADDRESSES = 4096


class CallSlots(Mapping[str, CallSession]):
    """The service's call slots: one held by every stream from accept to close.

    A slot is reserved when the WebSocket is accepted, before the carrier says
    who is calling, and is keyed by an id the server makes: a client cannot
    share, reuse or free another stream's slot by what it puts in ``start``, and
    a callSid already live is refused. Streams still waiting for their ``start``
    are capped (``max_waiting``, all the slots by default). When the cap, or
    every slot, is reached, a waiting stream is closed to make room: if the
    newcomer comes from another address than one that holds several waiting
    streams, or whose streams keep ending without a call, that address's oldest
    goes at once (one client cannot hold the door by reopening sockets faster
    than they age); otherwise the stream that has waited
    longest goes, if it has waited ``evict_after`` seconds (a carrier sends
    ``start`` within a fraction of a second, so a burst of real calls does not
    push one of them out). Otherwise the newcomer is refused. As a mapping: live
    calls by slot id.
    """

    def __init__(self, max_calls: int, max_waiting: int | None = None, *,
                 evict_after: float = 1.0, clock: Clock | None = None) -> None:
        self.max_calls = max_calls
        self.max_waiting = min(max_waiting or max_calls, max_calls)
        self.evict_after = evict_after
        self._clock = clock or SystemClock()
        self._slots: dict[str, StreamSlot] = {}  # in the order they were reserved
        self.evictions = 0
        # Per address, when its recent streams ended without ever sending ``start``.
        self._silent_ends: dict[str, deque[float]] = {}

    @property
    def held(self) -> int:
        """Slots held: streams open, with or without a call."""
        return len(self._slots)

    @property
    def waiting(self) -> int:
        """Streams accepted that have not sent ``start`` yet."""
        return sum(1 for slot in self._slots.values() if slot.call_sid is None)

    def reserve(self, address: str = "") -> StreamSlot | None:
        """A slot for a stream being accepted from ``address``, or None when the service
        is full."""
        now = self._clock.now()
        while self.held >= self.max_calls or self.waiting >= self.max_waiting:
            victim = self._to_evict(address, now)
            if victim is None:
                return None
            self.evictions += 1
            victim.evict()
        slot = StreamSlot(self, secrets.token_hex(8), now, address)
        self._slots[slot.id] = slot
        return slot

    def _to_evict(self, address: str, now: float) -> StreamSlot | None:
        waiting = [s for s in self._slots.values() if s.call_sid is None]  # oldest first
        if not waiting:
            return None
        crowd = Counter(s.address for s in waiting)
        for slot in waiting:
            # Another address that holds several waiting streams, or whose streams keep
            # ending without a call, gives way to a newcomer at once.
            if slot.address != address and (crowd[slot.address] >= 2
                                             or self._silent(slot.address, now)):
                return slot
        oldest = waiting[0]
        return oldest if now - oldest.reserved_at >= self.evict_after else None

    def _silent(self, address: str, now: float) -> bool:
        ends = self._silent_ends.get(address)
        while ends and now - ends[0] > SILENT_WINDOW:
            ends.popleft()
        return bool(ends) and len(ends) >= SILENT_ENDS

    def _ended_silent(self, address: str, now: float) -> None:
        if address not in self._silent_ends and len(self._silent_ends) >= MAX_ADDRESSES:
            # Forget the address whose last silent end is oldest.
            stale = min(self._silent_ends, key=lambda a: self._silent_ends[a][-1]
                        if self._silent_ends[a] else 0.0)
            del self._silent_ends[stale]
        ends = self._silent_ends.setdefault(address, deque(maxlen=SILENT_ENDS * 4))
        ends.append(now)

    def _claim(self, slot: StreamSlot, call_sid: str) -> None:
        if slot.id not in self._slots:
            raise ProtocolError("the stream's slot was given to a newer stream",
                                close_code=CLOSE_POLICY_VIOLATION)
        if call_sid and any(s.call_sid == call_sid for s in self._slots.values()):
            raise ProtocolError(f"callSid {call_sid} is already on another stream",
                                close_code=CLOSE_POLICY_VIOLATION)
        slot.call_sid = call_sid

    def _release(self, slot: StreamSlot) -> None:
        if self._slots.get(slot.id) is slot:
            del self._slots[slot.id]
            if slot.call_sid is None:
                self._ended_silent(slot.address, self._clock.now())

    def __getitem__(self, slot_id: str) -> CallSession:
        session = self._slots[slot_id].session
        if session is None:
            raise KeyError(slot_id)
        return session

    def __iter__(self) -> Iterator[str]:
        return iter([k for k, slot in self._slots.items() if slot.session is not None])

    def __len__(self) -> int:
        return sum(1 for slot in self._slots.values() if slot.session is not None)


class StreamSlot:
    """One stream's hold on a call slot; released exactly once, when the stream ends."""

    def __init__(self, slots: CallSlots, slot_id: str, reserved_at: float,
                 address: str = "") -> None:
        self.id = slot_id
        self.reserved_at = reserved_at
        self.address = address  # the peer's, as the server sees it
        self.call_sid: str | None = None  # set by ``start``
        self.session: CallSession | None = None
        self.evicted = asyncio.Event()  # set when a newer stream took this one's place
        self._slots = slots

    def claim(self, call_sid: str) -> None:
        """The stream's ``start`` names its call; a callSid already live is refused."""
        self._slots._claim(self, call_sid or "")

    def attach(self, session: CallSession) -> None:
        self.session = session

    def evict(self) -> None:
        self._slots._release(self)
        self.evicted.set()

    def release(self) -> None:
        self._slots._release(self)


async def unless_evicted(receive: Awaitable[T], slot: StreamSlot | None, within: float,
                         elapsed: float, before_start: str) -> T:
    """What ``receive`` gives by ``within`` seconds of connecting (``elapsed`` are gone),
    unless a newer connection needs the slot of this one, which has not started its call
    (``before_start`` names what it has not sent): a ProtocolError (1008) then, or when
    the time is up."""
    received = asyncio.ensure_future(receive)
    waiters: set[asyncio.Future[Any]] = {received}
    if slot is not None:
        waiters.add(asyncio.ensure_future(slot.evicted.wait()))
    try:
        await asyncio.wait(waiters, timeout=max(within - elapsed, 0.0),
                           return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
    if received.done() and not received.cancelled():
        return received.result()
    if slot is not None and slot.evicted.is_set():
        raise ProtocolError(f"no {before_start} yet, and a newer connection needed the slot",
                            close_code=CLOSE_POLICY_VIOLATION)
    raise ProtocolError(f"no {before_start} within {within:g} s of connecting",
                        close_code=CLOSE_POLICY_VIOLATION)


@dataclass(frozen=True)
class StreamLimits:
    """How long a stream may stay silent, and how fast it may send."""

    start_timeout: float = 10.0  # accept to ``start``
    idle_timeout: float = 60.0  # between frames once started; Twilio sends 50 a second
    budget: BudgetConfig = field(default_factory=BudgetConfig)
    # A stream held back this long in all is not a carrier catching up: it is dropped.
    drop_after_held_back: float = 30.0

    async def hold_back(self, budget: StreamBudget, wait: float, clock: Clock,
                        dropped: Callable[[str], ProtocolError] | None = None) -> None:
        """A stream over its budget is not read again for ``wait`` seconds; one held
        back too long in all is refused: ``dropped``'s error, or a policy violation."""
        await clock.sleep(wait)
        if budget.held_back > self.drop_after_held_back:
            message = f"held back {budget.held_back:.0f} s for sending faster than real time"
            raise (dropped(message) if dropped is not None
                   else ProtocolError(message, close_code=CLOSE_POLICY_VIOLATION))

    async def before_idle(self, receive: Awaitable[T]) -> T:
        """What ``receive`` gives within ``idle_timeout``; a ProtocolError (1008) for a
        started stream that has sent nothing for that long."""
        try:
            async with asyncio.timeout(self.idle_timeout):
                return await receive
        except TimeoutError:
            raise ProtocolError(f"nothing received for {self.idle_timeout:g} s",
                                close_code=CLOSE_POLICY_VIOLATION) from None


class StreamDropped(ProtocolError):
    """The stream is cut off without the closing handshake.

    Waiting for the peer's close reply means reading everything it still sends
    (the server reads on for up to 10 s), and a flooding peer sends a lot.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, close_code=CLOSE_POLICY_VIOLATION)


DEFAULT_LIMITS = StreamLimits()


async def serve_stream(ws: WebSocket, make_session: SessionFactory, max_frame_bytes: int,
                       on_session_end: Callable[[CallSession], None] | None = None, *,
                       slot: StreamSlot | None = None, limits: StreamLimits | None = None,
                       clock: Clock | None = None,
                       admit: Callable[[CallStarted], str | None] | None = None) -> None:
    """Run one Media Streams connection to its end, then free its slot. Never raises.

    ``admit`` sees ``start`` before anything else does and says why the stream
    is refused (closed with 1008), or None to let it in.
    """
    limits = limits or DEFAULT_LIMITS
    clock = clock or SystemClock()
    protocol = TwilioStream(max_frame_bytes=max_frame_bytes)
    control = TwilioCallControl(ws, protocol)
    budget = StreamBudget(clock.now(), limits.budget)
    session: CallSession | None = None
    end_reason = "stop"
    peer = f"{ws.client.host}:{ws.client.port}" if ws.client else "?"
    accepted = clock.now()
    try:
        while True:
            message = await _next_message(ws, protocol, limits, accepted, clock, slot)
            if message["type"] == "websocket.disconnect":
                code = message.get("code", 1005)
                if protocol.state is not StreamState.STOPPED:
                    end_reason = f"disconnected ({code})"
                    log.warning("stream %s from %s %s (close code %s)", protocol.stream_sid or "-",
                                peer, _disconnect_meaning(code, max_frame_bytes), code)
                break
            if message.get("bytes") is not None:
                events = protocol.receive_binary(message["bytes"])
            else:
                events = protocol.receive(message.get("text") or "")
            wait = budget.charge(events, clock.now())
            for event in events:
                if isinstance(event, CallStarted):
                    refusal = admit(event) if admit is not None else None
                    if refusal:
                        raise ProtocolError(f"refused: {refusal}",
                                            close_code=CLOSE_POLICY_VIOLATION)
                    if slot is not None:
                        slot.claim(event.call_id)
                    session = make_session(event, control)
                    if slot is not None:
                        slot.attach(session)
                    log.info("call %s started (stream %s, params %s)", event.call_id,
                             event.stream_id, sorted(event.parameters))
                    await session.start()
                elif session is not None:
                    await session.handle(event)
            if protocol.state is StreamState.STOPPED or control.closed:
                break
            if wait > 0:
                # Over its budget: not read again until it is back within it.
                if budget.times_held_back == 1:
                    log.warning("stream %s from %s sends faster than real time; reading it "
                                "no faster than line rate", protocol.stream_sid or "-", peer)
                await limits.hold_back(budget, wait, clock, StreamDropped)
    except StreamDropped as exc:
        end_reason = f"dropped: {exc}"
        log.warning("stream %s from %s: %s; dropping the connection without a closing "
                    "handshake", protocol.stream_sid or "-", peer, exc)
        await control.abandon()
    except ProtocolError as exc:
        end_reason = f"protocol error: {exc}"
        log.warning("stream %s from %s: %s; closing with %d", protocol.stream_sid or "-", peer,
                    exc, exc.close_code)
        await control.close(exc.close_code, str(exc))
    except WebSocketDisconnect as exc:
        end_reason = f"disconnected ({exc.code})"
        log.warning("stream %s from %s %s (close code %s)", protocol.stream_sid or "-", peer,
                    _disconnect_meaning(exc.code, max_frame_bytes), exc.code)
    except VoicebotError as exc:
        end_reason = f"error: {exc}"
        log.error("stream %s: %s", protocol.stream_sid or "-", exc)
        await control.close(CLOSE_INTERNAL_ERROR, "internal error")
    except Exception:
        end_reason = "internal error"
        log.exception("stream %s: unexpected failure", protocol.stream_sid or "-")
        await control.close(CLOSE_INTERNAL_ERROR, "internal error")
    finally:
        if budget.held_back > 1.0 and not end_reason.startswith("dropped"):
            log.warning("stream %s from %s was held back %.1f s for sending faster than real "
                        "time", protocol.stream_sid or "-", peer, budget.held_back)
        try:
            if session is not None:
                await session.close(end_reason)
                if on_session_end is not None:
                    on_session_end(session)
            await control.close(CLOSE_NORMAL, "call ended")
        finally:
            if slot is not None:
                slot.release()


async def _next_message(ws: WebSocket, protocol: TwilioStream, limits: StreamLimits,
                        accepted: float, clock: Clock, slot: StreamSlot | None) -> Message:
    """The next WebSocket message; a ProtocolError (1008) when the stream goes quiet,
    or when it has not started and a newer stream needed its slot."""
    if protocol.state is not StreamState.AWAITING_START:
        return await limits.before_idle(ws.receive())
    return await unless_evicted(ws.receive(), slot, limits.start_timeout,
                                clock.now() - accepted, "'start'")


def _disconnect_meaning(code: int, max_frame_bytes: int) -> str:
    if code == 1009:
        return f"sent a frame over the {max_frame_bytes}-byte limit and was closed"
    return "vanished mid-call"
