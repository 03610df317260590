"""The plan engine: the only code that decides which payment plans the bot may offer.

It is pure and deterministic (no I/O, no clock: ``today`` is passed in, no
randomness), so a decision can be replayed from its inputs, tested exhaustively
and trusted over whatever a language model proposed.

**The plans** (for a policy, a balance B and today). The rules in force are the
policy's instalment rules, or its hardship rules when the debtor claims hardship
and the policy has them. Let D be the required down payment (the larger of
``min_percent`` of B and ``min_amount``, rounded up to the minor unit, at most B)
and m the minimum instalment.

* A *single payment* of B, due on a first date d.
* A *level plan* of frequency f with first date d and regular amount a: when
  0 < D < B, a down payment of D due on d, then n instalments of the rest
  Q = B - D due one period after another from one period after d; when D = 0,
  n instalments of Q = B from d. The n = ceil(Q / a) instalments are a, ..., a
  and a last one Q - (n-1)·a, which is at most a ("rounding is absorbed by the
  last instalment"). With n given, the plan the engine uses is the even split
  a = ceil(Q / n).
* A *settlement* of amount s due on date d (only when the policy allows it).

A plan is *compliant* when its frequency is allowed; d is within the
first-payment window and, for monthly plans, on an allowed day of the month;
every instalment (last included) is at least m; n <= ``max_count``; and the last
due date is within ``max_duration_days`` of today. A single payment is always
compliant whatever m and D. A settlement is compliant when its amount is between
the balance less the largest discount (rounded up) and B, and d within its
window. Monthly due dates keep the first date's day of the month, clamped to the
month's length and to the allowed days; weekly adds 7 days, fortnightly 14.

**Nearest.** The engine returns the compliant plan that is smallest in this
order, comparing the tuples left to right:

1. kind: 0 when it is the kind asked (a settlement when a settlement is asked
   and the policy allows one, otherwise instalments), else 1;
2. frequency: 0 when no frequency was asked or it is the one asked, else 1;
3. terms: for an amount asked, |a - X| where X is the asked amount converted to
   the plan's frequency (X · asked payments per year / plan payments per year;
   52 weekly, 26 fortnightly, 12 monthly) and a the regular amount (B for a
   single payment); for a number asked, |n - N| (a single payment has n = 1);
   for a settlement, |s - S|; 0 when none of these was asked;
4. date: |d - F| in days for a first date F asked, else 0;
5. then, to break ties: the frequency's position in the policy's list, the
   earlier first date, the smaller regular amount (for settlements: the smaller
   amount).

Plans are unique in the last three keys, so the order is total and the answer
deterministic. Consequences: an amount below what is possible gives the lowest
possible instalment; too many instalments gives the most allowed; a date past
the window gives its last allowed date; without a date the earliest is used;
with nothing asked the plan with the lowest instalments starting as early as
possible is proposed. ``accepted`` is true when something was asked (an amount,
a number, a settlement, a date or a frequency) and keys 1 to 4 are all 0: what
was asked is met exactly and the rest is filled in.

``requires_human`` is true when hardship rules were used and the plan is not
compliant with the normal rules; a plan the normal rules allow needs no
approval even if hardship was claimed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Literal

from voicebot.policy import wording
from voicebot.policy.models import Frequency, InstalmentRules, Policy
from voicebot.policy.schedule import (
    Instalment,
    QuoteError,
    Role,
    down_payment_minor,
    due_date,
    floor_days,
    from_minor,
    last_step,
    level_intervals,
    minor_fraction,
    nearest_int,
    rule_breaks,
    settlement_floor_minor,
    to_minor,
)

PlanKind = Literal["instalments", "settlement"]

__all__ = ["Ask", "Decision", "Instalment", "PlanKind", "QuoteError", "decide", "options"]


@dataclass(frozen=True, slots=True)
class Ask:
    """What the debtor asked for; every field is optional.

    ``amount`` is the amount per instalment (at ``frequency``, or at the plan's
    frequency when none is given); it excludes ``instalments`` and
    ``settlement``.
    """

    amount: Decimal | None = None
    instalments: int | None = None
    first_date: dt.date | None = None
    frequency: Frequency | None = None
    settlement: Decimal | None = None
    hardship: bool = False

    def __post_init__(self) -> None:
        if self.frequency is not None and not isinstance(self.frequency, Frequency):
            try:
                object.__setattr__(self, "frequency", Frequency(self.frequency))
            except ValueError:
                allowed = ", ".join(f.value for f in Frequency)
                raise QuoteError(f"unknown frequency {self.frequency!r} ({allowed})") from None
        for name in ("amount", "settlement"):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, int | str) and not isinstance(value, bool):
                try:
                    value = Decimal(value)
                except InvalidOperation:
                    raise QuoteError(f"the {name} asked is not an amount: {value!r}") from None
                object.__setattr__(self, name, value)
            if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
                raise QuoteError(f"the {name} asked must be a positive amount, got {value!r}")
        count = self.instalments
        if count is not None and (type(count) is not int or count < 1):
            raise QuoteError(f"the number of instalments must be at least 1, got {count!r}")
        if self.amount is not None and count is not None:
            raise QuoteError("ask for an amount per instalment or a number of them, not both")
        if self.settlement is not None and (self.amount is not None or count is not None):
            raise QuoteError("a settlement is one payment: ask for it without instalment terms")
        if isinstance(self.first_date, str):
            try:
                object.__setattr__(self, "first_date", dt.date.fromisoformat(self.first_date))
            except ValueError:
                raise QuoteError(f"not a date (YYYY-MM-DD): {self.first_date!r}") from None
        if self.first_date is not None and (
            isinstance(self.first_date, dt.datetime) or not isinstance(self.first_date, dt.date)
        ):
            raise QuoteError(f"the first date must be a date, got {self.first_date!r}")

    @property
    def is_empty(self) -> bool:
        """Nothing asked yet (a hardship claim alone asks for no terms)."""
        return (self.amount, self.instalments, self.settlement, self.first_date,
                self.frequency) == (None,) * 5

    def as_dict(self) -> dict[str, Any]:
        return {
            "amount": None if self.amount is None else str(self.amount),
            "instalments": self.instalments,
            "first_date": None if self.first_date is None else self.first_date.isoformat(),
            "frequency": None if self.frequency is None else self.frequency.value,
            "settlement": None if self.settlement is None else str(self.settlement),
            "hardship": self.hardship,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """The engine's answer: a compliant plan, and whether it is what was asked."""

    accepted: bool
    kind: PlanKind
    frequency: Frequency | None
    currency: str
    balance: Decimal
    total: Decimal
    schedule: tuple[Instalment, ...]
    reasons: tuple[str, ...]
    requires_human: bool
    policy_id: str
    policy_version: str
    down_payment: Decimal
    instalment_amount: Decimal | None
    instalment_count: int
    discount: Decimal
    hardship: bool
    valid_until: dt.date | None
    ask: Ask
    summary: str
    label: str = ""

    @property
    def count(self) -> int:
        """Number of payments, the down payment included."""
        return len(self.schedule)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: amounts as strings with the currency's decimals, dates ISO."""
        return {
            "accepted": self.accepted,
            "kind": self.kind,
            "frequency": None if self.frequency is None else self.frequency.value,
            "currency": self.currency,
            "balance": str(self.balance),
            "total": str(self.total),
            "count": self.count,
            "instalments": self.instalment_count,
            "instalment_amount": (
                None if self.instalment_amount is None else str(self.instalment_amount)
            ),
            "down_payment": str(self.down_payment),
            "discount": str(self.discount),
            "valid_until": None if self.valid_until is None else self.valid_until.isoformat(),
            "schedule": [
                {"due": row.due.isoformat(), "amount": str(row.amount), "role": row.role}
                for row in self.schedule
            ],
            "reasons": list(self.reasons),
            "requires_human": self.requires_human,
            "hardship": self.hardship,
            "policy_id": self.policy_id,
            "policy_version": self.policy_version,
            "summary": self.summary,
            "label": self.label,
            "ask": self.ask.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class Setup:
    """A quote's inputs in minor units, computed once."""

    policy: Policy
    rules: InstalmentRules
    hardship: bool  # hardship asked and the policy has a hardship variant
    ask: Ask
    today: dt.date
    digits: int
    balance: int
    down: int
    rest: int  # split into instalments after the down payment
    offset: int  # 1 when the first instalment follows a down payment
    minimum: int
    limit: dt.date  # last day a payment may be due
    floor: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """A candidate plan by its parameters; ``amount`` is the regular instalment."""

    kind: PlanKind
    frequency: Frequency | None
    first: dt.date
    amount: int
    count: int
    single: bool = False

    def rows(self, setup: Setup) -> list[tuple[dt.date, int]]:
        if self.kind == "settlement" or self.single:
            return [(self.first, self.amount)]
        assert self.frequency is not None
        rows = [(self.first, setup.down)] if setup.down else []
        for i in range(self.count):
            due = due_date(self.frequency, self.first, setup.offset + i, setup.floor)
            last = i == self.count - 1
            rows.append((due, setup.rest - (self.count - 1) * self.amount if last else self.amount))
        return rows


@dataclass(frozen=True, slots=True)
class Found:
    """The nearest plan and its distance to the ask (keys 1 to 4 of the order)."""

    plan: Plan
    kind_miss: int
    frequency_miss: int
    terms: Fraction
    days: int


def _setup(policy: Policy, balance: Decimal, today: dt.date, ask: Ask) -> Setup:
    if isinstance(today, dt.datetime) or not isinstance(today, dt.date):
        raise QuoteError(f"today must be a date, got {today!r}")
    digits = policy.minor_digits
    if isinstance(balance, int | str) and not isinstance(balance, bool):
        try:
            balance = Decimal(balance)
        except InvalidOperation:
            raise QuoteError(f"the balance is not an amount: {balance!r}") from None
    minor = to_minor(balance, digits, policy.currency, "the balance")
    if minor <= 0:
        raise QuoteError(f"the balance must be above zero to make a plan, got {balance}")
    hardship = ask.hardship and policy.hardship is not None
    rules = policy.rules(hardship)
    down = down_payment_minor(rules, minor, digits)
    if down >= minor:
        down = 0  # the whole balance up front: only the single payment remains
        rest, offset = 0, 0
    else:
        rest, offset = minor - down, 1 if down else 0
    return Setup(
        policy=policy, rules=rules, hardship=hardship, ask=ask, today=today, digits=digits,
        balance=minor, down=down, rest=rest, offset=offset,
        minimum=to_minor(rules.min_amount, digits, policy.currency, "min_amount"),
        limit=today + dt.timedelta(days=rules.max_duration_days),
        floor=floor_days(rules.days_of_month),
    )


def _window(setup: Setup, frequency: Frequency, days: int) -> list[dt.date]:
    today = setup.today
    dates = [today + dt.timedelta(days=i) for i in range(days + 1)]
    if frequency is Frequency.MONTHLY:
        allowed = set(setup.rules.days_of_month)
        dates = [d for d in dates if d.day in allowed]
    return dates


def _nearest_instalments(setup: Setup) -> Found:
    ask, rules = setup.ask, setup.rules
    cap = min(rules.max_count, setup.rest // setup.minimum) if setup.rest else 0
    intervals = level_intervals(setup.rest, setup.minimum, cap)
    wanted = ask.frequency
    best: tuple[Any, ...] | None = None
    for rank, frequency in enumerate(rules.frequencies):
        dates = _window(setup, frequency, rules.first_payment_within_days)
        if not dates:
            continue
        p, q = 0, 1
        if ask.amount is not None:
            target = minor_fraction(ask.amount, setup.digits)
            if wanted is not None and wanted is not frequency:
                target = target * wanted.per_year / frequency.per_year
            p, q = target.numerator, target.denominator

        def room(first: dt.date, frequency: Frequency = frequency) -> int:
            """How many level instalments fit from ``first`` (also within ``cap``)."""
            steps = last_step(frequency, first, setup.limit, setup.floor)
            return min(cap, max(0, steps - setup.offset + 1))

        # prefix[k]: the best (score, amount, n) with at most k level instalments;
        # prefix[0] is the single payment of the whole balance.
        top = room(dates[0])
        if ask.amount is not None:
            prefix = [(abs(setup.balance * q - p), setup.balance, 1)]
        else:
            prefix = [(abs(1 - ask.instalments) if ask.instalments else 0, setup.balance, 1)]
        for n, span in enumerate(intervals[:top], start=1):
            entry = prefix[-1]
            if span is not None:
                if ask.amount is not None:
                    entry = min(entry, (*nearest_int(span[0], span[1], p, q), n))
                elif ask.instalments is not None:
                    entry = min(entry, (abs(n - ask.instalments), span[0], n))
                else:
                    entry = min(entry, (0, span[0], n))
            prefix.append(entry)
        chosen: tuple[Any, ...] | None = None
        for first in dates:
            dist, a, n = prefix[room(first)]
            days = abs((first - ask.first_date).days) if ask.first_date is not None else 0
            key = (dist, days, first, a)
            if chosen is None or key < chosen[0]:
                chosen = (key, n)
            if ask.first_date is None:
                break  # later dates allow no better terms and lose the tie
        assert chosen is not None
        (dist, days, first, a), n = chosen
        miss = 1 if wanted is not None and wanted is not frequency else 0
        key = (miss, Fraction(dist, q), days, rank, first, a)
        if best is None or key < best[0]:
            plan = Plan("instalments", frequency, first, a, n, single=a == setup.balance)
            best = (key, plan)
    if best is None:
        raise QuoteError(f"{setup.policy.id}: no first-payment date fits the policy's rules")
    (miss, terms, days, *_), plan = best
    return Found(plan, 1 if ask.settlement is not None else 0, miss, terms, days)


def _nearest_settlement(setup: Setup) -> Found:
    policy, ask = setup.policy, setup.ask
    assert policy.settlement is not None and ask.settlement is not None
    target = minor_fraction(ask.settlement, setup.digits)
    dist, amount = nearest_int(
        settlement_floor_minor(policy, setup.balance), setup.balance,
        target.numerator, target.denominator,
    )
    end = setup.today + dt.timedelta(days=policy.settlement.within_days)
    wanted = ask.first_date
    due = setup.today if wanted is None else min(max(wanted, setup.today), end)
    days = 0 if wanted is None else abs((due - wanted).days)
    plan = Plan("settlement", None, due, amount, 1)
    return Found(plan, 0, 0, Fraction(dist, target.denominator), days)


def _decision(setup: Setup, found: Found) -> Decision:
    plan, policy, ask = found.plan, setup.policy, setup.ask
    rows = plan.rows(setup)
    digits = setup.digits
    roles: list[Role]
    valid_until = None
    if plan.kind == "settlement":
        assert policy.settlement is not None
        roles = ["settlement"]
        valid_until = setup.today + dt.timedelta(days=policy.settlement.within_days)
        requires_human = False
    else:
        assert plan.frequency is not None
        if plan.single:
            roles = ["single_payment"]
        else:
            roles = (["down_payment"] if setup.down else []) + ["instalment"] * plan.count
        check = {"balance": setup.balance, "digits": digits, "today": setup.today,
                 "frequency": plan.frequency, "rows": rows}
        breaks = rule_breaks(setup.rules, **check)
        if breaks:  # a bug in the search; never let such a plan out
            raise RuntimeError(f"{policy.id}: engine produced a non-compliant plan: {breaks}")
        requires_human = setup.hardship and bool(rule_breaks(policy.instalments, **check))
    schedule = tuple(
        Instalment(due, from_minor(amount, digits), role)
        for (due, amount), role in zip(rows, roles, strict=True)
    )
    total = sum(amount for _, amount in rows)
    accepted = not ask.is_empty and not (
        found.kind_miss or found.frequency_miss or found.terms or found.days
    )
    facts = wording.Facts(setup, plan, rows, accepted, requires_human, found)
    instalments = plan.kind == "instalments"
    return Decision(
        accepted=accepted,
        kind=plan.kind,
        frequency=plan.frequency,
        currency=policy.currency,
        balance=from_minor(setup.balance, digits),
        total=from_minor(total, digits),
        schedule=schedule,
        reasons=tuple(wording.reasons(facts)),
        requires_human=requires_human,
        policy_id=policy.id,
        policy_version=policy.version,
        down_payment=from_minor(setup.down if instalments and not plan.single else 0, digits),
        instalment_amount=from_minor(plan.amount, digits) if instalments else None,
        instalment_count=plan.count if instalments else 0,
        discount=from_minor(setup.balance - total, digits),
        hardship=setup.hardship,
        valid_until=valid_until,
        ask=ask,
        summary=wording.summary(facts),
    )


def decide(policy: Policy, balance: Decimal, today: dt.date, ask: Ask | None = None) -> Decision:
    """The compliant plan nearest to ``ask`` (see the module docstring for "nearest").

    ``balance`` is what the debtor owes, in the policy's currency; it must be
    positive and have no more decimals than the currency. Raises QuoteError
    otherwise.
    """
    setup = _setup(policy, balance, today, ask or Ask())
    if setup.ask.settlement is not None and policy.settlement is not None:
        return _decision(setup, _nearest_settlement(setup))
    return _decision(setup, _nearest_instalments(setup))


_OPTION_REASONS = {
    "pay_in_full": "Option: pay the whole balance at once.",
    "lowest_instalment": "Option: the lowest instalments the rules allow.",
    "hardship_lowest_instalment": (
        "Option: the lowest instalments under the hardship arrangement."
    ),
    "settlement": "Option: the smallest lump sum that settles the debt.",
}


def _as_option(decision: Decision, label: str) -> Decision:
    reasons = [r for r in decision.reasons if not r.startswith("What was asked meets")]
    return dataclasses.replace(
        decision, label=label, reasons=(_OPTION_REASONS[label], *reasons)
    )


def options(
    policy: Policy, balance: Decimal, today: dt.date, *, hardship: bool = False
) -> tuple[Decision, ...]:
    """The menu for "what are my options?": each a plan the debtor can take as is.

    In order: paying in full, the lowest instalments (also under the hardship
    rules when ``hardship`` and they go further), and the smallest settlement
    when the policy allows one. Each decision's ``ask`` reproduces it, and is
    accepted.
    """
    menu = [_as_option(decide(policy, balance, today, Ask(amount=balance)), "pay_in_full")]
    variants = [False, True] if hardship and policy.hardship is not None else [False]
    for wide in variants:
        lowest = decide(policy, balance, today, Ask(hardship=wide))
        if lowest.schedule == menu[-1].schedule:
            continue
        asked = Ask(instalments=lowest.instalment_count, hardship=wide)
        label = "hardship_lowest_instalment" if wide else "lowest_instalment"
        menu.append(_as_option(decide(policy, balance, today, asked), label))
    if policy.settlement is not None:
        setup = _setup(policy, balance, today, Ask())
        smallest = from_minor(settlement_floor_minor(policy, setup.balance), setup.digits)
        offer = decide(policy, balance, today, Ask(settlement=smallest))
        menu.append(_as_option(offer, "settlement"))
    return tuple(menu)
