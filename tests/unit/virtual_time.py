"""Virtual time for tests of concurrent timing: sleepers wake in order of their
deadlines, and time jumps only when every task is waiting (``run_until``) or when the
test passes it (``run_for``)."""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import itertools
from collections.abc import Callable

from voicebot.clock import FAKE_WALL_START, aware_utc


class VirtualClock:
    """A ``Clock`` whose sleepers wait until virtual time reaches them; its wall time
    starts at ``wall`` and moves with it."""

    def __init__(self, start: float = 0.0, wall: dt.datetime = FAKE_WALL_START) -> None:
        self._start = start
        self._now = start
        self._wall_start = aware_utc(wall)
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    def wall(self) -> dt.datetime:
        return self._wall_start + dt.timedelta(seconds=self._now - self._start)

    def today(self, zone: dt.tzinfo = dt.UTC) -> dt.date:
        return self.wall().astimezone(zone).date()

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + max(0.0, seconds), next(self._seq), future))
        await future

    async def run_for(self, seconds: float) -> None:
        """Pass ``seconds``: each sleeper due meanwhile wakes at its own time, in order,
        and what it does then runs before time moves on."""
        until = self._now + seconds
        await _let_run()
        while True:
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)  # cancelled
            if not self._sleepers or self._sleepers[0][0] > until:
                break
            wake, _, future = heapq.heappop(self._sleepers)
            self._now = max(self._now, wake)
            future.set_result(None)
            await _let_run()
        self._now = max(self._now, until)
        await _let_run()

    async def run_until(self, done: Callable[[], bool], limit: float = 600.0) -> None:
        """Let tasks run, jumping to the next deadline whenever all of them wait."""
        while not done():
            await _let_run()
            if done():
                return
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)  # cancelled
            if not self._sleepers:
                raise AssertionError("nothing left to wait for")
            wake, _, future = heapq.heappop(self._sleepers)
            if wake > limit:
                raise AssertionError(f"still not done at {wake:.1f} s")
            self._now = max(self._now, wake)
            future.set_result(None)


async def _let_run() -> None:
    """Let everything that can run, run."""
    for _ in range(50):
        await asyncio.sleep(0)


class TimedPool:
    """Runs jobs inline after a scripted delay on the virtual clock: a machine of a given speed."""

    def __init__(self, clock: VirtualClock, cost: Callable[..., float]) -> None:
        self._clock = clock
        self._cost = cost
        self.jobs = 0

    async def run(self, fn, *args):  # type: ignore[no-untyped-def]
        self.jobs += 1
        result = fn(*args)
        await self._clock.sleep(self._cost(fn, *args, result=result))
        return result
