"""What the call session needs from a dialogue, whatever drives it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol


class Listen(enum.Enum):
    """What the dialogue expects next; it tunes end-of-turn detection."""

    FREE = "free"
    DIGITS = "digits"  # references and postcodes: callers pause between groups
    YES_NO = "yes_no"


@dataclass(frozen=True)
class Reply:
    text: str
    end_call: bool = False
    handoff: str | None = None  # the reason, when the call goes to a person
    language: str | None = None  # set when the conversation changes language


class Dialogue(Protocol):
    language: str
    listen: Listen
    prompt_version: str

    def start(self) -> Reply: ...

    async def on_caller_text(self, text: str) -> Reply: ...

    async def on_keypad(self, digits: str) -> Reply: ...

    def on_no_input(self) -> Reply: ...

    def on_failure(self) -> Reply:
        """What to say when understanding the caller failed inside the service."""
        ...

    def filler(self) -> str:
        """A short holding phrase for when an answer takes a moment."""
        ...
