"""How long the plan engine takes per quote, for each demo creditor.

Run: .venv/bin/python bench/bench_policy.py [--quotes N]

Each quote is one ``decide`` call on a varied ask (amount, number of
instalments, settlement, first date, frequency, hardship, or nothing) and a
balance around the demo account's; prints the median and 95th percentile.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from voicebot.policy import Ask, Policy, decide, load_accounts, load_policies, options

TODAY = dt.date(2026, 11, 2)


def random_ask(rng: random.Random, balance: Decimal) -> Ask:
    first = None
    if rng.random() < 0.4:
        first = TODAY + dt.timedelta(days=rng.randint(-5, 45))
    frequency = rng.choice([None, None, "monthly", "weekly"])
    hardship = rng.random() < 0.2
    kind = rng.choice(["amount", "instalments", "settlement", "nothing"])
    cents = int(balance * 100)
    if kind == "amount":
        amount = Decimal(rng.randint(100, max(101, cents // 2))).scaleb(-2)
        return Ask(amount=amount, first_date=first, frequency=frequency, hardship=hardship)
    if kind == "instalments":
        count = rng.randint(1, 24)
        return Ask(instalments=count, first_date=first, frequency=frequency, hardship=hardship)
    if kind == "settlement":
        amount = Decimal(rng.randint(cents // 2, cents)).scaleb(-2)
        return Ask(settlement=amount, first_date=first, hardship=hardship)
    return Ask(first_date=first, hardship=hardship)


def measure(policy: Policy, balance: Decimal, count: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        varied = balance if rng.random() < 0.5 else Decimal(
            rng.randint(1, int(balance * 300))
        ).scaleb(-2)
        cases.append((varied, random_ask(rng, varied)))
    for varied, ask in cases[:200]:  # warm up
        decide(policy, varied, TODAY, ask)
    timings = []
    for varied, ask in cases:
        start = time.perf_counter()
        decide(policy, varied, TODAY, ask)
        timings.append(time.perf_counter() - start)
    return timings


def report(label: str, timings: list[float]) -> None:
    ordered = sorted(timings)
    median = statistics.median(ordered) * 1e6
    p95 = ordered[int(len(ordered) * 0.95) - 1] * 1e6
    print(f"{label:<28} {len(ordered):>6} quotes  median {median:7.1f} us  p95 {p95:7.1f} us")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=5000, help="quotes per creditor")
    args = parser.parse_args()
    folder = Path(__file__).resolve().parent.parent / "policies"
    policies = load_policies(folder)
    accounts = load_accounts(folder / "accounts.yaml", policies)
    print(f"Python {sys.version.split()[0]}, {args.quotes} quotes per creditor")
    for seed, account in enumerate(sorted(accounts.values(), key=lambda a: a.creditor)):
        policy = policies[account.creditor]
        report(f"decide {policy.id}", measure(policy, account.balance, args.quotes, seed))
        timings = []
        for _ in range(500):
            start = time.perf_counter()
            options(policy, account.balance, TODAY, hardship=True)
            timings.append(time.perf_counter() - start)
        report(f"options {policy.id}", timings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
