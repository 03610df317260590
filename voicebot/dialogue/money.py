"""Amounts, instalment counts, frequencies and lump sums in what callers say, EN and FR.

Whisper writes numbers as figures or words ("50", "fifty", "1,900", "59,10 €",
"deux cent trente-six euros quarante"), and a caller often mentions a count, a
day or their balance in the same breath ("four payments of fifty on the 5th").
These rules pick out what the plan engine needs (see :class:`voicebot.policy.Ask`)
and answer None when it is unclear, so the bot asks again instead of guessing.
Number words become figures first (:mod:`voicebot.dialogue.numbers`), then
:mod:`voicebot.dialogue.amounts` finds the money; this module gives each amount
its role in a plan: per instalment, paid up front, or the whole balance.
The ``say_*`` functions word amounts for text-to-speech: figures for numbers
(Piper and espeak-ng read them well in both languages) and currency names
spelled out, never symbols.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from voicebot.dialogue.amounts import (
    Candidate,
    alternatives,
    money_candidates,
    negated,
    pick,
    said_values,
    scan_numbers,
)
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
        r"(?!\s+(?:(?:a|per|every|each)\s+(?:day|month|week|fortnight|year)|to|that|already"
        r"|now|in a row)\b)",
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
        r"\b(?!\s+(?:par|chaque|tous|toutes|dans|de suite|que|déjà)\b)",
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

# Paying the whole balance at once. "Settle" alone is a reduced settlement,
# "solder" the whole balance; "tout" only with a verb of paying.
_PAY_FR = r"pa(?:ie|ye|yer|ierai|ierais|yerai)|rég(?:ler|lerai)|règle|rembourse[rz]?|verse[rz]?"
_LUMP = {
    "en": r"\bin\s+(?:1|a single|one single|just 1)\s+(?:go|payment|shot|hit|lump|transaction)\b"
          r"|\b(?:a single|one-off|one off|one-time|one time)\s+payment\b|\blump[- ]?sum\b"
          r"|\ball at once\b|\bin full\b(?! and final)|\bsettle (?:up|my account|the account"
          r"|the balance|the bill|the debt|everything|it all)\b"
          r"|\b(?:pay|clear|pay off|settle|cover|send|give you)\s+(?:it all|everything|all of it"
          r"|the lot|the debt|the balance|my debt|the whole \w+|the full \w+|the entire \w+"
          r"|the total|the whole lot)\b|\bpay(?:ing)?\s+(?:it\s+)?(?:all|off)\b"
          r"|\bpay it off\b|\b(?:whole|full|entire|total)\s+(?:amount|balance|sum|debt|thing|lot)\b"
          r"|\b(?:everything|all of it)\s+(?:now|today|at once|in one go|right now)\b",
    "fr": r"\ben\s+1\s+(?:seule?\s+)?(?:fois|traite|coup|versement|paiement|règlement"
          r"|prélèvement|virement)\b|\bd'un (?:seul )?coup\b|\ben une (?:seule )?traite\b"
          r"|\b(?:paiement|versement|règlement) unique\b|\bsold(?:er|é|ée|erai|erais|erait|ons)\b"
          r"|\b(?:je|on) solde\b|\btout (?:régler|payer|rembourser|solder|verser|donner)\b"
          rf"|\b(?:{_PAY_FR}|donne|balance)\s+(?:vous\s+)?(?:la totalité|l'intégralité|tout"
          r"|le tout|toute la \w+|le montant total|la somme totale|la dette|ma dette|l'ensemble)\b"
          r"(?! de suite)|\ben totalité\b|\bla totalité\b|\bl'intégralité\b|\bintégralement\b"
          r"|\bsomme forfaitaire\b|\bcomptant\b|\brèglement (?:global|total|définitif)\b"
          r"|\bune fois pour toutes\b|\ble tout\b(?! (?:premier|dernier|début))"
          r"|\bmontant (?:complet|total)\b|^\W*tout\W+en une fois\b",
}
_LUMP_RE = {lang: re.compile(p) for lang, p in _LUMP.items()}
# The whole answer to "how would you like to pay?": "everything", "le tout, maintenant".
_ALL_ANSWER = re.compile(
    r"^\W*(?:(?:um|uh|well|ok|okay|oh|so|euh|ben|bah|alors|bon)\W+)*(?:everything|all of it"
    r"|the whole (?:thing|lot|amount|balance)|the lot|the full amount|the total|tout|le tout"
    r"|la totalité|l'intégralité|tout payer|la somme totale)(?:\W+(?:please|at once|now|today"
    r"|right away|in one go|s'il vous plaît|svp|d'un coup|maintenant|aujourd'hui|en une fois"
    r"|tout de suite))*\W*$")
# The amount restates the balance: "the whole 480", "je vous paie les 236 euros".
_BALANCE_HEAD = re.compile(
    r"(?:\b(?:whole|full|entire|all|the balance of|balance of)|\btout\s+(?:le|les)"
    rf"|\b(?:{_PAY_FR}|donne)\s+(?:vous\s+)?les)\s+[$€£]?\s*$")
# Settling for less than the balance, with or without a sum.
_SETTLEMENT = (
    r"\bsettlement\b|\bsettle for\b|\bfull and final\b|\bcall it (?:even|done|quits|square"
    r"|settled)\b|\bwe(?:'re| are) (?:square|even|quits)\b|\bwipe (?:the rest|it|the balance"
    r"|the debt|out)\b|\bfinal offer\b|\bwrite off\b|\btransaction\b|\bsolde de tout compte\b"
    r"|\bon (?:est|sera) quittes?\b|\bon n'en parle plus\b|\beffacez le reste\b"
    r"|\bdernière offre\b")
_SETTLEMENT_RE = re.compile(_SETTLEMENT)
# A sum offered to close the account.
_CLOSE = re.compile(
    _SETTLEMENT + r"|\bto (?:close|settle|clear|end|finish)\b|\bclos(?:e|es|ing) (?:it|this|that"
    r"|the account|my account|the file|out)\b|\bclose it out\b|\bsettle (?:it|this|things)\b"
    r"|\bwe(?:'re| are) done\b|\bwe (?:finish|call it|are done)\b|\bcall it done\b"
    r"|\bpour (?:solder|clore|clôturer|fermer|en finir|terminer|tout régler|régler le tout)\b"
    r"|\bon (?:finit|termine|arrête)\b|\bferme[rz]? le dossier\b|\bcl(?:ôt|ore|ôturer)\b"
    r"|\bsi ça (?:règle|solde|ferme|termine)\b")
# Asking for less than the balance: a settlement, not a payment in full.
_REDUCED = re.compile(
    r"\b(?:discount|less|reduc\w*|knock\w*(?: \w+)? off|take off|lowest|cheaper|percent off"
    r"|remise|réduction|rabais|ristourne|(?<!au )moins|enlev\w*|geste commercial)\b|% off")
_UPFRONT_AFTER = re.compile(
    r"\s*,?\s*(?:down\b|up[- ]?front\b|as (?:a |the )?(?:deposit|down payment)\b|deposit\b"
    r"|to (?:start|begin)(?: with| off)?\b|first\b(?!\s+of\b)|d'acompte\b|en acompte\b"
    r"|d'avance\b|en apport\b|pour commencer\b|d'abord\b)")
_UPFRONT_HEAD = re.compile(
    r"\b(?:down payment|deposit|put down|pay down|upfront|up front|acompte|apport)\s+"
    r"(?:of\s+|de\s+|d')?(?:about\s+|around\s+|environ\s+)?[$€£]?\s*$")
_NOW_AFTER = re.compile(
    r"\s*,?\s*(?:right now|now|today|tonight|straight away|right away|immediately|this week"
    r"|(?:in )?cash|maintenant|là maintenant|tout de suite|de suite|aujourd'hui|immédiatement"
    r"|dès maintenant|ce soir|cette semaine|en liquide|comptant)\b")
_FIRST_HEAD = re.compile(
    r"\b(?:first|initial) (?:payment|instal+ment)\s+(?:of\s+)?[$€£]?\s*$"
    r"|\bpremier (?:versement|paiement)\s+(?:de\s+)?[$€£]?\s*$")
_LATER = re.compile(
    r"\b(?:the rest|the remainder|the balance|what's left|rest of it|then|after that|afterwards"
    r"|later|le reste|le solde|le restant|ce qui reste|puis|ensuite|plus tard|après ça"
    r"|et après)\b")
_SEGMENT_END = re.compile(r"[,;.]|\b(?:and|then|puis|ensuite|et|after|après)\b")
_INSTALMENT_HEAD = re.compile(  # "four payments of", "un versement mensuel de", "2 fois"
    r"(?:\b(?:payments|instal+ments|paiements|versements|mensualités|échéances|prélèvements"
    r"|(?:monthly|weekly|fortnightly) (?:payment|instal+ment)|(?:versement|paiement|prélèvement)"
    r" (?:mensuel|hebdomadaire)|mensualité|échéance)\s+(?:of|de|d')"
    r"|\b\d+\s+fois)\s+(?:(?:about|around|environ)\s+)?[$€£]?\s*$")


class _Analysis(NamedTuple):
    text: str
    dates: list[Span]
    freqs: list[tuple[int, int, Frequency | None]]
    counts: list[tuple[int, int, int, str | None]]
    cands: list[Candidate]


@lru_cache(maxsize=512)
def _analyse(text: str, language: str) -> _Analysis:
    lang = lang_of(language)
    s = figures(text, lang)
    dates = [(a, b) for a, b, _ in scan_dates(s, lang)]
    freqs = scan_frequencies(s, lang)
    counts = []
    for pattern in _COUNT_RE[lang]:
        for m in pattern.finditer(s):
            if negated(s, m.start()) or any(x < m.end() and m.start() < y for x, y in dates):
                continue
            n = m.groupdict().get("n")
            unit = (m.groupdict().get("u") or "").rstrip("s") or None
            value = 1 if n in (None, "a", "an") else int(n)
            if value > 360:
                continue  # "in 2026": a year
            if unit in ("year", "an", "année"):
                value, unit = value * 12, "month"
            counts.append((m.start(), m.end(), value, {"moi": "month", "semaine": "week"}.get(
                unit or "", unit)))
    taken = dates + [(f[0], f[1]) for f in freqs] + [(c[0], c[1]) for c in counts]
    cands = money_candidates(s, lang, scan_numbers(s, lang), taken, {f[0] for f in freqs})
    return _Analysis(s, dates, freqs, counts, cands)


def parse_amount(text: str, language: str) -> Decimal | None:
    """The one money amount the caller said; None if none or unclear."""
    a = _analyse(text, language)
    value, unsure = pick(a.text, a.cands)
    return value if not unsure or any(c.value == value and not c.unclear for c in a.cands) \
        else None


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


def _closes(s: str, pattern: re.Pattern[str] = _CLOSE) -> bool:
    """A sum offered to close the account: "to close it", "pour solde de tout compte"."""
    return any(not negated(s, m.start()) for m in pattern.finditer(s))


def _several(a: _Analysis) -> bool:
    """Instalments are said: a rhythm or more than one payment."""
    return bool(a.freqs) or any(n > 1 for _, _, n, _ in a.counts)


def _lump(a: _Analysis, lang: str) -> bool:
    if _several(a) or _REDUCED.search(a.text) or _closes(a.text, _SETTLEMENT_RE):
        return False  # "pay off the balance in 6 payments", "a discount if I pay it all"
    s = a.text
    if _ALL_ANSWER.match(s) or any(not negated(s, m.start()) for m in _LUMP_RE[lang].finditer(s)):
        return True
    return any(_BALANCE_HEAD.search(s[:c.start]) and not negated(s, c.start) for c in a.cands)


def parse_lump_sum(text: str, language: str) -> bool:
    """True when the caller will pay the whole balance at once ("pay in full", "tout payer")."""
    lang = lang_of(language)
    return _lump(_analyse(text, lang), lang)


def _periodic(a: _Analysis, c: Candidate) -> bool:
    """Said as an instalment: "50 a month", "four payments of 50"."""
    rest = a.text[c.end:]
    at = c.end + len(rest) - len(rest.lstrip())
    return any(f[0] == at for f in a.freqs) or bool(_INSTALMENT_HEAD.search(a.text[:c.start]))


def _upfront(a: _Analysis, c: Candidate, cands: list[Candidate]) -> bool:
    """Paid now, before the rest: "100 down", "300 now and the rest next month"."""
    s, head = a.text, a.text[:c.start]
    if _UPFRONT_AFTER.match(s, c.end) or _UPFRONT_HEAD.search(head):
        return True
    if not (_NOW_AFTER.match(s, c.end) or _FIRST_HEAD.search(head)):
        return False
    return (any(o.start > c.start for o in cands) or _LATER.search(s, c.end) is not None
            or any(f[0] > c.end for f in a.freqs)
            or any(n > 1 and start > c.end for start, _, n, _ in a.counts))


class _Roles(NamedTuple):
    amount: Decimal | None = None
    upfront: Decimal | None = None
    lump: bool = False
    settles: bool = False
    ambiguous: bool = False
    upfront_spans: tuple[Span, ...] = ()  # where sums paid up front are said, even unclear ones


def _clause(s: str, c: Candidate) -> Span:
    """The part of the line that goes with the amount ``c`` ("100 today", up to "and")."""
    starts = [m.end() for m in _SEGMENT_END.finditer(s, 0, c.start)]
    end = _SEGMENT_END.search(s, c.end)
    return (starts[-1] if starts else 0, end.start() if end else len(s))


def _roles(a: _Analysis, lang: str, cands: list[Candidate]) -> _Roles:
    """Which amount is per instalment, which paid up front, and what is unclear."""
    s = a.text
    lump = _lump(a, lang)
    single = [c for c in cands if not _periodic(a, c)]
    up = [c for c in single if _upfront(a, c, cands)]
    if alternatives(s, cands):
        return _Roles(lump=lump, ambiguous=True, upfront_spans=tuple(_clause(s, c) for c in up))
    several = _several(a) or len(single) < len(cands)
    if single and not several and _closes(s):  # "I'll give you 1000 right now to close it"
        upfront, unsure = pick(s, single)
        return _Roles(upfront=upfront, settles=True, ambiguous=unsure)
    if lump:  # the balance needs no amount; another sum is what they pay now
        upfront, unsure = pick(s, [c for c in single if not _BALANCE_HEAD.search(s[:c.start])])
        return _Roles(upfront=upfront, lump=True, ambiguous=unsure)
    upfront, unsure_up = pick(s, up)
    amount, unsure = pick(s, [c for c in cands if c not in up])
    return _Roles(amount, upfront, ambiguous=unsure or unsure_up,
                  upfront_spans=tuple(_clause(s, c) for c in up))


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """What one utterance asks of a plan; every field may be missing.

    ``amount`` is per instalment. ``upfront`` is paid now, before instalments
    or on its own to close the account (a settlement offer). ``lump_sum`` is
    paying the whole balance at once: no amount, the balance is known.
    ``ambiguous``: something needs checking before it is used. A number that
    may not be money ("I can pay 2025", "on 15") is given, to be confirmed; two
    amounts offered ("fifty or sixty") or one with two readings ("fifteen fifty":
    15.50 or 1550?) are left out.
    """

    amount: Decimal | None = None
    count: int | None = None
    frequency: Frequency | None = None
    first_date: dt.date | None = None
    lump_sum: bool = False
    upfront: Decimal | None = None
    ambiguous: bool = False

    @property
    def empty(self) -> bool:
        """Nothing about a plan was understood."""
        return self == PlanRequest()


def _with_amount(a: _Analysis, at: int) -> bool:
    """A rhythm said right after an amount ("20 euros par mois")."""
    return any(0 <= at - c.end <= 1 for c in a.cands)


def _year_doubt(c: Candidate, today: dt.date) -> Candidate:
    """ "I can pay 2025": a year or an amount? Checked before it is used."""
    if not c.strong and c.value is not None and today.year - 1 <= c.value <= today.year + 2:
        return c._replace(unclear=True)
    return c


def _first_date(a: _Analysis, lang: str, today: dt.date, roles: _Roles,
                instalments: bool) -> dt.date | None:
    """The first instalment's date (or the lump sum's): not the day of an up-front
    payment or of a settlement, nor a weekday that names the rhythm ("every other
    Friday") when another date is said."""
    found = scan_dates(a.text, lang, today)
    if not instalments and not roles.lump and (
            roles.upfront_spans or roles.settles or _REDUCED.search(a.text) or _closes(a.text)):
        return None
    found = [f for f in found if not any(x <= f[0] < y for x, y in roles.upfront_spans)]
    outside = [f for f in found if not any(x <= f[0] < y for x, y, _ in a.freqs)]
    found = outside or found
    if not found or any(value is None for _, _, value in found):
        return None
    dates = {value for _, _, value in found}
    return dates.pop() if len(dates) == 1 else None


def parse_plan_request(text: str, language: str, today: dt.date) -> PlanRequest:
    """Amount, count, frequency, first date, lump sum and up-front sum from one utterance."""
    lang = lang_of(language)
    a = _analyse(text, lang)
    frequency = one_frequency(a.freqs)
    count = _count(a)
    if count and count[1] and frequency and count[1] != {
            Frequency.MONTHLY: "month", Frequency.WEEKLY: "week"}.get(frequency):
        count = None  # "over 6 months, every two weeks": not 6 instalments
    if len({f for _, _, f in a.freqs}) > 1:  # the rhythm said with the amount wins
        frequency = one_frequency([f for f in a.freqs if _with_amount(a, f[0])])
    roles = _roles(a, lang, [_year_doubt(c, today) for c in a.cands])
    if roles.lump or roles.settles or (count and count[0] == 1):
        count = None  # one payment: a lump sum or a settlement, said or not
    if frequency is None and not a.freqs and count and count[1]:
        frequency = {"month": Frequency.MONTHLY, "week": Frequency.WEEKLY}.get(count[1])
    instalments = roles.amount is not None or frequency is not None or count is not None
    return PlanRequest(
        amount=roles.amount,
        count=count[0] if count else None,
        frequency=frequency,
        first_date=_first_date(a, lang, today, roles, instalments),
        lump_sum=roles.lump,
        upfront=roles.upfront,
        ambiguous=roles.ambiguous,
    )


def numbers_in(text: str, language: str) -> list[Decimal]:
    """Every number in the text, in order ("72 dollars and 50 cents" counts as 72.50)."""
    lang = lang_of(language)
    return said_values(figures(text, lang), lang)


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
