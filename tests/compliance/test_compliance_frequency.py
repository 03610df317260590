"""At most 7 calls in 7 days per debt, none within 7 days after a conversation (Reg F
§1006.14(b)(2)), consent, and the same limits when a policy sets them elsewhere."""

from __future__ import annotations

import datetime as dt

import pytest
from compliance_support import JANE, JOHN, MARIE, local, rules_for, rules_of, utc

from voicebot.compliance import Attempt, Consent, Conversation, Direction, Rule, can_call

DAY = dt.timedelta(days=1)
MINUTE = dt.timedelta(minutes=1)
NOW = local(JOHN, "2026-11-10 12:00")  # Tuesday, well inside the calling hours


def calls(*ages: dt.timedelta, account=JOHN, **fields) -> list[Attempt]:
    """Calls (outbound unless told) placed ``ages`` before NOW."""
    return [Attempt(NOW - age, account.reference, **fields) for age in ages]


def talks(*ages: dt.timedelta, account=JOHN, debt="") -> list[Conversation]:
    """Conversations about the debt ``ages`` before NOW."""
    return [Conversation(NOW - age, account.reference, debt) for age in ages]


def decide(history, at=NOW, account=JOHN, rules=None, **kwargs):
    return can_call(account, at, history, [], rules or rules_of(account), **kwargs)


SIX = [DAY * k for k in range(1, 7)]  # one call a day for six days


@pytest.mark.parametrize(
    ("history", "allowed"),
    [
        ([], True),
        (calls(*SIX), True),  # this would be the 7th call: allowed
        (calls(*SIX, 2 * dt.timedelta(hours=1)), False),  # the 8th: refused
        (calls(*[MINUTE * k for k in range(1, 8)]), False),  # seven this morning
        # The oldest of seven was placed exactly 7 days ago: it no longer counts.
        (calls(*SIX, 7 * DAY), True),
        (calls(*SIX, 7 * DAY - MINUTE), False),
        (calls(*SIX, 7 * DAY - dt.timedelta(seconds=1)), False),
        # Calls the debtor placed do not count, nor calls placed with their consent.
        (calls(*SIX) + calls(3 * DAY, direction=Direction.INBOUND), True),
        (calls(*SIX) + calls(3 * DAY, consented=True), True),
        # Calls about another debt of the account, or to another account, do not count.
        (calls(*SIX) + calls(3 * DAY, debt="500600-2"), True),
        (calls(*SIX) + calls(3 * DAY, account=JANE), True),
        # A conversation is not a call: the call that carried it is recorded on its own.
        ([*calls(*SIX), *talks(8 * DAY, 9 * DAY)], True),
        # Calls after the time asked about have not happened yet.
        ([*calls(*SIX), Attempt(NOW + MINUTE, JOHN.reference)], True),
    ],
)
def test_seven_calls_in_seven_days(history, allowed):
    decision = decide(history)
    assert decision.allowed is allowed, decision.reason
    assert decision.rule is (Rule.ALLOWED if allowed else Rule.CALL_FREQUENCY)


def test_the_eighth_call_waits_for_the_oldest_to_drop_out():
    history = calls(*SIX, 7 * DAY - dt.timedelta(hours=2))  # oldest: Tue 3 Nov 14:00
    decision = decide(history)
    assert decision.rule is Rule.CALL_FREQUENCY
    assert "7 calls about debt 500600" in decision.reason
    assert "at most 7" in decision.reason and "§1006.14(b)(2)(i)(A)" in decision.reason
    assert decision.next_allowed == local(JOHN, "2026-11-10 14:00")  # when the oldest drops out
    assert decide(history, at=decision.next_allowed).allowed


def test_next_allowed_moves_on_until_every_rule_allows():
    # Seven calls placed last Tuesday between 21:00 and 21:30 (by someone else's dialler):
    # the oldest drops out at 21:00 tonight, when the calling window has closed, so the
    # next allowed time is tomorrow 08:00.
    base = local(JOHN, "2026-11-03 21:00")
    history = [Attempt(base + MINUTE * 5 * k, JOHN.reference) for k in range(7)]
    decision = decide(history)
    assert decision.rule is Rule.CALL_FREQUENCY
    assert decision.next_allowed == local(JOHN, "2026-11-11 08:00")
    assert decide(history, at=local(JOHN, "2026-11-10 21:00")).rule is Rule.CALLING_WINDOW


def test_the_count_is_per_debt_when_a_debt_is_named():
    history = calls(*SIX, dt.timedelta(hours=1), debt="card")
    assert decide(history, debt="card").rule is Rule.CALL_FREQUENCY
    assert decide(history).allowed  # the account's own debt: no calls about it


@pytest.mark.parametrize(
    ("age", "allowed"),
    [
        (dt.timedelta(hours=1), False),
        (6 * DAY + dt.timedelta(hours=23), False),  # 6 days 23 hours ago
        (7 * DAY - dt.timedelta(seconds=1), False),
        (7 * DAY, True),  # exactly 7 days ago
        (8 * DAY, True),
    ],
)
def test_none_within_seven_days_after_a_conversation(age, allowed):
    decision = decide(talks(age))
    assert decision.allowed is allowed, decision.reason
    if not allowed:
        assert decision.rule is Rule.AFTER_CONVERSATION
        assert decision.next_allowed == NOW - age + 7 * DAY
        assert "§1006.14(b)(2)(i)(B)" in decision.reason


@pytest.mark.parametrize(
    ("history", "allowed"),
    [
        # The debtor called in and talked about the debt: that is a conversation too.
        ([*calls(2 * DAY, direction=Direction.INBOUND), *talks(2 * DAY)], False),
        # A conversation about another debt, or with another account, does not count.
        (talks(2 * DAY, debt="other"), True),
        (talks(2 * DAY, account=JANE), True),
        # A call that reached nobody is not a conversation.
        (calls(2 * DAY), True),
    ],
)
def test_which_conversations_count(history, allowed):
    assert decide(history).allowed is allowed


def test_seven_days_are_counted_in_hours_across_a_dst_change():
    # A conversation on Saturday 7 March 10:00 EST; clocks spring forward on the 8th,
    # so Saturday 14 March 10:00 EDT is only 6 days 23 hours later.
    history = [Conversation(local(JOHN, "2026-03-07 10:00"), JOHN.reference)]
    decision = decide(history, at=local(JOHN, "2026-03-14 10:00"))
    assert decision.rule is Rule.AFTER_CONVERSATION
    assert decision.next_allowed == local(JOHN, "2026-03-14 11:00")
    assert decide(history, at=local(JOHN, "2026-03-14 11:00")).allowed


def test_a_conversation_decides_before_the_call_count():
    history = [*calls(*SIX, dt.timedelta(hours=1)), *talks(dt.timedelta(hours=1))]
    decision = decide(history)
    assert decision.rule is Rule.AFTER_CONVERSATION
    # Seven days after the conversation, six of the calls have dropped out.
    assert decision.next_allowed == NOW - dt.timedelta(hours=1) + 7 * DAY


@pytest.mark.parametrize(
    ("consent_age", "at_offset", "allowed", "rule"),
    [
        # The debtor accepted a call-back during yesterday's conversation.
        (DAY, dt.timedelta(0), True, Rule.ALLOWED),
        # A consent is good for 7 days, then the quiet period applies again.
        (7 * DAY - MINUTE, dt.timedelta(0), True, Rule.ALLOWED),
        (7 * DAY, dt.timedelta(0), False, Rule.AFTER_CONVERSATION),
        # A consent never moves the calling hours: 21:30 is still refused.
        (DAY, dt.timedelta(hours=9, minutes=30), False, Rule.CALLING_WINDOW),
    ],
)
def test_consent_waives_the_frequency_limits_not_the_hours(consent_age, at_offset, allowed, rule):
    at = NOW + at_offset
    history = [
        *calls(*SIX, 30 * MINUTE),  # seven calls already
        Conversation(NOW - 30 * MINUTE, JOHN.reference),
        Consent(NOW - consent_age, JOHN.reference),
    ]
    decision = decide(history, at=at)
    assert (decision.allowed, decision.rule) == (allowed, rule), decision.reason
    if allowed:
        assert "consented" in decision.reason


def test_consent_about_another_debt_or_given_later_waives_nothing():
    history = [*talks(DAY), Consent(NOW - MINUTE, JOHN.reference, "other")]
    assert decide(history).rule is Rule.AFTER_CONVERSATION
    history = [*talks(DAY), Consent(NOW + MINUTE, JOHN.reference)]
    assert decide(history).rule is Rule.AFTER_CONVERSATION


def test_france_sets_no_frequency_limit_by_default():
    at = local(MARIE, "2026-11-10 12:00")
    history = [record(at - MINUTE * k, MARIE.reference)
               for k in range(1, 21) for record in (Attempt, Conversation)]
    assert decide(history, at=at, account=MARIE).allowed


def test_a_policy_sets_frequency_limits_where_the_law_sets_none():
    rules = rules_for("FR", max_attempts=3, attempts_window_days=2,
                      quiet_days_after_conversation=1)
    at = local(MARIE, "2026-11-10 12:00")
    three = [Attempt(at - DAY * k / 2, MARIE.reference) for k in (1, 2, 3)]
    refused = decide(three, at=at, account=MARIE, rules=rules)
    assert refused.rule is Rule.CALL_FREQUENCY
    assert "at most 3" in refused.reason and "the policy's compliance section" in refused.reason
    assert refused.next_allowed == at + DAY / 2  # the oldest, 36 hours old, drops out at 48
    talked = [Conversation(at - dt.timedelta(hours=23), MARIE.reference)]
    assert decide(talked, at=at, account=MARIE, rules=rules).rule is Rule.AFTER_CONVERSATION
    talked = [Conversation(at - DAY, MARIE.reference)]
    assert decide(talked, at=at, account=MARIE, rules=rules).allowed


def test_history_times_in_any_zone_are_compared_as_instants():
    # Six calls recorded in UTC and one in Tokyo time are the same seven calls.
    history = calls(*SIX)
    tokyo = (NOW - dt.timedelta(hours=1)).astimezone(dt.timezone(dt.timedelta(hours=9)))
    history.append(Attempt(tokyo, JOHN.reference))
    assert decide(history).rule is Rule.CALL_FREQUENCY
    assert history[-1].at.tzinfo is dt.UTC


def test_jane_in_los_angeles_counts_the_same():
    at = local(JANE, "2026-11-10 12:00")
    history = [Attempt(at - DAY * k + MINUTE, JANE.reference) for k in range(1, 8)]
    assert can_call(JANE, at, history, [], rules_of(JANE)).rule is Rule.CALL_FREQUENCY
    assert can_call(JANE, at, history[:-1], [], rules_of(JANE)).allowed
    assert utc("2026-11-10 20:00") == at  # 12:00 PST
