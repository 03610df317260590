"""The first step of every call: greet, disclose the automated assistant, and
get the account reference by voice or keypad, read back and confirmed."""

from __future__ import annotations

import enum

from voicebot.dialogue.base import Listen, Reply
from voicebot.dialogue.parsers import extract_digits, parse_yes_no, spell_digits
from voicebot.dialogue.prompts import Prompts

MIN_REFERENCE_DIGITS = 4
MAX_REFERENCE_DIGITS = 16
MAX_ATTEMPTS = 3
MAX_NO_INPUT = 2


class _Stage(enum.Enum):
    ASK = "ask"
    CONFIRM = "confirm"
    DONE = "done"


class ReferenceDialogue:
    """Collects and confirms the account reference."""

    def __init__(self, prompts: Prompts, creditor_name: str, known_reference: str | None = None
                 ) -> None:
        self.prompts = prompts
        self.language = prompts.language
        self.prompt_version = prompts.version
        self.creditor_name = creditor_name
        self.reference: str | None = None
        self.confirmed = False
        self._candidate = _clean_reference(known_reference)
        self._stage = _Stage.ASK
        self._failures = 0
        self._no_input = 0

    @property
    def listen(self) -> Listen:
        return Listen.YES_NO if self._stage is _Stage.CONFIRM else Listen.DIGITS

    def start(self) -> Reply:
        if self._candidate:
            self._stage = _Stage.CONFIRM
            return self._say("greeting_known_reference", creditor=self.creditor_name,
                             digits=self._spoken(self._candidate))
        return self._say("greeting", creditor=self.creditor_name)

    def on_caller_text(self, text: str) -> Reply:
        self._no_input = 0
        if self._stage is _Stage.CONFIRM:
            answer = parse_yes_no(text, self.language)
            digits = _clean_reference(extract_digits(text, self.language))
            if answer is True and (digits is None or digits == self._candidate):
                return self._confirm()
            if digits and digits != self._candidate:
                # "No, it's 1 0 0 3 0 0": a correction is a new candidate.
                return self._propose(digits)
            if answer is False:
                self._stage = _Stage.ASK
                self._candidate = None
                return self._fail_or("ask_again")
            return self._fail_or("not_understood_yes_no", digits=self._spoken(self._candidate))
        if self._stage is _Stage.ASK:
            digits = _clean_reference(extract_digits(text, self.language))
            if digits:
                return self._propose(digits)
            return self._fail_or("not_understood_reference")
        return self._say("reference_confirmed", digits=self._spoken(self.reference or ""))

    def on_keypad(self, digits: str) -> Reply:
        self._no_input = 0
        if self._stage is _Stage.DONE:
            return self._say("reference_confirmed", digits=self._spoken(self.reference or ""))
        if self._stage is _Stage.CONFIRM and digits in ("1", "2"):
            # Keypad answer to "is that right?": 1 for yes, 2 for no.
            return self.on_caller_text("yes" if digits == "1" else "no")
        cleaned = _clean_reference(digits)
        if cleaned:
            return self._propose(cleaned)
        return self._fail_or("not_understood_reference")

    def on_no_input(self) -> Reply:
        self._no_input += 1
        if self._no_input > MAX_NO_INPUT:
            return Reply(self.prompts.render("goodbye_no_input"), end_call=True)
        if self._stage is _Stage.CONFIRM and self._candidate:
            return self._say("not_understood_yes_no", digits=self._spoken(self._candidate))
        return self._say("no_input")

    # -- helpers -------------------------------------------------------------

    def _propose(self, digits: str) -> Reply:
        self._candidate = digits
        self._stage = _Stage.CONFIRM
        return self._say("read_back", digits=self._spoken(digits))

    def _confirm(self) -> Reply:
        self.reference = self._candidate
        self.confirmed = True
        self._stage = _Stage.DONE
        # Until the negotiation step exists, a person takes over from here.
        return Reply(self.prompts.render("reference_confirmed",
                                         digits=self._spoken(self.reference or "")),
                     handoff="account_identified")

    def _fail_or(self, template: str, **values: str) -> Reply:
        self._failures += 1
        if self._failures >= MAX_ATTEMPTS:
            return Reply(self.prompts.render("too_many_attempts"), handoff="reference_not_obtained")
        return self._say(template, **values)

    def _say(self, template: str, **values: str) -> Reply:
        return Reply(self.prompts.render(template, **values))

    def _spoken(self, digits: str) -> str:
        return spell_digits(digits, self.language)


def _clean_reference(digits: str | None) -> str | None:
    if digits and MIN_REFERENCE_DIGITS <= len(digits) <= MAX_REFERENCE_DIGITS:
        return digits
    return None
