"""The clock: monotonic seconds, wall time and dates from one object, moving together."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest

from tests.unit.scripted_call import DrivenClock
from tests.unit.virtual_time import VirtualClock
from voicebot.clock import FAKE_WALL_START, Clock, FakeClock, SystemClock
from voicebot.replay.clock import SkipClock

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
PARIS = ZoneInfo("Europe/Paris")


def test_every_clock_is_a_clock():
    clocks: list[Clock] = [SystemClock(), FakeClock(), SkipClock(), DrivenClock(),
                           VirtualClock()]
    for clock in clocks:
        wall = clock.wall()
        assert wall.tzinfo is not None and wall.utcoffset() == dt.timedelta(0)
        assert clock.today(PARIS) == wall.astimezone(PARIS).date()


def test_the_system_clock_tells_the_time_of_day():
    before = dt.datetime.now(dt.UTC)
    wall = SystemClock().wall()
    assert before <= wall <= dt.datetime.now(dt.UTC)
    assert SystemClock().today() in (before.date(), dt.datetime.now(dt.UTC).date())


def test_the_fake_wall_moves_with_the_monotonic_time():
    clock = FakeClock(100.0, wall=dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC))
    assert clock.wall() == dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)
    clock.advance(90.5)
    assert clock.now() == 190.5
    assert clock.wall() == dt.datetime(2026, 11, 26, 15, 1, 30, 500000, tzinfo=dt.UTC)
    assert FakeClock().wall() == FAKE_WALL_START  # the same instant on any day it runs


async def test_a_fake_sleep_passes_on_the_wall_too():
    clock = FakeClock(wall=dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC))
    await clock.sleep(60)
    assert clock.wall() == dt.datetime(2026, 11, 26, 15, 1, tzinfo=dt.UTC)


def test_a_fake_wall_start_in_another_zone_is_kept_as_utc_and_a_naive_one_refused():
    clock = FakeClock(wall=dt.datetime(2026, 11, 26, 16, 0, tzinfo=PARIS))
    assert clock.wall() == dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)
    assert clock.wall().tzinfo is dt.UTC
    with pytest.raises(ValueError, match="needs a zone"):
        FakeClock(wall=dt.datetime(2026, 11, 26, 15, 0))


def test_the_date_rolls_over_at_midnight_where_the_debtor_lives():
    # 23:59:59 on the 2nd in Los Angeles is already the 3rd in UTC.
    clock = FakeClock(wall=dt.datetime(2026, 12, 2, 23, 59, 59, tzinfo=LOS_ANGELES))
    assert clock.today(LOS_ANGELES) == dt.date(2026, 12, 2)
    assert clock.today() == dt.date(2026, 12, 3)
    clock.advance(2)  # 00:00:01
    assert clock.today(LOS_ANGELES) == dt.date(2026, 12, 3)
    assert clock.wall().astimezone(LOS_ANGELES).time() == dt.time(0, 0, 1)


def test_a_new_year_turns_over_too():
    clock = FakeClock(wall=dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=PARIS))
    clock.advance(2)
    assert clock.today(PARIS) == dt.date(2027, 1, 1)


def test_local_time_across_a_daylight_saving_change():
    # Los Angeles springs forward at 02:00 on 2026-03-08: an hour of local time never
    # happens, but every second of the clock does.
    clock = FakeClock(wall=dt.datetime(2026, 3, 8, 1, 59, 59, tzinfo=LOS_ANGELES))
    clock.advance(1)
    local = clock.wall().astimezone(LOS_ANGELES)
    assert (local.hour, local.minute, local.utcoffset()) == (3, 0, dt.timedelta(hours=-7))
    # Paris falls back at 03:00 on 2026-10-25: 02:30 comes twice, an hour apart.
    clock = FakeClock(wall=dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC))  # 02:30 CEST
    first = clock.wall().astimezone(PARIS)
    clock.advance(3600)
    second = clock.wall().astimezone(PARIS)
    assert first.time() == second.time() == dt.time(2, 30)
    assert (first.utcoffset(), second.utcoffset()) == (dt.timedelta(hours=2),
                                                       dt.timedelta(hours=1))
    assert clock.today(PARIS) == dt.date(2026, 10, 25)


async def test_virtual_time_wakes_each_sleeper_at_its_own_time():
    clock = VirtualClock(wall=dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC))
    woke: list[tuple[str, float, dt.datetime]] = []

    async def nap(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock.now(), clock.wall()))

    tasks = [asyncio.create_task(nap("late", 30)), asyncio.create_task(nap("early", 10))]
    await clock.run_for(9.5)
    assert woke == []
    await clock.run_for(25)
    assert [(name, at) for name, at, _ in woke] == [("early", 10.0), ("late", 30.0)]
    assert woke[1][2] == dt.datetime(2026, 11, 26, 15, 0, 30, tzinfo=dt.UTC)
    assert clock.now() == 34.5
    await asyncio.gather(*tasks)


async def test_a_skip_clock_wall_counts_the_waits_it_skipped():
    start = dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)
    clock = SkipClock(wall=start)
    began = time.monotonic()
    waited = asyncio.ensure_future(clock.sleep(3600))
    await clock.drive(waited)
    real = time.monotonic() - began
    assert clock.skipped > 3599
    assert start + dt.timedelta(seconds=3600) <= clock.wall() \
        <= start + dt.timedelta(seconds=3600 + real + 1)


def test_a_driven_clock_wall_starts_where_it_is_told():
    start = dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)
    clock = DrivenClock(wall=start)
    assert clock.now() == 0.0 and clock.wall() == start
