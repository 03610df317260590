"""Reading what an OpenAI-compatible server sends back: a completion, plain or as
server-sent events, its content, its token counts and timings, and its errors.

No I/O here: the client hands over bytes, lines and decoded bodies.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable
from typing import Any

from voicebot.engines.llm.errors import InvalidReplyError, quote
from voicebot.engines.llm.protocol import LlmTiming
from voicebot.errors import EngineError


def decode(raw: bytes, url: str) -> object:
    """A JSON body, or an EngineError quoting what came instead."""
    try:
        return json.loads(raw)
    except ValueError:
        text = raw.decode("utf-8", "replace")
        raise EngineError(
            f"LLM invalid response: the body from {url} is not JSON: {quote(text)}") from None


async def read_events(lines: AsyncIterable[str], url: str) -> dict[str, Any]:
    """Server-sent completion chunks, put together as one non-streamed completion."""
    parts: list[str] = []
    finish: str | None = None
    merged: dict[str, Any] = {}
    async for line in lines:
        if not line.startswith("data:"):
            continue  # blank separators, comments, event names
        payload = line[5:].strip()
        if payload == "[DONE]":
            break
        chunk = decode(payload.encode(), url)
        if not isinstance(chunk, dict):
            raise EngineError(f"LLM invalid response: unexpected event {quote(chunk)}")
        if "error" in chunk:
            error = chunk["error"]
            message = error.get("message", error) if isinstance(error, dict) else error
            raise EngineError(f"LLM server error in stream: {quote(message)}")
        for key in ("usage", "timings"):
            if isinstance(chunk.get(key), dict):
                merged[key] = chunk[key]
        choices = chunk.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], dict):
            delta = choices[0].get("delta") or choices[0].get("message") or {}
            if isinstance(delta, dict) and isinstance(delta.get("content"), str):
                parts.append(delta["content"])
            finish = choices[0].get("finish_reason") or finish
    message = {"role": "assistant", "content": "".join(parts)}
    return {"choices": [{"index": 0, "message": message, "finish_reason": finish}], **merged}


def answer_content(data: object) -> tuple[str, bool]:
    """The first choice's text, and whether it was cut at ``max_tokens``."""
    choice = None
    if isinstance(data, dict) and isinstance(data.get("choices"), list) and data["choices"]:
        choice = data["choices"][0]
    message = choice.get("message") if isinstance(choice, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str) or not content.strip():
        raise InvalidReplyError(f"LLM invalid response: no message content in {quote(data)}")
    truncated = isinstance(choice, dict) and choice.get("finish_reason") == "length"
    return content, truncated


def timing(data: object, wall_ms: float) -> LlmTiming:
    """What the server reported about one call, with the wall time measured here."""
    usage = data.get("usage") if isinstance(data, dict) else None
    usage = usage if isinstance(usage, dict) else {}
    details = usage.get("prompt_tokens_details")
    details = details if isinstance(details, dict) else {}
    # llama.cpp's own report; other servers do not send it.
    timings = data.get("timings") if isinstance(data, dict) else None
    timings = timings if isinstance(timings, dict) else {}
    cached = details.get("cached_tokens", timings.get("cache_n"))
    return LlmTiming(
        wall_ms=round(wall_ms, 1),
        prompt_tokens=_int(usage.get("prompt_tokens")),
        completion_tokens=_int(usage.get("completion_tokens")),
        cached_tokens=_int(cached),
        prompt_ms=_float(timings.get("prompt_ms")),
        generation_ms=_float(timings.get("predicted_ms")),
    )


def error_text(raw: bytes, reason: str) -> str:
    """What an error body says: its ``error.message`` when it has one."""
    try:
        data = json.loads(raw)
    except ValueError:
        return quote(raw.decode("utf-8", "replace")) or reason
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict) and "message" in error:
        error = error["message"]
    return quote(error if error is not None else data)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return round(float(value), 1)
    return None
