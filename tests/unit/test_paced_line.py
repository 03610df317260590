"""The line to Asterisk (``voicebot.web.paced_line``) on a fake clock: frames leave at
their pace, marks are passed on or come back emulated when their audio has played, a
barge-in flushes, a hang-up waits for the last words, a dead connection is noticed."""

from __future__ import annotations

import asyncio
import math

import pytest

from voicebot.clock import FakeClock
from voicebot.telephony.events import CarrierEvent, MarkPlayed
from voicebot.telephony.pacing import Playout
from voicebot.web.paced_line import PacedLine

FRAME = b"\x01" * 160


class Recorder:
    """A transport that notes what it was asked to send, and when."""

    def __init__(self, clock: FakeClock, *, native: bool = False, recalls: bool = False,
                 broken: bool = False) -> None:
        self.clock = clock
        self.native = native
        self.recalls = recalls
        self.broken = broken
        self.sent: list[tuple[float, str, object]] = []

    def native_marks(self) -> bool:
        return self.native

    async def send_audio(self, ulaw: bytes) -> None:
        if self.broken:
            raise ConnectionResetError("peer gone")
        self.sent.append((round(self.clock.now(), 4), "audio", ulaw))

    async def send_mark(self, name: str) -> None:
        self.sent.append((round(self.clock.now(), 4), "mark", name))

    async def flush(self) -> None:
        self.sent.append((round(self.clock.now(), 4), "flush", None))

    async def hangup(self) -> None:
        self.sent.append((round(self.clock.now(), 4), "hangup", None))


async def settle(rounds: int = 200) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0)


def line_with(transport: Recorder, clock: FakeClock, **playout: float) -> tuple[
        PacedLine, list[tuple[float, CarrierEvent]]]:
    line = PacedLine(transport, Playout(**playout), clock)  # type: ignore[arg-type]
    heard: list[tuple[float, CarrierEvent]] = []

    async def deliver(event: CarrierEvent) -> None:
        heard.append((round(clock.now(), 4), event))

    line.deliver_to(deliver)
    return line, heard


async def test_frames_leave_every_20_ms_and_an_emulated_mark_comes_back_when_played():
    clock = FakeClock()
    transport = Recorder(clock)
    line, heard = line_with(transport, clock, lead=0.04, allowance=0.06)
    for _ in range(10):
        await line.send_audio(FRAME)
    await line.send_mark("u1.0")
    await settle()
    times = [at for at, kind, _ in transport.sent if kind == "audio"]
    assert times == pytest.approx([0.0, 0.0, 0.0] + [0.02 * n for n in range(1, 8)])
    assert heard == [(pytest.approx(0.26), MarkPlayed("u1.0"))]  # 10 frames + 60 ms
    await line.close()


async def test_native_marks_go_to_the_carrier_in_order_and_none_is_emulated():
    clock = FakeClock()
    transport = Recorder(clock, native=True, recalls=True)
    line, heard = line_with(transport, clock, lead=math.inf)
    for _ in range(3):
        await line.send_audio(FRAME)
    await line.send_mark("u1.0")
    await settle()
    assert [kind for _, kind, _ in transport.sent] == ["audio"] * 3 + ["mark"]
    assert heard == []
    await line.close()


async def test_barge_in_drops_the_queue_and_flushes_the_carrier():
    clock = FakeClock()
    transport = Recorder(clock)
    line, heard = line_with(transport, clock, lead=0.04)
    for _ in range(100):
        await line.send_audio(FRAME)
    await line.send_mark("u1.0")
    await asyncio.sleep(0)
    await line.clear()
    await settle()
    assert ("flush" in [kind for _, kind, _ in transport.sent])
    assert len([1 for _, kind, _ in transport.sent if kind == "audio"]) < 10
    assert heard == []  # the mark was never played
    await line.close()


async def test_hang_up_waits_for_the_last_words_then_tells_the_carrier():
    clock = FakeClock()
    transport = Recorder(clock)
    line, _ = line_with(transport, clock, lead=0.04)
    for _ in range(25):  # half a second of speech
        await line.send_audio(FRAME)
    await line.hangup("dialogue_ended")
    kinds = [kind for _, kind, _ in transport.sent]
    assert kinds.count("audio") == 25 and kinds[-1] == "hangup"
    assert transport.sent[-1][0] >= 0.5
    assert line.closed
    await line.send_audio(FRAME)  # a closed line takes nothing more
    assert [kind for _, kind, _ in transport.sent].count("audio") == 25


async def test_a_connection_that_breaks_is_noted_not_raised_into_the_call():
    clock = FakeClock()
    line, _ = line_with(Recorder(clock, broken=True), clock)
    await line.send_audio(FRAME)
    await settle()
    assert line.failed == "peer gone"
    await line.close()
