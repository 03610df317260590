"""Plans in words, built only from what the policy engine decided.

Every amount and date spoken about a plan comes from a ``Decision``; nothing
here computes money.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from voicebot.dialogue.money import say_amount, say_date
from voicebot.policy import Decision, Frequency

_FREQUENCY = {
    "en": {Frequency.WEEKLY: "weekly", Frequency.FORTNIGHTLY: "fortnightly",
           Frequency.MONTHLY: "monthly"},
    "fr": {Frequency.WEEKLY: "hebdomadaires", Frequency.FORTNIGHTLY: "bimensuels",
           Frequency.MONTHLY: "mensuels"},
}


def frequency_word(frequency: Frequency, language: str) -> str:
    return _FREQUENCY[language][frequency]


def money(amount: Decimal, decision_or_currency: Decision | str, language: str) -> str:
    currency = (decision_or_currency if isinstance(decision_or_currency, str)
                else decision_or_currency.currency)
    return say_amount(amount, currency, language)


def describe_plan(decision: Decision, language: str, today: dt.date) -> str:
    """"48 dollars today, then 6 monthly payments of 72 dollars from ...", or the French."""
    rows = decision.schedule
    en = language == "en"

    def amount(value: Decimal) -> str:
        return money(value, decision, language)

    def when(day: dt.date) -> str:
        return say_date(day, language, today)

    def on(day: dt.date) -> str:
        """'on Friday, December 5th' / 'le vendredi 5 décembre', or just 'today'."""
        words = when(day)
        if abs((day - today).days) <= 1:
            return words
        return f"on {words}" if en else f"le {words}"

    if decision.kind == "settlement":
        row = rows[0]
        if en:
            return f"a single payment of {amount(row.amount)}, {on(row.due)}"
        return f"un paiement unique de {amount(row.amount)}, {on(row.due)}"
    if len(rows) == 1:
        row = rows[0]
        if en:
            return f"one payment of {amount(row.amount)} {on(row.due)}"
        return f"un paiement de {amount(row.amount)} {on(row.due)}"

    parts = []
    instalments = [r for r in rows if r.role != "down_payment"]
    down = [r for r in rows if r.role == "down_payment"]
    if down:
        parts.append(
            f"a down payment of {amount(down[0].amount)} {on(down[0].due)}, then" if en
            else f"un premier versement de {amount(down[0].amount)} {on(down[0].due)}, puis"
        )
    regular = decision.instalment_amount or instalments[0].amount
    last = instalments[-1]
    freq = frequency_word(decision.frequency or Frequency.MONTHLY, language)
    count = len(instalments)
    first, last_due = instalments[0].due, when(last.due)
    starting = first in (today, today + dt.timedelta(days=1))
    if en:
        since = f"from {when(first)}"
    else:
        since = f"à partir {'d' if first == today else 'de'}{chr(39) if first == today else ' '}" \
                f"{when(first)}" if starting else f"à partir du {when(first)}"
    if last.amount == regular:
        parts.append(
            f"{count} {freq} payments of {amount(regular)}, {since} to {last_due}" if en
            else f"{count} paiements {freq} de {amount(regular)}, {since} jusqu'au {last_due}"
        )
    else:
        parts.append(
            f"{count - 1} {freq} payments of {amount(regular)} {since}, and a last "
            f"payment of {amount(last.amount)} {on(last.due)}" if en
            else f"{count - 1} paiements {freq} de {amount(regular)} {since}, "
            f"et un dernier paiement de {amount(last.amount)} {on(last.due)}"
        )
    return " ".join(parts)


def describe_options(menu: tuple[Decision, ...], language: str, today: dt.date) -> str:
    """The menu of options as sentences, one per option."""
    plans = [describe_plan(decision, language, today) for decision in menu]
    if language == "en":
        return "You could choose " + "; or ".join(plans) + "."
    return "Vous pouvez choisir " + " ; ou ".join(plans) + "."


def allowed_numbers(decision: Decision | None) -> set[Decimal]:
    """Numbers a reply about ``decision`` may speak: its amounts, counts and dates."""
    if decision is None:
        return set()
    numbers = {decision.balance, decision.total, decision.discount, Decimal(decision.count),
               Decimal(decision.instalment_count), Decimal(decision.count - 1),
               Decimal(decision.instalment_count - 1)}
    if decision.instalment_amount is not None:
        numbers.add(decision.instalment_amount)
    for row in decision.schedule:
        numbers |= {row.amount, Decimal(row.due.day), Decimal(row.due.year)}
    if decision.valid_until is not None:
        numbers |= {Decimal(decision.valid_until.day), Decimal(decision.valid_until.year)}
    return spoken_forms(numbers)


def spoken_forms(amounts: set[Decimal]) -> set[Decimal]:
    """The amounts and their spoken parts ("72 dollars and 50 cents": 72.50, 72, 50)."""
    numbers = set(amounts)
    for value in amounts:
        numbers |= {Decimal(int(value)), (value - int(value)) * 100}
    return {n.normalize() for n in numbers}
