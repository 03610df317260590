"""The demo accounts and their creditors' rules, and times written as the debtor's clock
shows them."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from voicebot.compliance import ComplianceRules, build_rules, rules_for_policy
from voicebot.policy import load_accounts, load_policies
from voicebot.settings import PROJECT_ROOT

SHIPPED = PROJECT_ROOT / "policies"
POLICIES = load_policies(SHIPPED)
ACCOUNTS = load_accounts(SHIPPED / "accounts.yaml")

JANE = ACCOUNTS["100200"]  # acme-telecom, US, America/Los_Angeles
MARIE = ACCOUNTS["300400"]  # northwind-energy, FR, Europe/Paris, no Sunday calls
JOHN = ACCOUNTS["500600"]  # contoso-bank, US, America/New_York

EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def rules_of(account) -> ComplianceRules:
    """The rules in force for a demo account's creditor."""
    return rules_for_policy(POLICIES[account.creditor])


def hours(start: str, end: str, days: tuple[str, ...] = EVERY_DAY) -> SimpleNamespace:
    """Calling hours shaped like a policy's ``CallingHours``."""
    return SimpleNamespace(
        start=dt.time.fromisoformat(start), end=dt.time.fromisoformat(end), days=days
    )


def section(**values) -> SimpleNamespace:
    """A policy's ``compliance:`` section with only ``values`` set."""
    fields = ("calling_window", "max_attempts", "attempts_window_days",
              "quiet_days_after_conversation", "retention_days")
    return SimpleNamespace(**{name: values.get(name) for name in fields})


def rules_for(jurisdiction: str, creditor_hours=None, **values) -> ComplianceRules:
    """Rules for a jurisdiction with a compliance section of ``values``."""
    return build_rules(jurisdiction, section(**values), creditor_hours)


def local(account, text: str) -> dt.datetime:
    """``2026-11-03 07:59`` on the account's clock, as an aware datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(account.timezone))


def utc(text: str) -> dt.datetime:
    """A UTC instant from ``2026-11-03 15:59``."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
