"""Exhaustive checks of the engine's arithmetic and date helpers on small ranges."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import policy_oracle as oracle
import pytest

from voicebot.policy.models import Frequency
from voicebot.policy.schedule import (
    QuoteError,
    add_months,
    floor_days,
    from_minor,
    last_step,
    level_intervals,
    nearest_int,
    to_minor,
)


def test_nearest_int_matches_brute_force_and_breaks_ties_downwards():
    for lo in range(0, 6):
        for hi in range(lo, 9):
            for q in (1, 2, 3, 7):
                for p in range(-3, 12 * q):
                    target = Fraction(p, q)
                    best = min(range(lo, hi + 1), key=lambda a, t=target: (abs(a - t), a))
                    dist, value = nearest_int(lo, hi, p, q)
                    assert value == best, (lo, hi, p, q)
                    assert Fraction(dist, q) == abs(best - target)


@pytest.mark.parametrize("minimum", [1, 2, 3, 5, 7, 10, 25])
def test_level_intervals_are_exactly_the_amounts_giving_n_instalments(minimum):
    for rest in range(1, 160):
        cap = rest // minimum
        spans = level_intervals(rest, minimum, cap)
        for a in range(1, rest + 1):
            n = -(-rest // a)
            last = rest - (n - 1) * a
            ok = a >= minimum and last >= minimum and n <= cap
            canonical = n > 1 or a == rest  # a single instalment is always a == rest
            inside = n <= cap and spans[n - 1] is not None and (
                spans[n - 1][0] <= a <= spans[n - 1][1]
            )
            assert inside == (ok and canonical), (rest, minimum, a)


@pytest.mark.parametrize(
    "days", [tuple(range(1, 29)), tuple(range(1, 32)), (1, 15, 30), (5,), (28, 29, 30, 31)]
)
def test_add_months_and_last_step_match_brute_force(days):
    floor = floor_days(days)
    start = dt.date(2027, 12, 1)
    for offset in range(0, 430, 3):
        anchor = start + dt.timedelta(days=offset)
        if anchor.day not in days:
            continue
        dates = [add_months(anchor, k, floor) for k in range(30)]
        assert dates == [oracle.monthly(anchor, k, days) for k in range(30)]
        for span in (0, 27, 31, 59, 200, 400):
            limit = anchor + dt.timedelta(days=span)
            expected = max(k for k in range(30) if dates[k] <= limit)
            assert last_step(Frequency.MONTHLY, anchor, limit, floor) == expected
    anchor = dt.date(2028, 2, 29)
    for frequency, days_apart in ((Frequency.WEEKLY, 7), (Frequency.FORTNIGHTLY, 14)):
        for span in range(0, 60):
            limit = anchor + dt.timedelta(days=span)
            assert last_step(frequency, anchor, limit, floor) == span // days_apart
    assert last_step(Frequency.WEEKLY, anchor, anchor - dt.timedelta(days=1), floor) == -1


def test_money_conversions_are_exact():
    assert to_minor(Decimal("480.00"), 2, "USD") == 48000
    assert to_minor(Decimal("480"), 2, "USD") == 48000
    assert to_minor(Decimal("480.000"), 2, "USD") == 48000
    assert to_minor(Decimal("1500"), 0, "JPY") == 1500
    assert str(from_minor(5910, 2)) == "59.10" and str(from_minor(7, 0)) == "7"
    for bad in (Decimal("1.001"), Decimal("Infinity"), 1.5):
        with pytest.raises(QuoteError):
            to_minor(bad, 2, "USD")  # type: ignore[arg-type]
