"""Virtual time for tests of concurrent timing: sleepers wake in order of their
deadlines, and time jumps only when every task is waiting."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable


class VirtualClock:
    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + max(0.0, seconds), next(self._seq), future))
        await future

    async def run_until(self, done: Callable[[], bool], limit: float = 600.0) -> None:
        """Let tasks run, jumping to the next deadline whenever all of them wait."""
        while not done():
            for _ in range(50):  # let everything that can run, run
                await asyncio.sleep(0)
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
