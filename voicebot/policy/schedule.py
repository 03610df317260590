"""Money in minor units, due dates, and checking a schedule against a policy's rules.

Pure helpers shared by the engine and its callers. Amounts are integers of the
currency's minor unit (cents) inside the engine so sums are exact; Decimal only
appears at the edges.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from voicebot.errors import VoicebotError
from voicebot.policy.models import Frequency, InstalmentRules, Policy

Role = Literal["down_payment", "instalment", "single_payment", "settlement"]

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class QuoteError(VoicebotError, ValueError):
    """The engine was asked something that has no answer (e.g. a zero balance)."""


@dataclass(frozen=True, slots=True)
class Instalment:
    """One row of a schedule: a payment due on a date."""

    due: dt.date
    amount: Decimal
    role: Role = "instalment"


# --------------------------------------------------------------------------- money


def to_minor(amount: Decimal, digits: int, currency: str, what: str = "amount") -> int:
    """An exact amount in minor units; refuses fractions of a cent."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise QuoteError(f"{what} must be a finite decimal amount, got {amount!r}")
    scaled = amount.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise QuoteError(f"{what} {amount} has more than {digits} decimal places for {currency}")
    return int(scaled)


def minor_fraction(amount: Decimal, digits: int) -> Fraction:
    """Any amount (even with extra decimals) in minor units, exactly."""
    return Fraction(amount) * 10**digits


def from_minor(minor: int, digits: int) -> Decimal:
    """Minor units back to a Decimal with exactly the currency's decimal places."""
    return Decimal(minor).scaleb(-digits)


def format_money(minor: int, digits: int, currency: str) -> str:
    return f"{from_minor(minor, digits)} {currency}"


def down_payment_minor(rules: InstalmentRules, balance: int, digits: int) -> int:
    """The down payment the rules require, rounded up to the minor unit, at most the balance."""
    dp = rules.down_payment
    if dp is None:
        return 0
    share = math.ceil(Fraction(dp.min_percent) * balance / 100)
    fixed = math.ceil(Fraction(dp.min_amount) * 10**digits)
    return min(balance, max(share, fixed))


def settlement_floor_minor(policy: Policy, balance: int) -> int:
    """The smallest settlement: the balance less the largest discount, rounded up."""
    assert policy.settlement is not None
    keep = 100 - Fraction(policy.settlement.max_discount_percent)
    return math.ceil(keep * balance / 100)


# --------------------------------------------------------------------------- amounts


def nearest_int(lo: int, hi: int, p: int, q: int) -> tuple[int, int]:
    """(q·distance, value) of the integer in [lo, hi] nearest p/q; ties to the lower."""
    if p <= lo * q:
        return lo * q - p, lo
    if p >= hi * q:
        return p - hi * q, hi
    below = p // q
    d_below, d_above = p - below * q, (below + 1) * q - p
    return (d_below, below) if d_below <= d_above else (d_above, below + 1)


def level_intervals(rest: int, minimum: int, count_cap: int) -> list[tuple[int, int] | None]:
    """For n = 1..count_cap, the regular amounts giving exactly n compliant instalments.

    ``ceil(rest / a) = n`` and a last instalment ``rest - (n-1)·a >= minimum``
    hold exactly for a in ``[max(minimum, ceil(rest / n)), (rest - minimum) // (n-1)]``.
    """
    intervals: list[tuple[int, int] | None] = []
    for n in range(1, count_cap + 1):
        if n == 1:
            intervals.append((rest, rest) if rest >= minimum else None)
            continue
        lo, hi = max(minimum, -(-rest // n)), (rest - minimum) // (n - 1)
        intervals.append((lo, hi) if lo <= hi else None)
    return intervals


# --------------------------------------------------------------------------- dates


def floor_days(days_of_month: Sequence[int]) -> tuple[int, ...]:
    """``table[t]`` is the largest allowed day not after ``t`` (0 when none)."""
    allowed = set(days_of_month)
    table = [0] * 32
    for t in range(1, 32):
        table[t] = t if t in allowed else table[t - 1]
    return tuple(table)


def _month_length(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def add_months(anchor: dt.date, months: int, floor: Sequence[int]) -> dt.date:
    """The same day of the month as ``anchor``, ``months`` later.

    When that day does not exist (the 31st in April) or is not an allowed day,
    the latest allowed day before it in that month is used; the anchor's day is
    kept for the following months, so dates never drift.
    """
    year, month0 = divmod(anchor.month - 1 + months, 12)
    year += anchor.year
    return dt.date(year, month0 + 1, floor[min(anchor.day, _month_length(year, month0 + 1))])


def due_date(
    frequency: Frequency, first: dt.date, step: int, floor: Sequence[int]
) -> dt.date:
    """The due date ``step`` periods after ``first``."""
    if frequency is Frequency.MONTHLY:
        return add_months(first, step, floor)
    days = 7 if frequency is Frequency.WEEKLY else 14
    return first + dt.timedelta(days=days * step)


def last_step(frequency: Frequency, first: dt.date, limit: dt.date, floor: Sequence[int]) -> int:
    """The largest step whose due date is on or before ``limit`` (-1 if ``first`` is after)."""
    if first > limit:
        return -1
    if frequency is Frequency.MONTHLY:
        step = (limit.year - first.year) * 12 + limit.month - first.month
        return step if add_months(first, step, floor) <= limit else step - 1
    return (limit - first).days // (7 if frequency is Frequency.WEEKLY else 14)


# --------------------------------------------------------------------------- checking


def rule_breaks(
    rules: InstalmentRules,
    *,
    balance: int,
    digits: int,
    today: dt.date,
    frequency: Frequency,
    rows: Sequence[tuple[dt.date, int]],
) -> list[str]:
    """Every rule an instalment schedule breaks (empty when it complies).

    The rules of a plan: the payments sum to the balance; the frequency is
    allowed; the first payment is due between today and the end of the
    first-payment window; a single payment of the whole balance is always
    allowed. Otherwise, when a down payment is required the first row is it
    (at least the required amount) and the instalments follow one period
    later; instalments number at most ``max_count``, are each at least
    ``min_amount``, fall exactly one period apart (monthly: same day of the
    month, clamped to allowed days) and the last is due within
    ``max_duration_days`` of today.
    """
    if not rows:
        return ["the schedule is empty"]
    breaks: list[str] = []
    if any(amount <= 0 for _, amount in rows):
        breaks.append("every payment must be positive")
    if sum(amount for _, amount in rows) != balance:
        breaks.append("the payments do not add up to the balance")
    if frequency not in rules.frequencies:
        breaks.append(f"{frequency} payments are not offered")
    first = rows[0][0]
    if first < today:
        breaks.append("the first payment is in the past")
    if (first - today).days > rules.first_payment_within_days:
        breaks.append(
            f"the first payment is later than {rules.first_payment_within_days} days from today"
        )
    allowed = set(rules.days_of_month)
    if frequency is Frequency.MONTHLY and any(due.day not in allowed for due, _ in rows):
        breaks.append("a monthly payment falls on a day of the month that is not allowed")
    if len(rows) == 1:
        return breaks
    down = down_payment_minor(rules, balance, digits)
    instalments = rows[1:] if down else rows
    if down and rows[0][1] < down:
        breaks.append(f"the down payment is below {format_money(down, digits, '').strip()}")
    if len(instalments) > rules.max_count:
        breaks.append(f"more than {rules.max_count} instalments")
    minimum = to_minor(rules.min_amount, digits, "", "min_amount")
    if any(amount < minimum for _, amount in instalments):
        breaks.append(f"an instalment is below the minimum of {rules.min_amount}")
    floor = floor_days(rules.days_of_month)
    offset = 1 if down else 0
    if any(
        due != due_date(frequency, first, offset + i, floor)
        for i, (due, _) in enumerate(instalments)
    ):
        breaks.append(f"the instalments are not one {frequency} period apart")
    if (rows[-1][0] - today).days > rules.max_duration_days:
        breaks.append(f"the plan lasts more than {rules.max_duration_days} days")
    return breaks
