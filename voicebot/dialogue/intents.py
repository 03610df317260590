"""What a caller wants, from keyword rules, in English and French.

The rules (``intent_rules``) catch the requests that must never be missed (a
person, a lawyer, bankruptcy, a dispute or a request for proof, stop calling,
distress, someone calling for someone else) and the common negotiation moves,
hedges, questions and choices. A trained classifier adds what they miss.
"""

from __future__ import annotations

import enum
import re
from functools import lru_cache

from voicebot.dialogue import intent_rules as rules
from voicebot.dialogue.parsers import normalize, rule_text


class Intent(enum.StrEnum):
    VULNERABLE = "vulnerable"
    THIRD_PARTY = "third_party"
    STOP_CONTACT = "stop_contact"
    DISPUTE = "dispute"
    VALIDATION = "validation"
    LAWYER = "lawyer"
    BANKRUPTCY = "bankruptcy"
    HUMAN = "ask_human"
    CARD_DATA = "card_data"
    HARDSHIP = "hardship"
    PROPOSE = "propose_plan"
    PAY_IN_FULL = "pay_in_full"
    SETTLEMENT = "settlement"
    OPTIONS = "ask_options"
    CHOOSE_OPTION = "choose_option"
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"
    QUESTION = "question"
    REPEAT = "repeat"
    SWITCH_LANGUAGE = "switch_language"
    IDENTIFY = "identify"
    OTHER = "other"


# Intents that stop the negotiation, whatever the stage, most urgent first.
SAFETY_INTENTS = (
    Intent.VULNERABLE, Intent.THIRD_PARTY, Intent.STOP_CONTACT, Intent.BANKRUPTCY,
    Intent.LAWYER, Intent.DISPUTE, Intent.VALIDATION, Intent.HUMAN,
)

# What each safety intent is recorded as, on the call and on the account.
FLAGS = {
    Intent.VULNERABLE: "vulnerability",
    Intent.THIRD_PARTY: "third_party",
    Intent.STOP_CONTACT: "stop_contact",
    Intent.BANKRUPTCY: "bankruptcy",
    Intent.LAWYER: "lawyer",
    Intent.DISPUTE: "dispute",
    Intent.VALIDATION: "validation",
}

_ORDER = [
    *SAFETY_INTENTS, Intent.CARD_DATA, Intent.HARDSHIP, Intent.SWITCH_LANGUAGE,
    Intent.OPTIONS, Intent.PAY_IN_FULL, Intent.SETTLEMENT, Intent.REPEAT,
]


def _compile(table: dict[str, list[str]]) -> dict[Intent, re.Pattern[str]]:
    return {Intent(name): re.compile("|".join(f"(?:{p})" for p in patterns))
            for name, patterns in table.items()}


_SAFETY = {"en": _compile(rules.SAFETY_EN), "fr": _compile(rules.SAFETY_FR)}
_NEGOTIATION = {"en": _compile(rules.NEGOTIATION_EN), "fr": _compile(rules.NEGOTIATION_FR)}
_HEDGES = {lang: re.compile("|".join(f"(?:{p})" for p in ps)) for lang, ps in rules.HEDGES.items()}
_QUESTION = {lang: re.compile(p) for lang, p in rules.QUESTION_WORDS.items()}
_TOPICS = {lang: {topic: re.compile("|".join(f"(?:{p})" for p in ps))
                  for topic, ps in topics.items()} for lang, topics in rules.TOPICS.items()}
_OPTIONS = {lang: [(option, re.compile(p)) for option, p in options]
            for lang, options in rules.OPTIONS.items()}


def _lang(language: str) -> str:
    return "fr" if language.startswith("fr") else "en"


@lru_cache(maxsize=1024)
def keyword_intents(text: str, language: str) -> tuple[Intent, ...]:
    """Every rule-based intent found, most urgent first.

    Safety rules of both languages count whatever the call's language; the
    negotiation rules only in the call's language.
    """
    norm = rule_text(text)
    lang = _lang(language)
    found: set[Intent] = set()
    for table in (_SAFETY[lang], _SAFETY["fr" if lang == "en" else "en"]):
        found |= {intent for intent, pattern in table.items() if pattern.search(norm)}
    found |= {intent for intent, pattern in _NEGOTIATION[lang].items() if pattern.search(norm)}
    topic = question_topic(text, lang)
    if topic is not None or "?" in text or _QUESTION[lang].search(norm):
        found.add(Intent.QUESTION)
    found -= _asked_about(norm, lang, topic, found)
    found -= _ruled_out(norm, lang)
    if hedged(text, lang):
        found.add(Intent.UNSURE)
    if chosen_option(text, lang) is not None:
        found.add(Intent.CHOOSE_OPTION)
    return tuple(sorted(found, key=lambda i: _ORDER.index(i) if i in _ORDER else len(_ORDER)))


def _asked_about(norm: str, lang: str, topic: str | None, found: set[Intent]) -> set[Intent]:
    """Requests that are only the subject of a question: "how do I dispute this?" asks
    how, "is this a real person?" asks what the bot is. Said with more ("how do I
    dispute this, it's not mine", "I want a real person"), they stay requests."""
    subject = {"how_dispute": Intent.DISPUTE, "robot": Intent.HUMAN}.get(topic or "")
    if subject is None or subject not in found:
        return set()
    pattern = _TOPICS[lang][topic or ""]
    rest = pattern.sub(" ", norm)
    if subject is Intent.HUMAN and _WANTS[lang].search(rest):
        return set()
    still = _SAFETY[lang][subject].search(rest) or _SAFETY["fr" if lang == "en" else "en"][
        subject].search(rest)
    return set() if still else {subject}


# An offer the caller says suits them ("60 par mois ça ira", "80 a month is fine"), or
# one made beside a workplace or a turn of phrase that only sounds like trouble ("I'm a
# porter at the hospital", "je bosse aux urgences", "mort de fatigue", "I'm not bankrupt
# or anything"): a classifier's guess of money trouble is not taken. Words of difficulty
# the rules find themselves ("I lost my job, 20 is all I can do") still count.
_NO_TROUBLE = {
    "en": re.compile(r"\b(?:is|are|would be|will be|sounds?) (?:fine|ok|okay|alright|all right"
                     r"|doable|no problem|easy)\b|\b(?:works|suits) (?:for )?me\b"
                     r"|\b(?:porter|nurse|cleaner|doctor|orderly|security|receptionist)\b"
                     r"[^.?!]{0,30}\b(?:hospital|ward|a and e|a&e)\b|\bhospital\b[^.?!]{0,20}"
                     r"\b(?:car park|parking|canteen|on my break|my shift)\b"
                     r"|\bon my (?:break|shift)\b"
                     r"|\bwork (?:at|in) (?:the |a )?(?:hospital|court|county court|hospice)\b"
                     r"|\bnot (?:bankrupt|broke|skint) or anything\b|\bdead tired\b"),
    "fr": re.compile(r"\b(?:[çc]a ira|[çc]a me va|[çc]a marche|c'est jouable|pas de (?:souci"
                     r"|probl[èe]me))\b|\b(?:travaille|bosse|boss[ée]|infirmi[èe]re?|aide-soignante?"
                     r"|brancardier)\b[^.?!]{0,20}\b(?:urgences|h[ôo]pital|greffe|tribunal"
                     r"|clinique)\b|\bmort(?:e)? de (?:fatigue|rire|faim)\b"),
}


# A caller restating the figure they gave: a correction of the bot, not a dispute.
_CORRECTS_ITSELF = {
    "en": re.compile(r"\bi (?:said|meant|asked for|offered|told you|was saying)\b[^.?!]{0,25}"
                     r"(?:\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty"
                     r"|forty|fifty|sixty|seventy|eighty|ninety|hundred)\b)"),
    "fr": re.compile(r"(?:j'ai (?:dit|demand[ée]|propos[ée])|je voulais dire|je disais)[^.?!]{0,25}"
                     r"(?:\d|\b(?:un|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|vingt|trente"
                     r"|quarante|cinquante|soixante|cent)\b)"),
}
# ... unless what they restate is what they owe ("I said I only owe 200, not 700").
_ABOUT_THE_DEBT = re.compile(r"\bowe|\bowing|\bdebt|\bbalance|\bdoi[st]\b|\bdevoir|\bdette"
                             r"|\bsolde")


# Paperwork about the plan being agreed ("send the confirmation to my email", "will I
# get a letter confirming the plan?", "l'échéancier par mail") is not a request for
# proof of the debt ...
_PLAN_PAPERWORK = {
    "en": re.compile(r"\b(?:send|e-?mail|text|post)(?: me| it)?(?: over)? (?:the |a )?"
                     r"(?:confirmation|receipts?)\b|\bconfirm\w*\b[^.?!]{0,30}\b(?:plan"
                     r"|arrangement|payments?|what we(?:'ve)? agreed)\b|\b(?:receipt|statement)s?"
                     r" (?:after|for|each|every) (?:every |each )?(?:payment|month)"
                     r"|\b(?:letter|e-?mail|text|something in the post) (?:confirming|to (?:say"
                     r"|confirm))"),
    "fr": re.compile(r"\b(?:confirmation|attestation|r[ée]capitulatif)\b|\bune fois (?:que )?"
                     r"(?:c'est |ce sera |tout est )?(?:valid[ée]|sign[ée]|d'accord|pay[ée])"),
}
# ... unless the line is about the debt or its proof ("send me the contract first").
_ABOUT_PROOF = re.compile(r"\bproof|\bprove|\bverif|\bvalidat|\bowe\b|\bowing|\bdebt|\bbreakdown"
                          r"|\bitemi[sz]|\boriginal|\bpreuve|\bprouv|\bjustificatif|\bdette"
                          r"|\bdoi[st]\b|\bd[ée]compte|\bcontrat|\bcontract|\bfirst\b|\bbefore"
                          r"|\buntil\b|\bavant\b|d'abord|tant que|\bsigned\b|\bscam|\barnaque")


def ruled_out(text: str, language: str) -> set[Intent]:
    """Safety intents a line's own words rule out, whatever the rules or the classifier
    hear in it: a correction of the caller's own offer ("that's wrong, I said 80 not
    100") is no dispute, paperwork about the plan ("email me the confirmation") no
    request for proof, a holder who says the account is theirs no third party."""
    norm, lang = rule_text(text), _lang(language)
    out = _ruled_out(norm, lang)
    # A request that is only the subject of a question ("am I talking to a robot?" asks
    # what the bot is, not for a person) is not added back by a classifier either; said
    # otherwise ("I'd rather run it by a real person") it may be a request.
    if "?" in text or _QUESTION[lang].search(norm):
        out |= _asked_about(norm, lang, question_topic(text, lang),
                            {Intent.DISPUTE, Intent.HUMAN})
    if _NO_TROUBLE[lang].search(norm):
        out.add(Intent.HARDSHIP)
    return out


def _ruled_out(norm: str, lang: str) -> set[Intent]:
    out = set()
    if _CORRECTS_ITSELF[lang].search(norm) and not _ABOUT_THE_DEBT.search(norm):
        out.add(Intent.DISPUTE)
    if _PLAN_PAPERWORK[lang].search(norm) and not _ABOUT_PROOF.search(norm):
        out.add(Intent.VALIDATION)
    if _HOLDER_SAYS_SO[lang].search(norm) and not _FOR_SOMEONE_ELSE.search(norm):
        out.add(Intent.THIRD_PARTY)
    if _TO_BE_HEARD[lang].search(norm) and not _NO_MORE_CALLS.search(norm):
        out.add(Intent.STOP_CONTACT)
    return out


# Manners on a call: sorry for interrupting, or "stop" meaning "let me speak" ("stop,
# stop, let me get a word in", "arrêtez, laissez-moi finir") is no request to stop contact
# (the classifier hears "stop" beside "me"), unless the line also asks for no more calls.
_TO_BE_HEARD = {
    "en": re.compile(r"\b(?:sorry|apologi[sz]e|excuse me|pardon|forgive me)\b[^.?!]{0,25}\b(?:"
                     r"interrupt\w*|cut(?:ting)? (?:you )?(?:off|in)|jump(?:ing)? in|butt(?:ing)?"
                     r" in|talk(?:ed|ing)? over|bother\w*)\b"
                     r"|\bstop (?:interrupting|talking over|cutting me off)\b"
                     r"|\b(?:let me|i need to|can i|allow me to) (?:speak|talk|finish|get a word"
                     r" in|say something|explain)\b|\bget a word in\b|\bhear me out\b"
                     r"|\blisten (?:to me )?(?:for )?a (?:second|sec|minute|moment)\b"),
    "fr": re.compile(r"\b(?:pardon|d[ée]sol[ée]e?s?|excusez-moi|excuse-moi)\b[^.?!]{0,25}\b(?:"
                     r"interromp\w*|(?:vous |te )?coup\w*|d[ée]rang\w*)\b"
                     r"|\b(?:arr[êe]tez|cessez) de (?:me couper|m'interrompre|parler en m[êe]me"
                     r" temps)\b|\blaissez-moi (?:parler|finir|terminer|m'expliquer|en placer)"
                     r"|\bje (?:n'ai|ai) pas fini\b|\b[ée]coutez-moi (?:une|deux) (?:seconde"
                     r"|minute)\b"),
}
_NO_MORE_CALLS = re.compile(
    r"\b(?:call|calling|ring|ringing|contact\w*|phone|text|write|letters?|harass\w*)\b"
    r"[^.?!]{0,20}\b(?:me|again|anymore|any more)\b|\bleave me alone\b|\bdon't call\b"
    r"|\b(?:appel\w*|rappel\w*|contact\w*|t[ée]l[ée]phon\w*|harc[èe]l\w*|[ée]cri\w*)\b"
    r"|\blaissez-moi tranquille\b|\bla paix\b")


# A caller who says the account is their own ("my husband's name is on the gas bill, but
# this one's mine", "c'est bien moi le titulaire") is not a third party because of the
# family they mention; identity is still verified before anything about the debt ...
_HOLDER_SAYS_SO = {
    "en": re.compile(r"\b(?:the |this )?(?:account|bill|contract|debt|one)(?:'s| is) (?:all )?"
                     r"(?:mine|in my (?:own )?name)\b|\b(?:it's|it is|this is|that's|is) my"
                     r" (?:own )?(?:account|bill|contract|debt)(?:,? not (?:his|hers|theirs|my"
                     r" \w+(?:'s)?))?(?:,? (?:mine|a moi))?\b(?! (?:number|reference|holder"
                     r"'s))|\bi(?:'m| am) the (?:account ?holder|bill ?payer)\b(?!'s)"
                     r"|\bnot calling (?:for|on behalf of) (?:anyone|anybody|someone) else\b"),
    "fr": re.compile(r"\bc'est (?:bien )?(?:moi|mon compte|mon contrat|ma facture|mon nom|[àa]"
                     r" mon nom)\b(?:[^.?!]{0,20}\b(?:le titulaire|la titulaire|\b[àa] moi\b))?"
                     r"(?=[^.?!]{0,30}(?:titulaire|\b[àa] moi\b|mon nom|pas (?:celui|celle|le sien"
                     r"|la sienne|[àa] lui|[àa] elle)|le contrat|sur le contrat))"
                     r"|\b(?:celle-l[àa]|celui-l[àa]|ce compte|ce contrat|cette facture),? c'est"
                     r" (?:la|le) mien(?:ne)?\b|\bje suis (?:bien )?(?:le|la) titulaire\b"),
}
# ... unless the same line says they call for someone else.
_FOR_SOMEONE_ELSE = re.compile(
    r"\bon behalf of\b|\bcalling (?:for|about) (?:my|his|her|their|mr|mrs|ms|miss)\b"
    r"|\b(?:he|she|they) (?:asked|wants?) me to\b|\bpour le compte de\b|\bde la part de\b"
    r"|\bj'appelle pour (?:mon|ma|mes|m\.|mme|monsieur|madame)\b|\b(?:il|elle) m'a demand[ée]")


_WANTS = {
    "en": re.compile(r"\b(?:want|need|let me|put me|transfer|connect|give me|get me|speak to"
                     r"|talk to|speak with|talk with|put (?:someone|somebody|a person|a human)"
                     r"|get (?:someone|somebody)|run it by|rather (?:have|deal with)"
                     r"|i'd like|i would like)\b"),
    "fr": re.compile(r"\b(?:veux|voudrais|aimerais|passez|passe-moi|passer|parler|mettez-moi"
                     r"|transf[ée]rez)\b"),
}


def hedged(text: str, language: str) -> bool:
    """A hedge, a condition, a delay or sarcasm: never consent."""
    return _HEDGES[_lang(language)].search(rule_text(text)) is not None


def question_topic(text: str, language: str) -> str | None:
    """What a question is about, among those the prompt files answer."""
    norm = rule_text(text)
    for topic, pattern in _TOPICS[_lang(language)].items():
        if pattern.search(norm):
            return topic
    return None


def is_question(text: str, language: str) -> bool:
    return "?" in text or _QUESTION[_lang(language)].search(rule_text(text)) is not None


def chosen_option(text: str, language: str) -> str | None:
    """Which option the caller picks: "1", "2", "3", "last", "lowest", "highest", ..."""
    norm = rule_text(text)
    for option, pattern in _OPTIONS[_lang(language)]:
        if pattern.search(norm):
            return option
    return None


def spoken_language(text: str) -> str | None:
    """"fr" or "en" when the line is plainly in that language (a few words at least)."""
    words = re.findall(r"[a-zàâçéèêëîïôûùüÿœ']+", rule_text(text))
    if len(words) < 2:
        return None
    scores = {lang: sum(w in markers for w in words)
              for lang, markers in rules.LANGUAGE_MARKERS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    other = min(scores, key=lambda lang: scores[lang])
    if scores[best] >= 2 and scores[best] >= 3 * max(scores[other], 0.5):
        return best
    return None


def requested_language(text: str, current: str) -> str | None:
    """The language the caller asks to switch to, if any."""
    norm = normalize(text)
    if current == "en" and re.search(r"fran[çc]ais|french", norm):
        return "fr"
    if current == "fr" and re.search(r"anglais|english", norm):
        return "en"
    return None
