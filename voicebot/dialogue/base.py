"""What the call session needs from a dialogue, whatever drives it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from voicebot.policy import Decision


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


@dataclass(frozen=True)
class Outcome:
    """What a conversation came to: the call's record and its hand-off are built from it."""

    language: str
    prompt_version: str
    policy_version: str
    creditor_id: str
    creditor_name: str
    account_reference: str | None = None
    account_name: str | None = None
    verified: bool = False
    decision: Decision | None = None
    agreed: bool = False
    handoff: str | None = None  # why a person takes the call, when one does
    ended_request: str | None = None  # a request the call was ended on (policy ``end``)
    flags: tuple[str, ...] = ()
    priority: bool = False  # a person must take this call first (distress)
    events: tuple[tuple[str, str], ...] = ()


class Dialogue(Protocol):
    language: str
    listen: Listen
    prompt_version: str

    def start(self) -> Reply: ...

    async def on_caller_text(self, text: str) -> Reply: ...

    async def on_keypad(self, digits: str) -> Reply: ...

    def on_no_input(self) -> Reply: ...

    def complete(self, text: str) -> bool:
        """The words (a transcript before the caller's turn is surely over) are a whole
        answer to the question just asked, so the turn may end now: a clear yes or no,
        the whole reference or postcode, the name on file. Never for a number cut short."""
        ...

    def on_failure(self) -> Reply:
        """What to say when understanding the caller failed inside the service."""
        ...

    def on_shutdown(self) -> Reply:
        """What to say when the service stops during the call: a hand-off to a person."""
        ...

    def filler(self) -> str:
        """A short holding phrase for when an answer takes a moment."""
        ...

    def on_unheard(self) -> Reply:
        """The last reply could not be said in full (speech synthesis failed)."""
        ...

    def outcome(self) -> Outcome:
        """Where the conversation stands, as a frozen value."""
        ...
