"""The carrier side of a replayed call, in process: it plays the bot's audio out on the
call's clock and echoes each mark when the audio before it has played, as a phone
carrier does; a ``clear`` drops what it still held."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from voicebot.audio.framing import TELEPHONY_RATE
from voicebot.call.tasks import cancel, spawn
from voicebot.clock import Clock
from voicebot.telephony.events import MarkPlayed

if TYPE_CHECKING:
    from voicebot.call.session import CallSession


@dataclass
class Played:
    """One stretch of the bot's speech as the caller heard it: from when it started
    playing to when the line fell silent or a ``clear`` cut it."""

    at: float  # seconds from the start of the call
    audio: bytearray = field(default_factory=bytearray)  # mu-law, 8 kHz
    cut: bool = False

    @property
    def seconds(self) -> float:
        return len(self.audio) / TELEPHONY_RATE


class LoopbackLine:
    """What a carrier does with the bot's side of one call (``CallControl``). With
    ``keep_audio`` it keeps what the caller heard, a ``Played`` per stretch of speech."""

    def __init__(self, clock: Clock, *, keep_audio: bool = False) -> None:
        self._clock = clock
        self.session: CallSession | None = None
        self._playhead = 0.0  # clock time the carrier's buffer runs dry
        self._echoes: set[asyncio.Task[None]] = set()
        self.keep_audio = keep_audio
        self.played: list[Played] = []
        self._origin = clock.now()
        self.clears = 0
        self.hung_up: str | None = None

    async def send_audio(self, ulaw: bytes) -> None:
        now = self._clock.now()
        if self.keep_audio:
            if not self.played or self.played[-1].cut or now > self._playhead + 0.1:
                # the line had gone quiet (or was cleared): a new stretch of speech
                self.played.append(Played(round(max(now, self._playhead) - self._origin, 3)))
            self.played[-1].audio += ulaw
        self._playhead = max(self._playhead, now) + len(ulaw) / TELEPHONY_RATE

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
        now = self._clock.now()
        if self.keep_audio and self.played and not self.played[-1].cut \
                and now < self._playhead:
            last = self.played[-1]
            heard = int((now - self._origin - last.at) * TELEPHONY_RATE)
            del last.audio[max(0, heard):]  # what was still buffered never played
            last.cut = True
        self._playhead = now
        for task in list(self._echoes):
            await cancel(task)

    async def hangup(self, reason: str) -> None:
        self.hung_up = reason

    async def close(self) -> None:
        for task in list(self._echoes):
            await cancel(task)
