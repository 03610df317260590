"""Creditor policies as data, and the pure engine that decides payment plans.

A language model may propose a plan; only :func:`decide` and :func:`options`
decide which plans the bot may offer or accept.
"""

from voicebot.policy.accounts import Account, load_accounts
from voicebot.policy.engine import Ask, Decision, decide, options
from voicebot.policy.loading import (
    PolicyFileError,
    find_policy,
    load_policies,
    load_policy,
    parse_policy,
)
from voicebot.policy.models import Frequency, InstalmentRules, Policy
from voicebot.policy.schedule import Instalment, QuoteError, rule_breaks

__all__ = [
    "Account",
    "Ask",
    "Decision",
    "Frequency",
    "Instalment",
    "InstalmentRules",
    "Policy",
    "PolicyFileError",
    "QuoteError",
    "decide",
    "find_policy",
    "load_accounts",
    "load_policies",
    "load_policy",
    "options",
    "parse_policy",
    "rule_breaks",
]
