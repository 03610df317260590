"""Plain-English reasons and summaries for the engine's decisions.

The bot (or a person reviewing a call) must be able to say *why* a plan differs
from what the debtor asked, so each reason names the rule that made it so.
Kept apart from the engine so the search stays short; everything here is pure.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from voicebot.policy.models import Frequency
from voicebot.policy.schedule import (
    down_payment_minor,
    format_money,
    from_minor,
    last_step,
    level_intervals,
    settlement_floor_minor,
)

if TYPE_CHECKING:
    from voicebot.policy.engine import Found, Plan, Setup


@dataclass(frozen=True, slots=True)
class Facts:
    """What a reason may refer to: the quote's inputs, the plan and its distance."""

    setup: Setup
    plan: Plan
    rows: list[tuple[dt.date, int]]
    accepted: bool
    requires_human: bool
    found: Found

    def money(self, minor: int | Fraction) -> str:
        digits, currency = self.setup.digits, self.setup.policy.currency
        if isinstance(minor, Fraction):
            if minor.denominator != 1:
                return f"{Decimal(minor.numerator) / minor.denominator / 10**digits:.{digits}f}"\
                    f" {currency}"
            minor = int(minor)
        return format_money(minor, digits, currency)


    def target(self) -> Fraction:
        """The amount asked per instalment, in minor units at the plan's frequency."""
        ask, frequency = self.setup.ask, self.plan.frequency
        assert ask.amount is not None and frequency is not None
        target = Fraction(ask.amount) * 10**self.setup.digits
        if ask.frequency is not None:
            target = target * ask.frequency.per_year / frequency.per_year
        return target

    def asked(self, amount: Decimal) -> str:
        """An amount the debtor asked, with the currency's decimals when it has no more."""
        digits = self.setup.digits
        if amount == amount.quantize(Decimal(1).scaleb(-digits)):
            amount = amount.quantize(Decimal(1).scaleb(-digits))
        return f"{amount} {self.setup.policy.currency}"


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def _count(n: int, frequency: Frequency | None = None) -> str:
    kind = f"{frequency.value} " if frequency is not None else ""
    return f"{n} {kind}instalment{'' if n == 1 else 's'}"


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def _days_text(days: tuple[int, ...]) -> str:
    if len(days) == 1:
        return f"day {days[0]}"
    if days == tuple(range(days[0], days[-1] + 1)):
        return f"days {days[0]} to {days[-1]}"
    return "days " + ", ".join(map(str, days))


def reasons(facts: Facts) -> list[str]:
    """Why the plan is what it is, most important first."""
    setup, plan = facts.setup, facts.plan
    ask, policy = setup.ask, setup.policy
    out: list[str] = []
    if facts.accepted:
        out.append(f"What was asked meets {policy.name}'s rules.")
    elif ask.is_empty:
        out.append(
            "Nothing was asked yet: this is the plan with the lowest instalments "
            f"{policy.name} allows, starting as early as possible."
        )
    if ask.hardship:
        if policy.hardship is None:
            out.append(f"{policy.name} has no hardship arrangement, so its standard rules apply.")
        elif facts.requires_human:
            out.append(
                "This plan goes beyond the standard rules under the hardship arrangement: "
                "a member of staff must approve it before it is agreed."
            )
        elif plan.kind == "instalments":
            out.append("This plan is within the standard rules, so it needs no hardship approval.")
    if plan.kind == "settlement":
        out += _settlement_reasons(facts)
        return out
    if ask.settlement is not None:
        out.append(
            f"{policy.name} does not accept a reduced lump sum (settlement): the full balance "
            f"of {facts.money(setup.balance)} is due, and it can be paid in instalments."
        )
    out += _frequency_reasons(facts)
    out += _terms_reasons(facts)
    out += _date_reasons(facts, setup.rules.first_payment_within_days, "The first payment")
    out += _shape_reasons(facts)
    return out


def _settlement_reasons(facts: Facts) -> list[str]:
    setup, plan = facts.setup, facts.plan
    policy, ask = setup.policy, setup.ask
    assert policy.settlement is not None and ask.settlement is not None
    floor = settlement_floor_minor(policy, setup.balance)
    asked = facts.asked(ask.settlement)
    out: list[str] = []
    if facts.found.terms:
        if plan.amount == floor and ask.settlement < from_minor(floor, setup.digits):
            out.append(
                f"The largest discount {policy.name} allows is "
                f"{_percent(policy.settlement.max_discount_percent)} of the balance, so a "
                f"settlement must be at least {facts.money(floor)}; {asked} was asked."
            )
        elif plan.amount == setup.balance:
            out.append(f"The balance is only {facts.money(setup.balance)}; paying it settles it.")
        else:
            out.append(
                f"{asked} has more decimals than {policy.currency} allows; the nearest amount "
                f"is {facts.money(plan.amount)}."
            )
    out += _date_reasons(facts, policy.settlement.within_days, "A settlement")
    end = setup.today + dt.timedelta(days=policy.settlement.within_days)
    if plan.amount < setup.balance:
        out.append(
            f"The discount of {facts.money(setup.balance - plan.amount)} holds only if "
            f"{facts.money(plan.amount)} is paid by {end}."
        )
    return out


def _frequency_reasons(facts: Facts) -> list[str]:
    setup, plan = facts.setup, facts.plan
    wanted, name = setup.ask.frequency, setup.policy.name
    if wanted is None or wanted is plan.frequency:
        return []
    offered = ", ".join(f.value for f in setup.rules.frequencies)
    out = [f"{name} does not offer {wanted.value} payments (it offers: {offered})."]
    if setup.ask.amount is not None and not plan.single:
        assert plan.frequency is not None
        out.append(
            f"{facts.asked(setup.ask.amount)} {wanted.value} is about "
            f"{facts.money(facts.target())} {plan.frequency.value}."
        )
    return out


def _limits(facts: Facts) -> tuple[int, int, int]:
    """The most level instalments allowed by count, by amount, and by time from the date."""
    setup, plan = facts.setup, facts.plan
    assert plan.frequency is not None
    if not setup.rest:
        return setup.rules.max_count, 0, 0
    cap = min(setup.rest // setup.minimum, setup.rules.max_count + 1)  # more never binds
    spans = level_intervals(setup.rest, setup.minimum, cap)
    by_amount = max((n for n, span in enumerate(spans, 1) if span is not None), default=0)
    steps = last_step(plan.frequency, plan.first, setup.limit, setup.floor)
    return setup.rules.max_count, by_amount, max(0, steps - setup.offset + 1)


def _terms_reasons(facts: Facts) -> list[str]:
    setup, plan = facts.setup, facts.plan
    ask, rules, name = setup.ask, setup.rules, setup.policy.name
    if not facts.found.terms:
        return []
    by_count, by_amount, by_time = _limits(facts)
    most = min(by_count, by_amount, by_time)
    after = " after the down payment" if setup.down else ""
    if ask.instalments is not None:
        if plan.count >= ask.instalments:
            return [
                f"{ask.instalments} instalments are not possible for this balance; the nearest "
                f"possible number is {plan.count}."
            ]
        if plan.single and most == 0:
            return []  # explained by _shape_reasons
        if most == by_count:
            return [f"{name} allows at most {_count(rules.max_count)}{after}."]
        if most == by_amount:
            return [
                f"Each instalment must be at least {facts.money(setup.minimum)}, so at most "
                f"{_count(most)}{after} are possible for this balance."
            ]
        return [
            f"At most {_count(most, plan.frequency)}{after} can fall within "
            f"{_days(rules.max_duration_days)} of today."
        ]
    assert ask.amount is not None
    asked = facts.asked(ask.amount)
    if plan.single and ask.amount >= from_minor(setup.balance, setup.digits):
        return [f"The balance is only {facts.money(setup.balance)}; it can be paid at once."]
    if plan.single and most == 0:
        return []
    spans = level_intervals(setup.rest, setup.minimum, most) if setup.rest else []
    lowest = min((span[0] for span in spans if span is not None), default=setup.balance)
    if plan.amount == lowest and facts.target() < lowest:
        return [
            f"The lowest instalment possible is {facts.money(lowest)}: {name} allows at most "
            f"{_count(rules.max_count, plan.frequency)}{after}, each at least "
            f"{facts.money(setup.minimum)}, all due within {_days(rules.max_duration_days)}."
        ]
    return [
        f"No plan has instalments of exactly {asked}; the nearest amount that splits the "
        f"balance into instalments of at least {facts.money(setup.minimum)} each, within "
        f"{_count(rules.max_count)}, is {facts.money(plan.amount)}."
    ]


def _date_reasons(facts: Facts, window: int, subject: str) -> list[str]:
    setup, plan = facts.setup, facts.plan
    wanted = setup.ask.first_date
    if wanted is None or not facts.found.days:
        return []
    end = setup.today + dt.timedelta(days=window)
    if wanted < setup.today:
        return [f"{subject} cannot be due before today ({setup.today})."]
    if wanted > end:
        return [f"{subject} must be made within {_days(window)} of today, by {end}."]
    days = setup.rules.days_of_month
    if plan.frequency is Frequency.MONTHLY and wanted.day not in days:
        return [f"Monthly payments can fall only on {_days_text(days)} of the month."]
    return [
        f"A first payment on {wanted} leaves no room for these terms within "
        f"{_days(setup.rules.max_duration_days)} of today; the nearest date that does is "
        f"{plan.first}."
    ]


def _shape_reasons(facts: Facts) -> list[str]:
    setup, plan, rows = facts.setup, facts.plan, facts.rows
    rules, money = setup.rules, facts.money
    required = down_payment_minor(rules, setup.balance, setup.digits)
    if plan.single:
        ask = setup.ask
        if (ask.amount is not None and ask.amount >= from_minor(setup.balance, setup.digits)) or (
            ask.instalments == 1
        ):
            return []  # a single payment is what was asked
        if setup.balance < setup.minimum:
            return [
                f"The balance is below the minimum instalment of {money(setup.minimum)}, so it "
                "is due in a single payment."
            ]
        if required and setup.balance - required < setup.minimum:
            return [
                f"After the required down payment less than the minimum instalment of "
                f"{money(setup.minimum)} would remain, so the balance is due in a single payment."
            ]
        if min(_limits(facts)) == 0:
            after = " after the down payment" if required else ""
            return [
                f"No instalment plan fits {setup.policy.name}'s rules for this balance (at most "
                f"{_count(rules.max_count)} of at least {money(setup.minimum)}{after}, all due "
                f"within {_days(rules.max_duration_days)} of today), so it is due in a single "
                "payment."
            ]
        return []
    out: list[str] = []
    dp = rules.down_payment
    if setup.down and dp is not None:
        share = math.ceil(Fraction(dp.min_percent) * setup.balance / 100)
        basis = (
            f"{_percent(dp.min_percent)} of the balance"
            if share >= setup.down
            else "the minimum down payment"
        )
        out.append(
            f"A down payment of {money(setup.down)} ({basis}) is due on {plan.first}, "
            "before the instalments."
        )
    last = rows[-1][1]
    if plan.count > 1 and last != plan.amount:
        out.append(
            f"The last instalment is {money(last)} so that the payments add up to exactly "
            f"{money(setup.balance)}."
        )
    return out


def summary(facts: Facts) -> str:
    """One sentence the bot can read out or log."""
    setup, plan, rows, money = facts.setup, facts.plan, facts.rows, facts.money
    if plan.kind == "settlement":
        return (
            f"Settlement of {money(plan.amount)} due {plan.first} for the balance of "
            f"{money(setup.balance)}."
        )
    if plan.single:
        return f"Single payment of {money(setup.balance)} due {plan.first}."
    assert plan.frequency is not None
    text = f"down payment of {money(setup.down)} due {plan.first}, then " if setup.down else ""
    noun = "instalment" if plan.count == 1 else "instalments"
    text += f"{plan.count} {plan.frequency.value} {noun} of {money(plan.amount)}"
    if rows[-1][1] != plan.amount:
        text += f" (the last {money(rows[-1][1])})"
    first_instalment = rows[setup.offset][0]
    if plan.count == 1:
        text += f" due {first_instalment}."
    else:
        text += f" from {first_instalment} to {rows[-1][0]}."
    return text[0].upper() + text[1:]
