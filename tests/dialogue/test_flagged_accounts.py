"""An account flagged on an earlier call (dispute, cease contact, attorney, bankruptcy,
vulnerability) is never negotiated with again: once the caller is verified, a person
takes the call, and nothing about the debt is said."""

from __future__ import annotations

import re

import pytest

from tests.dialogue.conftest import converse

JANE = ["yes", "Jane Doe", "nine four one zero seven"]
MARIE = ["oui", "Marie Dupont", "sept cinq zéro un un"]


@pytest.mark.parametrize("flag", ["dispute", "cease_contact", "attorney", "bankruptcy",
                                  "vulnerability"])
async def test_a_flagged_account_goes_to_a_person_before_any_debt_talk(flag):
    dialogue, turns = await converse("100200", [*JANE, "I can pay 100 a month"],
                                     account_flags={"100200": (flag,)})
    assert dialogue.handoff == "account_flagged"
    assert flag in dialogue.flags
    assert dialogue.priority is (flag == "vulnerability")
    said = " ".join(t["text"] for t in turns if t["speaker"] == "bot")
    assert not re.search(r"\d+ dollars|balance|debt collector", said, re.I), said
    assert "colleague" in turns[-1]["text"] or "colleague" in said
    assert not dialogue.agreed


async def test_in_french_too():
    dialogue, turns = await converse("300400", MARIE, account_flags={"300400": ("dispute",)})
    assert dialogue.handoff == "account_flagged"
    assert "conseiller" in turns[-1]["text"]
    assert not re.search(r"\d+ ?(?:euros|€)", turns[-1]["text"])


async def test_another_account_flagged_changes_nothing():
    dialogue, turns = await converse("100200", JANE, account_flags={"555555": ("dispute",)})
    assert dialogue.handoff is None
    assert "480" in " ".join(t["text"] for t in turns)


async def test_flags_apply_only_once_identity_is_verified():
    # A wrong name and postcode: the flag is not revealed, the identity check goes on.
    dialogue, turns = await converse("100200", ["yes", "John Smith", "one two three four five"],
                                     account_flags={"100200": ("dispute",)})
    assert "account_flagged" not in [detail for kind, detail in dialogue.record.events
                                     if kind == "handoff"]
