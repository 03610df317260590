"""How long personal data may be kept: which records are due for purge.

A record is kept ``retention_days`` after its last activity (the end of the
last call, the last collection activity on the debt: the caller chooses the
date that its retention period runs from) and is due for purge from that
instant on. The rules read no clock: ``now`` is passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from voicebot.compliance.windows import utc


class Retained(Protocol):
    """Anything with the instant its retention period runs from."""

    @property
    def last_activity(self) -> dt.datetime: ...


@dataclass(frozen=True, slots=True)
class RetainedRecord:
    """A stored record, by key, and when it was last active."""

    key: str
    last_activity: dt.datetime


R = TypeVar("R", bound=Retained)


def purge_cutoff(now: dt.datetime, retention_days: int) -> dt.datetime:
    """Records last active at or before this instant (UTC) are due for purge."""
    if retention_days < 0:
        raise ValueError(f"retention_days must not be negative, got {retention_days}")
    return utc(now) - dt.timedelta(days=retention_days)


def is_due(record: Retained, now: dt.datetime, retention_days: int) -> bool:
    """Whether ``record`` has been kept ``retention_days`` or longer at ``now``."""
    return utc(record.last_activity) <= purge_cutoff(now, retention_days)


def due_for_purge(records: Iterable[R], now: dt.datetime, retention_days: int) -> list[R]:
    """The records due for purge at ``now``, in the order given."""
    cutoff = purge_cutoff(now, retention_days)
    return [record for record in records if utc(record.last_activity) <= cutoff]
