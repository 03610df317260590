"""Whatever a caller (or speech recognition, or the carrier) sends, the dialogue answers.

Text from any Unicode category, digits of any script, superscripts, control
characters and card-shaped runs, at every stage of a conversation: the manager
never raises, and never speaks a number the engine did not produce.
"""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dialogue.conftest import ACCOUNTS, make_dialogue
from voicebot.dialogue.manager import plain_reference

# Lines that walk a conversation to each stage before the odd input arrives.
PATHS = {
    "100200": ["yes", "Jane Doe", "94107", "100 a month", "yes"],
    "300400": ["oui", "Marie Dupont", "75011", "50 par mois", "oui"],
}
ODD = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=20),
    st.sampled_from(["²³", "①②③", "１２３４", "٣٤٥", "\x00\x0b", "\ufffe", "4111111111111111",
                     "one fifty ²", "100 € ٣", "\u202e001", "𝟙𝟘𝟘 dollars", "9" * 60]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reference=st.sampled_from(sorted(PATHS)), depth=st.integers(0, 5), odd=ODD,
       keypad=st.booleans())
def test_any_text_at_any_stage_gets_an_answer(reference, depth, odd, keypad):
    async def run() -> None:
        dialogue = make_dialogue(reference)
        dialogue.start()
        for line in PATHS[reference][:depth]:
            await dialogue.on_caller_text(line)
        reply = await (dialogue.on_keypad(odd) if keypad else dialogue.on_caller_text(odd))
        assert reply.text.strip()
        blocked = [d for kind, d in dialogue.record.events if kind == "reply_blocked"]
        assert not blocked, blocked

    asyncio.run(run())


@given(st.text(max_size=40))
def test_a_carrier_reference_is_used_only_when_it_is_one(text):
    reference = plain_reference(text)
    assert reference is None or (reference.isascii() and reference.replace("-", "").isalnum())


def test_compatibility_digits_in_a_reference_are_folded():
    assert plain_reference("²³") == "23"
    assert plain_reference("１００２００") == "100200" in ACCOUNTS
    assert plain_reference("100200\x00") is None
    assert plain_reference("") is None
