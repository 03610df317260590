"""The contact rules in force for one creditor: the law's, tightened by its policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from voicebot.compliance.jurisdictions import Law, Regime, law_of
from voicebot.compliance.windows import LocalWindow

if TYPE_CHECKING:
    from voicebot.policy.models import Policy


@dataclass(frozen=True, slots=True)
class ComplianceRules:
    """Everything the rules need besides the account, the time and the history.

    ``calling_window`` is the law's (or the policy's compliance) window and
    ``creditor_hours`` the creditor's own calling hours; a call must fall in both.
    ``max_attempts`` is ``None`` when no frequency limit applies.
    """

    jurisdiction: str
    regime: Regime
    disclosures: tuple[str, ...]
    calling_window: LocalWindow | None
    creditor_hours: LocalWindow | None
    max_attempts: int | None
    attempts_window: dt.timedelta
    quiet_after_conversation: dt.timedelta
    consent_window: dt.timedelta
    retention_days: int | None

    @property
    def law(self) -> Law:
        """The law these rules start from (for citations)."""
        return law_of(self.jurisdiction)


def build_rules(
    jurisdiction: str, section: Any = None, calling_hours: Any = None
) -> ComplianceRules:
    """Rules for a jurisdiction, with a policy's ``compliance`` section and calling hours.

    ``section`` and ``calling_hours`` are the policy's models (or anything with
    the same fields); left out, the law's defaults apply alone.
    """
    law = law_of(jurisdiction)

    def pick(name: str) -> Any:
        value = None if section is None else getattr(section, name)
        return getattr(law, name) if value is None else value

    window: LocalWindow | None = None
    if section is not None and section.calling_window is not None:
        window = LocalWindow.of(section.calling_window)
    elif law.calling_window is not None:
        window = LocalWindow(*law.calling_window)
    return ComplianceRules(
        jurisdiction=jurisdiction,
        regime=law.regime,
        disclosures=tuple(d.value for d in law.disclosures),
        calling_window=window,
        creditor_hours=None if calling_hours is None else LocalWindow.of(calling_hours),
        max_attempts=pick("max_attempts"),
        attempts_window=dt.timedelta(days=pick("attempts_window_days")),
        quiet_after_conversation=dt.timedelta(days=pick("quiet_days_after_conversation")),
        consent_window=dt.timedelta(days=law.consent_days),
        retention_days=pick("retention_days"),
    )


def default_rules(jurisdiction: str) -> ComplianceRules:
    """The law's rules alone, without any creditor's policy."""
    return build_rules(jurisdiction)


def rules_for_policy(policy: Policy) -> ComplianceRules:
    """The rules in force for a creditor: its jurisdiction, compliance section and hours."""
    return build_rules(policy.jurisdiction, policy.compliance, policy.calling_hours)


def disclosures_for_call(policy: Policy) -> tuple[str, ...]:
    """What a call for this creditor must say: the law's disclosures, then the policy's."""
    required = law_of(policy.jurisdiction).disclosures
    return tuple(dict.fromkeys([*(d.value for d in required), *policy.disclosures]))


def missing_disclosures(policy: Policy) -> tuple[str, ...]:
    """Disclosures the law requires that the policy's ``disclosures`` list leaves out."""
    required = law_of(policy.jurisdiction).disclosures
    return tuple(d.value for d in required if d.value not in policy.disclosures)
