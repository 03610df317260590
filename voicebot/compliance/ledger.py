"""The contact history the rules read, from the service's records: each ledger row an
``Attempt`` or a ``Conversation``, each flag a ``FlagRecord``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from voicebot.compliance.records import (
    Attempt,
    Conversation,
    Direction,
    FlagRecord,
    HistoryRecord,
    parse_flag,
)


def _time(value: str | dt.datetime | None) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def history_from_records(records: Any, creditor: str, account: str
                         ) -> tuple[list[HistoryRecord], list[FlagRecord]]:
    """The account's attempts, conversations and flags as kept by ``voicebot.data``."""
    history: list[HistoryRecord] = []
    for row in records.contacts(creditor, account):
        at = _time(row["at"])
        assert at is not None
        if row["kind"] == "conversation":
            history.append(Conversation(at=at, account=account))
        else:
            history.append(Attempt(at=at, account=account,
                                   direction=Direction(row["direction"])))
    flags: list[FlagRecord] = []
    for row in records.flags(creditor, account, include_cleared=True):
        set_at = _time(row["set_at"])
        assert set_at is not None  # the column is NOT NULL: no clock needed to fill it
        flags.append(FlagRecord(flag=parse_flag(row["flag"]), account=account, at=set_at,
                                cleared_at=_time(row["cleared_at"])))
    return history, flags
