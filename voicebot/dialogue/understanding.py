"""What the caller meant: rules and parsers, a trained classifier, and (rarely)
the language model.

The rules and parsers read numbers, dates, yes/no and the common phrasings; the
classifier, trained on the labelled corpus, catches safety intents and moves
said in words no rule lists. A safety intent from either source counts: when a
line could be distress or a negotiation move, the careful reading wins. The
language model's answer is a proposal: every amount or count it returns must
also be found in the caller's own words, or it is dropped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal, Protocol

from voicebot.dialogue.consent import clear_yes
from voicebot.dialogue.intents import (
    SAFETY_INTENTS,
    Intent,
    chosen_option,
    hedged,
    keyword_intents,
    question_topic,
    ruled_out,
    spoken_language,
)
from voicebot.dialogue.money import PlanRequest, numbers_in, parse_plan_request
from voicebot.dialogue.parsers import extract_digits, parse_yes_no
from voicebot.engines.llm import LanguageModel, StructuredOutput
from voicebot.errors import EngineError

log = logging.getLogger(__name__)

# What the model may answer: the intents that matter while negotiating.
ModelIntent = Literal[
    Intent.PROPOSE, Intent.OPTIONS, Intent.PAY_IN_FULL, Intent.SETTLEMENT, Intent.HARDSHIP,
    Intent.YES, Intent.NO, Intent.HUMAN, Intent.DISPUTE, Intent.LAWYER, Intent.BANKRUPTCY,
    Intent.STOP_CONTACT, Intent.VULNERABLE, Intent.THIRD_PARTY, Intent.REPEAT, Intent.OTHER,
]


class ModelReading(StructuredOutput):
    """The model's reading of one caller line: its schema constrains what the server
    writes, and the answer is checked against it. Each field is always written
    (null when the caller said no such number)."""

    intent: ModelIntent
    amount: float | None
    instalments: int | None


# Classifier labels taken as they are; yes/no and plans come from the parsers.
_FROM_CLASSIFIER = {
    *SAFETY_INTENTS, Intent.CARD_DATA, Intent.HARDSHIP, Intent.PAY_IN_FULL, Intent.SETTLEMENT,
    Intent.OPTIONS, Intent.CHOOSE_OPTION, Intent.UNSURE, Intent.QUESTION, Intent.REPEAT,
}
# Requests the classifier alone hears are asked about, not acted on: about half of its
# guesses are ordinary lines ("the letter says I missed two payments, which ones?"), and
# asking ("are you saying this debt isn't right?") stops the negotiation as surely while
# a "no" lets the caller go on. Distress, a third party and a request for a person keep
# their own handling.
_ASKED_NOT_ACTED = frozenset({
    Intent.STOP_CONTACT, Intent.DISPUTE, Intent.VALIDATION, Intent.LAWYER, Intent.BANKRUPTCY,
})


class Scores(Protocol):
    def labels(self) -> tuple[str, ...]:
        """Labels the line carries."""
        ...

    def alerts(self) -> tuple[str, ...]:
        """Safety labels it might carry: worth a question to the caller."""
        ...


class IntentModel(Protocol):
    """A trained classifier: the labels a line carries, given the bot's last question."""

    def classify(self, text: str, language: str, stage: str) -> Scores: ...


@dataclass(frozen=True)
class Understanding:
    intents: tuple[Intent, ...]
    yes_no: bool | None
    digits: str | None
    plan: PlanRequest
    topic: str | None = None  # what a question is about
    option: str | None = None  # which option the caller picks
    hedge: bool = False  # "I'm not sure", "I guess", "yeah right": never consent
    spoken: str | None = None  # the language the line is plainly in
    source: str = "parsers"  # or "llm"
    by_rules: tuple[Intent, ...] = ()  # the intents the rules found themselves
    # Safety intents the line might carry, not surely enough to act on: ask the caller.
    checks: tuple[Intent, ...] = ()
    llm_ms: float | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    text: str = ""  # the caller's line, as heard

    def has(self, intent: Intent) -> bool:
        return intent in self.intents

    @property
    def safety(self) -> Intent | None:
        """The most urgent safety intent heard, if any."""
        return next((i for i in SAFETY_INTENTS if i in self.intents), None)


def parse(text: str, language: str, today: dt.date) -> Understanding:
    """The deterministic reading of one caller line."""
    rules = keyword_intents(text, language)
    hedge = hedged(text, language)
    yes_no = parse_yes_no(text, language)
    if hedge:
        yes_no = None if yes_no else yes_no  # "yes, I guess" is not a yes
    elif yes_no is None and clear_yes(text, language):
        yes_no = True  # "I agree", "sounds good", "j'accepte": a yes without the word
    plan = parse_plan_request(text, language, today)
    topic = question_topic(text, language)
    if Intent.QUESTION in rules and topic is None and (
            not plan.empty or any(i is not Intent.QUESTION for i in rules)):
        # "can I pay 50 a month?": a proposal put as a question, nothing to answer.
        rules = tuple(i for i in rules if i is not Intent.QUESTION)
    return Understanding(
        intents=rules,
        yes_no=yes_no,
        digits=extract_digits(text, language),
        plan=plan,
        topic=topic,
        option=chosen_option(text, language),
        hedge=hedge,
        spoken=spoken_language(text),
        by_rules=rules,
        text=text,
    )


def understand(text: str, language: str, today: dt.date, *,
               labels: tuple[str, ...] = (), alerts: tuple[str, ...] = ()) -> Understanding:
    """Rules and parsers, with a classifier's ``labels`` for the line added, and its
    ``alerts`` (safety intents it cannot rule out) kept as checks to make."""
    heard = parse(text, language, today)
    # What the line's own words rule out, the classifier does not add back.
    excluded = ruled_out(text, language)
    extra = [intent for intent in _intents(labels)
             if intent in _FROM_CLASSIFIER and intent not in heard.intents
             and intent not in excluded]
    asked = [intent for intent in extra if intent in _ASKED_NOT_ACTED]
    extra = [intent for intent in extra if intent not in _ASKED_NOT_ACTED]
    if Intent.QUESTION in extra and heard.topic is None and (
            not heard.plan.empty or any(i is not Intent.QUESTION for i in (*heard.intents,
                                                                          *extra))):
        # As in ``parse``: "yes if I can change the date later" says more than it asks.
        extra.remove(Intent.QUESTION)
    alerted = [intent for intent in _intents(alerts)
               if intent in SAFETY_INTENTS and intent not in asked]
    if heard.yes_no is not None or heard.hedge:
        # A line that answers the question asked ("sign me up", "um") is not a request
        # for a person because the classifier cannot rule one out; said in words, it is.
        alerted = [intent for intent in alerted if intent is not Intent.HUMAN]
    if heard.yes_no is True and clear_yes(text, language):
        # Nothing but agreeing words ("vous avez mon consentement"): no room in it for a
        # request the classifier only cannot rule out (distress and a third party keep
        # their checks).
        alerted = [intent for intent in alerted if intent not in _ASKED_NOT_ACTED]
    # What the classifier decided comes first, most urgent first; then its alerts, by score.
    checks = tuple(intent for intent in [*sorted(asked, key=SAFETY_INTENTS.index), *alerted]
                   if intent not in heard.intents and intent not in extra
                   and intent not in excluded)
    if not extra:
        return replace(heard, checks=checks) if checks else heard
    intents = tuple(sorted((*heard.intents, *extra), key=list(Intent).index))
    hedge = heard.hedge or Intent.UNSURE in extra
    return replace(heard, intents=intents, hedge=hedge, checks=checks,
                   yes_no=None if hedge and heard.yes_no else heard.yes_no)


def without_guesses(heard: Understanding, intents: tuple[Intent, ...]) -> Understanding:
    """``heard`` without those of ``intents`` the rules did not find themselves (the
    classifier's guesses and checks)."""
    drop = {i for i in intents if i not in heard.by_rules}
    return replace(heard, intents=tuple(i for i in heard.intents if i not in drop),
                   checks=tuple(i for i in heard.checks if i not in drop))


def _intents(labels: tuple[str, ...]) -> list[Intent]:
    out = []
    for label in labels:
        try:
            out.append(Intent(label))
        except ValueError:
            continue
    return out


async def classify(model: IntentModel | None, text: str, language: str, stage: str
                   ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The classifier's labels and safety alerts for a line, off the event loop;
    nothing without a classifier or on a fault."""
    if model is None or not text.strip():
        return (), ()
    try:
        scores = await asyncio.to_thread(model.classify, text, language, stage)
        return scores.labels(), scores.alerts()
    except Exception:  # a classifier fault must never cost the call
        log.exception("intent classifier failed; rules only for this line")
        return (), ()


async def ask_model(model: LanguageModel, system: str, stage: str, text: str, language: str,
                    today: dt.date, *, timeout: float) -> Understanding | None:  # noqa: ASYNC109
    """The model's reading, cross-checked against the caller's words; None on failure."""
    started = time.perf_counter()
    messages = [
        {"role": "system", "content": system},
        {"role": "user", "content": f"Stage: {stage}. Caller: {text}"},
    ]
    try:
        answer = await model.complete_json(messages, ModelReading, max_tokens=40,
                                           timeout=timeout)
    except EngineError as exc:
        log.warning("language model unavailable (%s); using templates", exc)
        return None
    elapsed = (time.perf_counter() - started) * 1000
    intent = answer.intent
    said = set(numbers_in(text, language))
    notes = []
    amount = _number(answer.amount)
    if amount is not None and amount not in said:
        notes.append(f"dropped amount {amount} the caller did not say")
        amount = None
    count = _number(answer.instalments)
    if count is not None and count not in said:
        notes.append(f"dropped instalments {count} the caller did not say")
        count = None
    plan = PlanRequest(amount=amount, count=int(count) if count is not None else None)
    yes_no = True if intent is Intent.YES else False if intent is Intent.NO else None
    return Understanding(
        intents=(intent,), yes_no=yes_no, digits=None, plan=plan, source="llm",
        llm_ms=round(elapsed, 1), notes=tuple(notes), text=text,
    )


def _number(value: float | None) -> Decimal | None:
    """A positive amount or count the model wrote, as the parsers would read it."""
    if value is None or value <= 0 or value > 10_000_000:
        return None
    number = Decimal(str(value))
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number
