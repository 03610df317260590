"""What the dialogue makes of the language model's answer, without a model: a scripted
one writes the text, and the client's own check reads it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from voicebot.dialogue.intents import Intent
from voicebot.dialogue.understanding import ModelReading, ask_model
from voicebot.engines.llm.output import parse_reply

TODAY = dt.date(2026, 11, 26)


class ScriptedModel:
    """Answers every call with ``text``, checked as the real client checks it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.asked: list[type] = []

    async def complete_json(self, messages, output, *, max_tokens=64, timeout=1.5):
        self.asked.append(output)
        return parse_reply(self.text, output)

    async def close(self) -> None:
        pass


async def read(answer: str, line: str) -> tuple[ScriptedModel, object]:
    model = ScriptedModel(answer)
    heard = await ask_model(model, "Classify.", "negotiation", line, "en", TODAY, timeout=1.0)
    return model, heard


async def test_numbers_the_caller_said_are_kept():
    model, heard = await read('{"intent": "propose_plan", "amount": 100, "instalments": 6}',
                              "I could do 100 a month over 6 months")
    assert model.asked == [ModelReading]
    assert heard.intents == (Intent.PROPOSE,) and heard.source == "llm"
    assert (heard.plan.amount, heard.plan.count) == (Decimal("100"), 6)
    assert heard.notes == ()


@pytest.mark.parametrize(("answer", "note"), [
    ('{"intent": "propose_plan", "amount": 5000, "instalments": null}', "dropped amount 5000"),
    ('{"intent": "propose_plan", "amount": null, "instalments": 12}', "dropped instalments 12"),
])
async def test_numbers_the_caller_did_not_say_are_dropped(answer, note):
    _model, heard = await read(answer, "I could do 100 a month")
    assert heard.plan.amount is None and heard.plan.count is None
    assert any(note in n for n in heard.notes)


@pytest.mark.parametrize(("answer", "yes_no"), [
    ('{"intent": "yes", "amount": null, "instalments": null}', True),
    ('{"intent": "no", "amount": null, "instalments": null}', False),
    ('{"intent": "other", "amount": null, "instalments": null}', None),
])
async def test_yes_and_no_are_read(answer, yes_no):
    _model, heard = await read(answer, "mm")
    assert heard.yes_no is yes_no


@pytest.mark.parametrize("answer", [
    '{"intent": "give_discount", "amount": null, "instalments": null}',
    '{"intent": "card_data", "amount": null, "instalments": null}',  # not the model's to say
    '{"intent": "yes", "amount": "lots", "instalments": null}',
    '{"intent": "yes", "amount": null}',
    '{"intent": "yes", "amount": null, "instalments": null, "discount": 90}',
    "Sure, the caller agrees.",
])
async def test_an_answer_that_fails_the_check_is_no_reading(answer):
    _model, heard = await read(answer, "hmm so how do folks usually sort this out")
    assert heard is None
