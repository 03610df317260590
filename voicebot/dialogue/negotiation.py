"""The negotiation, once the debtor is verified: offers, counter-offers with their
reason, settlements in steps, options picked by position or description, and
consent that is explicit or nothing.

Every plan comes from the policy engine (``decide``, ``options``); this module
only chooses what to ask it. A counter-offer says which rule decided it; a
settlement starts with a small discount and moves towards the policy's largest
one step by step as the caller refuses; a caller who refuses twice hears the
options (or can have a person); a hedge at the read-back is never a yes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from voicebot.dialogue.consent import clear_yes
from voicebot.dialogue.explaining import why
from voicebot.dialogue.intents import Intent
from voicebot.dialogue.money import PlanRequest
from voicebot.dialogue.prompts import Prompts
from voicebot.dialogue.record import DialogueRecord
from voicebot.dialogue.understanding import Understanding
from voicebot.dialogue.wording import (
    describe_options,
    describe_plan,
    frequency_word,
    money,
    spoken_forms,
)
from voicebot.policy import Account, Ask, Decision, Frequency, Policy, QuoteError, decide, options

log = logging.getLogger(__name__)

MAX_REFUSALS = 2
SETTLEMENT_STEPS = 3  # discounts offered: a third of the largest, two thirds, all of it
_LATER = re.compile(r"\blater\b|plus tard|call (?:you )?back|rappeler|rappellerai")
_PER = {
    "en": {Frequency.MONTHLY: "a month", Frequency.WEEKLY: "a week",
           Frequency.FORTNIGHTLY: "a fortnight"},
    "fr": {Frequency.MONTHLY: "par mois", Frequency.WEEKLY: "par semaine",
           Frequency.FORTNIGHTLY: "par quinzaine"},
}


class Stage(enum.Enum):
    REFERENCE = "account reference"
    CONFIRM_REFERENCE = "confirm account reference"
    IDENTITY = "identity check"
    RIGHT_PARTY = "confirm the account holder"
    SAFETY_CHECK = "check what the caller meant"
    NEGOTIATE = "negotiation"
    CONFIRM_AMOUNT = "confirm an amount"
    ACCEPT_OFFER = "accept or refuse an offer"
    CONSENT = "consent to the plan read back"
    DONE = "done"


@dataclass(frozen=True)
class Turn:
    """What the negotiation says next, and what it means for the call."""

    parts: tuple[str, ...] = ()
    decisions: tuple[Decision, ...] = ()  # plans the reply may speak the numbers of
    handoff: str | None = None  # pass the call on, with that reason's words
    reply_handoff: str | None = None  # these words end with a hand-off (an agreed plan)
    end_call: bool = False
    misunderstood: bool = False
    caller_numbers: frozenset[Decimal] = frozenset()  # said back to be confirmed


class Negotiation:
    def __init__(self, policy: Policy, today: dt.date, record: DialogueRecord) -> None:
        self.policy = policy
        self.today = today
        self.record = record
        self.stage = Stage.REFERENCE
        self.decision: Decision | None = None
        self.agreed = False
        self._menu: tuple[Decision, ...] = ()
        self._early = PlanRequest()  # what the caller asked before being verified
        self._early_hardship = False
        self._pending: PlanRequest | None = None  # an amount waiting for confirmation
        self._offer_kind = ""
        self._refusals = 0
        self._settlement_step = 0
        self._hedges = 0

    # -- entry points ---------------------------------------------------------------------

    def note_early(self, heard: Understanding) -> None:
        """Keep what the caller asked before identity was checked, to act on it after."""
        plan = heard.plan
        # Only a plan said as one ("80 a month", "in 3 payments"): a bare number at
        # this point is more likely a reference or a postcode.
        if plan.frequency or plan.count or plan.lump_sum or plan.upfront:
            self._early = plan
        if heard.has(Intent.HARDSHIP):
            self._early_hardship = True

    def stop(self) -> None:
        """No more offers on this call (a hand-off, a request, a third party)."""
        self.stage = Stage.DONE
        self._pending = None

    def open(self, prompts: Prompts, account: Account) -> Turn:
        """The balance and the ways to pay, or straight to what the caller already asked."""
        lang = prompts.language
        rules = self.policy.instalments
        balance = prompts.render(
            "balance", name=account.name.split()[0], creditor=self.policy.name,
            balance=money(account.balance, account.currency, lang))
        self.stage = Stage.NEGOTIATE
        if self._early_hardship:
            turn = self._hardship(self._early, prompts, account)
        elif not self._early.empty:
            turn = self._negotiate(self._early, prompts, account, Understanding(
                intents=(), yes_no=None, digits=None, plan=self._early))
        else:
            return Turn((balance, prompts.render(
                "ways_to_pay", max_count=str(rules.max_count),
                frequency=frequency_word(rules.frequencies[0], lang)),
                prompts.render("ask_plan")))
        if turn.handoff:
            return turn
        return dataclasses.replace(turn, parts=(balance, *turn.parts))

    def on_turn(self, heard: Understanding, prompts: Prompts, account: Account | None) -> Turn:
        assert account is not None
        if self.stage is Stage.CONFIRM_AMOUNT:
            return self._on_confirm_amount(heard, prompts, account)
        if self.stage is Stage.ACCEPT_OFFER:
            return self._on_offer(heard, prompts, account)
        if self.stage is Stage.CONSENT:
            return self._on_consent(heard, prompts, account)
        return self._negotiate(heard.plan, prompts, account, heard)

    def question(self, prompts: Prompts) -> str:
        if self.stage is Stage.ACCEPT_OFFER:
            return prompts.render("ask_accept")
        if self.stage is Stage.CONSENT:
            return prompts.render("ask_consent")
        if self.stage is Stage.CONFIRM_AMOUNT:
            return prompts.render("yes_or_no")
        return prompts.render("ask_plan")

    # -- stages -----------------------------------------------------------------------------

    def _negotiate(self, plan: PlanRequest, prompts: Prompts, account: Account,
                   heard: Understanding) -> Turn:
        self.stage = Stage.NEGOTIATE
        if heard.option is not None and self._menu and not plan.amount:
            return self._choose(heard.option, prompts)
        if heard.has(Intent.HARDSHIP):
            return self._hardship(plan, prompts, account)
        if heard.has(Intent.OPTIONS) or (heard.has(Intent.CHOOSE_OPTION) and not self._menu):
            return self._options(prompts, account)
        if plan.ambiguous:
            return self._confirm_amount(plan, prompts, account)
        upfront = plan.upfront
        offered = upfront or plan.amount
        # The whole balance at once is paying in full, not a settlement, whatever a
        # classifier guessed ("I'll pay the whole 480 today").
        whole = heard.has(Intent.PAY_IN_FULL) and (offered is None or offered >= account.balance)
        if (heard.has(Intent.SETTLEMENT) and not whole) or (
                upfront is not None and plan.lump_sum and upfront < account.balance):
            return self._settlement(upfront or plan.amount, prompts, account)
        if heard.has(Intent.PAY_IN_FULL) or (plan.lump_sum and plan.amount is None \
                and upfront is None):
            return self._offer(Ask(amount=account.balance, first_date=plan.first_date),
                               prompts, account)
        if upfront is not None:
            # Money now is a down payment: the engine sets its size; the rest is spread.
            count = plan.count or (None if plan.amount else
                                   1 if self.policy.instalments.down_payment else 2)
            return self._offer(self._ask(dataclasses.replace(
                plan, count=count, upfront=None), account), prompts, account)
        if not plan.empty:
            return self._offer(self._ask(plan, account), prompts, account)
        if heard.yes_no is not None or heard.hedge:
            return Turn((prompts.render("ask_amount"),))
        return Turn((prompts.render("ask_amount"),), misunderstood=True)

    def _on_confirm_amount(self, heard: Understanding, prompts: Prompts,
                           account: Account) -> Turn:
        pending, self._pending = self._pending, None
        if not heard.plan.empty:
            return self._negotiate(heard.plan, prompts, account, heard)
        if heard.yes_no is True and pending is not None:
            return self._negotiate(pending, prompts, account, dataclasses.replace(
                heard, intents=(), option=None))
        if heard.yes_no is False or heard.hedge:
            self.stage = Stage.NEGOTIATE
            return Turn((prompts.render("ask_amount"),))
        self._pending = pending
        return Turn((prompts.render("yes_or_no"),), misunderstood=True)

    def _on_offer(self, heard: Understanding, prompts: Prompts, account: Account) -> Turn:
        if not heard.plan.empty or heard.option is not None or any(
                heard.has(i) for i in (Intent.OPTIONS, Intent.SETTLEMENT, Intent.HARDSHIP,
                                       Intent.PAY_IN_FULL)):
            return self._negotiate(heard.plan, prompts, account, heard)  # "no, how about 60?"
        if heard.hedge:
            return Turn((prompts.render("ask_accept"),))
        if heard.yes_no is True and self.decision is not None:
            return self._read_back(self.decision, prompts)
        if heard.yes_no is False:
            return self._refused(prompts, account)
        return Turn((prompts.render("yes_or_no"), prompts.render("ask_accept")),
                    misunderstood=True)

    def _on_consent(self, heard: Understanding, prompts: Prompts, account: Account) -> Turn:
        if heard.option is not None or (not heard.plan.empty and not self._restates(heard.plan)):
            return self._negotiate(heard.plan, prompts, account, heard)
        later = _LATER.search(heard.text.lower()) is not None
        if heard.hedge or heard.has(Intent.UNSURE) or later:
            self._hedges += 1
            self.record.add("consent_hedged", str(self._hedges))
            if self._hedges >= 2 or later:
                return self._defer(prompts)
            return Turn((prompts.render("consent_unsure"),))
        if heard.yes_no is True and self.decision is not None:
            if clear_yes(heard.text, prompts.language) or self._restates(heard.plan):
                return self._agree(prompts)
            # A yes with more to it: ask for a plain answer rather than guess.
            self.record.add("consent_unclear", "")
            return Turn((prompts.render("yes_or_no"), prompts.render("ask_consent")))
        if heard.yes_no is False:
            return self._refused(prompts, account)
        return Turn((prompts.render("yes_or_no"), prompts.render("ask_consent")),
                    misunderstood=True)

    def _restates(self, plan: PlanRequest) -> bool:
        """"Yes, 100 a month": the caller repeats the plan being read back."""
        decision = self.decision
        return (decision is not None and plan.amount is not None and not plan.count
                and plan.upfront is None and plan.amount == decision.instalment_amount)

    # -- moves ---------------------------------------------------------------------------------

    def _offer(self, ask: Ask, prompts: Prompts, account: Account, *,
               hardship: bool = False) -> Turn:
        lang = prompts.language
        try:
            decision = decide(self.policy, account.balance, self.today, ask)
        except QuoteError as exc:
            log.info("ask refused by the engine: %s", exc)
            return Turn((prompts.render("ask_amount"),), misunderstood=True)
        self.decision = decision
        self.record.add("decision", decision.summary)
        plan = describe_plan(decision, lang, self.today)
        if hardship and decision.requires_human:
            self.stage, self._offer_kind = Stage.ACCEPT_OFFER, "hardship"
            return Turn((prompts.render("hardship_offer", plan=plan),
                         prompts.render("ask_accept")))
        if decision.accepted:
            return self._read_back(decision, prompts)
        self.stage, self._offer_kind = Stage.ACCEPT_OFFER, "instalments"
        if ask == Ask() or ask.instalments == 1 or (ask.amount is not None
                                                    and ask.amount >= account.balance):
            return Turn((prompts.render("propose", plan=plan), prompts.render("ask_accept")))
        reason = why(decision, self.policy, prompts)
        return Turn((prompts.render("counter_offer", plan=plan, reason=reason),
                     prompts.render("ask_accept")))

    def _settlement(self, offered: Decimal | None, prompts: Prompts, account: Account) -> Turn:
        """A reduced lump sum: the caller's own offer if the rules allow it, else the
        next step of discount (never below what the caller offered)."""
        lang = prompts.language
        if self.policy.settlement is None:
            self.stage = Stage.NEGOTIATE
            return Turn((prompts.render("no_settlement", creditor=self.policy.name),
                         prompts.render("ask_plan")))
        if offered is not None and offered < account.balance:
            asked = decide(self.policy, account.balance, self.today, Ask(settlement=offered))
            if asked.accepted:
                self.decision = asked
                self.record.add("decision", asked.summary)
                return self._read_back(asked, prompts)
        largest = self.policy.settlement.max_discount_percent
        step = min(self._settlement_step, SETTLEMENT_STEPS - 1)
        self._settlement_step = step + 1
        percent = largest * (step + 1) / SETTLEMENT_STEPS
        target = (account.balance * (100 - percent) / 100).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)
        if offered is not None:
            target = max(target, offered)
        decision = decide(self.policy, account.balance, self.today, Ask(settlement=target))
        self.decision = decision
        self.record.add("decision", f"settlement step {step + 1}: {decision.summary}")
        self.stage, self._offer_kind = Stage.ACCEPT_OFFER, "settlement"
        plan = describe_plan(decision, lang, self.today)
        saving = money(decision.discount, decision, lang)
        if offered is None:
            return Turn((prompts.render("settlement_offer", plan=plan, discount=saving),
                         prompts.render("ask_accept")))
        floor = "" if step < SETTLEMENT_STEPS - 1 else why(decision, self.policy, prompts)
        return Turn((prompts.render("settlement_counter", plan=plan, discount=saving,
                                    reason=floor), prompts.render("ask_accept")))

    def _hardship(self, plan: PlanRequest, prompts: Prompts, account: Account) -> Turn:
        self.record.add("hardship", "")
        if self.policy.hardship is None:
            return Turn(handoff="hardship")  # this creditor's staff handle hardship
        return self._offer(self._ask(plan, account, hardship=True), prompts, account,
                           hardship=True)

    def _options(self, prompts: Prompts, account: Account, *, lead: str = "") -> Turn:
        menu = options(self.policy, account.balance, self.today)
        self._menu = menu
        self.stage = Stage.NEGOTIATE
        said = describe_options(menu, prompts.language, self.today)
        parts = (lead, prompts.render("options", options=said), prompts.render("ask_choice"))
        return Turn(tuple(p for p in parts if p), decisions=menu)

    def _choose(self, option: str, prompts: Prompts) -> Turn:
        chosen = pick(self._menu, option)
        if chosen is None:
            return Turn((prompts.render("ask_choice"),), decisions=self._menu,
                        misunderstood=True)
        self.decision = chosen
        self.record.add("chosen", f"{option}: {chosen.summary}")
        return self._read_back(chosen, prompts)

    def _confirm_amount(self, plan: PlanRequest, prompts: Prompts, account: Account) -> Turn:
        if plan.amount is None:
            return Turn((prompts.render("ask_amount"),), misunderstood=True)
        self.stage = Stage.CONFIRM_AMOUNT
        self._pending = dataclasses.replace(plan, ambiguous=False)
        frequency = plan.frequency or self.policy.instalments.frequencies[0]
        said = money(plan.amount, account.currency, prompts.language)
        return Turn((prompts.render("confirm_amount", amount=said,
                                    per=_PER[prompts.language][frequency]),),
                    caller_numbers=frozenset(spoken_forms({plan.amount})))

    def _read_back(self, decision: Decision, prompts: Prompts) -> Turn:
        self.stage = Stage.CONSENT
        self._hedges = 0
        lang = prompts.language
        return Turn((prompts.render("confirm_plan", plan=describe_plan(decision, lang, self.today),
                                    total=money(decision.total, decision, lang)),
                     prompts.render("ask_consent")))

    def _agree(self, prompts: Prompts) -> Turn:
        assert self.decision is not None
        self.agreed = True
        self.stage = Stage.DONE
        self.record.add("agreed", self.decision.summary)
        if self.decision.requires_human:
            return Turn((prompts.render("hardship_agreed"),), reply_handoff="hardship_approval")
        return Turn((prompts.render("agreed"),), reply_handoff="payment")

    def _defer(self, prompts: Prompts) -> Turn:
        self.stage = Stage.DONE
        self.record.add("consent_deferred", "")
        return Turn((prompts.render("consent_later"),), end_call=True)

    def _refused(self, prompts: Prompts, account: Account) -> Turn:
        self._refusals += 1
        self.record.add("refused", str(self._refusals))
        if self._offer_kind == "settlement" and self._settlement_step < SETTLEMENT_STEPS:
            return self._settlement(None, prompts, account)
        if self._refusals >= MAX_REFUSALS:
            self._refusals = 0
            return self._options(prompts, account, lead=prompts.render("refused_twice"))
        self.stage = Stage.NEGOTIATE
        return Turn((prompts.render("rejected_plan"), prompts.render("ask_amount")))

    def _ask(self, plan: PlanRequest, account: Account, *, hardship: bool = False) -> Ask:
        """The engine's question for what the caller said.

        "480 over 5 years" names the total and a count: the count is what they
        ask. "50 a month for 6 months" names both per instalment: the amount
        wins, the engine works out the count.
        """
        amount, count = plan.amount, plan.count
        if amount is not None and count is not None:
            if amount >= account.balance or amount * count < account.balance / 2:
                amount = None
            else:
                count = None
        try:
            return Ask(amount=amount, instalments=count, first_date=plan.first_date,
                       frequency=plan.frequency, hardship=hardship)
        except QuoteError as exc:
            log.info("caller's ask is not usable as is (%s); asking the engine for its best", exc)
            return Ask(hardship=hardship)


def pick(menu: tuple[Decision, ...], option: str) -> Decision | None:
    """The option a caller chose, by position ("2", "last") or by description."""
    if not menu:
        return None
    if option.isdecimal():
        index = int(option) - 1
        return menu[index] if 0 <= index < len(menu) else None
    if option == "last":
        return menu[-1]

    def regular(d: Decision) -> Decimal:
        return d.instalment_amount if d.instalment_amount is not None else d.total

    chooser = {
        "lowest": lambda: min(menu, key=regular),
        "highest": lambda: max(menu, key=regular),
        "shortest": lambda: min(menu, key=lambda d: (d.count, -regular(d))),
        "longest": lambda: max(menu, key=lambda d: (d.count, -regular(d))),
    }.get(option)
    return chooser() if chooser else None
