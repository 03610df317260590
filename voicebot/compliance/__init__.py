"""Contact rules per jurisdiction: when the bot may call, what a call must say and do,
and how long personal data is kept.

Pure: the account, the time, the contact history and the flags are passed in as
plain values (:mod:`voicebot.compliance.records`), so whoever stores them feeds
the same functions. The rules come from a policy's jurisdiction and its optional
``compliance:`` section (:func:`rules_for_policy`).
"""

from voicebot.compliance.contact import AccountLike, Decision, Rule, can_call
from voicebot.compliance.directive import CallAction, CallDirective, call_directive
from voicebot.compliance.jurisdictions import (
    Disclosure,
    Law,
    Regime,
    law_of,
    regime_of,
    required_disclosures,
)
from voicebot.compliance.records import (
    Attempt,
    Consent,
    Conversation,
    Direction,
    Flag,
    FlagRecord,
    HistoryRecord,
    RecordError,
    active_flags,
    from_dict,
    parse_flag,
)
from voicebot.compliance.retention import (
    RetainedRecord,
    due_for_purge,
    is_due,
    purge_cutoff,
)
from voicebot.compliance.rules import (
    ComplianceRules,
    build_rules,
    default_rules,
    disclosures_for_call,
    missing_disclosures,
    rules_for_policy,
)
from voicebot.compliance.windows import LocalWindow

__all__ = [
    "AccountLike",
    "Attempt",
    "CallAction",
    "CallDirective",
    "ComplianceRules",
    "Consent",
    "Conversation",
    "Decision",
    "Direction",
    "Disclosure",
    "Flag",
    "FlagRecord",
    "HistoryRecord",
    "Law",
    "LocalWindow",
    "RecordError",
    "Regime",
    "RetainedRecord",
    "Rule",
    "active_flags",
    "build_rules",
    "call_directive",
    "can_call",
    "default_rules",
    "disclosures_for_call",
    "due_for_purge",
    "from_dict",
    "is_due",
    "law_of",
    "missing_disclosures",
    "parse_flag",
    "purge_cutoff",
    "regime_of",
    "required_disclosures",
    "rules_for_policy",
]
