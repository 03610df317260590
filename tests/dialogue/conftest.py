"""Scripted conversations through the real dialogue manager."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.dialogue.reading_state import READING  # the classifier in use (see ``reading``)
from voicebot.dialogue.commands import run_conversation
from voicebot.dialogue.manager import NegotiationDialogue
from voicebot.dialogue.prompts import load_prompts
from voicebot.policy import Decision, load_accounts, load_policies
from voicebot.policy.schedule import rule_breaks
from voicebot.settings import PROJECT_ROOT

TODAY = dt.date(2026, 11, 26)
POLICIES = load_policies(PROJECT_ROOT / "policies")
ACCOUNTS = load_accounts(PROJECT_ROOT / "policies" / "accounts.yaml", POLICIES)
PROMPTS = {lang: load_prompts(PROJECT_ROOT / "prompts", lang) for lang in ("en", "fr")}


@pytest.fixture(scope="session")
def intent_classifier():
    """The classifier the service uses, trained on tune.jsonl (cached after the first run)."""
    from voicebot.engines.registry import load_intents
    from voicebot.settings import Settings

    return load_intents(Settings.from_env())


@pytest.fixture(params=["rules", pytest.param("classifier", marks=pytest.mark.models)])
def reading(request):
    """Run a test with rules alone, then with the trained classifier too."""
    READING["classifier"] = (request.getfixturevalue("intent_classifier")
                             if request.param == "classifier" else None)
    yield request.param
    READING["classifier"] = None


def make_dialogue(reference: str, *, llm=None, language: str | None = None,
                  known: bool = True, account_flags=None,
                  classifier=None) -> NegotiationDialogue:
    account = ACCOUNTS[reference]
    return NegotiationDialogue(
        prompts=PROMPTS, policy=POLICIES[account.creditor], accounts=ACCOUNTS, today=TODAY,
        language=language or account.language, llm=llm, llm_timeout=5.0,
        known_reference=reference if known else None,
        classifier=classifier or READING["classifier"],  # type: ignore[arg-type]
        account_flags=account_flags,
    )


async def converse(reference: str, lines: list[str], **kwargs):
    dialogue = make_dialogue(reference, **kwargs)
    turns = await run_conversation(dialogue, lines, echo=False)
    blocked = [detail for kind, detail in dialogue.record.events if kind == "reply_blocked"]
    assert not blocked, f"a reply spoke numbers the engine did not produce: {blocked}"
    return dialogue, turns


def bot_text(turns) -> str:
    return " ".join(t["text"] for t in turns if t["speaker"] == "bot")


def assert_compliant(decision: Decision, reference: str) -> None:
    """Whatever was said, the plan respects the creditor's policy."""
    account = ACCOUNTS[reference]
    policy = POLICIES[account.creditor]
    assert decision.policy_id == policy.id
    assert sum(row.amount for row in decision.schedule) == decision.total
    if decision.kind == "settlement":
        assert policy.settlement is not None
        floor = account.balance * (1 - policy.settlement.max_discount_percent / 100)
        assert decision.total >= floor.quantize(Decimal("0.01"))
        assert (decision.schedule[0].due - TODAY).days <= policy.settlement.within_days
        return
    assert decision.total == account.balance
    if len(decision.schedule) == 1:
        return
    rules = policy.instalments
    if decision.requires_human:
        assert policy.hardship is not None
        return  # wider limits, approved by a person
    cents = [(row.due, int(row.amount * 100)) for row in decision.schedule]
    problems = rule_breaks(rules, balance=int(account.balance * 100), digits=2, today=TODAY,
                           frequency=decision.frequency, rows=cents)
    assert problems == [], problems
