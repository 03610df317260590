"""Deterministic recognition of what a caller wants, in English and French.

Keyword rules catch the requests that must never be missed (a person, a lawyer,
bankruptcy, a dispute, stop calling, distress) and the common negotiation moves;
the language model is asked only when none of them fires.
"""

from __future__ import annotations

import enum
import re

from voicebot.dialogue.parsers import normalize


class Intent(enum.StrEnum):
    HUMAN = "ask_human"
    DISPUTE = "dispute"
    LAWYER = "lawyer"
    BANKRUPTCY = "bankruptcy"
    STOP_CONTACT = "stop_contact"
    VULNERABLE = "vulnerable"
    HARDSHIP = "hardship"
    THIRD_PARTY = "third_party"
    OPTIONS = "ask_options"
    PAY_IN_FULL = "pay_in_full"
    SETTLEMENT = "settlement"
    REPEAT = "repeat"
    CARD_DATA = "card_data"
    SWITCH_LANGUAGE = "switch_language"
    PROPOSE = "propose_plan"
    YES = "yes"
    NO = "no"
    OTHER = "other"


# Intents that end the negotiation and bring in a person, whatever the stage.
HANDOFF_INTENTS = {
    Intent.HUMAN: "caller_asked_for_human",
    Intent.DISPUTE: "dispute",
    Intent.LAWYER: "lawyer",
    Intent.BANKRUPTCY: "bankruptcy",
    Intent.STOP_CONTACT: "stop_contact",
    Intent.VULNERABLE: "vulnerability",
    Intent.CARD_DATA: "payment",
}

_RULES: dict[str, list[tuple[Intent, str]]] = {
    "en": [
        (Intent.BANKRUPTCY, r"bankrupt|chapter (7|seven|13|thirteen)|insolven"),
        (Intent.LAWYER, r"\b(lawyer|attorney|solicitor|legal (counsel|advice|representation)|"
                        r"sue you|take you to court)\b"),
        (Intent.STOP_CONTACT, r"\b(stop (calling|contacting|phoning)|do not (call|contact)|don't "
                              r"(call|contact) me|cease (and desist|contact)|leave me alone|"
                              r"take me off)\b"),
        (Intent.DISPUTE, r"\b(dispute|not my (debt|bill|account)|don't owe|do not owe|never "
                         r"(had|signed|opened)|already paid|i paid (it|this|that)|wrong "
                         r"(amount|bill|balance)|fraud|identity theft|scam)\b"),
        (Intent.VULNERABLE, r"\b(suicid|kill myself|end (it|my life)|can't go on|cannot go on|"
                            r"want to die|self[- ]harm|hospital|terminal(ly)? ill|cancer|dementia|"
                            r"mental health|breakdown|bereave|just died|passed away|domestic "
                            r"(abuse|violence)|abusive)\b"),
        (Intent.HUMAN, r"\b(human|real person|a person|someone real|an agent|operator|"
                       r"representative|supervisor|someone else|somebody else|"
                       r"speak to (someone|somebody|a manager|a supervisor)|"
                       r"talk to (someone|somebody|a manager|a supervisor)|customer service)\b"),
        (Intent.CARD_DATA, r"\b(card number|credit card|debit card|my card is|expir(y|ation) "
                           r"date|security code|cvv|cvc)\b"),
        (Intent.THIRD_PARTY, r"\b(on behalf of|for my (husband|wife|son|daughter|mother|mum|mom|"
                             r"father|dad|partner|friend|brother|sister|client)|i'm (his|her) "
                             r"(husband|wife|son|daughter|mother|father|carer|partner)|"
                             r"(he|she) (is|isn't) (not )?(here|home|available))\b"),
        (Intent.HARDSHIP, r"\b(lost my job|laid off|unemploy|out of work|redundan|can't afford|"
                          r"cannot afford|struggl|hardship|difficult time|hard time|sick|illness|"
                          r"broke|skint|no money|short of money|tight (this|at the)|"
                          r"disab|benefits|no income|low income|behind on (rent|bills)|"
                          r"divorce|separated)\b"),
        (Intent.SWITCH_LANGUAGE, r"\b(french|en français|parlez[- ]vous|in english|"
                                 r"speak english)\b"),
        (Intent.OPTIONS, r"\b(what are my options|what (can|could) (i|you) (do|offer)|what "
                         r"options|options|choices|what do you (have|offer)|how can i pay|"
                         r"what plans?)\b"),
        (Intent.PAY_IN_FULL, r"\b(pay (it |the (whole|full) (thing|amount|balance) )?in full|"
                             r"pay (it )?all( of it)?( now| today)?|full amount|whole (amount|"
                             r"balance|thing))\b"),
        (Intent.SETTLEMENT, r"\b(settle|settlement|lump sum|discount|reduce the (balance|"
                            r"amount)|one[- ]off payment|in one go)\b"),
        (Intent.REPEAT, r"\b(repeat|say (that|it) again|pardon|come again|didn't (catch|hear)|"
                        r"what did you say)\b"),
    ],
    "fr": [
        (Intent.BANKRUPTCY, r"faillite|surendett|commission de surendettement|redressement "
                            r"judiciaire|liquidation"),
        (Intent.LAWYER, r"\b(avocat|huissier|juriste|tribunal|porter plainte)\b"),
        (Intent.STOP_CONTACT, r"\b(arr[êe]tez de m'appeler|ne m'appelez plus|ne plus (m'appeler|"
                              r"me contacter)|laissez-moi tranquille|cessez)\b"),
        (Intent.DISPUTE, r"\b(conteste|contester|pas ma (dette|facture)|je ne dois rien|d[ée]j[àa] "
                         r"pay[ée]|d[ée]j[àa] r[ée]gl[ée]|erreur sur|pas le bon montant|fraude|"
                         r"arnaque|usurpation)\b"),
        (Intent.VULNERABLE, r"\b(suicid|me tuer|en finir|plus envie de vivre|hospitalis|"
                            r"h[ôo]pital|maladie grave|cancer|d[ée]pression|d[ée]c[èe]s|vient de "
                            r"mourir|violences? (conjugales?|domestiques?))\b"),
        (Intent.HUMAN, r"\b(conseill[eè]re?|un humain|une personne|quelqu'un de r[ée]el|"
                       r"un agent|op[ée]rat(eur|rice)|parler [àa] (quelqu'un|un responsable)|"
                       r"service client)\b"),
        (Intent.CARD_DATA, r"\b(num[ée]ro de (ma )?carte|carte bancaire|carte bleue|date "
                           r"d'expiration|cryptogramme)\b"),
        (Intent.THIRD_PARTY, r"\b(de la part de|pour mon (mari|fils|p[èe]re|fr[èe]re|compagnon)|"
                             r"pour ma (femme|fille|m[èe]re|s[œo]eur|compagne)|(il|elle) n'est "
                             r"pas l[àa])\b"),
        (Intent.HARDSHIP, r"\b(perdu mon (emploi|travail)|ch[ôo]mage|licenci|difficult[ée]s?|"
                          r"du mal [àa]|pas les moyens|fin de mois|malade|invalidit|handicap|"
                          r"rsa|faibles? revenus?|sans revenus?|divorce|s[ée]par[ée])\b"),
        (Intent.SWITCH_LANGUAGE, r"\b(english|anglais|en fran[çc]ais)\b"),
        (Intent.OPTIONS, r"\b(quelles (sont les )?(options|possibilit[ée]s|solutions)|"
                         r"qu'est-ce que vous (pouvez )?proposez|que proposez-vous|"
                         r"mes options|comment (je peux|puis-je) payer)\b"),
        (Intent.PAY_IN_FULL, r"\b(tout payer|payer (la totalit[ée]|le tout|tout)|en une (seule )?"
                             r"fois|totalit[ée]|int[ée]gralit[ée])\b"),
        (Intent.SETTLEMENT, r"\b(r[ée]duction|remise|rabais|solder|arrangement global)\b"),
        (Intent.REPEAT, r"\b(r[ée]p[ée]ter|redire|pardon|j'ai pas compris|je n'ai pas compris|"
                        r"vous pouvez r[ée]p[ée]ter)\b"),
    ],
}

_COMPILED = {
    lang: [(intent, re.compile(pattern)) for intent, pattern in rules]
    for lang, rules in _RULES.items()
}


def keyword_intents(text: str, language: str) -> list[Intent]:
    """Every rule-based intent found, most urgent first (the order of the rules)."""
    norm = normalize(text)
    found: list[Intent] = []
    for lang in (language, "fr" if language == "en" else "en"):
        for intent, pattern in _COMPILED[lang]:
            # The other language only counts for the requests that must not be missed.
            if (intent not in found and pattern.search(norm)
                    and (lang == language or intent in HANDOFF_INTENTS)):
                found.append(intent)
    return found


def requested_language(text: str, current: str) -> str | None:
    """The language the caller asks to switch to, if any."""
    norm = normalize(text)
    if current == "en" and re.search(r"fran[çc]ais|french", norm):
        return "fr"
    if current == "fr" and re.search(r"anglais|english", norm):
        return "en"
    return None
