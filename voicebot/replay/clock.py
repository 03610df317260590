"""A clock for replays: real time while anything is being worked on, and waits with
nothing to do skipped.

A live call spends most of its time waiting: for the caller to finish, for the bot's
audio to play out, for a silence to last. A replay need not. ``SkipClock`` runs at the
real clock's pace while work is in flight (a coroutine ready to run, a job in a worker
thread), so what the pipeline costs is measured as it is; when every task is only
waiting on the clock, it moves straight to the earliest wake-up. Stage timings read
from it are real; the call just has no dead air.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import itertools
import time
from collections.abc import Callable

from voicebot.clock import aware_utc


class SkipClock:
    """A ``Clock`` whose idle waits are skipped by ``drive``.

    Its wall time starts at ``wall`` (default: the system's time now) and moves with
    ``now``.
    """

    def __init__(self, busy: Callable[[], bool] = lambda: False,
                 wall: dt.datetime | None = None) -> None:
        self._offset = 0.0
        self._origin = self.now()  # when the wall time was ``_wall_start``
        self._wall_start = aware_utc(wall) if wall is not None else dt.datetime.now(dt.UTC)
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._busy = busy  # work elsewhere the loop cannot see (worker pools)
        self._in_executor = 0
        self.skipped = 0.0  # seconds of waiting skipped so far

    def now(self) -> float:
        return time.monotonic() + self._offset

    def wall(self) -> dt.datetime:
        return self._wall_start + dt.timedelta(seconds=self.now() - self._origin)

    def today(self, zone: dt.tzinfo = dt.UTC) -> dt.date:
        return self.wall().astimezone(zone).date()

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now() + max(0.0, seconds), next(self._order),
                                        future))
        await future

    def watch(self, loop: asyncio.AbstractEventLoop) -> None:
        """Count jobs the loop runs in executors (``asyncio.to_thread``) as work."""
        run = loop.run_in_executor

        def counted(executor, func, *args):  # type: ignore[no-untyped-def]
            future = run(executor, func, *args)
            self._in_executor += 1
            future.add_done_callback(self._job_done)
            return future

        loop.run_in_executor = counted  # type: ignore[method-assign]

    def _job_done(self, _future: object) -> None:
        self._in_executor -= 1

    def _wake_due(self) -> None:
        now = self.now()
        while self._sleepers and (self._sleepers[0][2].done() or self._sleepers[0][0] <= now):
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)

    def _idle(self, loop: asyncio.AbstractEventLoop) -> bool:
        ready = getattr(loop, "_ready", None)
        return not ready and not self._in_executor and not self._busy()

    async def drive(self, until: asyncio.Future[object]) -> None:
        """Run the skipping until ``until`` is done."""
        loop = asyncio.get_running_loop()
        while not until.done():
            await asyncio.sleep(0)
            self._wake_due()  # real time passes while work runs: waits that are over end
            if not self._idle(loop):
                await asyncio.sleep(0.0005)  # let worker threads and I/O get on
                continue
            # Everything is waiting: wake the earliest sleeper, at its time.
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)  # cancelled
            if not self._sleepers:
                await asyncio.sleep(0.0005)
                continue
            due, _, future = heapq.heappop(self._sleepers)
            ahead = due - self.now()
            if ahead > 0:
                self._offset += ahead
                self.skipped += ahead
            future.set_result(None)
        for _, _, future in self._sleepers:
            future.cancel()
        self._sleepers.clear()
