"""Plans in words, built only from what the policy engine decided, and the numbers they may say.

Every amount and date spoken about a plan comes from a ``Decision``; nothing
here computes money. The wording itself lives in :mod:`voicebot.dialogue.saying`;
this module keeps the names the dialogue imports and the reply guard's list of
numbers a reply about a decision may speak.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from voicebot.dialogue.saying import describe_options, describe_plan, say_amount, year_is_said
from voicebot.policy import Decision, Frequency

__all__ = [
    "allowed_numbers", "describe_options", "describe_plan", "frequency_word", "money",
    "spoken_forms",
]

_FREQUENCY = {
    "en": {Frequency.WEEKLY: "weekly", Frequency.FORTNIGHTLY: "fortnightly",
           Frequency.MONTHLY: "monthly"},
    "fr": {Frequency.WEEKLY: "hebdomadaires", Frequency.FORTNIGHTLY: "bimensuels",
           Frequency.MONTHLY: "mensuels"},
}


def frequency_word(frequency: Frequency, language: str) -> str:
    """The adjective for payments at ``frequency``; plural in French ("paiements mensuels")."""
    return _FREQUENCY[language][frequency]


def money(amount: Decimal, decision_or_currency: Decision | str, language: str) -> str:
    """An amount in the decision's (or the given) currency, as said aloud."""
    currency = (decision_or_currency if isinstance(decision_or_currency, str)
                else decision_or_currency.currency)
    return say_amount(amount, currency, language)


def allowed_numbers(decision: Decision | None, today: dt.date | None = None) -> set[Decimal]:
    """Numbers a reply about ``decision`` may speak: its amounts, counts, days and years.

    Counts include the number of regular payments before a different last one
    (instalments less one, with or without the down payment). Years are allowed
    only for dates said with their year when ``today`` is given
    (:func:`voicebot.dialogue.saying.year_is_said`), for every date otherwise.
    """
    if decision is None:
        return set()
    numbers = {decision.balance, decision.total, decision.discount, Decimal(decision.count),
               Decimal(decision.instalment_count), Decimal(decision.count - 1),
               Decimal(decision.instalment_count - 1)}
    if decision.instalment_amount is not None:
        numbers.add(decision.instalment_amount)
    dates = [row.due for row in decision.schedule]
    numbers |= {row.amount for row in decision.schedule}
    if decision.valid_until is not None:
        dates.append(decision.valid_until)
    for day in dates:
        numbers.add(Decimal(day.day))
        if today is None or year_is_said(day, today):
            numbers.add(Decimal(day.year))
    return spoken_forms(numbers)


def spoken_forms(amounts: set[Decimal]) -> set[Decimal]:
    """The amounts and their spoken parts ("72 dollars and 50 cents": 72.50, 72, 50)."""
    numbers = set(amounts)
    for value in amounts:
        numbers |= {Decimal(int(value)), (value - int(value)) * 100}
    return {n.normalize() for n in numbers}
