"""An independent, slow reference for the plan engine, written from its documented rules.

It checks an explicit schedule against a policy field by field, enumerates every
plan of the engine's plan family by brute force, and orders them by the
documented "nearest" order. Nothing here calls the engine's search.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from voicebot.policy import Ask, Decision, Frequency, InstalmentRules, Policy

PER_YEAR = {"weekly": 52, "fortnightly": 26, "monthly": 12}


def minor(amount: Decimal, digits: int) -> int:
    value = amount * (10**digits)
    assert value == value.to_integral_value(), amount
    return int(value)


def required_down(rules: InstalmentRules, balance: int, digits: int) -> int:
    dp = rules.down_payment
    if dp is None:
        return 0
    share = math.ceil(Fraction(dp.min_percent) * balance / 100)
    fixed = math.ceil(Fraction(dp.min_amount) * 10**digits)
    return min(balance, max(share, fixed))


def monthly(anchor: dt.date, k: int, days: tuple[int, ...]) -> dt.date:
    month = anchor.month - 1 + k
    year, month = anchor.year + month // 12, month % 12 + 1
    day = min(anchor.day, calendar.monthrange(year, month)[1])
    while day not in days:
        day -= 1
    return dt.date(year, month, day)


def step(frequency: str, first: dt.date, k: int, days: tuple[int, ...]) -> dt.date:
    if frequency == "monthly":
        return monthly(first, k, days)
    return first + dt.timedelta(days=k * (7 if frequency == "weekly" else 14))


def violations(
    rules: InstalmentRules,
    balance: int,
    digits: int,
    today: dt.date,
    frequency: str,
    rows: list[tuple[dt.date, int]],
) -> list[str]:
    """Each rule of the policy that an instalment schedule breaks."""
    out = []
    if sum(a for _, a in rows) != balance:
        out.append("sum")
    if any(a <= 0 for _, a in rows):
        out.append("non-positive")
    if frequency not in [f.value for f in rules.frequencies]:
        out.append("frequency")
    first = rows[0][0]
    if not today <= first <= today + dt.timedelta(days=rules.first_payment_within_days):
        out.append("window")
    if frequency == "monthly" and any(d.day not in rules.days_of_month for d, _ in rows):
        out.append("day of month")
    if len(rows) == 1:
        return out  # a single payment of the balance
    down = required_down(rules, balance, digits)
    instalments = rows[1:] if down else rows
    if down and rows[0][1] < down:
        out.append("down payment")
    if len(instalments) > rules.max_count:
        out.append("count")
    if any(a < minor(rules.min_amount, digits) for _, a in instalments):
        out.append("min amount")
    offset = 1 if down else 0
    for i, (due, _) in enumerate(instalments):
        if due != step(frequency, first, offset + i, rules.days_of_month):
            out.append("spacing")
            break
    if rows[-1][0] > today + dt.timedelta(days=rules.max_duration_days):
        out.append("duration")
    return out


@dataclass(frozen=True)
class Candidate:
    kind: str
    frequency: str | None
    first: dt.date
    amount: int  # regular instalment, the balance for a single payment, or the settlement
    count: int
    rows: tuple[tuple[dt.date, int], ...]
    rank: int = 0


def instalment_plans(policy: Policy, balance: int, today: dt.date, hardship: bool) -> Iterator[
    Candidate
]:
    """Every plan of the engine's family that complies, by brute force over amounts."""
    digits = policy.minor_digits
    rules = policy.rules(hardship)
    down = required_down(rules, balance, digits)
    if down >= balance:
        down = 0
        rest = 0
    else:
        rest = balance - down
    offset = 1 if down else 0
    m = minor(rules.min_amount, digits)
    for rank, f in enumerate(rules.frequencies):
        f = f.value
        for i in range(rules.first_payment_within_days + 1):
            first = today + dt.timedelta(days=i)
            if f == "monthly" and first.day not in rules.days_of_month:
                continue
            yield Candidate("instalments", f, first, balance, 1, ((first, balance),), rank)
            if not rest:
                continue
            dates = [step(f, first, offset + k, rules.days_of_month)
                     for k in range(rules.max_count)]
            limit = today + dt.timedelta(days=rules.max_duration_days)
            for a in range(m, rest + 1):
                n = -(-rest // a)
                last = rest - (n - 1) * a
                if n > rules.max_count or last < m or dates[n - 1] > limit:
                    continue
                rows = ([(first, down)] if down else []) + [
                    (dates[k], a if k < n - 1 else last) for k in range(n)
                ]
                if n == 1 and not down:
                    continue  # the same plan as the single payment above
                yield Candidate("instalments", f, first, a, n, tuple(rows), rank)


def settlement_plans(policy: Policy, balance: int, today: dt.date) -> Iterator[Candidate]:
    assert policy.settlement is not None
    keep = 100 - Fraction(policy.settlement.max_discount_percent)
    floor = math.ceil(keep * balance / 100)
    for i in range(policy.settlement.within_days + 1):
        due = today + dt.timedelta(days=i)
        for s in range(floor, balance + 1):
            yield Candidate("settlement", None, due, s, 1, ((due, s),))


def key(ask: Ask, plan: Candidate, digits: int) -> tuple:
    """The documented order: kind, frequency, terms, date, then the tie-breaks."""
    kind_miss = 0 if (ask.settlement is not None) == (plan.kind == "settlement") else 1
    freq_miss = 0
    if plan.kind == "instalments" and ask.frequency is not None:
        freq_miss = 0 if ask.frequency.value == plan.frequency else 1
    terms: Fraction | int = 0
    if plan.kind == "settlement":
        terms = abs(plan.amount - Fraction(ask.settlement) * 10**digits)
    elif ask.amount is not None:
        target = Fraction(ask.amount) * 10**digits
        if ask.frequency is not None:
            target = target * PER_YEAR[ask.frequency.value] / PER_YEAR[plan.frequency]
        terms = abs(plan.amount - target)
    elif ask.instalments is not None:
        terms = abs(plan.count - ask.instalments)
    days = abs((plan.first - ask.first_date).days) if ask.first_date is not None else 0
    return (kind_miss, freq_miss, terms, days, plan.rank, plan.first, plan.amount)


def nearest(policy: Policy, balance: int, today: dt.date, ask: Ask) -> tuple[tuple, Candidate]:
    digits = policy.minor_digits
    hardship = ask.hardship and policy.hardship is not None
    if ask.settlement is not None and policy.settlement is not None:
        plans = settlement_plans(policy, balance, today)
    else:
        plans = instalment_plans(policy, balance, today, hardship)
    return min(((key(ask, p, digits), p) for p in plans), key=lambda kp: kp[0])


def as_candidate(decision: Decision, policy: Policy) -> Candidate:
    """The engine's decision in the oracle's terms."""
    digits = policy.minor_digits
    rows = tuple((row.due, minor(row.amount, digits)) for row in decision.schedule)
    if decision.kind == "settlement":
        return Candidate("settlement", None, rows[0][0], rows[0][1], 1, rows)
    frequency = decision.frequency.value
    rules = policy.rules(decision.hardship)
    rank = [f.value for f in rules.frequencies].index(frequency)
    assert decision.instalment_amount is not None
    return Candidate(
        "instalments", frequency, rows[0][0], minor(decision.instalment_amount, digits),
        decision.instalment_count, rows, rank,
    )


def frequency_of(value: str | None) -> Frequency | None:
    return None if value is None else Frequency(value)


def policy_data(**instalments: object) -> dict:
    """A small valid policy as YAML would give it; ``instalments`` overrides its rules."""
    rules: dict = {
        "frequencies": ["monthly"],
        "max_count": 6,
        "min_amount": "25.00",
        "max_duration_days": 200,
        "first_payment_within_days": 14,
    }
    rules.update(instalments)
    return {
        "id": "test-creditor",
        "name": "Test Creditor",
        "version": "1",
        "currency": "USD",
        "jurisdiction": "US",
        "languages": ["en"],
        "disclosures": ["ai_assistant"],
        "identity": {"factors": ["name", "postcode"], "max_attempts": 3},
        "calling_hours": {"start": "08:00", "end": "21:00"},
        "instalments": rules,
    }
