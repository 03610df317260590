"""Time, injected: logic asks a Clock so tests can run on virtual time.

One clock answers every question about time: how many seconds have passed (``now``,
monotonic, for timeouts and durations), what time it is (``wall``, an aware UTC
datetime, for what is stored and shown: packets, records, deadlines an agent sees),
what day it is somewhere (``today``, for calling windows and due dates), and it sleeps.
A fake clock moves all of them together, so a test that passes ten minutes passes
them on the wall too.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Protocol

# Where a FakeClock's wall time starts unless told otherwise: a fixed instant, so what
# a test stores and compares does not depend on the day it runs.
FAKE_WALL_START = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)


class Clock(Protocol):
    """Monotonic seconds, wall time, dates and an awaitable sleep."""

    def now(self) -> float:
        """Monotonic seconds: only differences mean anything."""
        ...

    def wall(self) -> dt.datetime:
        """The time of day, as an aware UTC datetime."""
        ...

    def today(self, zone: dt.tzinfo = dt.UTC) -> dt.date:
        """The date in ``zone`` now."""
        ...

    async def sleep(self, seconds: float) -> None: ...


def aware_utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC; a naive datetime is refused (its zone would be a guess)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a clock's wall time needs a zone: {moment.isoformat()}")
    return moment.astimezone(dt.UTC)


class SystemClock:
    """The real clocks: ``time.monotonic`` and the system's time of day."""

    def now(self) -> float:
        return time.monotonic()

    def wall(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def today(self, zone: dt.tzinfo = dt.UTC) -> dt.date:
        return self.wall().astimezone(zone).date()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class FakeClock:
    """A clock that only moves when told to; sleeping advances it instantly.

    Its wall time starts at ``wall`` (default ``FAKE_WALL_START``) and moves with its
    monotonic time, second for second.
    """

    def __init__(self, start: float = 0.0, wall: dt.datetime = FAKE_WALL_START) -> None:
        self._start = start
        self._now = start
        self._wall_start = aware_utc(wall)

    def now(self) -> float:
        return self._now

    def wall(self) -> dt.datetime:
        return self._wall_start + dt.timedelta(seconds=self._now - self._start)

    def today(self, zone: dt.tzinfo = dt.UTC) -> dt.date:
        return self.wall().astimezone(zone).date()

    def advance(self, seconds: float) -> None:
        self._now += seconds

    async def sleep(self, seconds: float) -> None:
        self._now += max(0.0, seconds)
        await asyncio.sleep(0)
