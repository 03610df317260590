"""Money amounts in one caller line, once number words are figures, EN and FR.

A line often holds several numbers: an amount, a count, a day, a balance, an
income, a reference. :func:`money_candidates` keeps those that may be money the
caller offers. Each is *strong* when a currency or a rhythm ("a month") goes
with it, and *unclear* when a careful agent would check it before using it:

* two figures side by side, "1 50" ("one fifty": 1.50 or 150?), "20 25";
* a vague quantity, "a few hundred", "quelques centaines";
* "500k", a number with a leading zero or more than two decimals;
* a bare number of six digits, or of five not ending in 00 (a reference, a postcode);
* a figure a day may follow ("pay on 15").

A correction keeps the last amount said ("fifty, no, sixty"); two amounts
offered as alternatives ("fifty or sixty", "entre 50 et 80") are found by
:func:`alternatives`, and :func:`pick` makes one amount of a group or says why not.
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal
from typing import NamedTuple

from voicebot.dialogue.dates import MONTH_RE

Span = tuple[int, int]

_MAJOR = (r"[$€£]|(?:dollars?|bucks?|euros?|quid|balles?|pounds?(?: sterling)?|livres?"
          r"(?: sterling)?|francs?|usd|eur|gbp)\b")
_MINOR = r"¢|(?:cents?|centimes?|pence|penny)\b"
CURRENCY_AFTER = re.compile(rf"\s*(?:d'|de\s+)?(?:(?P<major>{_MAJOR})|(?P<minor>{_MINOR}))")
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
    r"|annuel\w*|kids?|children|enfants?|(?:a|per|every|each|par)\s+(?:year|an|année))\b)")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_OK_AFTER = {
    "en": _words("""a per every each now today tomorrow tonight on by from starting start at max
        maximum tops top or and to in this next right up upfront down first then instead please
        is would could should will if but only maybe monthly weekly biweekly bi-weekly fortnightly
        straight immediately for as that so plus total initially too also ok okay alright yes no
        yeah i we it all over before after until cash towards toward off when once twice that's
        it's i'm even flat exactly like ish because since with via altogether later afterwards
        again can you take final"""),
    "fr": _words("""par chaque tous toutes le la les maintenant aujourd'hui demain dès à au avant
        après en pour et ou puis ensuite max maximum mensuels mensuellement d'abord tout de si
        mais c'est ça je j'ai on voilà peut-être comptant cash pas plutôt alors donc environ
        d'un avec sur ce cette début fin dans d'ici ok d'accord oui non seulement uniquement pile
        net maxi directement immédiatement jusqu'à vers mensuel mensuelle hebdomadaire parce car
        comme plus ensuite tard là vous dernière"""),
}
_HEAD_EXCLUDE = re.compile(  # a balance, a reference, "not 100"
    r"(?:\b(?:owe|owed|owing|balance(?: is| of)?|debt(?: is| of)?|dois|doit|devons|devez"
    r"|dette(?: est)?(?: de)?|solde(?: est)?(?: de)?|number|numéro|account|compte|reference"
    r"|référence|ref|dossier|n°|zip|postcode|code(?: postal| on the back| au dos| derrière)?"
    r"|card|carte|option|choice|cvv|cvc|chapter|chapitre|années"
    r"|cryptogramme|expir\w*(?: date)?|starts|starts with|begins with|commence par|one|un|une"
    r"|instead of|rather than|plutôt que|au lieu de|paid|already paid|payé|versé|réglé|bill was"
    r"|facture(?: c'était| était| est)?)|#|(?:\b(?:not|cannot|pas|jamais)|n't)"
    r"(?:\s+(?:pay|do|afford|manage|give|offer|payer|faire|donner|mettre|verser|proposer))?)"
    r"\s+(?:(?:is|est|c'est|le|you|me|vous|even|même|about|around|like|roughly|almost|nearly"
    r"|environ|à peu près|presque|que|only|just|seulement)\s+)*[$€£]?\s*$")
_HEAD_INCOME = re.compile(  # "I get 900 a month": not what they offer
    r"(?:\b(?:i|we|je|on)\s+(?:only\s+)?(?:get|earn|make|receive|gagne|touche)|\b(?:income"
    r"|salary|pension|rent|wages?|benefits|revenus?|salaire|loyer|retraite|allocations?|chômage"
    r"|(?:il )?me reste|i(?:'ve| have)? (?:only )?got left|left with)"
    r"(?:\s+(?:is|of|est|de|est de|sont de))?)\s+(?:(?:about|around|like|only|just|environ"
    r"|seulement|que|plus que)\s+)?[$€£]?\s*$")
_HEAD_STRONG = re.compile(
    r"\b(?:(?:payments?|instal+ments?|sum|amount|settlement|offer|chunks?|goes|deposit|figure"
    r"|total)\s+of|(?:paiements?|versements?|mensualités?|échéances?|somme|montant|règlement"
    r"|prélèvements?|acompte|offre|fois|total)\s+(?:de|d')|(?:settle|settling|clear it"
    r"|pay it off|solder|régler|rembourser)\s+(?:(?:it|this|everything|le tout|tout)\s+)?"
    r"(?:for|at|pour|à))\s+(?:(?:about|around|like|maybe|just|only|roughly|environ"
    r"|à peu près|peut-être|seulement)\s+)?[$€£]?\s*$")
_HEAD_YEAR = re.compile(
    rf"\b(?:in|by|since|until|till|from|en|depuis|d'ici|jusqu'en|avant|après|année|year"
    rf"|{MONTH_RE['en']}|{MONTH_RE['fr']})\s*$")
_HEAD_DAY = re.compile(r"\b(?:on|by|before|until|till|from|starting)\s*$")
_COMPOUND_GAP = re.compile(
    r"^\s*(?:dollars?|bucks?|euros?|balles?|pounds?(?: sterling)?|livres?(?: sterling)?|francs?"
    r"|[$€£])\s*,?\s*(?:and|et)?\s*$")
_RUN_GAP = re.compile(r"^\s*[,-]?\s*$")
_NEGATION = re.compile(
    r"\b(?:not|never|cannot|no way|unable|impossible|jamais)\b|\bpas\b(?! de\b| d')|n't\b")
_WHY = re.compile(r"(?:^|[.!?]\s*)(?:um,?\s+|euh,?\s+)?(?:why|how come|pourquoi)\b[^.!?]*$")
_CLAUSE = re.compile(r"[,.;!?]|\b(?:but|however|though|mais|cependant|sauf|except)\b")
_VAGUE = re.compile(
    r"\b(?:(?:a\s+)?(?:few|several|some|many)\s+(?:hundreds?|thousands?|grand|k)|hundreds"
    r"|thousands|(?:quelques|plusieurs|des)\s+(?:centaines|milliers|cents))\b")
_FIX = (r"(?:no|nope|sorry|wait|hang on|hold on|i mean|i meant|actually|make (?:that|it)"
        r"|scratch that|or rather|rather|correction|non|pardon|enfin|je veux dire|plutôt"
        r"|ou plutôt|attendez|attends|en fait|disons|je me suis trompée?)")
_FILLER = r"(?:uh|um|er|erm|euh|heu|hum|let's say|say|more like|like|about|environ|no)"
_CORRECTION = re.compile(  # "fifty, no, sixty", "50, pardon, 60", "100, actually make that 80"
    rf"^[\s,.;:!?-]*(?:{_FILLER}[\s,.;:!?-]+)*{_FIX}(?:[\s,.;:!?-]+(?:{_FIX}|{_FILLER}))*"
    r"[\s,.;:!?-]*$")
_TOO_MUCH = re.compile(  # "100 is too much", "100 c'est trop": turned down
    r"\s*(?:dollars?|bucks|euros?|balles)?\s*(?:a month|a week|par mois|per month)?\s*,?\s*"
    r"(?:is|'s|would be|est|c'est|ça fait|ça)?\s*"
    r"(?:way\s+|much\s+|beaucoup\s+|bien\s+)?(?:too (?:much|high|steep)|trop\b|out of the question"
    r"|not possible|pas possible|impossible)")
# A figure the caller takes back: "80, not 100", "not 50, 60", "the 100 is wrong",
# "pas 100 mais 60", "le 100 c'est faux".
_NOT_FIGURE = r"\b(?:not|pas)\s+(?:(?:the|les?)\s+)?[$€£]?\s*"  # "not", before a figure
_TAKEN_BACK_BEFORE = re.compile(_NOT_FIGURE + r"$")
_TAKEN_BACK_AFTER = re.compile(
    r"\s*(?:dollars?|bucks|pounds|quid|euros?|balles|€|\$|£)?\s*"
    r"(?:is|was|'s|c'est|est|[ée]tait)\s+(?:wrong|not right|incorrect|a mistake|faux"
    r"|pas (?:bon|juste|ça|ca)|une erreur)\b")
_BEFORE_TAKEN_BACK = re.compile(_NOT_FIGURE + r"\d")  # "80 not 100": 80 stands
_OR = re.compile(r"\b(?:or|ou|maybe|perhaps|peut-être|voire|either|soit)\b|^\s*(?:to|à|-|/|,)\s*$"
                 r"|^\s*(?:to|à|-)\s*(?:maybe|even|peut-être|même)?\s*[$€£]?\s*$")
_NOT_OR = re.compile(
    r"\bor so\b|\b(?:then|now|today|down|upfront|up front|rest|after|later|first|puis|ensuite"
    r"|maintenant|aujourd'hui|reste|après|d'abord|tout de suite|payments?|fois|instal+ments?"
    r"|paiements?|versements?|mensualités?)\b")
_BETWEEN = re.compile(r"\b(?:between|entre|from|de)\s+[$€£]?\s*$")


MAX_SUM = Decimal(10**9)


class Num(NamedTuple):
    """A figure in the text."""

    start: int
    end: int
    value: Decimal
    ordinal: bool
    whole: bool  # written as a plain integer (no separators, no decimals)
    odd: bool  # a leading zero or more than two decimals: not written like money


def scan_numbers(s: str, lang: str) -> list[Num]:
    """Every figure in ``s`` (already through :func:`voicebot.dialogue.dates.figures`)."""
    out = []
    for m in _NUMBER[lang].finditer(s):
        integer = re.sub(r"\D", "", m["int"])
        frac = m["frac"]
        if frac is not None and len(frac) == 3 and (m["dec"] == "," or lang == "fr"):
            integer, frac = integer + frac, None  # "2,400" / "2.400": thousands
        value = Decimal(f"{integer}.{frac}" if frac else integer)
        whole = m["sep"] is None and frac is None
        odd = (len(integer) > 1 and integer.startswith("0")) or len(frac or "") > 2
        out.append(Num(m.start(), m.end(), value, m["ord"] is not None, whole, odd))
    return out


def negated(s: str, start: int) -> bool:
    """A negation earlier in the same clause: "I can't pay it all at once"."""
    clause = [m.end() for m in _CLAUSE.finditer(s, 0, start)]
    return _NEGATION.search(s, clause[-1] if clause else 0, start) is not None


def taken_back(s: str, num: Num) -> bool:
    """A figure the caller withdraws as they say it: "not 100", "the 100 is wrong"."""
    return bool(_TAKEN_BACK_BEFORE.search(s, 0, num.start)
                or _TAKEN_BACK_AFTER.match(s, num.end))


class Candidate(NamedTuple):
    """A number that may be money the caller offers."""

    start: int
    end: int  # after its currency word, if any
    value: Decimal | None  # None for a vague quantity
    strong: bool  # said with a currency or a rhythm
    unclear: bool = False


def _compound(s: str, num: Num, nxt: Num | None) -> Candidate | None:
    """ "72 dollars 50", "59 € 10", "one dollar and five cents"."""
    if (nxt and not num.ordinal and not nxt.ordinal and nxt.whole and nxt.value < 100
            and num.value == num.value.to_integral_value()
            and _COMPOUND_GAP.match(s[num.end:nxt.start]) and not _UNIT_AFTER.match(s, nxt.end)):
        cur = CURRENCY_AFTER.match(s, nxt.end)
        if cur is None or cur["minor"]:
            return Candidate(num.start, cur.end() if cur else nxt.end,
                             num.value + nxt.value / 100, True)
    return None


def _run(s: str, nums: list[Num], i: int) -> int:
    """How many plain figures follow each other from ``i`` ("1 0 0 2", "1 50")."""
    n = 1
    while (i + n < len(nums) and all(x.whole and not x.ordinal for x in nums[i:i + n + 1])
           and _RUN_GAP.match(s[nums[i + n - 1].end:nums[i + n].start])):
        n += 1
    return n


def _reference_like(num: Num) -> bool:
    """ "94107", "100200", "500 600": a postcode or a reference more than a sum (10000 is
    a sum)."""
    return num.value >= 100000 or (num.whole and num.value >= 10000 and num.value % 100 != 0)


def _single(s: str, lang: str, num: Num, rhythm_starts: set[int]) -> Candidate | None:
    """One figure as money offered, or None: a time, an age, a year, a count, a unit."""
    head = s[:num.start]
    cur = CURRENCY_AFTER.match(s, num.end)
    if (not cur and _UNIT_AFTER.match(s, num.end)) or _TOO_MUCH.match(s, num.end):
        return None
    value = num.value / 100 if cur and cur["minor"] else num.value
    after = cur.end() if cur else num.end
    rest = s[after:].lstrip()
    strong = bool(_CURRENCY_BEFORE.search(head) or cur or len(s) - len(rest) in rhythm_starts
                  or _HEAD_STRONG.search(head))
    doubt: Decimal | None = value
    if (num.odd and not num.whole) or re.match(r"k\b", rest):
        doubt = None  # "1.000" (1 or 1000?), "500k" (500 or 500 000?): two readings
    unclear = num.odd or doubt is None
    if not strong:
        word = re.match(r"(?:[^\W\d_][\w'-]*)?", rest)[0]  # a following figure is fine
        if (num.value == 0  # "press zero"
                or (word and word not in _OK_AFTER[lang] and word != "k"
                    and not _BEFORE_TAKEN_BACK.match(rest))
                or (num.whole and 1990 <= num.value <= 2099 and _HEAD_YEAR.search(head))
                or (re.search(r"\bat\s*$", head) and num.value <= 24)  # a time of day
                or re.search(r"\b(?:i'm|i am|im)\s*$", head)):  # an age
            return None
        unclear = unclear or _reference_like(num) or (
            num.whole and 1 <= num.value <= 31 and bool(_HEAD_DAY.search(head)))
    return Candidate(num.start, after, doubt, strong, unclear)


def money_candidates(s: str, lang: str, nums: list[Num], taken: list[Span],
                     rhythm_starts: set[int]) -> list[Candidate]:
    """The numbers in ``s`` that may be money offered, in order, corrections applied.

    ``taken`` are spans already read as dates, counts or frequencies;
    ``rhythm_starts`` where a frequency starts ("a month" after "50").
    """
    def inside(start: int) -> bool:
        return any(a <= start < b for a, b in taken)

    def excluded(start: int) -> bool:  # a balance, a reference, an income, "why 50?"
        head = s[:start]
        return bool(_HEAD_EXCLUDE.search(head) or _HEAD_INCOME.search(head)
                    or _WHY.search(head))

    out: list[Candidate] = []
    i = 0
    while i < len(nums):
        num, nxt = nums[i], nums[i + 1] if i + 1 < len(nums) else None
        if taken_back(s, num):
            i += 1
            continue
        compound = _compound(s, num, nxt)
        if compound is not None:
            out.append(compound)
            i += 2
            continue
        run = 1 if inside(num.start) else _run(s, nums, i)
        if run > 1 and any(inside(x.start) for x in nums[i:i + run]):
            run = 1
        last = nums[i + run - 1]
        i += run
        if run == 2 and num.value == last.value and num.value < 1000:
            num, run = num._replace(end=last.end), 1  # "50 50": said twice
        if num.ordinal or inside(num.start) or excluded(num.start) or run > 2:
            continue  # "1 0 0 2", "4111 1111 1111": a reference or a card, read in groups
        if "/" in (s[num.start - 1:num.start], s[last.end:last.end + 1]):
            continue  # "12/28": a date, an expiry
        if run == 2:  # "1 50", "20 25": two readings
            if not re.search(r"\bat\s*$", s[:num.start]):  # "at 5 30": a time
                cur = CURRENCY_AFTER.match(s, last.end)
                out.append(Candidate(num.start, cur.end() if cur else last.end, None, bool(cur),
                                     True))
            continue
        single = _single(s, lang, num, rhythm_starts)
        if single is not None:
            out.append(single)
    for m in _VAGUE.finditer(s):
        if not (inside(m.start()) or excluded(m.start()) or negated(s, m.start())):
            out.append(Candidate(m.start(), m.end(), None, False, True))
    # A billion or more is nobody's instalment: a card number or a slip of the recognizer.
    out = [c for c in out if c.value is None or c.value < MAX_SUM]
    out.sort(key=lambda c: c.start)
    return _corrected(s, out, taken)


def _corrected(s: str, cands: list[Candidate], taken: list[Span]) -> list[Candidate]:
    """ "fifty, no, sixty", "50 a month, sorry, 60 a month": the amount said last stands."""
    kept: list[Candidate] = []
    for c in cands:
        if kept:
            gap = "".join(ch for at, ch in enumerate(s[kept[-1].end:c.start], kept[-1].end)
                          if not any(a <= at < b for a, b in taken))
            if _CORRECTION.match(gap):
                kept.pop()
        kept.append(c)
    return kept


def alternatives(s: str, cands: list[Candidate]) -> bool:
    """Two different amounts offered as a choice: "50 or 60", "entre 50 et 80"."""
    for x, y in itertools.pairwise(cands):
        if x.value == y.value:
            continue
        gap = s[x.end:y.start]
        if len(gap) <= 40 and _OR.search(gap) and not _NOT_OR.search(gap):
            return True
        if re.fullmatch(r"\s*(?:and|et)\s*[$€£]?\s*", gap) and _BETWEEN.search(s[:x.start]):
            return True
    return False


def pick(s: str, cands: list[Candidate]) -> tuple[Decimal | None, bool]:
    """The one amount in ``cands``, and whether it (or another number) needs checking.

    Two different clear amounts give none, unless only one of them was said with
    a currency or a rhythm. With no clear amount, an unclear number with a single
    reading ("I can pay 2025": a year?) is given, to be confirmed; one with two
    readings ("fifteen fifty") never is.
    """
    unclear = any(c.unclear for c in cands)
    if alternatives(s, cands):
        return None, True
    values = {c.value for c in cands if not c.unclear}
    if not values:
        doubts = {c.value for c in cands if c.unclear}
        return (doubts.pop() if len(doubts) == 1 else None), unclear
    if len(values) == 1:
        return values.pop(), unclear
    strong = {c.value for c in cands if c.strong and not c.unclear}
    if len(strong) == 1:
        return strong.pop(), unclear
    return None, True


def said_values(s: str, lang: str) -> list[Decimal]:
    """Every number in ``s``, in order, an amount and its cents as one ("72 dollars 50")."""
    nums, out, i = scan_numbers(s, lang), [], 0
    while i < len(nums):
        num = nums[i]
        nxt = nums[i + 1] if i + 1 < len(nums) else None
        cur = CURRENCY_AFTER.match(s, num.end)
        if (nxt and cur and cur["major"] and nxt.whole and nxt.value < 100
                and _COMPOUND_GAP.match(s[num.end:nxt.start])
                and not _UNIT_AFTER.match(s, nxt.end)):
            after = CURRENCY_AFTER.match(s, nxt.end)
            if after is None or after["minor"]:
                out.append(num.value + nxt.value / 100)
                i += 2
                continue
        out.append(num.value / 100 if cur and cur["minor"] else num.value)
        i += 1
    return out
