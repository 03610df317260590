"""Calling hours in the debtor's local time: boundaries, the demo accounts' zones, DST days."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from compliance_support import JANE, JOHN, MARIE, hours, local, rules_for, rules_of, utc

from voicebot.compliance import LocalWindow, Rule, can_call
from voicebot.compliance.windows import wall_time


def decide(account, at, rules=None):
    return can_call(account, at, [], [], rules or rules_of(account))


@pytest.mark.parametrize(
    ("account", "at", "allowed", "rule"),
    [
        # Tuesday 3 November 2026, written in UTC: the zone decides, not the server's clock.
        (JANE, utc("2026-11-03 15:59"), False, Rule.CALLING_WINDOW),  # 07:59 PST
        (JANE, utc("2026-11-03 16:00"), True, Rule.ALLOWED),  # 08:00 PST
        (JANE, utc("2026-11-04 04:59"), True, Rule.ALLOWED),  # 20:59 PST
        (JANE, utc("2026-11-04 05:00"), False, Rule.CALLING_WINDOW),  # 21:00 PST
        (JOHN, utc("2026-11-03 12:59"), False, Rule.CALLING_WINDOW),  # 07:59 EST
        (JOHN, utc("2026-11-03 13:00"), True, Rule.ALLOWED),  # 08:00 EST
        (JOHN, utc("2026-11-04 01:59"), True, Rule.ALLOWED),  # 20:59 EST
        (JOHN, utc("2026-11-04 02:00"), False, Rule.CALLING_WINDOW),  # 21:00 EST
        # France: no legal window in the rules; the creditor's hours, Monday to Saturday.
        (MARIE, utc("2026-11-03 06:59"), False, Rule.CREDITOR_HOURS),  # 07:59 CET
        (MARIE, utc("2026-11-03 07:00"), True, Rule.ALLOWED),  # 08:00 CET
        (MARIE, utc("2026-11-03 19:59"), True, Rule.ALLOWED),  # 20:59 CET
        (MARIE, utc("2026-11-03 20:00"), False, Rule.CREDITOR_HOURS),  # 21:00 CET
        (MARIE, local(MARIE, "2026-11-08 10:00"), False, Rule.CREDITOR_HOURS),  # Sunday
        # Seconds count: 20:59:59 is in, 07:59:59 is out.
        (JANE, local(JANE, "2026-11-03 20:59:59"), True, Rule.ALLOWED),
        (JANE, local(JANE, "2026-11-03 07:59:59"), False, Rule.CALLING_WINDOW),
    ],
)
def test_calling_hours_boundaries(account, at, allowed, rule):
    decision = decide(account, at)
    assert (decision.allowed, decision.rule) == (allowed, rule), decision.reason
    assert (decision.next_allowed is None) == allowed


@pytest.mark.parametrize(
    ("account", "at", "allowed"),
    [
        # New York springs forward on Sunday 8 March 2026 (02:00 EST -> 03:00 EDT).
        (JOHN, utc("2026-03-08 11:59"), False),  # 07:59 EDT
        (JOHN, utc("2026-03-08 12:00"), True),  # 08:00 EDT
        (JOHN, utc("2026-03-07 12:00"), False),  # the same UTC time the day before: 07:00 EST
        (JOHN, utc("2026-03-09 00:59"), True),  # 20:59 EDT
        (JOHN, utc("2026-03-09 01:00"), False),  # 21:00 EDT
        # Los Angeles falls back on Sunday 1 November 2026 (02:00 PDT -> 01:00 PST).
        (JANE, utc("2026-11-01 15:59"), False),  # 07:59 PST
        (JANE, utc("2026-11-01 16:00"), True),  # 08:00 PST
        (JANE, utc("2026-10-31 15:30"), True),  # the same UTC time the day before: 08:30 PDT
        (JANE, utc("2026-11-02 04:59"), True),  # 20:59 PST
        (JANE, utc("2026-11-02 05:00"), False),  # 21:00 PST
        # New York falls back too: 21:00 EST on Sunday 1 November is 02:00 UTC.
        (JOHN, utc("2026-11-02 01:59"), True),
        (JOHN, utc("2026-11-02 02:00"), False),
    ],
)
def test_calling_hours_on_dst_change_days(account, at, allowed):
    assert decide(account, at).allowed is allowed


@pytest.mark.parametrize(
    ("at", "allowed"),
    [
        # Paris springs forward on Sunday 29 March 2026 (02:00 CET -> 03:00 CEST).
        (utc("2026-03-29 05:59"), False),  # 07:59 CEST
        (utc("2026-03-29 06:00"), True),  # 08:00 CEST
        (utc("2026-03-28 07:00"), True),  # 08:00 CET the day before
        (utc("2026-03-28 06:59"), False),
        # and falls back on Sunday 25 October 2026.
        (utc("2026-10-25 06:59"), False),  # 07:59 CET
        (utc("2026-10-25 07:00"), True),  # 08:00 CET
        (utc("2026-10-25 19:59"), True),  # 20:59 CET
        (utc("2026-10-25 20:00"), False),  # 21:00 CET
    ],
)
def test_paris_dst_days_with_every_day_allowed(at, allowed):
    # The demo creditor does not call on Sundays, and both changes fall on one.
    rules = rules_for("FR", hours("08:00", "21:00"))
    assert decide(MARIE, at, rules).allowed is allowed


@pytest.mark.parametrize(
    ("account", "at", "next_allowed"),
    [
        # After 21:00, the next morning at 08:00.
        (JANE, local(JANE, "2026-11-03 21:00"), local(JANE, "2026-11-04 08:00")),
        (JANE, local(JANE, "2026-11-03 07:59"), local(JANE, "2026-11-03 08:00")),
        # The next morning is after a DST change: 08:00 by the new clock.
        (JOHN, local(JOHN, "2026-03-07 21:30"), utc("2026-03-08 12:00")),
        (JANE, local(JANE, "2026-10-31 22:00"), utc("2026-11-01 16:00")),
        # Saturday night in Paris: Sunday is not a calling day, so Monday 08:00.
        (MARIE, local(MARIE, "2026-11-07 21:00"), local(MARIE, "2026-11-09 08:00")),
        (MARIE, local(MARIE, "2026-10-25 12:00"), utc("2026-10-26 07:00")),
    ],
)
def test_next_allowed_is_the_next_opening(account, at, next_allowed):
    decision = decide(account, at)
    assert not decision.allowed
    assert decision.next_allowed == next_allowed
    assert decision.next_allowed.tzinfo == ZoneInfo(account.timezone)
    assert decide(account, decision.next_allowed).allowed


def test_reason_names_the_local_time_the_window_and_the_law():
    decision = decide(JANE, utc("2026-11-04 05:00"))
    assert "Tue 2026-11-03 21:00 America/Los_Angeles" in decision.reason
    assert "08:00-21:00" in decision.reason and "FDCPA §805(a)(1)" in decision.reason


def test_the_law_window_decides_before_the_creditor_hours():
    rules = rules_for("US", hours("09:00", "17:00", ("mon", "tue", "wed", "thu", "fri")))
    assert decide(JOHN, local(JOHN, "2026-11-03 07:30"), rules).rule is Rule.CALLING_WINDOW
    late = decide(JOHN, local(JOHN, "2026-11-03 08:30"), rules)
    assert late.rule is Rule.CREDITOR_HOURS
    assert late.next_allowed == local(JOHN, "2026-11-03 09:00")
    friday = decide(JOHN, local(JOHN, "2026-11-06 17:00"), rules)
    assert friday.next_allowed == local(JOHN, "2026-11-09 09:00")  # Monday


def test_a_policy_calling_window_narrows_the_law():
    rules = rules_for("US", calling_window=hours("09:00", "20:00"))
    assert decide(JOHN, local(JOHN, "2026-11-03 08:30"), rules).rule is Rule.CALLING_WINDOW
    assert decide(JOHN, local(JOHN, "2026-11-03 20:00"), rules).rule is Rule.CALLING_WINDOW
    assert decide(JOHN, local(JOHN, "2026-11-03 19:59"), rules).allowed


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="UTC offset"):
        decide(JANE, dt.datetime(2026, 11, 3, 12, 0))


def test_a_start_skipped_by_spring_forward_lands_after_the_gap():
    zone = ZoneInfo("America/New_York")
    moment = wall_time(dt.date(2026, 3, 8), dt.time(2, 30), zone)
    assert moment.astimezone(dt.UTC) == utc("2026-03-08 07:30")  # 03:30 EDT
    window = LocalWindow(dt.time(2, 30), dt.time(5, 0))
    opening = window.next_open(utc("2026-03-08 05:00"), zone)  # 00:00 EST
    assert opening == utc("2026-03-08 07:30")


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [("21:00", "08:00", range(7)), ("08:00", "08:00", range(7)), ("08:00", "21:00", [])],
)
def test_an_impossible_window_is_refused(start, end, days):
    with pytest.raises(ValueError):
        LocalWindow(dt.time.fromisoformat(start), dt.time.fromisoformat(end), frozenset(days))
