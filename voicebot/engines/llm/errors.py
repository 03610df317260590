"""How the language model's failures are told: a typed error for a bad answer, and
a short quotation of what the server sent."""

from __future__ import annotations

import json

from voicebot.errors import EngineError

# Longest piece of a bad answer quoted in an error message.
QUOTE_LIMIT = 120


class InvalidReplyError(EngineError):
    """The server answered, but not with an object of the shape asked for: no
    content, text that is not JSON, or JSON that fails the output's check.

    Retryable like any EngineError: the request was sound, and the next one (the
    caller's next line) may well be answered properly.
    """


def quote(value: object) -> str:
    """``value`` on one line, cut to ``QUOTE_LIMIT`` characters, for an error message."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT] + "..."
