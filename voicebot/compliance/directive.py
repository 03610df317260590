"""What a call must do, given what is on record about the account.

Asked when a call starts (inbound or outbound) and again when a flag is set
during it: the disclosures to make, and whether the bot may collect at all or
must hand the call to a person before anything is said about money.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from voicebot.compliance.contact import AccountLike, flag_reason
from voicebot.compliance.jurisdictions import Regime
from voicebot.compliance.records import Flag, FlagRecord, active_flags
from voicebot.compliance.rules import ComplianceRules


class CallAction(StrEnum):
    """What the bot does with the call."""

    PROCEED = "proceed"  # disclosures, identity, then negotiation as usual
    HAND_OFF = "hand_off"  # disclosures, then straight to a person: no talk of money


@dataclass(frozen=True, slots=True)
class CallDirective:
    """The disclosures a call must make and what the bot may do after them.

    ``collection_stopped`` is true when a flag stops collection on the account
    itself, not only in this call (a person must clear the flag); ``priority``
    asks for the person to take the call first (vulnerability). ``flags`` are
    the account's flags that decided, in the order of :class:`Flag`.
    """

    action: CallAction
    collection_stopped: bool
    priority: bool
    flags: tuple[Flag, ...]
    disclosures: tuple[str, ...]
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "action": self.action.value,
            "collection_stopped": self.collection_stopped,
            "priority": self.priority,
            "flags": [flag.value for flag in self.flags],
            "disclosures": list(self.disclosures),
            "reason": self.reason,
        }


def call_directive(
    account: AccountLike, at: dt.datetime, flags: Iterable[FlagRecord], rules: ComplianceRules
) -> CallDirective:
    """What a call with ``account`` at ``at`` must do, given the flags on record.

    Any of dispute, cease_contact, attorney and bankruptcy stops collection: the
    bot hands off at once. Vulnerability hands off too, first in the queue, though
    collection itself has not stopped. Unknown rules hand off as well.
    """
    disclosures = rules.disclosures
    if rules.regime is Regime.UNKNOWN:
        return CallDirective(
            CallAction.HAND_OFF, False, False, (), disclosures,
            f"no contact rules are known for jurisdiction {rules.jurisdiction}",
        )
    found = active_flags(flags, account.reference, at)
    if not found:
        return CallDirective(
            CallAction.PROCEED, False, False, (), disclosures, "no flag on the account"
        )
    reason = "; ".join(f"{flag}: {flag_reason(flag, rules.regime)}" for flag in found)
    return CallDirective(
        CallAction.HAND_OFF,
        collection_stopped=any(flag.stops_collection for flag in found),
        priority=Flag.VULNERABILITY in found,
        flags=found,
        disclosures=disclosures,
        reason=reason,
    )
