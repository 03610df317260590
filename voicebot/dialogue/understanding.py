"""What the caller meant: deterministic parsers first, the language model second.

The model's answer is a proposal: every amount or count it returns must also be
found in the caller's own words, or it is dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from decimal import Decimal

from voicebot.dialogue.intents import HANDOFF_INTENTS, Intent, keyword_intents
from voicebot.dialogue.money import PlanRequest, numbers_in, parse_plan_request
from voicebot.dialogue.parsers import extract_digits, parse_yes_no
from voicebot.engines.llm import LanguageModel
from voicebot.errors import EngineError

log = logging.getLogger(__name__)

# What the model may answer: the intents that matter while negotiating.
LLM_INTENTS = [
    Intent.PROPOSE, Intent.OPTIONS, Intent.PAY_IN_FULL, Intent.SETTLEMENT, Intent.HARDSHIP,
    Intent.YES, Intent.NO, Intent.HUMAN, Intent.DISPUTE, Intent.LAWYER, Intent.BANKRUPTCY,
    Intent.STOP_CONTACT, Intent.VULNERABLE, Intent.THIRD_PARTY, Intent.REPEAT, Intent.OTHER,
]
SCHEMA = {
    "type": "object",
    "properties": {
        "intent": {"type": "string", "enum": [i.value for i in LLM_INTENTS]},
        "amount": {"type": ["number", "null"]},
        "instalments": {"type": ["integer", "null"]},
    },
    "required": ["intent", "amount", "instalments"],
}


@dataclass(frozen=True)
class Understanding:
    intents: tuple[Intent, ...]
    yes_no: bool | None
    digits: str | None
    plan: PlanRequest
    source: str = "parsers"  # or "llm"
    llm_ms: float | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def handoff(self) -> str | None:
        for intent in self.intents:
            if intent in HANDOFF_INTENTS:
                return HANDOFF_INTENTS[intent]
        return None

    def has(self, intent: Intent) -> bool:
        return intent in self.intents


def parse(text: str, language: str, today: dt.date) -> Understanding:
    """The deterministic reading of one caller line."""
    return Understanding(
        intents=tuple(keyword_intents(text, language)),
        yes_no=parse_yes_no(text, language),
        digits=extract_digits(text, language),
        plan=parse_plan_request(text, language, today),
    )


async def ask_model(model: LanguageModel, system: str, stage: str, text: str, language: str,
                    today: dt.date, *, timeout: float) -> Understanding | None:  # noqa: ASYNC109
    """The model's reading, cross-checked against the caller's words; None on failure."""
    started = time.perf_counter()
    messages = [
        {"role": "system", "content": system},
        {"role": "user", "content": f"Stage: {stage}. Caller: {text}"},
    ]
    try:
        answer = await model.complete_json(messages, SCHEMA, max_tokens=40, timeout=timeout)
    except EngineError as exc:
        log.warning("language model unavailable (%s); using templates", exc)
        return None
    elapsed = (time.perf_counter() - started) * 1000
    try:
        intent = Intent(answer.get("intent", "other"))
    except ValueError:
        intent = Intent.OTHER
    said = set(numbers_in(text, language))
    notes = []
    amount = _number(answer.get("amount"))
    if amount is not None and amount not in said:
        notes.append(f"dropped amount {amount} the caller did not say")
        amount = None
    count = _number(answer.get("instalments"))
    if count is not None and (count not in said or count != int(count)):
        notes.append(f"dropped instalments {count} the caller did not say")
        count = None
    plan = PlanRequest(amount=amount, count=int(count) if count is not None else None)
    yes_no = True if intent is Intent.YES else False if intent is Intent.NO else None
    return Understanding(
        intents=(intent,), yes_no=yes_no, digits=None, plan=plan, source="llm",
        llm_ms=round(elapsed, 1), notes=tuple(notes),
    )


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value <= 0 or value > 10_000_000:
        return None
    number = Decimal(str(value))
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number
