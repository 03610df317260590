"""What an agent hears before the caller is connected: a short summary of the packet.

It lives with the dialogue because it is words said aloud, amounts and plans worded
as the bot words them (``saying``); the hand-off package knows nothing of wording.

The whisper is said by the carrier to the agent alone (``<Say>`` on the agent's own
call, before it joins the caller), in the caller's language: the agent who takes a
French caller speaks French. What it may say, following the trade's rules
(``DOMAIN.md``):

- only facts kept as structured fields (the reason, whether identity was verified,
  the flags, the engine's plan): never the transcript, the notes or other free text,
  so nothing a caller read out (a card number, a security code) can be said;
- no name, account reference, phone number or address: the desktop shows those to
  the signed-in agent, while a call may reach a voicemail or a shared phone (an agent
  at a phone or a PBX must press a key before hearing this);
- what the agent must do before anything else: verify identity when the bot could
  not (the debt is discussed with the debtor only), take payment on a card-safe line
  when the caller began reading card details;
- when a flag stops collection (distress, bankruptcy, a lawyer, a dispute, a request
  for proof, a stop-contact request), that warning instead of the plan: no talk of
  money on this call;
- otherwise the plan in words: agreed or only proposed, how many payments, the total,
  the down payment and the instalment, said as people say amounts.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from voicebot.dialogue.saying import Noun, french_number, say_amount, say_count
from voicebot.handoff.packet import HandoffPacket
from voicebot.handoff.reasons import HandoffReason
from voicebot.policy import Frequency
from voicebot.text.words import lang_of

_REASON_FR = {
    HandoffReason.IDENTITY_NOT_VERIFIED: "Identité non vérifiée",
    HandoffReason.PAYMENT: "Prêt pour le premier paiement",
    HandoffReason.HARDSHIP_APPROVAL: "Plan de difficulté à approuver",
    HandoffReason.CALLER_ASKED_FOR_HUMAN: "L'appelant a demandé une personne",
    HandoffReason.DISPUTE: "L'appelant conteste la dette",
    HandoffReason.VALIDATION: "L'appelant demande la preuve de la dette",
    HandoffReason.LAWYER: "L'appelant a mentionné un avocat",
    HandoffReason.BANKRUPTCY: "L'appelant a mentionné une faillite",
    HandoffReason.STOP_CONTACT: "L'appelant demande l'arrêt des contacts",
    HandoffReason.VULNERABILITY: "L'appelant est peut-être vulnérable",
    HandoffReason.HARDSHIP: "L'appelant est en difficulté financière",
    HandoffReason.LANGUAGE: "L'appelant parle une langue que l'assistant n'utilise pas ici",
    HandoffReason.REPEATED_MISUNDERSTANDING: "L'assistant a mal compris plusieurs fois",
    HandoffReason.REFERENCE_NOT_OBTAINED: "Référence du compte non obtenue",
    HandoffReason.INTERNAL_FAILURE: "L'assistant a rencontré une erreur",
    HandoffReason.ACCOUNT_FLAGGED: "Compte signalé lors d'un appel précédent",
    HandoffReason.SERVICE_RESTART: "L'assistant redémarrait : reprenez l'appel",
    HandoffReason.STREAM_LOST: "L'assistant a perdu l'audio : reprenez l'appel",
}

# Flags that stop collection on this call, in the order their warning is said.
_STOP_FLAGS = ("vulnerability", "bankruptcy", "lawyer", "attorney", "stop_contact",
               "cease_contact", "dispute", "validation")

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "opening": "Hand-off from the assistant.",
        "priority": "Priority call.",
        "verified": "Identity verified.",
        "not_verified": "Identity not verified: verify the caller before discussing the "
                        "account.",
        "no_account": "No account identified: verify the caller before discussing any "
                      "account.",
        "card": "The caller started reading card details: take payment only on the secure "
                "payment line.",
        "mismatch": "An identity check did not match.",
        "vulnerability": "Vulnerability flagged: no talk of money; check the caller is "
                         "safe and supported.",
        "bankruptcy": "Bankruptcy mentioned: do not collect.",
        "lawyer": "A lawyer was mentioned: contact may have to go through them.",
        "attorney": "The account has an attorney: contact goes through them.",
        "stop_contact": "The caller asked to stop contact.",
        "cease_contact": "The account has a request to stop contact.",
        "dispute": "The debt is disputed: collection of it is suspended.",
        "validation": "The caller asked for proof of the debt: collection is suspended "
                      "until it is sent.",
        "hardship": "Financial hardship.",
        "no_plan": "No plan was discussed.",
        "agreed": "Agreed plan: {plan}.",
        "proposed": "Proposed plan, not agreed: {plan}.",
        "approval": "It needs a person's approval.",
        "total": "{count}, {total} in all",
        "colon": ": ",
        "down": "{amount} now",
        "then": "then {count} of {amount}",
        "each": "{amount} each",
        "last": "the last {amount}",
        "join": "Connecting you to the caller.",
    },
    "fr": {
        "opening": "Transfert de l'assistant.",
        "priority": "Appel prioritaire.",
        "verified": "Identité vérifiée.",
        "not_verified": "Identité non vérifiée : vérifiez l'appelant avant de parler du "
                        "compte.",
        "no_account": "Aucun compte identifié : vérifiez l'appelant avant de parler d'un "
                      "compte.",
        "card": "L'appelant a commencé à lire sa carte : le paiement se fait uniquement "
                "sur la ligne de paiement sécurisée.",
        "mismatch": "Une vérification d'identité n'a pas concordé.",
        "vulnerability": "Vulnérabilité signalée : ne parlez pas d'argent ; vérifiez que "
                         "l'appelant est en sécurité et entouré.",
        "bankruptcy": "Faillite mentionnée : aucun recouvrement.",
        "lawyer": "Un avocat a été mentionné : le contact passe peut-être par lui.",
        "attorney": "Le compte a un avocat : le contact passe par lui.",
        "stop_contact": "L'appelant demande l'arrêt des contacts.",
        "cease_contact": "Le compte a une demande d'arrêt des contacts.",
        "dispute": "La dette est contestée : son recouvrement est suspendu.",
        "validation": "L'appelant demande la preuve de la dette : le recouvrement est "
                      "suspendu jusqu'à son envoi.",
        "hardship": "Difficultés financières.",
        "no_plan": "Aucun plan n'a été discuté.",
        "agreed": "Plan accepté : {plan}.",
        "proposed": "Plan proposé, non accepté : {plan}.",
        "approval": "Il doit être approuvé par une personne.",
        "total": "{count}, {total} au total",
        "colon": " : ",
        "down": "{amount} maintenant",
        "then": "puis {count} de {amount}",
        "each": "{amount} chacun",
        "last": "le dernier de {amount}",
        "join": "Je vous mets en relation avec l'appelant.",
    },
}


def whisper_text(packet: HandoffPacket, language: str | None = None) -> str:
    """The summary said to the agent (in ``language``, default the caller's)."""
    lang = lang_of(language or packet.language)
    words = _WORDS[lang]
    flags = set(packet.flags)
    parts = [words["opening"]]
    if "priority" in flags:
        parts.append(words["priority"])
    parts.append(_reason(packet.reason, lang) + ".")
    account = packet.account
    if account is None:
        parts.append(words["no_account"])
    elif account.get("verified"):
        parts.append(words["verified"])
    else:
        parts.append(words["not_verified"])
    if "identity_mismatch" in flags:
        parts.append(words["mismatch"])
    if "card_data_detected" in flags:
        parts.append(words["card"])
    stops = [flag for flag in _STOP_FLAGS if flag in flags]
    parts.extend(words[flag] for flag in stops)
    if not stops:
        if "hardship" in flags:
            parts.append(words["hardship"])
        parts.append(_plan(packet, lang))
    return " ".join(parts)


def _reason(reason: str, lang: str) -> str:
    try:
        known = HandoffReason(reason)
    except ValueError:
        return reason.replace("_", " ")
    return _REASON_FR[known] if lang == "fr" else known.text


def _plan(packet: HandoffPacket, lang: str) -> str:
    words = _WORDS[lang]
    plan = packet.decision
    if not plan:
        return words["no_plan"]
    said = _plan_words(plan, lang)
    if said is None:
        return words["no_plan"]
    text = words["agreed" if packet.agreed else "proposed"].format(plan=said)
    if plan.get("requires_human"):
        text += " " + words["approval"]
    return text


def _plan_words(plan: Mapping[str, Any], lang: str) -> str | None:
    """"6 monthly payments, 480 dollars in all: 48 dollars now, then 5 of 100 dollars, the
    last 32 dollars"; None when the plan's figures cannot be read (then none is said)."""
    words = _WORDS[lang]
    currency = str(plan.get("currency") or "")
    try:
        count = int(plan["count"])
        total = Decimal(str(plan["total"]))
        down = Decimal(str(plan.get("down_payment") or "0"))
        each = plan.get("instalment_amount")
        each_amount = Decimal(str(each)) if each is not None else None
        instalments = int(plan.get("instalments") or 0)
        schedule = plan.get("schedule") or []
        last = Decimal(str(schedule[-1]["amount"])) if schedule else None
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return None
    if not currency or count < 1:
        return None
    try:
        frequency = Frequency(plan.get("frequency")) if plan.get("frequency") else None
    except ValueError:
        frequency = None

    def amount(value: Decimal) -> str:
        return say_amount(value, currency, lang)

    noun = Noun.payments(frequency) if count > 1 else Noun.PAYMENT
    text = words["total"].format(count=say_count(count, noun, lang), total=amount(total))
    steps = []
    if down > 0 and count > 1:
        steps.append(words["down"].format(amount=amount(down)))
    if each_amount is not None and instalments > 0 and count > 1:
        if steps:
            said = french_number(instalments) if lang == "fr" else str(instalments)
            steps.append(words["then"].format(count=said, amount=amount(each_amount)))
        else:
            steps.append(words["each"].format(amount=amount(each_amount)))
        if last is not None and last != each_amount:
            steps.append(words["last"].format(amount=amount(last)))
    if steps:
        text += words["colon"] + ", ".join(steps)
    return text
