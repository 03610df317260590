"""The conversation, from greeting to hand-off, in English or French.

Stages: account reference -> identity -> disclosures and balance -> negotiation
-> read-back and consent -> hand-off for the first payment. Requests for a
person, disputes, lawyers, bankruptcy, stop-contact and distress hand off at any
stage. Every plan offered or accepted is a ``Decision`` of the policy engine,
and every reply is a template filled with the engine's numbers.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from voicebot.dialogue.base import Listen, Reply
from voicebot.dialogue.identity import name_matches, postcode_matches
from voicebot.dialogue.intents import Intent, requested_language
from voicebot.dialogue.money import PlanRequest, numbers_in
from voicebot.dialogue.parsers import spell_digits
from voicebot.dialogue.prompts import Prompts
from voicebot.dialogue.understanding import Understanding, ask_model, parse
from voicebot.dialogue.wording import (
    allowed_numbers,
    describe_options,
    describe_plan,
    frequency_word,
    money,
    spoken_forms,
)
from voicebot.engines.llm import LanguageModel
from voicebot.policy import Account, Ask, Decision, Policy, QuoteError, decide, options
from voicebot.redaction import looks_like_card_data, redact

log = logging.getLogger(__name__)

MAX_REFERENCE_ATTEMPTS = 3
MAX_MISUNDERSTOOD = 3
MAX_NO_INPUT = 2
SPOKEN_DISCLOSURES_IN_GREETING = {"ai_assistant"}


class Stage(enum.Enum):
    REFERENCE = "account reference"
    CONFIRM_REFERENCE = "confirm account reference"
    IDENTITY = "identity check"
    NEGOTIATE = "negotiation"
    ACCEPT_OFFER = "accept or refuse an offer"
    CONSENT = "consent to the plan read back"
    DONE = "done"


@dataclass
class DialogueRecord:
    """What the dialogue decided, for logs, the hand-off packet and text mode."""

    events: list[tuple[str, str]] = field(default_factory=list)
    llm_calls: int = 0
    llm_ms: list[float] = field(default_factory=list)


class NegotiationDialogue:
    def __init__(self, *, prompts: Mapping[str, Prompts], policy: Policy,
                 accounts: Mapping[str, Account], today: dt.date, language: str,
                 llm: LanguageModel | None = None, llm_timeout: float = 1.5,
                 known_reference: str | None = None) -> None:
        self._prompts = prompts
        self.policy = policy
        self._accounts = accounts
        self.today = today
        self.language = language if language in prompts else next(iter(prompts))
        self._llm = llm
        self._llm_timeout = llm_timeout
        self.stage = Stage.REFERENCE
        self.account: Account | None = None
        self.verified = False
        self.decision: Decision | None = None
        self.agreed = False
        self.handoff: str | None = None
        self.record = DialogueRecord()
        self._candidate: str | None = known_reference
        self._factor = 0
        self._identity_failures = 0
        self._reference_failures = 0
        self._misunderstood = 0
        self._no_input = 0
        self._last = ""

    # -- the Dialogue protocol ------------------------------------------------------

    @property
    def prompts(self) -> Prompts:
        return self._prompts[self.language]

    @property
    def prompt_version(self) -> str:
        return self.prompts.version

    @property
    def policy_version(self) -> str:
        return self.policy.version

    @property
    def listen(self) -> Listen:
        if self.stage is Stage.REFERENCE:
            return Listen.DIGITS
        if self.stage is Stage.IDENTITY and self._current_factor() == "postcode":
            return Listen.DIGITS
        if self.stage in (Stage.CONFIRM_REFERENCE, Stage.ACCEPT_OFFER, Stage.CONSENT):
            return Listen.YES_NO
        return Listen.FREE

    def start(self) -> Reply:
        creditor = self.policy.name
        if self._candidate:
            self.stage = Stage.CONFIRM_REFERENCE
            return self._reply(self._t("greeting_known_reference", creditor=creditor,
                                       digits=self._spell(self._candidate)))
        return self._reply(self._t("greeting", creditor=creditor))

    async def on_caller_text(self, text: str) -> Reply:
        self._no_input = 0
        heard = parse(text, self.language, self.today)
        switch = requested_language(text, self.language)
        if switch and switch in self._prompts and switch in self.policy.languages:
            self.language = switch
            self._event("language", switch)
            return self._reply(self._t("language_switched"), self._question())
        if looks_like_card_data(text, self.language):
            # Stop the caller reading card details and pass them to a secure line.
            self._event("card_data", "caller started reading card data")
            return self._hand_off("payment")
        if heard.handoff:
            return self._hand_off(heard.handoff)
        if heard.has(Intent.THIRD_PARTY) and not self.verified:
            self._event("third_party", "")
            self.stage = Stage.DONE
            return self._reply(self._t("third_party"), end_call=True)
        if heard.has(Intent.REPEAT) and self._last:
            return Reply(self._last, language=self.language)
        handler = {
            Stage.REFERENCE: self._on_reference,
            Stage.CONFIRM_REFERENCE: self._on_confirm_reference,
            Stage.IDENTITY: self._on_identity,
            Stage.NEGOTIATE: self._on_negotiate,
            Stage.ACCEPT_OFFER: self._on_accept,
            Stage.CONSENT: self._on_consent,
        }.get(self.stage)
        if handler is None:
            return self._reply(self._t("not_understood"))
        return await handler(text, heard)

    async def on_keypad(self, digits: str) -> Reply:
        self._no_input = 0
        if self.listen is Listen.YES_NO and digits in ("1", "2"):
            return await self.on_caller_text("yes" if digits == "1" else "no")
        return await self.on_caller_text(" ".join(digits))

    def on_no_input(self) -> Reply:
        self._no_input += 1
        if self._no_input > MAX_NO_INPUT:
            self.stage = Stage.DONE
            self._event("no_input", "ended")
            return self._reply(self._t("goodbye_no_input"), end_call=True)
        return self._reply(self._t("no_input"), self._question())

    def on_failure(self) -> Reply:
        return self._hand_off("internal_failure")

    def filler(self) -> str:
        return self._t("filler")

    # -- stages -------------------------------------------------------------------------

    async def _on_reference(self, text: str, heard: Understanding) -> Reply:
        digits = heard.digits if heard.digits and 4 <= len(heard.digits) <= 16 else None
        if digits is None:
            return self._reference_failed(self._t("not_understood_reference"))
        self._candidate = digits
        self.stage = Stage.CONFIRM_REFERENCE
        return self._reply(self._t("read_back", digits=self._spell(digits)))

    async def _on_confirm_reference(self, text: str, heard: Understanding) -> Reply:
        digits = heard.digits if heard.digits and 4 <= len(heard.digits) <= 16 else None
        if digits and digits != self._candidate:
            return await self._on_reference(text, heard)  # a correction
        if heard.yes_no is True:
            account = self._accounts.get(self._candidate or "")
            if account is None or account.creditor != self.policy.id:
                self.stage = Stage.REFERENCE
                self._event("reference_unknown", self._candidate or "")
                return self._reference_failed(
                    self._t("reference_unknown", digits=self._spell(self._candidate or "")),
                    self._t("ask_reference"))
            self.account = account
            self.stage = Stage.IDENTITY
            self._factor = 0
            self._event("reference", account.reference)
            return self._reply(self._question())
        if heard.yes_no is False:
            self.stage = Stage.REFERENCE
            return self._reply(self._t("ask_again"), self._t("ask_reference"))
        return self._not_understood(self._t("yes_or_no"))

    async def _on_identity(self, text: str, heard: Understanding) -> Reply:
        assert self.account is not None
        factor = self._current_factor()
        if factor == "name":
            ok = name_matches(text, self.account.name)
        elif factor == "postcode":
            ok = postcode_matches(text, self.account.postcode, self.language)
        elif factor == "account_reference":
            ok = True  # already confirmed
        else:
            ok = False  # a factor this deployment holds no data for: a person checks it
        if not ok:
            self._identity_failures += 1
            self._event("identity_mismatch", factor or "")
            if self._identity_failures >= self.policy.identity.max_attempts:
                return self._hand_off("identity_not_verified")
            return self._reply(self._t("identity_mismatch"), self._question())
        self._factor += 1
        if self._current_factor() is not None:
            return self._reply(self._question())
        self.verified = True
        self._event("identity_verified", "")
        return self._after_verification()

    def _after_verification(self) -> Reply:
        assert self.account is not None
        creditor = self.policy.name
        parts = []
        for disclosure in self.policy.disclosures:
            if disclosure in SPOKEN_DISCLOSURES_IN_GREETING:
                continue
            parts.append(self._t(f"disclosure_{disclosure}", creditor=creditor))
            self._event("disclosure", disclosure)
        rules = self.policy.instalments
        parts.append(self._t("balance", name=self.account.name.split()[0], creditor=creditor,
                             balance=money(self.account.balance, self.account.currency,
                                           self.language)))
        parts.append(self._t("ways_to_pay", max_count=str(rules.max_count),
                             frequency=frequency_word(rules.frequencies[0], self.language)))
        self.stage = Stage.NEGOTIATE
        return self._reply(*parts, self._t("ask_plan"))

    async def _on_negotiate(self, text: str, heard: Understanding) -> Reply:
        if not self._actionable(heard) and self._llm is not None:
            model = await self._ask_model(text)
            if model is not None:
                if model.handoff:
                    return self._hand_off(model.handoff)
                heard = model
        return self._negotiate(heard)

    def _negotiate(self, heard: Understanding) -> Reply:
        assert self.account is not None
        plan = heard.plan
        if heard.has(Intent.HARDSHIP):
            return self._offer(self._ask(plan, hardship=True), hardship=True)
        if heard.has(Intent.OPTIONS):
            menu = options(self.policy, self.account.balance, self.today)
            self._misunderstood = 0
            return self._reply(self._t("options", options=describe_options(
                menu, self.language, self.today)), self._t("ask_plan"), decisions=menu)
        if heard.has(Intent.SETTLEMENT) or (plan.lump_sum and plan.amount is not None
                                            and plan.amount < self.account.balance):
            if self.policy.settlement is None:
                self._misunderstood = 0
                return self._reply(self._t("no_settlement", creditor=self.policy.name),
                                   self._t("ask_plan"))
            return self._offer(Ask(settlement=plan.amount, first_date=plan.first_date))
        if heard.has(Intent.PAY_IN_FULL) or plan.lump_sum:
            return self._offer(Ask(instalments=1, first_date=plan.first_date))
        if not plan.empty:
            return self._offer(self._ask(plan))
        if heard.yes_no is not None:
            return self._reply(self._t("ask_amount"))
        return self._not_understood(self._t("ask_amount"))

    def _ask(self, plan: PlanRequest, *, hardship: bool = False) -> Ask:
        """The engine's question for what the caller said.

        "480 over 5 years" names the total and a count: the count is what they
        ask. "50 a month for 6 months" names both per instalment: the amount
        wins, the engine works out the count.
        """
        assert self.account is not None
        amount, count = plan.amount, plan.count
        if amount is not None and count is not None:
            if amount >= self.account.balance or amount * count < self.account.balance / 2:
                amount = None
            else:
                count = None
        try:
            return Ask(amount=amount, instalments=count, first_date=plan.first_date,
                       frequency=plan.frequency, hardship=hardship)
        except QuoteError as exc:
            log.info("caller's ask is not usable as is (%s); asking the engine for its best", exc)
            return Ask(hardship=hardship)

    def _offer(self, ask: Ask, *, hardship: bool = False) -> Reply:
        assert self.account is not None
        try:
            decision = decide(self.policy, self.account.balance, self.today, ask)
        except QuoteError as exc:
            log.info("ask refused by the engine: %s", exc)
            return self._not_understood(self._t("ask_amount"))
        self._misunderstood = 0
        self.decision = decision
        self._event("decision", decision.summary)
        plan = describe_plan(decision, self.language, self.today)
        if hardship and decision.requires_human:
            self.stage = Stage.ACCEPT_OFFER
            return self._reply(self._t("hardship_offer", plan=plan), self._t("ask_accept"))
        if decision.accepted:
            return self._read_back(decision)
        self.stage = Stage.ACCEPT_OFFER
        if decision.kind == "settlement":
            saving = money(decision.discount, decision, self.language)
            return self._reply(self._t("settlement_offer", plan=plan, discount=saving),
                               self._t("ask_accept"))
        if decision.ask == Ask() or decision.ask.instalments == 1:
            return self._reply(self._t("propose", plan=plan), self._t("ask_accept"))
        return self._reply(self._t("counter_offer", plan=plan), self._t("ask_accept"))

    def _read_back(self, decision: Decision) -> Reply:
        self.stage = Stage.CONSENT
        return self._reply(
            self._t("confirm_plan", plan=describe_plan(decision, self.language, self.today),
                    total=money(decision.total, decision, self.language)),
            self._t("ask_consent"))

    async def _on_accept(self, text: str, heard: Understanding) -> Reply:
        if not heard.plan.empty or heard.has(Intent.OPTIONS) or heard.has(Intent.SETTLEMENT):
            self.stage = Stage.NEGOTIATE
            return self._negotiate(heard)  # "no, how about sixty?"
        if heard.yes_no is None and self._llm is not None:
            model = await self._ask_model(text)
            if model is not None:
                if model.handoff:
                    return self._hand_off(model.handoff)
                heard = model
        if heard.yes_no is True and self.decision is not None:
            return self._read_back(self.decision)
        if heard.yes_no is False:
            self.stage = Stage.NEGOTIATE
            return self._reply(self._t("rejected_plan"), self._t("ask_amount"))
        return self._not_understood(self._t("yes_or_no"), self._t("ask_accept"))

    async def _on_consent(self, text: str, heard: Understanding) -> Reply:
        if not heard.plan.empty:
            self.stage = Stage.NEGOTIATE
            return self._negotiate(heard)
        if heard.yes_no is True and self.decision is not None:
            self.agreed = True
            self.stage = Stage.DONE
            self._event("agreed", self.decision.summary)
            if self.decision.requires_human:
                self.handoff = "hardship_approval"
                return self._reply(self._t("hardship_agreed"), handoff=self.handoff)
            self.handoff = "payment"
            return self._reply(self._t("agreed"), handoff=self.handoff)
        if heard.yes_no is False:
            self.stage = Stage.NEGOTIATE
            return self._reply(self._t("rejected_plan"), self._t("ask_amount"))
        return self._not_understood(self._t("yes_or_no"), self._t("ask_consent"))

    # -- helpers ----------------------------------------------------------------------------

    def _actionable(self, heard: Understanding) -> bool:
        return bool(heard.intents) or not heard.plan.empty

    async def _ask_model(self, text: str) -> Understanding | None:
        assert self._llm is not None
        self.record.llm_calls += 1
        # What goes to the model is redacted too: it may be a server elsewhere.
        model = await ask_model(self._llm, self.prompts.system, self.stage.value,
                                redact(text, self.language).text, self.language, self.today,
                                timeout=self._llm_timeout)
        if model is None:
            self._event("llm_failed", "")
            return None
        if model.llm_ms is not None:
            self.record.llm_ms.append(model.llm_ms)
        self._event("llm", f"{model.intents[0].value} {list(model.notes)}")
        return model

    def _current_factor(self) -> str | None:
        factors = self.policy.identity.factors
        return factors[self._factor] if self._factor < len(factors) else None

    def _question(self) -> str:
        if self.stage is Stage.REFERENCE:
            return self._t("ask_reference")
        if self.stage is Stage.CONFIRM_REFERENCE:
            return self._t("confirm_reference", digits=self._spell(self._candidate or ""))
        if self.stage is Stage.IDENTITY:
            factor = self._current_factor()
            return self._t(f"ask_{factor}") if f"ask_{factor}" in self.prompts.templates \
                else self._t("ask_name")
        if self.stage is Stage.ACCEPT_OFFER:
            return self._t("ask_accept")
        if self.stage is Stage.CONSENT:
            return self._t("ask_consent")
        return self._t("ask_plan")

    def _reference_failed(self, *parts: str) -> Reply:
        self._reference_failures += 1
        if self._reference_failures >= MAX_REFERENCE_ATTEMPTS:
            return self._hand_off("reference_not_obtained")
        return self._reply(*parts)

    def _not_understood(self, *question: str) -> Reply:
        self._misunderstood += 1
        if self._misunderstood >= MAX_MISUNDERSTOOD:
            return self._hand_off("repeated_misunderstanding")
        return self._reply(self._t("not_understood"), *question)

    def _hand_off(self, reason: str) -> Reply:
        self.handoff = reason
        self.stage = Stage.DONE
        self._event("handoff", reason)
        return self._reply(self._t(f"handoff_{reason}"), handoff=reason)

    def _reply(self, *parts: str, end_call: bool = False, handoff: str | None = None,
               decisions: tuple[Decision, ...] = ()) -> Reply:
        text = " ".join(p for p in parts if p)
        allowed = allowed_numbers(self.decision)
        for extra in decisions:
            allowed |= allowed_numbers(extra)
        unexpected = self._unexpected_numbers(text, allowed)
        if unexpected:
            # Belt and braces: a reply may only speak the engine's numbers.
            log.error("reply held back, it spoke numbers the engine did not produce: %s (%r)",
                      unexpected, text)
            self._event("reply_blocked", ", ".join(str(n) for n in unexpected))
            text = " ".join([self._t("not_understood"), self._question()])
        self._last = text
        return Reply(text, end_call=end_call, handoff=handoff, language=self.language)

    def _unexpected_numbers(self, text: str, allowed: set[Decimal]) -> list[Decimal]:
        """Numbers in ``text`` that neither the engine, the account nor the caller gave."""
        # 1 is also an article ("a payment", "en une fois").
        ok = set(allowed) | {Decimal(1), Decimal(self.policy.instalments.max_count)}
        if self.account is not None:
            ok |= spoken_forms({self.account.balance})
        if self._candidate:
            ok |= {Decimal(d) for d in self._candidate}
        return [n for n in numbers_in(text, self.language) if n.normalize() not in ok]

    def _t(self, template: str, /, **values: str) -> str:
        return self.prompts.render(template, **values)

    def _spell(self, digits: str) -> str:
        return spell_digits(digits, self.language)

    def _event(self, kind: str, detail: str) -> None:
        self.record.events.append((kind, detail))
