"""Amounts, instalment counts, frequencies and lump sums in what callers say, EN and FR.

Whisper writes numbers as figures or words ("50", "fifty", "1,900", "59,10 €",
"deux cent trente-six euros quarante"), and a caller often mentions a count, a
day or their balance in the same breath ("four payments of fifty on the 5th").
These rules pick out what the plan engine needs (see :class:`voicebot.policy.Ask`)
and answer None when it is unclear, so the bot asks again instead of guessing.
The ``say_*`` functions word amounts for text-to-speech: figures for numbers
(Piper and espeak-ng read them well in both languages) and currency names
spelled out, never symbols.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from voicebot.dialogue.dates import (
    figures,
    lang_of,
    one_frequency,
    parse_date,
    parse_frequency,
    say_date,
    scan_dates,
    scan_frequencies,
)
from voicebot.policy.models import Frequency

__all__ = [
    "PlanRequest", "numbers_in", "parse_amount", "parse_count", "parse_date",
    "parse_frequency", "parse_lump_sum", "parse_plan_request", "say_amount", "say_count",
    "say_date",
]

_MAJOR = r"[$€£]|(?:dollars?|bucks?|euros?|quid|balles?|pounds?|livres?|francs?|usd|eur)\b"
_MINOR = r"¢|(?:cents?|centimes?|pence|penny)\b"
_CURRENCY_AFTER = re.compile(rf"\s*(?:(?P<major>{_MAJOR})|(?P<minor>{_MINOR}))")
_CURRENCY_BEFORE = re.compile(r"(?:[$€£]|\b(?:usd|eur))\s*$")
_NUMBER = {
    lang: re.compile(
        rf"(?<![\w.,:])(?P<int>\d{{1,3}}(?:(?P<sep>[{seps}])\d{{3}}(?!\d))(?:(?P=sep)\d{{3}}(?!\d))*"
        rf"|\d+)(?:(?P<dec>[.,])(?P<frac>\d+))?(?P<ord>{ords})?(?![\w:])")
    for lang, seps, ords in (("en", ", ", "st|nd|rd|th"), ("fr", " .", "er|re|ère|ème|e|ième"))
}
_UNIT_AFTER = re.compile(
    r"\s*(?:%|(?:percent|per cent|pour ?cent|days?|weeks?|fortnights?|months?|years?|hours?"
    r"|minutes?|mins?|jours?|semaines?|quinzaines?|mois|ans?|années?|heures?|h|am|pm|a\.m|p\.m"
    r"|o'clock|payments?|instal+ments?|goes|go|times|chunks?|parts?|fois|paiements?|versements?"
    r"|mensualités?|échéances?|prélèvements?|virements?|traites?|tranches?|yearly|annually"
    r"|annuel\w*|(?:a|per|every|each|par)\s+(?:year|an|année))\b)")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_OK_AFTER = {
    "en": _words("""a per every each now today tomorrow tonight on by from starting start at max
        maximum tops top or and to in this next right up upfront down first then instead please
        is would could should will if but only maybe monthly weekly biweekly bi-weekly fortnightly
        straight immediately for as that so plus total initially too also ok okay alright yes no
        yeah i we it all over before after until cash towards toward off when once twice that's
        it's i'm even flat exactly like ish because since with via altogether later afterwards
        again"""),
    "fr": _words("""par chaque tous toutes le la les maintenant aujourd'hui demain dès à au avant
        après en pour et ou puis ensuite max maximum mensuels mensuellement d'abord tout de si
        mais c'est ça je j'ai on voilà peut-être comptant cash pas plutôt alors donc environ
        d'un avec sur ce cette début fin dans d'ici ok d'accord oui non seulement uniquement pile
        net maxi directement immédiatement jusqu'à vers mensuel mensuelle hebdomadaire parce car
        comme plus ensuite tard"""),
}
_HEAD_EXCLUDE = re.compile(  # a balance, a reference, "not 100", "one fifty"
    r"(?:\b(?:owe|owed|owing|balance(?: is| of)?|debt(?: is| of)?|dois|doit|devons|devez"
    r"|dette(?: est)?(?: de)?|solde(?: est)?(?: de)?|number|numéro|account|compte|reference"
    r"|référence|ref|dossier|n°|one|un|une)|#|(?:\b(?:not|cannot|pas|jamais)|n't)"
    r"(?:\s+(?:pay|do|afford|manage|give|offer|payer|faire|donner|mettre|verser|proposer))?)"
    r"\s+(?:(?:is|est|you|me|vous|even|même|about|around|like|roughly|almost|nearly|environ"
    r"|à peu près|presque)\s+)*[$€£]?\s*$")
_HEAD_INCOME = re.compile(  # "I get 900 a month": not what they offer
    r"(?:\b(?:i|we|je|on)\s+(?:only\s+)?(?:get|earn|make|receive|gagne|touche)|\b(?:income"
    r"|salary|pension|rent|wages?|benefits|revenus?|salaire|loyer|retraite|allocations?|chômage)"
    r"(?:\s+(?:is|of|est|de|est de|sont de))?)\s+(?:(?:about|around|like|only|just|environ"
    r"|seulement|que)\s+)?[$€£]?\s*$")
_HEAD_STRONG = re.compile(
    r"\b(?:(?:payments?|instal+ments?|sum|amount|settlement|offer|chunks?|goes|deposit|figure"
    r"|total)\s+of|(?:paiements?|versements?|mensualités?|échéances?|somme|montant|règlement"
    r"|prélèvements?|acompte|offre|fois|total)\s+(?:de|d')|(?:settle|settling|clear it"
    r"|pay it off|solder|régler|rembourser)\s+(?:(?:it|this|everything|le tout|tout)\s+)?"
    r"(?:for|at|pour|à))\s+(?:(?:about|around|like|maybe|just|only|roughly|environ"
    r"|à peu près|peut-être|seulement)\s+)?[$€£]?\s*$")
_ALTERNATIVE = re.compile(
    r"^\s*(?:[$€£]|dollars?|bucks?|euros?|balles?)?\s*(?:,|-|or|to|and|ou|à|et|voire|up to"
    r"|jusqu'à)\s*(?:maybe|even|peut-être|même)?\s*[$€£]?\s*$")
_COMPOUND_GAP = re.compile(
    r"^\s*(?:dollars?|bucks?|euros?|balles?|pounds?|livres?|francs?|[$€£])\s*,?\s*(?:and|et)?\s*$")
_NEGATION = re.compile(r"\b(?:not|never|cannot|no way|unable|impossible|pas|jamais)\b|n't\b")
_CLAUSE = re.compile(r"[,.;!?]|\b(?:but|however|though|mais|cependant|sauf|except)\b")


class _Num(NamedTuple):
    start: int
    end: int
    value: Decimal
    ordinal: bool
    whole: bool  # written as a plain integer (no separators, no decimals)


def _numbers(s: str, lang: str) -> list[_Num]:
    out = []
    for m in _NUMBER[lang].finditer(s):
        integer = re.sub(r"\D", "", m["int"])
        frac = m["frac"]
        if frac is not None and len(frac) == 3 and (m["dec"] == "," or lang == "fr"):
            integer, frac = integer + frac, None  # "2,400" / "2.400": thousands
        value = Decimal(f"{integer}.{frac}" if frac else integer)
        whole = m["sep"] is None and frac is None
        out.append(_Num(m.start(), m.end(), value, m["ord"] is not None, whole))
    return out


def _negated(s: str, start: int) -> bool:
    """A negation earlier in the same clause: "I can't pay it all at once"."""
    clause = [m.end() for m in _CLAUSE.finditer(s, 0, start)]
    return _NEGATION.search(s, clause[-1] if clause else 0, start) is not None


Span = tuple[int, int]

_COUNT_NOUNS = {
    "en": r"payments?|instal+ments?|goes|go|times|chunks?|parts?|lots|portions?|tranches?"
          r"|transfers?|debits?|deductions?|checks?|cheques?|bits|pieces",
    "fr": r"fois|paiements?|versements?|mensualités?|échéances?|prélèvements?|virements?|traites?"
          r"|tranches?|parts?|chèques?|coups?|règlements?",
}
_COUNT_RULES = {
    "en": [
        rf"(?<![\w.,])(?P<n>\d+)\s+(?:(?:equal|even|small|smaller|separate|monthly|weekly"
        rf"|fortnightly|bi-?weekly|regular|different|more|little)\s+)?(?:{_COUNT_NOUNS['en']})\b"
        r"(?!\s+(?:a|per|every|each)\s+(?:month|week|fortnight|year)\b)",
        r"\b(?:over|for|across|during)\s+(?:the\s+)?(?:next\s+)?(?P<n>\d+|an?)\s+"
        r"(?P<u>months?|weeks?|years?)\b",
        r"\b(?:off|back)\s+in\s+(?P<n>\d+)\s+(?P<u>months|weeks)\b",
        r"\b(?:in|into)\s+(?P<n>\d+)(?=\s*(?:$|[,.;!?]|(?:please|instead|if|maybe|or|then)\b))",
        r"\b(?:split|divide|break|spread|cut|chop)\s+(?:(?:it|that|this|them|the\s+\w+)\s+)?"
        r"(?:up\s+)?(?:in|into|by|over|across)\s+(?P<n>\d+)\b(?!\s*(?:weeks?|months?|days?)\b)",
        r"\b(?:a single|one single|single|one-off|one off|one-time|one time)\s+(?:payment"
        r"|instal+ment|sum|go|shot)\b|\ball at once\b|\bin\s+(?:a single|one)\s+(?:go|payment"
        r"|shot|hit)\b",
    ],
    "fr": [
        rf"(?<![\w.,])(?P<n>\d+)\s+(?:(?:seule?s?|petites?|grosses?)\s+)?(?:{_COUNT_NOUNS['fr']})"
        r"\b(?!\s+(?:par|chaque|tous|toutes|dans|de suite)\b)",
        r"\b(?:sur|pendant|durant|en|étalée?s?\s+sur|d'ici)\s+(?:les\s+)?(?P<n>\d+)\s+"
        r"(?P<u>mois|semaines?|ans?|années?)\b",
        r"\ben\s+(?P<n>\d+)(?=\s*(?:$|[,.;!?]|(?:s'il|plutôt|si|peut-être|ou|alors)\b))",
        r"\b(?:diviser|couper|fractionner|étaler|séparer|partager|découper|échelonner)\s+"
        r"(?:\w+\s+)?(?:en|sur)\s+(?P<n>\d+)\b(?!\s*(?:mois|semaines?|jours?)\b)",
        r"\b(?:paiement|versement|règlement) unique\b|\bd'un (?:seul )?coup\b"
        r"|\ben une (?:seule )?traite\b|\bune seule fois\b",
    ],
}
_COUNT_RE = {lang: [re.compile(p) for p in rules] for lang, rules in _COUNT_RULES.items()}

_LUMP = {
    "en": r"\bin\s+(?:1|a single|one single|just 1)\s+(?:go|payment|shot|hit|lump|transaction)\b"
          r"|\b(?:a single|one-off|one off|one-time|one time)\s+payment\b|\blump[- ]?sum\b"
          r"|\ball at once\b|\bin full\b|\bfull and final\b|\bsettle\w*"
          r"|\b(?:pay|clear|pay off|settle)\s+(?:it all|everything|all of it|the lot|the debt"
          r"|the balance|my debt|the whole \w+|the full \w+|the entire \w+|the total)\b"
          r"|\bpay\s+(?:it\s+)?all\b|\b(?:whole|full|entire|total)\s+(?:amount|balance|sum|debt)\b",
    "fr": r"\ben\s+1\s+(?:seule?\s+)?(?:fois|traite|coup|versement|paiement|règlement"
          r"|prélèvement|virement)\b|\bd'un (?:seul )?coup\b|\ben une (?:seule )?traite\b"
          r"|\b(?:paiement|versement|règlement) unique\b|\bsold(?:er|é|ée|erai|erais|erait|ons)\b"
          r"|\b(?:je|on) solde\b|\btout (?:régler|payer|rembourser|solder)\b|\b(?:régler|payer"
          r"|rembourser|verser)\s+(?:la totalité|l'intégralité|tout|le tout|toute la \w+"
          r"|le montant total|la somme totale|la dette|ma dette|l'ensemble)\b|\ben totalité\b"
          r"|\bla totalité\b|\bl'intégralité\b|\bintégralement\b|\bsomme forfaitaire\b"
          r"|\bcomptant\b|\brèglement (?:global|total|définitif)\b|\bune fois pour toutes\b",
}
_LUMP_RE = {lang: re.compile(p) for lang, p in _LUMP.items()}


class _Analysis(NamedTuple):
    text: str
    numbers: list[_Num]
    dates: list[Span]
    freqs: list[tuple[int, int, Frequency | None]]
    counts: list[tuple[int, int, int, str | None]]


@lru_cache(maxsize=512)
def _analyse(text: str, language: str) -> _Analysis:
    lang = lang_of(language)
    s = figures(text, lang)
    dates = [(a, b) for a, b, _ in scan_dates(s, lang)]
    freqs = scan_frequencies(s, lang)
    counts = []
    for pattern in _COUNT_RE[lang]:
        for m in pattern.finditer(s):
            if _negated(s, m.start()) or any(x < m.end() and m.start() < y for x, y in dates):
                continue
            n = m.groupdict().get("n")
            unit = (m.groupdict().get("u") or "").rstrip("s") or None
            value = 1 if n in (None, "a", "an") else int(n)
            if unit in ("year", "an", "année"):
                value, unit = value * 12, "month"
            counts.append((m.start(), m.end(), value, {"moi": "month", "semaine": "week"}.get(
                unit or "", unit)))
    return _Analysis(s, _numbers(s, lang), dates, freqs, counts)


def _inside(num: _Num, spans) -> bool:
    return any(span[0] <= num.start < span[1] for span in spans)


class _Candidate(NamedTuple):
    start: int
    end: int
    value: Decimal
    strong: bool


def _candidates(a: _Analysis, lang: str) -> list[_Candidate]:
    s, nums, out = a.text, a.numbers, []
    i = 0
    while i < len(nums):
        num = nums[i]
        nxt = nums[i + 1] if i + 1 < len(nums) else None
        if (nxt and not num.ordinal and not nxt.ordinal and nxt.whole and nxt.value < 100
                and num.value == num.value.to_integral_value()
                and _COMPOUND_GAP.match(s[num.end:nxt.start])
                and not _UNIT_AFTER.match(s, nxt.end)):
            cur = _CURRENCY_AFTER.match(s, nxt.end)
            if cur is None or cur["minor"]:
                end = cur.end() if cur else nxt.end
                out.append(_Candidate(num.start, end, num.value + nxt.value / 100, True))
                i += 2
                continue
        i += 1
        if num.ordinal or _inside(num, a.dates) or _inside(num, a.counts) or _inside(
                num, a.freqs):
            continue
        head, value = s[:num.start], num.value
        cur = _CURRENCY_AFTER.match(s, num.end)
        strong = bool(_CURRENCY_BEFORE.search(head) or cur)
        if cur and cur["minor"]:
            value = value / 100
        if (_HEAD_EXCLUDE.search(head) or _HEAD_INCOME.search(head)
                or (not cur and _UNIT_AFTER.match(s, num.end))):
            continue
        after = cur.end() if cur else num.end
        rest = s[after:].lstrip()
        at = len(s) - len(rest)
        if any(f[0] == at for f in a.freqs) or _HEAD_STRONG.search(head):
            strong = True
        if not strong:
            word = re.match(r"(?:[^\W\d_][\w'-]*)?", rest)[0]  # a following figure is fine
            if word and word not in _OK_AFTER[lang]:
                continue
            if re.search(r"\bat\s*$", head) and value <= 24:
                continue  # a time of day
        out.append(_Candidate(num.start, after, value, strong))
    return out


def _amount(a: _Analysis, lang: str) -> Decimal | None:
    cands = _candidates(a, lang)
    if not cands:
        return None
    for x, y in itertools.pairwise(cands):
        if x.value != y.value and _ALTERNATIVE.match(a.text[x.end:y.start]):
            return None  # "50 or 60 dollars"
    values = {c.value for c in cands}
    if len(values) == 1:
        return values.pop()
    strong = {c.value for c in cands if c.strong}
    return strong.pop() if len(strong) == 1 else None


def parse_amount(text: str, language: str) -> Decimal | None:
    """The one money amount the caller said; None if none or unclear."""
    return _amount(_analyse(text, language), lang_of(language))


def _count(a: _Analysis) -> tuple[int, str | None] | None:
    found = {(n, unit) for _, _, n, unit in a.counts if n >= 1}
    counts, units = {n for n, _ in found}, {u for _, u in found if u}
    if len(counts) != 1:
        return None
    return counts.pop(), (units.pop() if len(units) == 1 else None)


def parse_count(text: str, language: str) -> int | None:
    """How many instalments the caller asks for ("in four goes" -> 4); None if unclear."""
    found = _count(_analyse(text, language))
    return found[0] if found else None


def parse_lump_sum(text: str, language: str) -> bool:
    """True when the caller talks of paying everything at once or settling."""
    a = _analyse(text, language)
    if a.freqs or any(n > 1 for _, _, n, _ in a.counts):
        return False  # "pay off the balance in 6 payments"
    lump = _LUMP_RE[lang_of(language)]
    return any(not _negated(a.text, m.start()) for m in lump.finditer(a.text))


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """What one utterance asks of a plan; every field may be missing."""

    amount: Decimal | None = None
    count: int | None = None
    frequency: Frequency | None = None
    first_date: dt.date | None = None
    lump_sum: bool = False

    @property
    def empty(self) -> bool:
        """Nothing about a plan was understood."""
        return self == PlanRequest()


def parse_plan_request(text: str, language: str, today: dt.date) -> PlanRequest:
    """Amount, count, frequency, first date and lump sum from one utterance."""
    lang = lang_of(language)
    a = _analyse(text, lang)
    frequency = one_frequency(a.freqs)
    count = _count(a)
    if count and count[1] and frequency and count[1] != {
            Frequency.MONTHLY: "month", Frequency.WEEKLY: "week"}.get(frequency):
        count = None  # "over 6 months, every two weeks": not 6 instalments
    return PlanRequest(
        amount=_amount(a, lang),
        count=count[0] if count else None,
        frequency=frequency,
        first_date=parse_date(text, lang, today),
        lump_sum=parse_lump_sum(text, lang),
    )


def numbers_in(text: str, language: str) -> list[Decimal]:
    """Every number in the text, in order ("72 dollars and 50 cents" counts as 72.50)."""
    lang = lang_of(language)
    s = figures(text, lang)
    nums, out, i = _numbers(s, lang), [], 0
    while i < len(nums):
        num = nums[i]
        nxt = nums[i + 1] if i + 1 < len(nums) else None
        cur = _CURRENCY_AFTER.match(s, num.end)
        if (nxt and cur and cur["major"] and nxt.whole and nxt.value < 100
                and _COMPOUND_GAP.match(s[num.end:nxt.start])
                and not _UNIT_AFTER.match(s, nxt.end)):
            after = _CURRENCY_AFTER.match(s, nxt.end)
            if after is None or after["minor"]:
                out.append(num.value + nxt.value / 100)
                i += 2
                continue
        out.append(num.value / 100 if cur and cur["minor"] else num.value)
        i += 1
    return out


# ---- saying amounts -----------------------------------------------------------

_WORDS = {  # (currency, language): major singular, plural, minor singular, plural
    ("USD", "en"): ("dollar", "dollars", "cent", "cents"),
    ("USD", "fr"): ("dollar", "dollars", "centime", "centimes"),  # "cent" is a hundred
    ("EUR", "en"): ("euro", "euros", "cent", "cents"),
    ("EUR", "fr"): ("euro", "euros", "centime", "centimes"),
    ("GBP", "en"): ("pound", "pounds", "penny", "pence"),
    ("GBP", "fr"): ("livre", "livres", "penny", "pence"),
    ("CHF", "en"): ("franc", "francs", "centime", "centimes"),
    ("CHF", "fr"): ("franc", "francs", "centime", "centimes"),
}
for _code in ("CAD", "AUD", "NZD"):
    _WORDS[_code, "en"], _WORDS[_code, "fr"] = _WORDS["USD", "en"], _WORDS["USD", "fr"]


def _noun(n: int, singular: str, plural: str, lang: str) -> str:
    one = n < 2 if lang == "fr" else n == 1  # French: "0 euro", "1 euro"
    return f"{n} {singular if one else plural}"


def say_amount(amount: Decimal, currency: str, language: str) -> str:
    """The amount as TTS should say it: "72 dollars and 50 cents", "59 euros 10"."""
    lang = lang_of(language)
    amount = abs(Decimal(amount))
    words = _WORDS.get((currency.upper(), lang))
    if words is None:
        from babel.numbers import format_decimal, get_currency_name

        return f"{format_decimal(amount, locale=lang)} {get_currency_name(currency, 2, lang)}"
    cents = int(amount.quantize(Decimal("0.01")) * 100)
    major, minor = divmod(cents, 100)
    if minor == 0:
        return _noun(major, words[0], words[1], lang)
    if major == 0:
        return _noun(minor, words[2], words[3], lang)
    if lang == "fr":
        return f"{_noun(major, words[0], words[1], lang)} {minor}"
    return f"{_noun(major, words[0], words[1], lang)} and {_noun(minor, words[2], words[3], lang)}"


def say_count(n: int, language: str) -> str:
    """A number of instalments as TTS should say it: "4 payments", "4 versements"."""
    lang = lang_of(language)
    return _noun(n, *(("versement", "versements") if lang == "fr" else ("payment", "payments")),
                 lang)
