"""Account flags stop calls and make a call hand off; disclosures and jurisdictions."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from compliance_support import JANE, JOHN, MARIE, POLICIES, local, rules_for, rules_of

from voicebot.compliance import (
    CallAction,
    Flag,
    FlagRecord,
    Regime,
    Rule,
    call_directive,
    can_call,
    default_rules,
    disclosures_for_call,
    missing_disclosures,
    parse_flag,
    regime_of,
    required_disclosures,
)
from voicebot.policy import parse_policy

NOW = local(JOHN, "2026-11-10 12:00")
DAY = dt.timedelta(days=1)


def flagged(flag: Flag, account=JOHN, age=DAY, cleared_age=None) -> FlagRecord:
    cleared = None if cleared_age is None else NOW - cleared_age
    return FlagRecord(flag, account.reference, NOW - age, cleared)


@pytest.mark.parametrize(
    ("flag", "stops", "source"),
    [
        (Flag.DISPUTE, True, "FDCPA §809(b)"),
        (Flag.CEASE_CONTACT, True, "FDCPA §805(c)"),
        (Flag.ATTORNEY, True, "FDCPA §805(a)(2)"),
        (Flag.BANKRUPTCY, True, "11 U.S.C. §362"),
        (Flag.VULNERABILITY, False, None),
    ],
)
def test_each_flag_stops_calls_and_hands_off(flag, stops, source):
    record = flagged(flag)
    decision = can_call(JOHN, NOW, [], [record], rules_of(JOHN))
    assert not decision.allowed
    assert decision.rule is Rule.for_flag(flag) and decision.rule.value == f"flag.{flag}"
    assert decision.next_allowed is None  # until a person clears the flag
    assert f"flagged {flag}" in decision.reason
    if source:
        assert source in decision.reason
    directive = call_directive(JOHN, NOW, [record], rules_of(JOHN))
    assert directive.action is CallAction.HAND_OFF
    assert directive.collection_stopped is stops
    assert directive.priority is (flag is Flag.VULNERABILITY)
    assert directive.flags == (flag,)
    assert directive.disclosures == ("us_debt_collector_notice",)  # said before the hand-off


@pytest.mark.parametrize(
    ("record", "active"),
    [
        (flagged(Flag.DISPUTE), True),
        (flagged(Flag.DISPUTE, age=dt.timedelta(0)), True),  # set at this very instant
        (flagged(Flag.DISPUTE, age=-dt.timedelta(seconds=1)), False),  # set later
        (flagged(Flag.DISPUTE, account=JANE), False),  # another account
        (flagged(Flag.DISPUTE, age=3 * DAY, cleared_age=DAY), False),  # verified, cleared
        (flagged(Flag.DISPUTE, age=3 * DAY, cleared_age=dt.timedelta(0)), False),
        (flagged(Flag.DISPUTE, age=3 * DAY, cleared_age=-dt.timedelta(seconds=1)), True),
        (flagged(Flag.CEASE_CONTACT, age=3650 * DAY), True),  # flags do not wear off
    ],
)
def test_when_a_flag_is_in_force(record, active):
    decision = can_call(JOHN, NOW, [], [record], rules_of(JOHN))
    assert decision.allowed is not active
    directive = call_directive(JOHN, NOW, [record], rules_of(JOHN))
    assert directive.action is (CallAction.HAND_OFF if active else CallAction.PROCEED)


def test_no_flag_proceeds_with_the_disclosures():
    directive = call_directive(JANE, NOW, [], rules_of(JANE))
    assert (directive.action, directive.collection_stopped, directive.priority) == (
        CallAction.PROCEED, False, False)
    assert directive.as_dict() == {
        "action": "proceed", "collection_stopped": False, "priority": False, "flags": [],
        "disclosures": ["us_debt_collector_notice"], "reason": "no flag on the account",
    }


def test_a_flag_decides_before_the_hours():
    at = local(JOHN, "2026-11-10 03:00")
    decision = can_call(JOHN, at, [], [flagged(Flag.ATTORNEY)], rules_of(JOHN))
    assert decision.rule is Rule.FLAG_ATTORNEY


def test_several_flags_are_all_reported_in_a_fixed_order():
    records = [flagged(Flag.VULNERABILITY), flagged(Flag.BANKRUPTCY), flagged(Flag.DISPUTE)]
    assert can_call(JOHN, NOW, [], records, rules_of(JOHN)).rule is Rule.FLAG_DISPUTE
    directive = call_directive(JOHN, NOW, records, rules_of(JOHN))
    assert directive.flags == (Flag.DISPUTE, Flag.BANKRUPTCY, Flag.VULNERABILITY)
    assert directive.collection_stopped and directive.priority
    assert directive.reason.startswith("dispute: the debt is disputed")


def test_flags_count_in_france_without_us_citations():
    at = local(MARIE, "2026-11-10 12:00")
    record = FlagRecord(Flag.BANKRUPTCY, MARIE.reference, at - DAY)
    decision = can_call(MARIE, at, [], [record], rules_of(MARIE))
    assert decision.rule is Rule.FLAG_BANKRUPTCY and "U.S.C." not in decision.reason
    directive = call_directive(MARIE, at, [record], rules_of(MARIE))
    assert directive.action is CallAction.HAND_OFF
    assert directive.disclosures == ("ai_assistant",)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("dispute", Flag.DISPUTE),
        ("cease_contact", Flag.CEASE_CONTACT),
        ("attorney", Flag.ATTORNEY),
        ("bankruptcy", Flag.BANKRUPTCY),
        ("vulnerability", Flag.VULNERABILITY),
        # The hand-off packets' names for the same facts.
        ("stop_contact", Flag.CEASE_CONTACT),
        ("lawyer", Flag.ATTORNEY),
        ("validation", Flag.DISPUTE),
    ],
)
def test_flag_names(text, flag):
    assert parse_flag(text) is flag


def test_a_flag_cannot_be_cleared_before_it_was_set():
    with pytest.raises(ValueError, match="cleared before"):
        FlagRecord(Flag.DISPUTE, "1", NOW, NOW - DAY)


# --------------------------------------------------------------------------- jurisdictions


@pytest.mark.parametrize(
    ("jurisdiction", "regime", "disclosures"),
    [
        ("US", Regime.US, ("us_debt_collector_notice",)),
        ("US-CA", Regime.US, ("us_debt_collector_notice",)),
        ("us-ny", Regime.US, ("us_debt_collector_notice",)),
        ("FR", Regime.FR, ("ai_assistant",)),
        ("FR-75", Regime.FR, ("ai_assistant",)),
        ("DE", Regime.EU, ("ai_assistant",)),
        ("EL", Regime.EU, ("ai_assistant",)),
        ("GR", Regime.EU, ("ai_assistant",)),
        ("GB", Regime.UNKNOWN, ()),  # no longer in the EU
        ("JP", Regime.UNKNOWN, ()),
    ],
)
def test_jurisdictions_and_their_disclosures(jurisdiction, regime, disclosures):
    assert regime_of(jurisdiction) is regime
    assert required_disclosures(jurisdiction) == disclosures
    assert default_rules(jurisdiction).disclosures == disclosures


@pytest.mark.parametrize(
    ("jurisdiction", "window", "attempts", "quiet_days", "retention"),
    [
        ("US", "08:00-21:00", 7, 7, 1095),
        ("US-TX", "08:00-21:00", 7, 7, 1095),
        ("FR", None, None, 0, 730),
        ("IT", None, None, 0, 730),
        ("JP", None, None, 0, None),
    ],
)
def test_default_rules_per_jurisdiction(jurisdiction, window, attempts, quiet_days, retention):
    rules = default_rules(jurisdiction)
    assert (rules.calling_window.describe() if rules.calling_window else None) == window
    assert rules.max_attempts == attempts
    assert rules.quiet_after_conversation == dt.timedelta(days=quiet_days)
    assert rules.attempts_window == rules.consent_window == dt.timedelta(days=7)
    assert rules.retention_days == retention
    assert rules.creditor_hours is None


def test_an_unknown_jurisdiction_never_calls_and_always_hands_off():
    rules = rules_for("JP")
    account = SimpleNamespace(reference="900", timezone="Asia/Tokyo")
    at = dt.datetime(2026, 11, 10, 12, tzinfo=dt.UTC)
    decision = can_call(account, at, [], [], rules)
    assert (decision.allowed, decision.rule, decision.next_allowed) == (
        False, Rule.JURISDICTION, None)
    assert "JP" in decision.reason
    directive = call_directive(account, at, [], rules)
    assert directive.action is CallAction.HAND_OFF and directive.disclosures == ()


def test_fr_and_us_demo_accounts_are_allowed_at_noon_on_a_weekday():
    for account in (JANE, MARIE, JOHN):
        assert can_call(account, local(account, "2026-11-10 12:00"), [], [],
                        rules_of(account)).allowed


def test_what_a_call_must_say_for_each_demo_creditor():
    assert disclosures_for_call(POLICIES["acme-telecom"]) == (
        "us_debt_collector_notice", "ai_assistant")
    assert disclosures_for_call(POLICIES["northwind-energy"]) == (
        "ai_assistant", "fr_debt_collection_notice")
    assert all(missing_disclosures(p) == () for p in POLICIES.values())


def test_a_us_policy_without_the_debt_collection_notice_is_told_so():
    data = POLICIES["contoso-bank"].model_dump(mode="json", exclude_defaults=True)
    data["disclosures"] = ["ai_assistant"]
    policy = parse_policy(data)
    assert missing_disclosures(policy) == ("us_debt_collector_notice",)
    assert disclosures_for_call(policy) == ("us_debt_collector_notice", "ai_assistant")
