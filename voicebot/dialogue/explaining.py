"""Why a plan differs from what was asked, and answers to callers' questions,
in words a caller understands, from the policy's own figures.

Every number said here is one of the policy's limits (the smallest instalment,
the most instalments, the down-payment percentage, a number of days), which
``policy_numbers`` lists for the reply guard.
"""

from __future__ import annotations

from decimal import Decimal

from voicebot.dialogue.prompts import Prompts
from voicebot.dialogue.wording import money, spoken_forms
from voicebot.policy import Ask, Decision, Frequency, Policy

# "the smallest monthly payment", "le plus petit paiement mensuel".
_ONE_PAYMENT = {
    "en": {Frequency.WEEKLY: "weekly", Frequency.FORTNIGHTLY: "fortnightly",
           Frequency.MONTHLY: "monthly"},
    "fr": {Frequency.WEEKLY: "hebdomadaire", Frequency.FORTNIGHTLY: "bimensuel",
           Frequency.MONTHLY: "mensuel"},
}
_PAYMENTS = {
    "en": _ONE_PAYMENT["en"],
    "fr": {Frequency.WEEKLY: "hebdomadaires", Frequency.FORTNIGHTLY: "bimensuels",
           Frequency.MONTHLY: "mensuels"},
}


def rule_values(policy: Policy, language: str, *, hardship: bool = False) -> dict[str, str]:
    """The policy's limits, worded, for the ``reason_*`` and ``answer_*`` templates."""
    rules = policy.rules(hardship)
    down = rules.down_payment
    return {
        "creditor": policy.name,
        "amount": money(rules.min_amount, policy.currency, language),
        "count": str(rules.max_count),
        "frequency": _ONE_PAYMENT[language][rules.frequencies[0]],
        "frequencies": _PAYMENTS[language][rules.frequencies[0]],
        "percent": f"{(down.min_percent if down else Decimal(0)).normalize():f}",
        "days": str(rules.first_payment_within_days),
    }


def policy_numbers(policy: Policy) -> set[Decimal]:
    """Every number the policy's limits can put in a reply."""
    numbers: set[Decimal] = set()
    for hardship in (False, True):
        rules = policy.rules(hardship)
        numbers |= {rules.min_amount, Decimal(rules.max_count),
                    Decimal(rules.first_payment_within_days), Decimal(rules.max_duration_days)}
        if rules.down_payment is not None:
            numbers |= {rules.down_payment.min_percent, rules.down_payment.min_amount}
    if policy.settlement is not None:
        numbers |= {policy.settlement.max_discount_percent,
                    Decimal(policy.settlement.within_days)}
    return spoken_forms(numbers)


def why(decision: Decision, policy: Policy, prompts: Prompts) -> str:
    """The rule that made the plan differ from the ask, as one sentence (or "")."""
    ask, language = decision.ask, prompts.language
    values = rule_values(policy, language, hardship=decision.hardship)
    rules = policy.rules(decision.hardship)
    if decision.kind == "settlement":
        if policy.settlement is not None and ask.settlement is not None \
                and ask.settlement < decision.total:
            values["percent"] = f"{policy.settlement.max_discount_percent.normalize():f}"
            return prompts.render("reason_settlement_floor", **values)
        return ""
    if ask.amount is not None and decision.instalment_amount is not None \
            and decision.instalment_amount > ask.amount:
        if ask.amount < rules.min_amount:
            return prompts.render("reason_min_amount", **values)
        values["amount"] = money(decision.instalment_amount, decision, language)
        return prompts.render("reason_lowest", **values)
    if ask.instalments is not None and ask.instalments > rules.max_count:
        return prompts.render("reason_max_count", **values)
    if ask.first_date is not None and decision.schedule and \
            decision.schedule[0].due != ask.first_date:
        return prompts.render("reason_first_date", **values)
    if decision.down_payment and ask != Ask() and ask.instalments != 1:
        return prompts.render("reason_down_payment", **values)
    return ""


def answer(topic: str, policy: Policy, prompts: Prompts) -> str:
    """The answer to a caller's question on ``topic``: the policy's own, else the prompts'."""
    language = prompts.language
    own = policy.answers.get(language, {}).get(topic)  # type: ignore[call-overload]
    if own:
        return own
    values = rule_values(policy, language)
    if topic == "down_payment_why" and policy.instalments.down_payment is None:
        return prompts.render("answer_no_down_payment", **values)
    name = f"answer_{topic}"
    if name not in prompts.templates:
        name = "answer_unknown"
    return prompts.render(name, **values)
