"""Personal data kept only for the retention period: which records are due for purge."""

from __future__ import annotations

import datetime as dt

import pytest
from compliance_support import MARIE, POLICIES, rules_for, rules_of, utc

from voicebot.compliance import RetainedRecord, due_for_purge, is_due, purge_cutoff

NOW = utc("2026-11-10 12:00")
DAY = dt.timedelta(days=1)
SECOND = dt.timedelta(seconds=1)


@pytest.mark.parametrize(
    ("age", "retention_days", "due"),
    [
        (730 * DAY, 730, True),  # kept exactly the retention period: due
        (730 * DAY - SECOND, 730, False),
        (730 * DAY + SECOND, 730, True),
        (DAY, 1, True),
        (DAY - SECOND, 1, False),
        (dt.timedelta(0), 730, False),
        (-DAY, 730, False),  # dated in the future
        (1095 * DAY, 1095, True),
        (1094 * DAY, 1095, False),
        (dt.timedelta(0), 0, True),  # no retention at all: everything already ended
    ],
)
def test_retention_boundary(age, retention_days, due):
    record = RetainedRecord("call-1", NOW - age)
    assert is_due(record, NOW, retention_days) is due
    assert due_for_purge([record], NOW, retention_days) == ([record] if due else [])


def test_due_records_keep_their_order_and_type():
    records = [
        RetainedRecord("c", NOW - 800 * DAY),
        RetainedRecord("a", NOW - 10 * DAY),
        RetainedRecord("b", NOW - 731 * DAY),
    ]
    assert [r.key for r in due_for_purge(records, NOW, 730)] == ["c", "b"]


def test_the_cutoff_is_what_a_database_query_needs():
    assert purge_cutoff(NOW, 730) == NOW - 730 * DAY
    paris = NOW.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert purge_cutoff(paris, 730) == NOW - 730 * DAY
    assert purge_cutoff(paris, 730).tzinfo is dt.UTC


def test_dates_across_a_dst_change_are_counted_as_instants():
    # A record from Paris summer time and one from winter time, both exactly 730 days old.
    summer = (NOW - 730 * DAY).astimezone(dt.timezone(dt.timedelta(hours=2)))
    assert is_due(RetainedRecord("s", summer), NOW, 730)
    assert not is_due(RetainedRecord("s", summer + SECOND), NOW, 730)


def test_negative_retention_and_naive_times_are_refused():
    with pytest.raises(ValueError):
        purge_cutoff(NOW, -1)
    with pytest.raises(ValueError, match="UTC offset"):
        is_due(RetainedRecord("x", dt.datetime(2024, 1, 1)), NOW, 730)


def test_retention_comes_from_the_jurisdiction_or_the_policy():
    assert rules_of(MARIE).retention_days == 730  # FR default
    assert rules_for("FR", retention_days=365).retention_days == 365
    assert {p.id: rules_for(p.jurisdiction).retention_days for p in POLICIES.values()} == {
        "acme-telecom": 1095, "contoso-bank": 1095, "northwind-energy": 730,
    }
