"""May the bot call this debtor at this time? One answer, and the rule that decided it.

:func:`can_call` checks an outbound contact (a call the bot places, or a call-back
it offers) against the rules in force, in this order; the first that forbids the
call decides:

1. ``jurisdiction``: no rules are known for the policy's jurisdiction; never.
2. ``flag.<name>``: a flag set on the account (dispute, cease_contact, attorney,
   bankruptcy, vulnerability); until a person clears it.
3. ``after_conversation``: a telephone conversation about the debt took place
   less than ``quiet_after_conversation`` (US: 7 days) before.
4. ``call_frequency``: ``max_attempts`` (US: 7) outbound calls about the debt
   were already placed in the ``attempts_window`` (US: 7 days) before; calls
   the debtor placed, and calls placed with their consent, do not count.
5. ``calling_window``: outside the law's hours (US: 08:00-21:00) in the
   debtor's local time.
6. ``creditor_hours``: outside the creditor's own calling hours.

Rules 3 and 4 are waived while a consent the debtor gave directly (a call-back
they asked for) is less than ``consent_window`` (7 days) old; the hours are not.

**Windows are rolling, in absolute time.** "Within 7 days" means less than
7 × 24 hours before, however the clocks changed in between: a call placed
exactly 7 days after the 1st of 7 calls, or a conversation exactly 7 days
ago, no longer counts. This reading is never looser than counting
calendar days.

``next_allowed`` is the earliest instant at which every rule allows the call,
found by moving to each blocking rule's own next time until none blocks;
``None`` when the call was allowed or no time will do without a person
(a jurisdiction or a flag).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from voicebot.compliance.jurisdictions import Regime
from voicebot.compliance.records import (
    Attempt,
    Consent,
    Conversation,
    Direction,
    Flag,
    FlagRecord,
    active_flags,
    flag_since,
)
from voicebot.compliance.rules import ComplianceRules
from voicebot.compliance.windows import LocalWindow, utc

# Following blocking rules from one time to the next settles within a few steps
# (each step moves past a window, a call dropping out of the count or the quiet
# period); the bound only guards against a rule that would never open.
_MAX_STEPS = 64


class AccountLike(Protocol):
    """What the rules need to know of an account (``voicebot.policy.Account`` has it)."""

    @property
    def reference(self) -> str: ...

    @property
    def timezone(self) -> str: ...


class Rule(StrEnum):
    """The rule that decided; ``allowed`` when none forbids the call."""

    ALLOWED = "allowed"
    JURISDICTION = "jurisdiction"
    FLAG_DISPUTE = "flag.dispute"
    FLAG_CEASE_CONTACT = "flag.cease_contact"
    FLAG_ATTORNEY = "flag.attorney"
    FLAG_BANKRUPTCY = "flag.bankruptcy"
    FLAG_VULNERABILITY = "flag.vulnerability"
    AFTER_CONVERSATION = "after_conversation"
    CALL_FREQUENCY = "call_frequency"
    CALLING_WINDOW = "calling_window"
    CREDITOR_HOURS = "creditor_hours"

    @classmethod
    def for_flag(cls, flag: Flag) -> Rule:
        """The rule a flag decides under."""
        return cls(f"flag.{flag.value}")


FLAG_EFFECT = {
    Flag.DISPUTE: "the debt is disputed; collection is suspended until it is verified",
    Flag.CEASE_CONTACT: "the debtor asked not to be contacted",
    Flag.ATTORNEY: "the debtor has an attorney for this debt; contact goes to the attorney",
    Flag.BANKRUPTCY: "a bankruptcy or over-indebtedness procedure stays collection",
    Flag.VULNERABILITY: "the debtor is in vulnerable circumstances; a trained person makes "
                        "contact, not the bot",
}
US_FLAG_SOURCE = {
    Flag.DISPUTE: "FDCPA §809(b)",
    Flag.CEASE_CONTACT: "FDCPA §805(c)",
    Flag.ATTORNEY: "FDCPA §805(a)(2)",
    Flag.BANKRUPTCY: "11 U.S.C. §362",
}


def flag_reason(flag: Flag, regime: Regime) -> str:
    """What a flag means for contact, with the US law that says so for US accounts."""
    source = US_FLAG_SOURCE.get(flag) if regime is Regime.US else None
    return FLAG_EFFECT[flag] + (f" ({source})" if source else "")


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether a call may be placed, the rule that decided and why, and when it may."""

    allowed: bool
    rule: Rule
    reason: str
    next_allowed: dt.datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready; ``next_allowed`` in ISO 8601 with the debtor's UTC offset."""
        return {
            "allowed": self.allowed,
            "rule": self.rule.value,
            "reason": self.reason,
            "next_allowed": None if self.next_allowed is None else self.next_allowed.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class _Block:
    rule: Rule
    reason: str
    retry_at: dt.datetime | None  # when this rule alone would allow the call (UTC)


def _local(moment: dt.datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%a %Y-%m-%d %H:%M} {zone.key}"


def _days(span: dt.timedelta) -> str:
    days = span / dt.timedelta(days=1)
    return f"{days:g} day{'s' if days != 1 else ''}"


class _Check:
    """The rules for one account and debt, asked at any instant."""

    def __init__(
        self, account: AccountLike, debt: str, records: Iterable[Any], rules: ComplianceRules
    ) -> None:
        self.account = account.reference
        self.debt = debt
        self.zone = ZoneInfo(account.timezone)
        self.rules = rules
        records = list(records)
        self.attempts = [r for r in records if isinstance(r, Attempt) and r.debt == debt]
        self.conversations = [
            r for r in records if isinstance(r, Conversation) and r.debt == debt
        ]
        self.consents = [r for r in records if isinstance(r, Consent) and r.debt == debt]
        self.flags = [r for r in records if isinstance(r, FlagRecord)]

    def consent(self, at: dt.datetime) -> Consent | None:
        """The latest consent still in force at ``at``."""
        live = [c for c in self.consents if c.at <= at < c.at + self.rules.consent_window]
        return max(live, key=lambda c: c.at, default=None)

    def block(self, at: dt.datetime) -> _Block | None:
        rules = self.rules
        if rules.regime is Regime.UNKNOWN:
            return _Block(
                Rule.JURISDICTION,
                f"no contact rules are known for jurisdiction {rules.jurisdiction}; "
                "the bot does not call there",
                None,
            )
        flags = active_flags(self.flags, self.account, at)
        if flags:
            flag = flags[0]  # the first in the order of Flag decides
            since = flag_since(self.flags, self.account, flag, at)
            return _Block(
                Rule.for_flag(flag),
                f"account {self.account} is flagged {flag} since {_local(since, self.zone)}: "
                f"{flag_reason(flag, rules.regime)}",
                None,
            )
        if self.consent(at) is None:
            found = self.after_conversation(at) or self.frequency(at)
            if found is not None:
                return found
        hours = (
            (Rule.CALLING_WINDOW, rules.calling_window, f"the calling window "
             f"({rules.law.hours_source})"),
            (Rule.CREDITOR_HOURS, rules.creditor_hours, "the creditor's calling hours"),
        )
        for rule, window, what in hours:
            if window is not None and not window.contains(at.astimezone(self.zone)):
                return self.outside(rule, window, what, at)
        return None

    def outside(self, rule: Rule, window: LocalWindow, what: str, at: dt.datetime) -> _Block:
        return _Block(
            rule,
            f"{_local(at, self.zone)} is outside {what}: {window.describe()} local time",
            window.next_open(at, self.zone),
        )

    def after_conversation(self, at: dt.datetime) -> _Block | None:
        quiet = self.rules.quiet_after_conversation
        recent = [c.at for c in self.conversations if c.at <= at < c.at + quiet]
        if not recent:
            return None
        last = max(recent)
        return _Block(
            Rule.AFTER_CONVERSATION,
            f"a telephone conversation about debt {self.debt} at {_local(last, self.zone)} was "
            f"less than {_days(quiet)} before ({self.rules.law.quiet_source})",
            last + quiet,
        )

    def frequency(self, at: dt.datetime) -> _Block | None:
        limit, window = self.rules.max_attempts, self.rules.attempts_window
        if limit is None:
            return None
        placed = sorted(
            c.at for c in self.attempts
            if c.direction is Direction.OUTBOUND and not c.consented
            and c.at <= at < c.at + window
        )
        if len(placed) < limit:
            return None
        return _Block(
            Rule.CALL_FREQUENCY,
            f"{len(placed)} calls about debt {self.debt} were placed in the {_days(window)} "
            f"before; at most {limit} are allowed ({self.rules.law.attempts_source})",
            placed[len(placed) - limit] + window,
        )

    def next_allowed(self, start: _Block, at: dt.datetime) -> dt.datetime | None:
        block: _Block | None = start
        for _ in range(_MAX_STEPS):
            if block is None:
                return at.astimezone(self.zone)
            if block.retry_at is None:
                return None
            at = block.retry_at
            block = self.block(at)
        return None


def can_call(
    account: AccountLike,
    at: dt.datetime,
    history: Iterable[Attempt | Conversation | Consent],
    flags: Iterable[FlagRecord],
    rules: ComplianceRules,
    *,
    debt: str | None = None,
) -> Decision:
    """Whether the bot may call ``account`` about ``debt`` (default: the account's own) at ``at``.

    ``history`` holds the attempts, conversations and consents on record (any
    account: those of this debt are picked out), ``flags`` the flags on record; only what happened
    at or before ``at`` counts. ``at`` must be aware. Pure: nothing is read.
    """
    at = utc(at)
    check = _Check(account, debt or account.reference, [*history, *flags], rules)
    block = check.block(at)
    if block is not None:
        return Decision(False, block.rule, block.reason, check.next_allowed(block, at))
    reason = f"{_local(at, check.zone)}: no rule forbids the call"
    consent = check.consent(at)
    if consent is not None and (check.after_conversation(at) or check.frequency(at)):
        reason += (
            f" (frequency limits waived: the debtor consented "
            f"{_local(consent.at, check.zone)})"
        )
    return Decision(True, Rule.ALLOWED, reason)
