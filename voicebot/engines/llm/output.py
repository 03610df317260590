"""Structured output: one pydantic class per answer the code asks the model for.

The class gives both the JSON schema sent with the request, which constrains the
server's decoding, and the check the answer must pass here; built from one
source, the two cannot drift apart. An answer that fails the check is an
``InvalidReplyError`` that names the first problem.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from voicebot.engines.llm.errors import InvalidReplyError, quote


class StructuredOutput(BaseModel):
    """The base of every answer asked of the model: a closed JSON object, read strictly.

    Closed: a key the class does not name is a mismatch, and the schema sent says
    so (``additionalProperties: false``), so a constrained server never writes one.
    Strict: as in JSON, ``"3"``, ``true`` and ``3`` are three things, so a number
    field takes no string or boolean and an integer field no fraction (``3.0``
    included). Non-finite numbers are refused. Answers are values: frozen.
    """

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


OutputT = TypeVar("OutputT", bound=StructuredOutput)


@functools.cache
def json_schema(output: type[StructuredOutput]) -> dict[str, Any]:
    """The JSON schema sent for ``output``, built once per class; do not modify it.

    Pydantic puts nested classes and enums under ``$defs`` and points at them with
    ``$ref``; they are written in place here, so that every server's grammar
    converter gets the plain nested schema it handles best. A class that contains
    itself cannot be written so, and is refused. Class docstrings, which pydantic
    turns into descriptions, are left out: they are written for the code's
    readers, and some servers show descriptions to the model. A field's own
    ``description`` is kept.
    """
    schema = output.model_json_schema()
    definitions = {name: _without_description(definition)
                   for name, definition in schema.pop("$defs", {}).items()}
    return _inline(_without_description(schema), definitions, ())


def _without_description(schema: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in schema.items() if key != "description"}


def _inline(node: Any, definitions: dict[str, Any], seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_inline(item, definitions, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return {key: _inline(value, definitions, seen) for key, value in node.items()}
    name = ref.removeprefix("#/$defs/")
    if name not in definitions:
        raise ValueError(f"cannot write out the schema reference {ref!r}")
    if name in seen:
        raise ValueError(f"{name} contains itself: its schema cannot be written out")
    target = _inline(definitions[name], definitions, (*seen, name))
    # Keywords beside the reference (a description, a default) apply as well.
    beside = {key: value for key, value in node.items() if key != "$ref"}
    return {**target, **_inline(beside, definitions, seen)}


def parse_reply(content: str, output: type[OutputT], *, cut_at: int | None = None) -> OutputT:
    """The ``output`` object the model wrote in ``content``, or an InvalidReplyError.

    A Markdown code fence around the JSON is tolerated (unconstrained servers add
    one); any other text around it is not. ``cut_at`` is the ``max_tokens`` the
    server stopped at, when it stopped there: the error then says so.
    """
    text = _strip_fences(content)
    try:
        return output.model_validate_json(text)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    if any(error["type"] == "json_invalid" for error in errors):
        cut = f" (cut at max_tokens={cut_at})" if cut_at is not None else ""
        raise InvalidReplyError(f"LLM invalid JSON{cut}: {quote(content)}")
    if errors[0]["type"] == "model_type" and not errors[0]["loc"]:
        raise InvalidReplyError(f"LLM schema mismatch: expected a JSON object, got {quote(text)}")
    raise InvalidReplyError(f"LLM schema mismatch: {_problem(errors)} in {quote(text)}")


def _strip_fences(text: str) -> str:
    """Unconstrained servers sometimes wrap JSON in a Markdown code fence."""
    text = text.strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", text, flags=re.DOTALL)
    return fenced.group(1) if fenced else text


def _problem(errors: list[ErrorDetails]) -> str:
    """The first problem pydantic found, said with the key's JSON path."""
    error = errors[0]
    path = "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}"
                         for part in error["loc"])
    kind = error["type"]
    if kind == "missing":
        problem = f"required key {path} is missing"
    elif kind == "extra_forbidden":
        problem = f"unexpected key {path}"
    else:
        value = quote(json.dumps(error["input"], ensure_ascii=False, default=str))
        if kind in ("literal_error", "enum"):
            problem = f"{path} = {value} is not one of the allowed values"
        else:
            problem = f"{path} = {value}: {error['msg']}"
    more = len(errors) - 1
    return f"{problem} (and {more} more)" if more else problem
