"""Hours of the day in the debtor's local time, with daylight-saving time handled.

Every instant is compared in UTC: two aware datetimes that share a ``ZoneInfo``
compare and subtract by wall-clock time in Python, which is wrong across a DST
change. Only the question "is it between 08:00 and 21:00 there?" uses wall time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from voicebot.compliance.jurisdictions import WEEKDAY_NAMES

ALL_DAYS = frozenset(range(7))


def utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC; a naive datetime is refused (its time zone would be a guess)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a time needs a UTC offset or zone: {moment.isoformat()}")
    return moment.astimezone(dt.UTC)


def wall_time(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The instant the clocks in ``zone`` show ``time`` on ``day``.

    A time skipped by a spring-forward change (02:30 on the night clocks go from
    02:00 to 03:00) is read with the offset before the change, so it lands just
    after the gap (03:30), as the clock on the wall would show.
    """
    return dt.datetime.combine(day, time, tzinfo=zone).astimezone(dt.UTC).astimezone(zone)


@dataclass(frozen=True, slots=True)
class LocalWindow:
    """From ``start`` (included) to ``end`` (excluded), local time, on ``days`` (Monday=0)."""

    start: dt.time
    end: dt.time
    days: frozenset[int] = ALL_DAYS

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise ValueError("a window's start must be before its end")
        if not self.days or not self.days <= ALL_DAYS:
            raise ValueError(f"days must be weekday numbers 0-6, got {sorted(self.days)}")

    @classmethod
    def of(cls, hours: Any) -> LocalWindow:
        """From a policy's ``CallingHours`` (``start``, ``end``, ``days`` as ``mon``...)."""
        days = frozenset(WEEKDAY_NAMES.index(day) for day in hours.days)
        return cls(start=hours.start, end=hours.end, days=days)

    def describe(self) -> str:
        """``08:00-21:00``, followed by the days when not every day."""
        text = f"{self.start:%H:%M}-{self.end:%H:%M}"
        if self.days != ALL_DAYS:
            text += " " + ",".join(WEEKDAY_NAMES[d] for d in sorted(self.days))
        return text

    def contains(self, local: dt.datetime) -> bool:
        """Whether the wall-clock time ``local`` (already in the debtor's zone) is inside."""
        return local.weekday() in self.days and self.start <= local.time() < self.end

    def next_open(self, at: dt.datetime, zone: ZoneInfo) -> dt.datetime:
        """The first instant at or after ``at`` when the window is open in ``zone`` (UTC)."""
        at = utc(at)
        local = at.astimezone(zone)
        if self.contains(local):
            return at
        for offset in range(8):
            opening = wall_time(local.date() + dt.timedelta(days=offset), self.start, zone)
            if opening.astimezone(dt.UTC) > at and self.contains(opening):
                return opening.astimezone(dt.UTC)
        # Only a window that a DST gap swallows whole on every allowed day gets here.
        raise ValueError(f"the window {self.describe()} never opens in {zone.key}")
