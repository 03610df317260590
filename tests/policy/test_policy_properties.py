"""Property tests: every plan complies, and none is farther from the ask than another.

Policies, balances, dates and asks are generated; the engine's answer is checked
against the independent brute-force reference in ``policy_oracle``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from fractions import Fraction

import policy_oracle as oracle
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from voicebot.policy import Ask, PolicyFileError, decide, options, parse_policy
from voicebot.settings import PROJECT_ROOT

FREQUENCIES = ["monthly", "fortnightly", "weekly"]
MIN_PERIOD = {"weekly": 7, "fortnightly": 14, "monthly": 28}
FAST = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def longest_wait(days: list[int]) -> int:
    start, longest, gap = dt.date(2024, 1, 1), 0, 0
    for i in range(366 * 4 + 62):
        gap = 0 if (start + dt.timedelta(days=i)).day in days else gap + 1
        longest = max(longest, gap)
    return longest


def money(minor: int, digits: int) -> str:
    return str(Decimal(minor).scaleb(-digits))


@st.composite
def rules_data(draw, digits: int) -> dict:
    frequencies = draw(st.permutations(FREQUENCIES))[: draw(st.integers(1, 3))]
    days = draw(
        st.one_of(
            st.none(),
            st.sets(st.integers(1, 31), min_size=18),
            st.sets(st.integers(1, 31), min_size=1, max_size=3),
        ).filter(lambda d: d is None or min(d) <= 28)
    )
    window = draw(st.integers(0, 5))
    if "monthly" in frequencies and days is not None:
        window = max(window, longest_wait(sorted(days)))
    elif "monthly" in frequencies:
        window = max(window, 3)
    down = draw(
        st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {"min_percent": st.integers(0, 60), "min_amount": st.integers(0, 150)}
            ).filter(lambda d: d["min_percent"] or d["min_amount"]),
        )
    )
    max_count = draw(st.integers(1, 8))
    steps = max_count - 1 + (1 if down else 0)
    shortest = min(steps * MIN_PERIOD[f] for f in frequencies)
    duration = max(window + draw(st.integers(0, 250)), shortest, 1)
    data: dict = {
        "frequencies": frequencies,
        "max_count": max_count,
        "min_amount": money(draw(st.integers(1, 250)), digits),
        "max_duration_days": duration,
        "first_payment_within_days": window,
    }
    if days is not None:
        data["days_of_month"] = sorted(days)
    if down:
        data["down_payment"] = {
            "min_percent": down["min_percent"],
            "min_amount": money(down["min_amount"], digits),
        }
    return data


@st.composite
def policies(draw):
    currency = draw(st.sampled_from(["USD", "JPY"]))
    digits = 0 if currency == "JPY" else 2
    rules = draw(rules_data(digits))
    data = oracle.policy_data(**rules)
    data["currency"] = currency
    if draw(st.booleans()):
        data["settlement"] = {
            "max_discount_percent": str(draw(st.decimals("0.5", "60", places=1))),
            "within_days": draw(st.integers(0, 5)),
        }
    if draw(st.booleans()):
        hardship: dict = {"max_count": rules["max_count"] + draw(st.integers(1, 6))}
        hardship["max_duration_days"] = rules["max_duration_days"] + draw(st.integers(0, 200))
        if draw(st.booleans()):
            hardship["first_payment_within_days"] = rules["first_payment_within_days"] + 2
        if draw(st.booleans()):
            hardship["down_payment"] = None
        if draw(st.booleans()):
            hardship["frequencies"] = FREQUENCIES
        data["hardship"] = hardship
    try:
        return parse_policy(data)
    except PolicyFileError:  # a rare combination the schema refuses, e.g. a short window
        reject()


@st.composite
def asks(draw, digits: int, today: dt.date, window: int) -> Ask:
    def amount() -> Decimal:
        extra = draw(st.sampled_from([0, 0, 0, 1]))
        return Decimal(draw(st.integers(1, 1200))).scaleb(-(digits + extra))

    terms = draw(st.sampled_from(["amount", "instalments", "settlement", "none"]))
    first = draw(st.none() | st.integers(-3, window + 6))
    return Ask(
        amount=amount() if terms == "amount" else None,
        instalments=draw(st.integers(1, 12)) if terms == "instalments" else None,
        settlement=amount() if terms == "settlement" else None,
        first_date=None if first is None else today + dt.timedelta(days=first),
        frequency=draw(st.none() | st.sampled_from(FREQUENCIES)),
        hardship=draw(st.booleans()),
    )


@st.composite
def quotes(draw, max_balance: int = 800):
    policy = draw(policies())
    today = draw(st.dates(dt.date(2024, 1, 1), dt.date(2030, 12, 31)))
    balance = draw(st.integers(1, max_balance))
    digits = policy.minor_digits
    rules = policy.rules(True)
    ask = draw(asks(digits, today, rules.first_payment_within_days))
    if ask.amount is not None and draw(st.booleans()):
        # aim at the edges of the amounts that give n instalments, and at half units
        rest = balance - oracle.required_down(rules, balance, digits)
        m = oracle.minor(rules.min_amount, digits)
        n = draw(st.integers(1, rules.max_count + 1))
        edge = -(-rest // n) if n == 1 or draw(st.booleans()) else (rest - m) // (n - 1)
        target = Fraction(max(1, edge + draw(st.integers(-2, 2))))
        if draw(st.booleans()):
            target += Fraction(1, 2)
        amount = Decimal(target.numerator) / target.denominator
        ask = dataclasses.replace(ask, amount=amount.scaleb(-digits))
    return policy, Decimal(balance).scaleb(-digits), today, ask


def assert_complies(policy, balance: Decimal, today, ask, decision) -> None:
    digits = policy.minor_digits
    b = oracle.minor(balance, digits)
    rows = [(r.due, oracle.minor(r.amount, digits)) for r in decision.schedule]
    assert decision.balance == balance and decision.currency == policy.currency
    assert decision.accepted or decision.reasons  # a counter-offer always says why
    assert all(r.amount == r.amount.quantize(Decimal(1).scaleb(-digits)) for r in decision.schedule)
    if decision.kind == "settlement":
        assert policy.settlement is not None and ask.settlement is not None
        (due, amount), = rows
        floor = oracle.settlement_plans(policy, b, today).__next__().amount
        assert floor <= amount <= b
        assert 0 <= (due - today).days <= policy.settlement.within_days
        assert decision.discount == balance - decision.total
        assert not decision.requires_human
        return
    hardship = ask.hardship and policy.hardship is not None
    assert decision.hardship == hardship
    rules = policy.rules(hardship)
    frequency = decision.frequency.value
    assert oracle.violations(rules, b, digits, today, frequency, rows) == []
    assert decision.total == balance == sum(r.amount for r in decision.schedule)
    normal = oracle.violations(policy.instalments, b, digits, today, frequency, rows)
    assert decision.requires_human == (hardship and bool(normal))
    # the shape: level instalments, the last one absorbing the rounding
    instalments = [a for (_, a), r in zip(rows, decision.schedule, strict=True)
                   if r.role == "instalment"]
    assert all(a == instalments[0] for a in instalments[:-1])
    assert not instalments or 0 < instalments[-1] <= instalments[0]


@FAST
@given(quotes())
def test_the_engine_returns_the_nearest_compliant_plan(quote):
    policy, balance, today, ask = quote
    decision = decide(policy, balance, today, ask)
    assert_complies(policy, balance, today, ask, decision)
    digits = policy.minor_digits
    got = oracle.as_candidate(decision, policy)
    best_key, best = oracle.nearest(policy, oracle.minor(balance, digits), today, ask)
    assert oracle.key(ask, got, digits) == best_key
    assert got.rows == best.rows
    assert decision.accepted == (not ask.is_empty and best_key[:4] == (0, 0, 0, 0))


@settings(max_examples=200, deadline=None)
@given(quotes(max_balance=10**8))
def test_large_balances_always_get_a_compliant_plan(quote):
    policy, balance, today, ask = quote
    assert_complies(policy, balance, today, ask, decide(policy, balance, today, ask))


DEMO = {p.stem: p for p in (PROJECT_ROOT / "policies").glob("*.yaml") if p.stem != "accounts"}


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(DEMO)),
    st.integers(1, 10**7),
    st.dates(dt.date(2025, 1, 1), dt.date(2030, 12, 31)),
    st.data(),
)
def test_demo_creditors_comply_for_any_balance_and_ask(creditor, minor, today, data):
    from voicebot.policy import load_policy

    policy = load_policy(DEMO[creditor])
    balance = Decimal(minor).scaleb(-2)
    ask = data.draw(asks(2, today, 40))
    decision = decide(policy, balance, today, ask)
    assert_complies(policy, balance, today, ask, decision)
    for option in options(policy, balance, today, hardship=ask.hardship):
        assert option.accepted
        assert_complies(policy, balance, today, option.ask, option)
