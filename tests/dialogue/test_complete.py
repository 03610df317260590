"""End of turn from meaning: which words answer the question just asked in full (the
turn may end at once), and which must wait for the rest (a number cut short)."""

from __future__ import annotations

import pytest

from tests.dialogue.conftest import make_dialogue


async def at_stage(reference: str, lines: list[str], **kwargs):
    dialogue = make_dialogue(reference, **kwargs)
    dialogue.start()
    for line in lines:
        await dialogue.on_caller_text(line)
    return dialogue


@pytest.mark.parametrize("text, whole", [
    ("Yes.", True), ("Yes, that's right.", True), ("No.", True), ("Correct.", True),
    ("yes but", False), ("Hmm. I'm not sure.", False), ("Yes, I can pay 100", False),
    ("Well", False),
])
async def test_a_yes_or_no_is_whole(text, whole):
    dialogue = await at_stage("100200", [])  # "I have your reference as ... right?"
    assert dialogue.complete(text) is whole


@pytest.mark.parametrize("text, whole", [
    ("94107.", True), ("Nine, four, one, zero, seven.", True), ("it's 94107", True),
    ("9 4 1", False), ("941", False), ("94107 and", False), ("9 4 1 0", False),
    ("94107 and I want to pay", False),
])
async def test_a_postcode_is_whole_only_with_all_its_digits_and_nothing_after(text, whole):
    dialogue = await at_stage("100200", ["yes", "Jane Doe"])
    assert dialogue.complete(text) is whole


@pytest.mark.parametrize("text, whole", [
    ("Sept cinq zéro un un.", True), ("75011", True), ("7, 0, 1.", False),
    ("sept cinq zéro", False),
])
async def test_a_french_postcode(text, whole):
    dialogue = await at_stage("300400", ["oui", "Marie Dupont"])
    assert dialogue.complete(text) is whole


@pytest.mark.parametrize("text, whole", [
    ("100200.", True), ("one zero zero two zero zero", True), ("100", False),
    ("one zero zero", False), ("10020", False), ("1 0 0 2 0 0 and", False),
])
async def test_a_reference_is_whole_at_the_length_references_have(text, whole):
    dialogue = await at_stage("100200", [], known=False)
    assert dialogue.complete(text) is whole


@pytest.mark.parametrize("text, whole", [
    ("Jane Doe.", True), ("It's Jane Doe", True), ("Jane", False), ("Jane Doe and", False),
    ("I'm calling for Jane Doe", False),
])
async def test_the_name_on_file_is_whole(text, whole):
    dialogue = await at_stage("100200", ["yes"])
    assert dialogue.complete(text) is whole


async def test_free_speech_waits_for_the_silence():
    dialogue = await at_stage("100200", ["yes", "Jane Doe", "94107"])
    assert not dialogue.complete("I can pay 100 a month.")
