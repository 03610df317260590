"""The carrier side of a replayed call, in process: it plays the bot's audio out on the
call's clock and echoes each mark when the audio before it has played, as a phone
carrier does; a ``clear`` drops what it still held."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from voicebot.audio.framing import TELEPHONY_RATE
from voicebot.call.tasks import cancel, spawn
from voicebot.clock import Clock
from voicebot.telephony.events import MarkPlayed

if TYPE_CHECKING:
    from voicebot.call.session import CallSession


class LoopbackLine:
    """What a carrier does with the bot's side of one call (``CallControl``)."""

    def __init__(self, clock: Clock, *, keep_audio: bool = False) -> None:
        self._clock = clock
        self.session: CallSession | None = None
        self._playhead = 0.0  # clock time the carrier's buffer runs dry
        self._echoes: set[asyncio.Task[None]] = set()
        self.keep_audio = keep_audio
        self.audio = bytearray()  # everything sent, mu-law, when kept
        self.clears = 0
        self.hung_up: str | None = None

    async def send_audio(self, ulaw: bytes) -> None:
        self._playhead = max(self._playhead, self._clock.now()) + len(ulaw) / TELEPHONY_RATE
        if self.keep_audio:
            self.audio += ulaw

    async def send_mark(self, name: str) -> None:
        task = spawn(self._echo(name, self._playhead - self._clock.now()), f"mark-{name}")
        self._echoes.add(task)
        task.add_done_callback(self._echoes.discard)

    async def _echo(self, name: str, delay: float) -> None:
        await self._clock.sleep(max(0.0, delay))
        if self.session is not None and not self.session.ended:
            await self.session.handle(MarkPlayed(name))

    async def clear(self) -> None:
        self.clears += 1
        self._playhead = self._clock.now()
        for task in list(self._echoes):
            await cancel(task)

    async def hangup(self, reason: str) -> None:
        self.hung_up = reason

    async def close(self) -> None:
        for task in list(self._echoes):
            await cancel(task)
