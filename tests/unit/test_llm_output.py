"""Structured output: the schema sent for an answer class, and the check of what the
model wrote against the same class.

Each kind of bad answer is tried on several shapes of the same fault; a property
test holds the check to a plain reading of the class (the oracle) on any JSON.
"""

from __future__ import annotations

import enum
import json
import math
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voicebot.dialogue.intents import Intent
from voicebot.dialogue.understanding import ModelReading
from voicebot.engines.llm import InvalidReplyError, StructuredOutput
from voicebot.engines.llm.output import json_schema, parse_reply
from voicebot.errors import EngineError

INTENTS = ("ask_human", "provide_amount", "agree", "refuse", "other")


class Reading(StructuredOutput):
    intent: Literal["ask_human", "provide_amount", "agree", "refuse", "other"]
    amount: float | None
    count: int | None


class Mood(enum.StrEnum):
    CALM = "calm"
    UPSET = "upset"


class Plan(StructuredOutput):
    """Nested: its schema is written in place of a reference."""

    count: int
    every: Literal["week", "month"]


class Proposal(StructuredOutput):
    """A class with a nested class and an enum, as pydantic puts them under $defs."""

    mood: Mood
    plan: Plan | None
    notes: list[str]


def reply(**fields: object) -> str:
    return json.dumps({"intent": "other", "amount": None, "count": None} | fields)


def mismatch(content: str, output: type[StructuredOutput] = Reading) -> str:
    with pytest.raises(InvalidReplyError) as info:
        parse_reply(content, output)
    message = str(info.value)
    assert message.startswith("LLM schema mismatch: "), message
    return message


# -- valid answers ---------------------------------------------------------------------


@pytest.mark.parametrize(("content", "expected"), [
    (reply(), Reading(intent="other", amount=None, count=None)),
    (reply(intent="provide_amount", amount=120), Reading(intent="provide_amount", amount=120.0,
                                                          count=None)),
    (reply(amount=49.99, count=3), Reading(intent="other", amount=49.99, count=3)),
    (reply(amount=-1, count=0), Reading(intent="other", amount=-1.0, count=0)),  # no bounds
    (f"  {reply(intent='agree')}\n", Reading(intent="agree", amount=None, count=None)),
    (f"```json\n{reply(intent='refuse')}\n```", Reading(intent="refuse", amount=None,
                                                        count=None)),
    (f"```\n{reply(intent='refuse')}```", Reading(intent="refuse", amount=None, count=None)),
    ('{"count": null, "amount": 1e2, "intent": "agree"}',  # any key order, exponents
     Reading(intent="agree", amount=100.0, count=None)),
])
def test_valid_answers_are_read(content, expected):
    answer = parse_reply(content, Reading)
    assert answer == expected
    assert type(answer) is Reading


def test_nested_answers_are_read():
    answer = parse_reply('{"mood": "upset", "plan": {"count": 4, "every": "month"}, '
                         '"notes": ["lost job"]}', Proposal)
    assert answer.mood is Mood.UPSET
    assert answer.plan == Plan(count=4, every="month")
    assert answer.notes == ["lost job"]


def test_answers_are_values():
    answer = parse_reply(reply(), Reading)
    with pytest.raises(ValueError, match="frozen"):
        answer.intent = "agree"  # type: ignore[misc]


# -- answers of the wrong shape ----------------------------------------------------------


@pytest.mark.parametrize(("content", "problem"), [
    (reply(amount="120"), '$.amount = "120": Input should be a valid number'),
    (reply(amount=True), "$.amount = true: Input should be a valid number"),
    (reply(amount=[120]), "$.amount = [120]: Input should be a valid number"),
    (reply(amount={"value": 1}), "$.amount"),
    (reply(count=2.5), "$.count = 2.5: Input should be a valid integer"),
    (reply(count=3.0), "$.count = 3.0: Input should be a valid integer"),  # strict: no fraction
    (reply(count="3"), '$.count = "3": Input should be a valid integer'),
    (reply(count=False), "$.count = false: Input should be a valid integer"),
    (reply(intent=7), "$.intent = 7 is not one of the allowed values"),
    (reply(intent=None), "$.intent = null is not one of the allowed values"),
    ('{"intent": "other", "amount": NaN, "count": null}', "$.amount"),
    ('{"intent": "other", "amount": Infinity, "count": null}', "$.amount"),
    ('{"intent": "other", "amount": 1e400, "count": null}', "$.amount"),
])
def test_wrong_types_are_refused(content, problem):
    assert problem in mismatch(content)


@pytest.mark.parametrize("missing", ["intent", "amount", "count"])
def test_every_field_is_required(missing):
    fields = json.loads(reply())
    del fields[missing]
    assert f"required key $.{missing} is missing" in mismatch(json.dumps(fields))


def test_null_is_not_a_missing_field():
    """``null`` says the caller gave no number; leaving the key out is a fault."""
    assert parse_reply(reply(amount=None), Reading).amount is None
    assert "required key $.amount" in mismatch('{"intent": "other", "count": null}')


@pytest.mark.parametrize("extra", [{"confidence": 0.9}, {"Intent": "agree"}, {"": None}])
def test_unknown_fields_are_refused(extra):
    fields = json.loads(reply()) | extra
    assert f"unexpected key $.{next(iter(extra))}" in mismatch(json.dumps(fields))


@pytest.mark.parametrize("intent", ["shout", "Agree", "AGREE", " agree", "agree ", "",
                                    "ask human"])
def test_values_outside_the_set_are_refused(intent):
    message = mismatch(reply(intent=intent))
    assert f"$.intent = {json.dumps(intent)} is not one of the allowed values" in message


def test_enum_and_nested_faults_are_named_by_their_path():
    assert '$.mood = "angry" is not one of' in mismatch(
        '{"mood": "angry", "plan": null, "notes": []}', Proposal)
    assert '$.plan.every = "day" is not one of' in mismatch(
        '{"mood": "calm", "plan": {"count": 2, "every": "day"}, "notes": []}', Proposal)
    assert "$.notes[1] = 2: Input should be a valid string" in mismatch(
        '{"mood": "calm", "plan": null, "notes": ["a", 2]}', Proposal)
    assert "unexpected key $.plan.extra" in mismatch(
        '{"mood": "calm", "plan": {"count": 2, "every": "week", "extra": 1}, "notes": []}',
        Proposal)


def test_further_problems_are_counted():
    message = mismatch('{"intent": "shout", "amount": "x", "count": "y", "z": 1}')
    assert '$.intent = "shout" is not one of the allowed values (and 3 more)' in message


@pytest.mark.parametrize("content", ['["agree"]', '"agree"', "42", "null", "true"])
def test_json_that_is_not_an_object_is_refused(content):
    assert "expected a JSON object, got " + content in mismatch(content)


# -- text that is not JSON -------------------------------------------------------------------


@pytest.mark.parametrize("content", [
    "Sure! The caller wants a human.",
    f"Here is the JSON: {reply()}",  # prose around JSON is not read
    f"{reply()} I hope this helps.",
    f"Answer:\n```json\n{reply()}\n```",  # a fence, but with prose outside it
    f"{reply()}\n{reply()}",
    "{'intent': 'other', 'amount': None, 'count': None}",  # Python, not JSON
    '{"intent": "other", "amount": null, "count": null,}',
    "```json\n```",
])
def test_text_that_is_not_json_is_refused(content):
    with pytest.raises(InvalidReplyError, match=r"^LLM invalid JSON: "):
        parse_reply(content, Reading)


def test_an_answer_cut_short_says_where():
    with pytest.raises(InvalidReplyError, match=r"^LLM invalid JSON \(cut at max_tokens=40\): "):
        parse_reply('{"intent": "agr', Reading, cut_at=40)
    with pytest.raises(InvalidReplyError, match=r"^LLM invalid JSON: "):
        parse_reply('{"intent": "agr', Reading)


def test_long_answers_are_quoted_short():
    content = "Well, " + "let me think about that " * 40
    with pytest.raises(InvalidReplyError) as info:
        parse_reply(content, Reading)
    assert len(str(info.value)) < 160 and str(info.value).endswith("...")


def test_a_bad_answer_is_a_retryable_engine_error():
    """The dialogue catches EngineError and goes on with its own parsers."""
    with pytest.raises(EngineError) as info:
        parse_reply("nonsense", Reading)
    assert isinstance(info.value, InvalidReplyError) and info.value.retryable


# -- the check agrees with a plain reading of the class, on any JSON -------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
FIELD = {
    "intent": st.sampled_from(INTENTS) | JSON,
    "amount": st.none() | st.integers(-10**9, 10**9) | st.floats(allow_nan=False) | JSON,
    "count": st.none() | st.integers(-100, 100) | st.floats(-100, 100) | JSON,
}
ANSWERS = st.fixed_dictionaries({}, optional=FIELD) | st.fixed_dictionaries(
    FIELD, optional={"extra": JSON}) | JSON


def readable(value: object) -> bool:
    """Whether ``value`` is a ``Reading``, by the class's own words."""
    def number(x: object) -> bool:
        return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)

    return (isinstance(value, dict) and set(value) == {"intent", "amount", "count"}
            and value["intent"] in INTENTS and isinstance(value["intent"], str)
            and (value["amount"] is None or number(value["amount"]))
            and (value["count"] is None
                 or (isinstance(value["count"], int) and not isinstance(value["count"], bool))))


@given(ANSWERS)
def test_the_check_matches_the_class(value):
    content = json.dumps(value)
    if readable(value):
        answer = parse_reply(content, Reading)
        assert answer.model_dump() == value
    else:
        with pytest.raises(InvalidReplyError, match=r"^LLM schema mismatch: "):
            parse_reply(content, Reading)


# -- the schema sent -----------------------------------------------------------------------


def references(node: object) -> list[str]:
    if isinstance(node, dict):
        return [*(["$ref"] if "$ref" in node else []), *(["$defs"] if "$defs" in node else []),
                *(ref for value in node.values() for ref in references(value))]
    if isinstance(node, list):
        return [ref for item in node for ref in references(item)]
    return []


def test_schema_is_the_class():
    assert json_schema(Reading) == {
        "type": "object",
        "title": "Reading",
        "properties": {
            "intent": {"type": "string", "title": "Intent", "enum": list(INTENTS)},
            "amount": {"anyOf": [{"type": "number"}, {"type": "null"}], "title": "Amount"},
            "count": {"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "Count"},
        },
        "required": ["intent", "amount", "count"],
        "additionalProperties": False,
    }
    assert json_schema(Reading) is json_schema(Reading)  # built once


def test_nested_schemas_are_written_in_place():
    schema = json_schema(Proposal)
    assert references(schema) == []
    assert "description" not in schema  # docstrings are for the code's readers
    properties = schema["properties"]
    assert properties["mood"] == {"type": "string", "title": "Mood", "enum": ["calm", "upset"]}
    plan = properties["plan"]["anyOf"][0]
    assert plan["type"] == "object" and plan["additionalProperties"] is False
    assert plan["required"] == ["count", "every"] and "description" not in plan
    assert properties["plan"]["anyOf"][1] == {"type": "null"}


def test_field_descriptions_are_kept():
    from pydantic import Field

    class Described(StructuredOutput):
        mood: Mood = Field(description="how the caller sounds")

    assert json_schema(Described)["properties"]["mood"]["description"] == (
        "how the caller sounds")


def test_a_class_that_contains_itself_is_refused():
    class Node(StructuredOutput):
        children: list[Node]

    Node.model_rebuild()
    with pytest.raises(ValueError, match="contains itself"):
        json_schema(Node)


def test_the_dialogue_asks_for_what_it_reads():
    """The dialogue's reading: every field written, intents as the dialogue names them."""
    schema = json_schema(ModelReading)
    assert schema["required"] == ["intent", "amount", "instalments"]
    assert schema["additionalProperties"] is False
    intents = schema["properties"]["intent"]["enum"]
    assert set(intents) <= {i.value for i in Intent} and "other" in intents
    answer = parse_reply('{"intent": "yes", "amount": null, "instalments": 3}', ModelReading)
    assert answer.intent is Intent.YES and answer.instalments == 3
    assert "is not one of the allowed values" in mismatch(
        '{"intent": "card_data", "amount": null, "instalments": null}', ModelReading)
