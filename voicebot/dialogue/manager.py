"""The conversation, from greeting to hand-off, in English or French.

Stages: account reference -> identity (only with the account holder) ->
disclosures and balance -> negotiation -> read-back and explicit consent ->
hand-off for the first payment. Whatever the stage, distress stops the
collection and passes the call to a person first; someone calling for someone
else learns nothing; a request to stop contact, a dispute, a request for proof,
a lawyer or bankruptcy is acknowledged, recorded and handled as the creditor's
policy says, and money is never asked for after. Questions are answered from
the prompt and policy files. Every plan offered or accepted is a ``Decision``
of the policy engine (see ``negotiation``), and every reply is a template
filled with the engine's numbers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal

from voicebot.dialogue.base import Listen, Outcome, Reply
from voicebot.dialogue.explaining import answer, policy_numbers
from voicebot.dialogue.identity import (
    bare_name,
    fold_words,
    identity_answer,
    name_matches,
    postcode_matches,
)
from voicebot.dialogue.intents import FLAGS, SAFETY_INTENTS, Intent, requested_language
from voicebot.dialogue.money import numbers_in
from voicebot.dialogue.negotiation import Negotiation, Stage
from voicebot.dialogue.parsers import extract_digits, spell_digits
from voicebot.dialogue.prompts import Prompts
from voicebot.dialogue.record import DialogueRecord
from voicebot.dialogue.slots import (
    presents_as,
    speaks_for,
    volunteered_postcode,
    volunteered_reference,
)
from voicebot.dialogue.understanding import (
    IntentModel,
    Understanding,
    ask_model,
    classify,
    parse,
    understand,
    without_guesses,
)
from voicebot.dialogue.wording import allowed_numbers, spoken_forms
from voicebot.engines.llm import LanguageModel
from voicebot.policy import Account, Policy
from voicebot.redaction import looks_like_card_data, redact

log = logging.getLogger(__name__)

MAX_REFERENCE_ATTEMPTS = 3
_REFERENCE = re.compile(r"[A-Za-z0-9-]{1,32}")
MAX_MISUNDERSTOOD = 3
MAX_NO_INPUT = 2
SPOKEN_DISCLOSURES_IN_GREETING = {"ai_assistant"}
# Where a caller may answer with their name (asked for it, or ahead of the question).
_DIGIT_WORDS = frozenset({"zero", "oh", "one", "two", "three", "four", "five", "six", "seven",
                          "eight", "nine", "un", "deux", "trois", "quatre", "cinq", "sept",
                          "huit", "neuf"})
# Words that make a number money rather than a postcode.
_MONEY_WORDS = re.compile(r"[$€£]|\b(?:pay|paid|dollars?|bucks|euros?|pounds?|a month|a week|"
                          r"per|each|payer|paie|pa[iy]erai|par mois|par semaine|can do)\b")
_NAME_STAGES = frozenset({Stage.REFERENCE, Stage.CONFIRM_REFERENCE, Stage.IDENTITY})
# What the bot had just asked, in the words of the labelled corpus (the classifier's input).
CLASSIFIER_STAGE = {
    Stage.REFERENCE: "greeting", Stage.CONFIRM_REFERENCE: "reference",
    Stage.IDENTITY: "identity", Stage.RIGHT_PARTY: "identity", Stage.SAFETY_CHECK: "offer",
    Stage.NEGOTIATE: "negotiate", Stage.CONFIRM_AMOUNT: "offer",
    Stage.ACCEPT_OFFER: "offer", Stage.CONSENT: "consent", Stage.DONE: "consent",
}
_DEBT_QUESTION = r"how much|what do i owe|balance|combien (?:je dois|dois-je)|solde|montant"


class NegotiationDialogue:
    def __init__(self, *, prompts: Mapping[str, Prompts], policy: Policy,
                 accounts: Mapping[str, Account], today: dt.date, language: str,
                 llm: LanguageModel | None = None, llm_timeout: float = 1.5,
                 known_reference: str | None = None,
                 classifier: IntentModel | None = None,
                 account_flags: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self._prompts = prompts
        self.policy = policy
        self._accounts = accounts
        self.today = today
        self.language = language if language in prompts else next(iter(prompts))
        self._llm = llm
        self._llm_timeout = llm_timeout
        self._classifier = classifier
        # Compliance flags on record, by account (dispute, cease_contact, attorney,
        # bankruptcy, vulnerability): a flagged account is never negotiated with.
        self._account_flags = account_flags if account_flags is not None else {}
        self.record = DialogueRecord()
        self.talk = Negotiation(policy, today, self.record)
        self.account: Account | None = None
        self.verified = False
        self.handoff: str | None = None
        self.flags: list[str] = []  # recorded on the call and its hand-off
        self.priority = False  # a person must take this call first (distress)
        self.ended_request: str | None = None  # a request recorded, the call ended on it
        self._candidate: str | None = plain_reference(known_reference)
        self._factor = 0
        self._identity_failures = 0
        self._identity_detours = 0
        self._reference_failures = 0
        self._misunderstood = 0
        self._no_input = 0
        self._turns = 0
        self._earlier: list[str] = []  # caller lines before the account was known
        self._resume: Stage | None = None  # where to go back after a right-party check
        self._checking: Intent | None = None  # the safety intent being checked
        # The line that raised the check, to go on with if the caller says no, and the
        # requests the caller has said no to (not asked about again in this call).
        self._held: tuple[str, Understanding] | None = None
        self._denied: set[Intent] = set()
        self._offered_person = False
        self._unheard = 0  # replies in a row whose speech failed
        self._longest_reference = max((len(r) for r in accounts), default=10)
        self._last = ""

    # -- the Dialogue protocol ------------------------------------------------------

    @property
    def stage(self) -> Stage:
        return self.talk.stage

    @stage.setter
    def stage(self, stage: Stage) -> None:
        self.talk.stage = stage

    @property
    def decision(self):  # type: ignore[no-untyped-def]  # Decision | None
        return self.talk.decision

    @property
    def agreed(self) -> bool:
        return self.talk.agreed

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
        if self.stage in (Stage.CONFIRM_REFERENCE, Stage.RIGHT_PARTY, Stage.SAFETY_CHECK,
                          Stage.CONFIRM_AMOUNT, Stage.ACCEPT_OFFER, Stage.CONSENT):
            return Listen.YES_NO
        return Listen.FREE

    def complete(self, text: str) -> bool:
        listen = self.listen
        if listen is Listen.DIGITS:
            digits = extract_digits(text, self.language) or ""
            if self.stage is Stage.IDENTITY and self.account is not None:
                wanted = {len(re.sub(r"\D", "", self.account.postcode))}
            else:
                wanted = {len(ref) for ref in self._accounts} or {6}
            # Said to its end: nothing after the last digit but punctuation ("94107.",
            # not "94107 and..."), and nothing much besides ("it's 94107").
            last = fold_words(text)[-1:] or [""]
            ends_on_digit = bool(re.search(r"\d\W*$", text)) or last[0] in _DIGIT_WORDS
            return (len(digits) in wanted and ends_on_digit
                    and len(text.split()) <= 2 * max(wanted) + 2)
        if listen is Listen.YES_NO:
            heard = parse(text, self.language, self.today)
            return (heard.yes_no is not None and not heard.hedge and heard.plan.empty
                    and set(heard.intents) <= {Intent.YES, Intent.NO}
                    and len(text.split()) <= 4)
        if self.stage is Stage.IDENTITY and self.account is not None \
                and self._current_factor() == "name":
            return bare_name(text) and name_matches(text, self.account.name)
        return False

    def start(self) -> Reply:
        creditor = self.policy.name
        self._event("disclosure", "ai_assistant")  # the greeting says it is automated
        if self._candidate:
            self.stage = Stage.CONFIRM_REFERENCE
            return self._reply(self._t("greeting_known_reference", creditor=creditor,
                                       digits=self._spell(self._candidate)))
        return self._reply(self._t("greeting", creditor=creditor))

    async def on_caller_text(self, text: str) -> Reply:
        # Compatibility forms folded: "²³" is 23, a full-width "１" is 1.
        text = unicodedata.normalize("NFKC", text)
        self._no_input = 0
        self._unheard = 0
        self._turns += 1
        labels, alerts = await classify(self._classifier, text, self.language,
                                        CLASSIFIER_STAGE[self.stage])
        heard = understand(text, self.language, self.today, labels=labels, alerts=alerts)
        if self.stage in _NAME_STAGES and identity_answer(text, self.language):
            # A name or a postcode given when identity is being checked is the caller's
            # answer: the classifier's guess of a third party or a request for a person
            # is dropped (the rules' are kept: "I'm her husband" is no such answer).
            heard = without_guesses(heard, (Intent.THIRD_PARTY, Intent.HUMAN))
        if heard.intents:
            self._event("heard", " ".join(i.value for i in heard.intents))
        reply = self._language(text, heard)
        if reply is None and looks_like_card_data(text, self.language):
            # Stop the caller reading card details and pass them to a secure line.
            self._event("card_data", "caller started reading card data")
            reply = self._hand_off("payment")
        for intent in (i for i in SAFETY_INTENTS if heard.has(i)):
            if reply is not None:
                break
            # Most urgent first; a guess let go (a third party the classifier alone
            # hears in a verified caller) does not hide what the rules heard after it.
            reply = self._on_safety(intent, heard, text)
        thanks = ""
        if reply is None and self.stage is Stage.SAFETY_CHECK:
            reply = self._on_check_answer(heard, text)
            if reply is None and self._held is not None:
                # "No": what they said before the question goes on, as if asked now.
                thanks, (text, heard) = self._t("check_denied"), self._held
            self._held = None
        checks = [c for c in heard.checks
                  if c not in self._denied  # asked once and denied: not asked again
                  and not (c is Intent.THIRD_PARTY and self.verified)]  # name and postcode
        if reply is None and checks and self.stage is not Stage.DONE:  # already matched
            reply = self._check(checks[0], text, heard)
        if reply is None and self._offered_person:
            self._offered_person = False
            if heard.yes_no is True:
                return self._hand_off("caller_asked_for_human")
            if heard.yes_no is False:
                if self.language not in self.policy.languages:
                    self.language = self.policy.languages[0]
                return self._reply(self._question())
        if reply is None and heard.has(Intent.REPEAT) and self._last \
                and not heard.plan.amount and heard.yes_no is None:
            return Reply(self._last, language=self.language)
        if reply is None:
            reply = self._on_question(text, heard)
        if reply is None:
            reply = await self._on_stage(text, heard)
        if thanks:
            reply = dataclasses.replace(reply, text=f"{thanks} {reply.text}")
            self._last = reply.text
        return reply

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

    def on_shutdown(self) -> Reply:
        """The service is stopping: a person carries on the call from where it is."""
        return self._hand_off("service_restart")

    def filler(self) -> str:
        return self._t("filler")

    def on_unheard(self) -> Reply:
        """Say the last reply again; if it fails again, a person takes over. A plan
        read back with a piece missing can never be consented to."""
        self._unheard += 1
        self._event("reply_unheard", str(self._unheard))
        if self._unheard > 1 or not self._last:
            return self._hand_off("internal_failure")
        return Reply(self._last, language=self.language)

    def outcome(self) -> Outcome:
        account = self.account
        return Outcome(
            language=self.language, prompt_version=self.prompt_version,
            policy_version=self.policy_version, creditor_id=self.policy.id,
            creditor_name=self.policy.name,
            account_reference=account.reference if account else None,
            account_name=account.name if account else None, verified=self.verified,
            decision=self.decision, agreed=self.agreed, handoff=self.handoff,
            ended_request=self.ended_request, flags=tuple(self.flags), priority=self.priority,
            events=tuple(self.record.events),
        )

    # -- what must be heard first ---------------------------------------------------------

    def _language(self, text: str, heard: Understanding) -> Reply | None:
        """A request for the other language, or a caller who speaks it from the start."""
        wanted = requested_language(text, self.language)
        spoken = heard.spoken if heard.spoken != self.language else None
        if spoken and self._turns > 2:
            spoken = None  # a word or two of the other language later on is not a switch
        switch = wanted or spoken
        if switch is None or switch not in self._prompts:
            return None
        if switch in self.policy.languages:
            self.language = switch
            self._event("language", switch)
            return self._reply(self._t("language_switched"), self._question())
        self._event("language_unavailable", switch)
        self._offered_person = True
        if spoken:
            # Tell them in their language what this line can do, and offer a person.
            self.language = spoken
            return self._reply(self._t("other_language_spoken"))
        return self._reply(self._t("other_language_requested"))

    def _on_safety(self, intent: Intent, heard: Understanding, text: str) -> Reply | None:
        if intent is Intent.VULNERABLE:
            self.priority = True
            self._flag(intent)
            # What their own words asked for is recorded with it: someone calling for a
            # holder in hospital, "stop ringing me, it's making me ill".
            for other in heard.by_rules:
                if other in FLAGS and other is not Intent.VULNERABLE:
                    self._flag(other)
            support = self.policy.caller_support.get(self.language, "")
            return self._hand_off("vulnerability", support=f"{support} " if support else "")
        if intent is Intent.THIRD_PARTY:
            sure = Intent.THIRD_PARTY in heard.by_rules or self.stage is Stage.RIGHT_PARTY
            if not sure and self.account is not None:
                sure = speaks_for(text, self.account.name)
            if sure:
                return self._third_party(heard)
            if self.stage is Stage.RIGHT_PARTY or self.verified:
                # Name and postcode have matched and the balance was said: the model's
                # guess alone ("Him, I'm not sure" misheard for "Hmm") is not worth
                # stopping a consenting caller for. The caller's own words still are.
                return None
            # The classifier alone thinks so: ask rather than end the call.
            self._resume = self.stage
            self.stage = Stage.RIGHT_PARTY
            self._event("right_party_check", "")
            return self._reply(self._t("right_party_check"))
        if intent is Intent.HUMAN:
            return self._hand_off("caller_asked_for_human")
        request = FLAGS[intent]
        self._flag(intent)
        self.talk.stop()
        if not self.verified:
            return self._hand_off(request)  # a person records it against the right account
        if getattr(self.policy.on_request, request) == "end":
            self.stage = Stage.DONE
            self.ended_request = request
            self._event("ended", request)
            return self._reply(self._t(f"ended_{request}"), end_call=True)
        return self._hand_off(request)

    def _check(self, intent: Intent, text: str, heard: Understanding) -> Reply:
        """Not sure the caller meant it: ask, as a careful agent would, before going on."""
        if intent is Intent.THIRD_PARTY:
            self._resume, self.stage = self.stage, Stage.RIGHT_PARTY
            self._event("right_party_check", "")
            return self._reply(self._t("right_party_check"))
        if intent is Intent.HUMAN:
            self._offered_person = True
            return self._reply(self._t("offer_person"))
        self._resume, self.stage = self.stage, Stage.SAFETY_CHECK
        self._checking = intent
        # Kept to go on with after a no, when the line said more than what is asked about.
        held = dataclasses.replace(heard, checks=tuple(c for c in heard.checks
                                                       if c is not intent))
        says_more = (held.intents or held.checks or held.digits or held.yes_no is not None
                     or not held.plan.empty)
        self._held = (text, held) if says_more else None
        self._event("safety_check", intent.value)
        return self._reply(self._t(f"check_{intent.value}"))

    def _on_check_answer(self, heard: Understanding, text: str) -> Reply:
        intent, self._checking = self._checking, None
        self.stage, self._resume = self._resume or Stage.REFERENCE, None
        assert intent is not None
        if heard.yes_no is True and not heard.hedge:
            confirmed = dataclasses.replace(heard, intents=(intent, *heard.intents),
                                            by_rules=(intent, *heard.by_rules))
            return self._on_safety(intent, confirmed, text) or self._reply(self._question())
        if heard.yes_no is False:
            self._event("safety_check_denied", intent.value)
            if intent is not Intent.VULNERABLE:
                self._denied.add(intent)
            if self._held is None:
                return self._reply(self._t("check_denied"), self._question())
            return None  # the caller's earlier line goes on (see on_caller_text)
        if intent is Intent.VULNERABLE:
            # No clear answer to "can I pass you to someone who can help?": do so.
            return self._on_safety(intent, heard, text)
        return self._reply(self._question())

    def _unknown_question(self) -> Reply:
        self._offered_person = True
        self._event("question", "unknown")
        return self._reply(answer("unknown", self.policy, self.prompts), self._t("offer_person"))

    def _third_party(self, heard: Understanding | None = None) -> Reply:
        self._flag(Intent.THIRD_PARTY)
        # What else their own words said ("my ex opened it in my name": a dispute too) is
        # recorded for the staff who call the holder back; nothing is said about it.
        for other in heard.by_rules if heard else ():
            if other in FLAGS and other is not Intent.THIRD_PARTY:
                self._flag(other)
        self.stage = Stage.DONE
        self.talk.stop()
        return self._reply(self._t("third_party"), end_call=True)

    def _on_question(self, text: str, heard: Understanding) -> Reply | None:
        """Answer a question, then ask again what was being asked."""
        if not heard.has(Intent.QUESTION) or heard.safety is not None:
            return None
        moves = (Intent.OPTIONS, Intent.SETTLEMENT, Intent.PAY_IN_FULL, Intent.HARDSHIP)
        said = (heard.yes_no is not None or heard.option is not None
                or not heard.plan.empty)
        actionable = said or any(heard.has(i) for i in moves)
        topic = heard.topic
        if topic is None and not self.verified and re.search(_DEBT_QUESTION, text.lower()):
            return self._reply(self._t("answer_after_verification"), self._question())
        if topic is None:
            if actionable or self.stage in (Stage.REFERENCE, Stage.CONFIRM_REFERENCE,
                                            Stage.IDENTITY, Stage.RIGHT_PARTY) \
                    or heard.digits:
                return None
            if self._wants_model(heard):
                return None  # the language model may make sense of it first
            return self._unknown_question()
        # A question the rules know the topic of is answered, unless the caller's own
        # words also make a move ("what's the minimum? I can do 60"): a classifier's
        # guess of one ("what's the minimum I can pay?" as a request for the options)
        # does not take the answer away.
        if (said or any(i in heard.by_rules for i in moves)) \
                and topic not in ("robot", "who_creditor"):
            return None
        self._event("question", topic)
        return self._reply(answer(topic, self.policy, self.prompts), self._question())

    # -- stages -------------------------------------------------------------------------

    async def _on_stage(self, text: str, heard: Understanding) -> Reply:
        if self.stage is Stage.REFERENCE:
            return self._on_reference(text, heard)
        if self.stage is Stage.CONFIRM_REFERENCE:
            return self._on_confirm_reference(text, heard)
        if self.stage is Stage.IDENTITY:
            return self._on_identity(text, heard)
        if self.stage is Stage.RIGHT_PARTY:
            return self._on_right_party(heard)
        if self.stage is Stage.DONE:
            return self._reply(self._t("not_understood"))
        if self._wants_model(heard):
            model = await self._ask_model(text)
            if model is not None and model.safety is not None:
                return self._on_safety(model.safety, model, text) or self._reply(
                    self._question())
            if model is not None and model.intents != (Intent.OTHER,):
                heard = model
            elif heard.has(Intent.QUESTION):
                return self._unknown_question()
        turn = self.talk.on_turn(heard, self.prompts, self.account)
        if turn.misunderstood:
            return self._not_understood(*turn.parts)
        if turn.handoff:
            return self._hand_off(turn.handoff)
        self._misunderstood = 0
        if turn.reply_handoff:
            self.handoff = turn.reply_handoff
            self._event("handoff", turn.reply_handoff)
        return self._reply(*turn.parts, end_call=turn.end_call, handoff=turn.reply_handoff,
                           decisions=turn.decisions, caller_numbers=turn.caller_numbers)

    def _on_reference(self, text: str, heard: Understanding) -> Reply:
        self._earlier.append(text)
        self.talk.note_early(heard)
        digits = self._reference_in(text, heard)
        if digits is None:
            if heard.plan.empty is False or heard.has(Intent.HARDSHIP):
                return self._reply(self._t("ask_reference"))
            return self._reference_failed(self._t("not_understood_reference"))
        self._candidate = digits
        account = self._lookup(digits)
        if account is not None and presents_as(text, account.name):
            # "I'm Jane Doe, account 100200": the name on file confirms the reference.
            return self._accept(account)
        self.stage = Stage.CONFIRM_REFERENCE
        return self._reply(self._t("read_back", digits=self._spell(digits)))

    def _on_confirm_reference(self, text: str, heard: Understanding) -> Reply:
        account = self._lookup(self._candidate or "")
        gives_identity = volunteered_postcode(text, self.language) is not None or (
            account is not None and presents_as(text, account.name))
        digits = None if gives_identity else self._reference_in(text, heard)
        if digits and digits != self._candidate:
            return self._on_reference(text, heard)  # a correction
        self.talk.note_early(heard)
        if heard.yes_no is True or (gives_identity and heard.yes_no is not False):
            if account is None:
                self.stage = Stage.REFERENCE
                self._event("reference_unknown", self._candidate or "")
                return self._reference_failed(
                    self._t("reference_unknown", digits=self._spell(self._candidate or "")),
                    self._t("ask_reference"))
            self._earlier.append(text)
            return self._accept(account)
        if heard.yes_no is False:
            self.stage = Stage.REFERENCE
            return self._reply(self._t("ask_again"), self._t("ask_reference"))
        return self._not_understood(self._t("yes_or_no"))

    def _accept(self, account: Account) -> Reply:
        """The reference is known: check identity with whatever the caller already said."""
        self.account = account
        self.stage = Stage.IDENTITY
        self._factor = 0
        self._event("reference", account.reference)
        earlier, self._earlier = self._earlier, []
        if any(speaks_for(line, account.name) for line in earlier):
            return self._third_party()
        while (factor := self._current_factor()) is not None:
            given = self._volunteered(factor, earlier, account)
            if given is None:
                break
            if not given:
                return self._identity_failed(factor)
            self._factor += 1
        if self._current_factor() is not None:
            return self._reply(self._question())
        return self._verified()

    def _volunteered(self, factor: str, lines: list[str], account: Account) -> bool | None:
        """Whether something the caller already said passes ``factor`` (None: not said)."""
        for line in lines:
            if factor == "name" and presents_as(line, account.name):
                return True
            if factor == "postcode":
                said = volunteered_postcode(line, self.language)
                if said is not None:
                    return postcode_matches(said, account.postcode, self.language)
            if factor == "account_reference":
                return True
        return None

    def _on_identity(self, text: str, heard: Understanding) -> Reply:
        assert self.account is not None
        factor = self._current_factor()
        self.talk.note_early(heard)
        if speaks_for(text, self.account.name):
            return self._third_party()
        if factor == "name":
            ok = name_matches(text, self.account.name) or presents_as(text, self.account.name)
        elif factor == "postcode":
            said = volunteered_postcode(text, self.language) or text
            ok = postcode_matches(said, self.account.postcode, self.language)
        elif factor == "account_reference":
            ok = True  # already confirmed
        else:
            ok = False  # a factor this deployment holds no data for: a person checks it
        if not ok and factor is not None and not self._identity_attempt(factor, text, heard):
            return self._identity_detour(factor, heard)
        if not ok:
            return self._identity_failed(factor or "")
        self._factor += 1
        # "Jane Doe, 94107": the next answer in the same breath.
        if factor == "name" and self._current_factor() == "postcode":
            said = volunteered_postcode(text, self.language) or extract_digits(
                text, self.language)
            if said and len(said) >= 4:
                if not postcode_matches(said, self.account.postcode, self.language):
                    return self._identity_failed("postcode")
                self._factor += 1
        if self._current_factor() is not None:
            return self._reply(self._question())
        return self._verified()

    def _identity_failed(self, factor: str) -> Reply:
        self._identity_failures += 1
        self._event("identity_mismatch", factor)
        if self._identity_failures >= self.policy.identity.max_attempts:
            return self._hand_off("identity_not_verified")
        return self._reply(self._t("identity_mismatch"), self._retry(factor))

    def _identity_attempt(self, factor: str, text: str, heard: Understanding) -> bool:
        """Whether the line tries to answer the identity question. A question, an offer or
        a request for the options ("what are my options?", "I lost my job, I can do 60 a
        month"), a sentence where a name was asked, or no digit at all where a postcode
        was ("yes", a mishearing), is no wrong answer; digits alone ("1,001.") or a
        labelled postcode are one, right or wrong."""
        if factor == "postcode":
            if volunteered_postcode(text, self.language) is not None:
                return True
            digits = extract_digits(text, self.language) or ""
            if len(digits) >= 3 and identity_answer(text, self.language) \
                    and not _MONEY_WORDS.search(text.lower()):
                return True
            if not digits:
                return False
        if self._moves_on(heard):
            return False
        # A name is a few words; a sentence about something else is not a wrong name.
        return factor != "name" or identity_answer(text, self.language)

    @staticmethod
    def _moves_on(heard: Understanding) -> bool:
        """The line asks a question or makes a move in the negotiation."""
        moves = (Intent.QUESTION, Intent.OPTIONS, Intent.SETTLEMENT, Intent.PAY_IN_FULL,
                 Intent.HARDSHIP, Intent.PROPOSE)
        return any(heard.has(i) for i in moves) or not heard.plan.empty

    def _identity_detour(self, factor: str, heard: Understanding) -> Reply:
        """Identity first, then the rest: the line is kept (an offer is remembered) and
        the question asked again; after three such lines a person takes over."""
        self._identity_detours += 1
        self._event("identity_detour", factor)
        if self._identity_detours >= 3:
            return self._hand_off("identity_not_verified")
        why = "identity_first" if self._moves_on(heard) else "not_understood"
        return self._reply(self._t(why), self._retry(factor))

    def _retry(self, factor: str) -> str:
        key = f"retry_{factor}"
        return self._t(key) if key in self.prompts.templates else self._question()

    def _on_right_party(self, heard: Understanding) -> Reply:
        if heard.yes_no is True and not heard.hedge:
            self.stage = self._resume or Stage.REFERENCE
            self._resume = None
            self._event("right_party_confirmed", "")
            return self._reply(self._question())
        if heard.yes_no is False:
            return self._third_party()
        return self._not_understood(self._t("right_party_check"))

    def _verified(self) -> Reply:
        assert self.account is not None
        self.verified = True
        self._event("identity_verified", "")
        flagged = self._account_flags.get(self.account.reference, ())
        if flagged:
            # An earlier call (or staff) flagged the account: collection has stopped, or
            # the caller needs a person first. Nothing about the debt, a person at once.
            for flag in flagged:
                if flag not in self.flags:
                    self.flags.append(flag)
            self.priority = self.priority or "vulnerability" in flagged
            self._event("account_flagged", ",".join(flagged))
            return self._hand_off("account_flagged")
        creditor = self.policy.name
        parts = []
        for disclosure in self.policy.disclosures:
            if disclosure in SPOKEN_DISCLOSURES_IN_GREETING:
                continue
            parts.append(self._t(f"disclosure_{disclosure}", creditor=creditor))
            self._event("disclosure", disclosure)
        turn = self.talk.open(self.prompts, self.account)
        if turn.handoff:
            return self._hand_off(turn.handoff)
        return self._reply(*parts, *turn.parts, decisions=turn.decisions)

    # -- helpers ----------------------------------------------------------------------------

    def _wants_model(self, heard: Understanding) -> bool:
        """Ask the language model only when rules, parsers and classifier found nothing
        to act on (a hedge or a question with no answer in the prompt files is not)."""
        vague = {Intent.UNSURE, Intent.QUESTION, Intent.OTHER}
        return (self._llm is not None and set(heard.intents) <= vague and heard.plan.empty
                and heard.yes_no is None and heard.option is None and heard.topic is None
                and self.stage in (Stage.NEGOTIATE, Stage.ACCEPT_OFFER))

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

    def _reference_in(self, text: str, heard: Understanding) -> str | None:
        """A reference the caller said, if it could be one: never longer than any real
        reference (a longer run of digits may be a card number, never read back)."""
        digits = volunteered_reference(text, self.language) or heard.digits
        if digits is None or not 4 <= len(digits) <= self._longest_reference:
            return None
        return digits

    def _lookup(self, reference: str) -> Account | None:
        account = self._accounts.get(reference)
        return account if account is not None and account.creditor == self.policy.id else None

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
        if self.stage is Stage.RIGHT_PARTY:
            return self._t("right_party_check")
        if self.stage is Stage.SAFETY_CHECK and self._checking is not None:
            return self._t(f"check_{self._checking.value}")
        return self.talk.question(self.prompts)

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

    def _flag(self, intent: Intent) -> None:
        flag = FLAGS[intent]
        if flag not in self.flags:
            self.flags.append(flag)
            self._event("flag", flag)

    def _hand_off(self, reason: str, **values: str) -> Reply:
        self.handoff = reason
        self.stage = Stage.DONE
        self.talk.stop()
        self._event("handoff", reason)
        return self._reply(self._t(f"handoff_{reason}", **values), handoff=reason,
                           policy_text=values.get("support", ""))

    def _reply(self, *parts: str, end_call: bool = False, handoff: str | None = None,
               decisions: tuple = (), caller_numbers: frozenset[Decimal] = frozenset(),
               policy_text: str = "") -> Reply:
        text = " ".join(p.strip() for p in parts if p and p.strip())
        allowed = allowed_numbers(self.talk.decision) | set(caller_numbers)
        for extra in decisions:
            allowed |= allowed_numbers(extra)
        if policy_text:
            allowed |= set(numbers_in(policy_text, self.language))
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
        """Numbers in ``text`` that neither the engine, the policy, the account nor the
        caller's confirmed reference gave."""
        # 1 is also an article ("a payment", "en une fois").
        ok = set(allowed) | {Decimal(1)} | policy_numbers(self.policy)
        for own in self.policy.answers.get(self.language, {}).values():
            ok |= set(numbers_in(own, self.language))
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


def plain_reference(reference: str | None) -> str | None:
    """An account reference passed in by the carrier, if it looks like one (else None:
    the caller is asked for it)."""
    if not reference:
        return None
    reference = unicodedata.normalize("NFKC", reference).strip()
    if _REFERENCE.fullmatch(reference):
        return reference
    log.warning("ignoring an account reference that is not one (%d characters)",
                len(reference))
    return None
