"""The outbound side of an Asterisk call (``CallControl``): the bot's audio sent at the
pace ``voicebot.telephony.pacing.Playout`` sets, marks passed on or emulated, barge-in
and hang-up. One writer task per call does all the sending; the transport (AudioSocket's
TCP stream, chan_websocket's WebSocket) only knows how to put bytes on its wire.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from voicebot.call.tasks import cancel
from voicebot.clock import Clock
from voicebot.telephony.events import CarrierEvent, MarkPlayed
from voicebot.telephony.pacing import MarkDue, Playout, SendAudio, SendMark

log = logging.getLogger(__name__)

HANGUP_DRAIN_SECONDS = 3.0  # the last words may finish playing before the line drops


class LineTransport(Protocol):
    """What one carrier connection offers the line."""

    recalls: bool  # a flush makes the carrier drop audio it was sent but has not played

    def native_marks(self) -> bool:
        """Whether the carrier answers marks itself (else they are emulated)."""
        ...

    async def send_audio(self, ulaw: bytes) -> None: ...

    async def send_mark(self, name: str) -> None: ...

    async def flush(self) -> None: ...

    async def hangup(self) -> None:
        """Tell the carrier the call is over, and close the connection."""
        ...


class PacedLine:
    """``CallControl`` over a ``LineTransport``: never raises into the session for a
    connection that went away (the reader notices and ends the call)."""

    def __init__(self, transport: LineTransport, playout: Playout, clock: Clock,
                 name: str = "line") -> None:
        self._transport = transport
        self._playout = playout
        self._clock = clock
        self._wake = asyncio.Event()
        self._on_event: Callable[[CarrierEvent], Awaitable[None]] | None = None
        self.closed = False
        self.hung_up: str | None = None  # why the service hung up, once it has begun to
        self.failed: str | None = None  # why the connection could not be written
        self._writer = asyncio.create_task(self._write(), name=f"{name}-writer")

    def deliver_to(self, on_event: Callable[[CarrierEvent], Awaitable[None]]) -> None:
        """Where emulated marks go (the call session's ``handle``)."""
        self._on_event = on_event

    @property
    def playout(self) -> Playout:
        return self._playout

    def fill_with(self, frame: bytes) -> None:
        """From now on, send ``frame`` (silence) whenever nothing else is due."""
        self._playout.fill = frame
        self._wake.set()

    # -- CallControl -------------------------------------------------------------

    async def send_audio(self, ulaw: bytes) -> None:
        if self.closed:
            return
        self._playout.push_audio(ulaw)
        self._wake.set()

    async def send_mark(self, name: str) -> None:
        if self.closed:
            return
        self._playout.push_mark(name, native=self._transport.native_marks())
        self._wake.set()

    async def clear(self) -> None:
        """Barge-in: audio not sent is dropped here, and the carrier drops what it holds."""
        if self.closed:
            return
        self._playout.clear(self._clock.now(), recalled=self._transport.recalls)
        self._wake.set()
        try:
            await self._transport.flush()
        except (OSError, RuntimeError) as exc:
            self.failed = str(exc)

    async def hangup(self, reason: str) -> None:
        """Let what was sent finish playing (a few seconds at most), then end the call."""
        if self.closed:
            return
        self.hung_up = reason
        deadline = self._clock.now() + HANGUP_DRAIN_SECONDS
        while not self._playout.idle(self._clock.now()) and self._clock.now() < deadline \
                and not self._writer.done():
            await self._clock.sleep(0.02)
        log.info("hanging up: %s", reason)
        await self.close(hang_up=True)

    # -- the connection ----------------------------------------------------------

    async def close(self, hang_up: bool = False) -> None:
        """Stop writing; with ``hang_up``, tell the carrier first. Idempotent."""
        if self.closed:
            return
        self.closed = True
        await cancel(self._writer)
        if hang_up:
            with contextlib.suppress(Exception):
                await self._transport.hangup()

    async def _write(self) -> None:
        try:
            while True:
                now = self._clock.now()
                for action in self._playout.poll(now):
                    if isinstance(action, SendAudio):
                        await self._transport.send_audio(action.frame)
                    elif isinstance(action, SendMark):
                        await self._transport.send_mark(action.name)
                    elif isinstance(action, MarkDue) and self._on_event is not None:
                        await self._on_event(MarkPlayed(action.name))
                wake = self._playout.next_wake(self._clock.now())
                self._wake.clear()
                if wake is None:
                    await self._wake.wait()
                    continue
                delay = wake - self._clock.now()
                if delay > 0:
                    waiter = asyncio.ensure_future(self._wake.wait())
                    sleeper = asyncio.ensure_future(self._clock.sleep(delay))
                    try:
                        await asyncio.wait({waiter, sleeper},
                                           return_when=asyncio.FIRST_COMPLETED)
                    finally:
                        waiter.cancel()
                        sleeper.cancel()
        except (OSError, RuntimeError, ConnectionError) as exc:
            # The peer went away mid-call: the reader ends the call.
            self.failed = str(exc) or exc.__class__.__name__
            log.info("outbound audio stopped: %s", self.failed)
