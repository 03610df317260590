"""Card data kept out of everything the bot stores or sends (PCI DSS).

The bot never takes card payments, yet callers sometimes start reading a card
anyway. Speech recognition writes what they say in many shapes: "4111 1111 1111
1111", "4111-1111-...", "four one one one, one one one one...", pairs or groups
("forty one eleven...", "quatre mille cent onze, mille cent onze..."), or a mix.
:func:`redact` finds, in one utterance or log line:

* card numbers: any Luhn-valid run of 13-19 digits, however it was grouped or
  spoken; and, when the caller says it is a card ("my card number is ..."), a
  run of 8 or more digits even if the checksum fails (a misheard digit, or a
  reading cut short) -> ``[card number]``;
* security codes: 3-4 digits after "CVV", "security code", "the three digits
  on the back", "cryptogramme", "code de sécurité", "PIN"... -> ``[security code]``;
* IBANs (ISO 13616, mod-97 checked, any country, written or spelled), and after
  the word "IBAN"/"RIB" anything shaped like one -> ``[iban]``;
* expiry dates after "expiry", "expires", "valid thru", "date d'expiration",
  "valable jusqu'à"... ("12/28", "twelve twenty-eight", "décembre 2028")
  -> ``[expiry]``.

Everything else is left exactly as it was: account references, amounts, postcodes,
dates, times and phone numbers are ordinary conversation. Only the redacted spans
change, so a transcript stays readable: "my card number is [card number], thanks".

:func:`looks_like_card_data` tells the dialogue early that the caller has started
reading card data, so the bot can stop them. :func:`redact_obj` cleans a
JSON-ready structure (a hand-off packet, a call record) and
:class:`RedactingFilter` cleans log records before any handler writes them.

Rules rather than a model: the checks are cheap (tens of microseconds for an
utterance), deterministic and testable, and they run on every log line.
"""

from __future__ import annotations

import bisect
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from voicebot.dialogue.dates import MONTH_NUMBER, lang_of
from voicebot.dialogue.parsers import _DIGIT_WORDS

__all__ = [
    "RedactingFilter",
    "Redaction",
    "add_log_redaction",
    "iban_valid",
    "install_log_redaction",
    "looks_like_card_data",
    "luhn_valid",
    "redact",
    "redact_obj",
]

CARD_NUMBER, SECURITY_CODE, IBAN, EXPIRY = "card_number", "security_code", "iban", "expiry"
PLACEHOLDER = {
    CARD_NUMBER: "[card number]",
    SECURITY_CODE: "[security code]",
    IBAN: "[iban]",
    EXPIRY: "[expiry]",
}


@dataclass(frozen=True)
class Redaction:
    """The text with card data replaced, and which kinds of data were found."""

    text: str
    found: frozenset[str]


# ---- checksums ------------------------------------------------------------------

_SPACING = re.compile(r"[\s\-.]")


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check of card numbers; spaces, dashes and dots are ignored."""
    digits = _SPACING.sub("", digits)
    if len(digits) < 2 or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


# IBAN lengths by country: the SWIFT IBAN registry, and the countries that publish
# IBANs outside it (mostly in Africa).
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
    "AO": 25, "BF": 28, "BJ": 28, "CF": 27, "CG": 27, "CI": 28, "CM": 27, "CV": 25, "DZ": 26,
    "GA": 27, "GQ": 27, "GW": 25, "IR": 26, "KM": 27, "MA": 28, "MG": 27, "ML": 28, "MZ": 25,
    "NE": 28, "SN": 28, "TD": 27, "TG": 28,
}
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")


def _mod97(compact: str) -> int:
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97


def iban_valid(text: str) -> bool:
    """An IBAN with a correct ISO 13616 check (mod 97) and its country's length.

    Spaces, dashes and dots are ignored; a country missing from the registry is
    accepted at any IBAN length when the checksum holds (in free text, such a one
    is only taken for an IBAN after the word "IBAN").
    """
    compact = _SPACING.sub("", text).upper()
    if not compact.isascii() or not _IBAN_SHAPE.fullmatch(compact):
        return False
    expected = IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    return _mod97(compact) == 1


# ---- words ------------------------------------------------------------------------

def _number_lexicon(lang: str) -> dict[str, int]:
    words = {w: i for i, w in enumerate(_DIGIT_WORDS[lang])}
    if lang == "fr":
        words.update({
            "zero": 0, "une": 1, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
            "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30,
            "quarante": 40, "cinquante": 50, "soixante": 60, "septante": 70, "huitante": 80,
            "octante": 80, "nonante": 90, "cent": 100, "cents": 100, "mille": 1000,
        })
    else:
        words.update({
            "nought": 0, "naught": 0, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
            "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
            "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50,
            "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
            "thousand": 1000,
        })
    return words


_NUMBERS = {lang: _number_lexicon(lang) for lang in ("en", "fr")}
_CONNECTOR = {"en": "and", "fr": "et"}
_ZERO_LETTERS = {"en": ("oh", "o"), "fr": ()}
_REPEATS = {"double": 2, "triple": 3}
_HESITATIONS = {"um", "umm", "uh", "uhm", "er", "erm", "hmm", "hm", "euh", "heu", "hum", "bah"}
_SOFT_PUNCT = {",", ".", "-", "–", "—", ";", "…"}
_STOP_PUNCT = {".", ";", "…"}
_CURRENCY = {"$", "€", "£", "¥"}
_UNITS = {
    "%", "$", "€", "£", "dollar", "dollars", "bucks", "buck", "euro", "euros", "cent", "cents",
    "pound", "pounds", "pence", "quid", "percent", "payment", "payments", "instalment",
    "instalments", "installment", "installments", "time", "times", "day", "days", "week",
    "weeks", "month", "months", "year", "years", "hour", "hours", "minute", "minutes",
    "monthly", "weekly", "am", "pm", "o'clock", "usd", "eur", "gbp", "k",
    "centimes", "centime", "balles", "paiement", "paiements", "versement", "versements",
    "mensualité", "mensualités", "échéance", "échéances", "prélèvement", "prélèvements",
    "fois", "jour", "jours", "semaine", "semaines", "mois", "an", "ans", "année", "années",
    "heure", "heures", "h", "pour",
}
_CARD_WORDS = {
    "card", "cards", "card's", "carte", "cartes", "visa", "mastercard", "amex", "maestro", "cb",
    "discover",
}
# Words that may stand between "card" and the number it introduces.
_CARD_FILLERS = {
    "is", "it's", "its", "it", "my", "the", "number", "numbers", "no", "num", "nr", "n",
    "reads", "says", "goes", "are", "so", "okay", "ok", "here", "here's", "that's", "thats",
    "well", "like", "on", "of", "this", "credit", "debit", "long", "full", "whole", "starts",
    "with", "be", "would", "will", "yes", "yeah", "right", "sure", "fine", "then", "and",
    "est", "c'est", "ce", "sont", "le", "la", "les", "mon", "ma", "mes", "numéro", "numero",
    "de", "du", "des", "alors", "donc", "ben", "bon", "voici", "voilà", "bancaire", "bleue",
    "crédit", "sur", "ça", "fait", "commence", "par", "oui", "d'accord", "et", "puis",
    *_HESITATIONS,
}
# Other things a number can be: once named, "card" said earlier no longer applies.
_OTHER_LABELS = {
    "reference", "ref", "account", "acct", "phone", "telephone", "mobile", "cell", "call",
    "zip", "postcode", "postal", "invoice", "order", "customer", "client", "dossier",
    "référence", "compte", "téléphone", "portable", "appeler", "rappeler", "joindre",
    "montant", "facture", "solde", "date", "birthday", "born", "naissance", "amount",
    "balance", "iban", "rib", "pay", "payer", "paid", "payé", "owe", "dois", "policy",
    "contrat", "contract", "case", "ticket", "claim", "sinistre", "fax", "siret", "siren",
    "send", "give", "afford", "manage", "transfer", "offer", "envoyer", "verser", "donner",
    "virer", "proposer", "propose", "payment", "paiement", "versement",
}
_IBAN_WORDS = {"iban", "rib"}
_MONTHS = {lang: dict(names) for lang, names in MONTH_NUMBER.items()}
_DATE_JOINERS = {"slash", "sur", "of", "barre", "de", "en"}

_PLACEHOLDERS = re.compile(
    "|".join(re.escape(p) for p in PLACEHOLDER.values()), re.IGNORECASE)

_SECURITY_TRIGGER = re.compile(
    r"\bc\.?\s?v\.?\s?[vc](?:\s?2)?\b\.?|\bcv\s?2\b|\bcsc\b|\bcid\b|\bsee\s+vee\s+vee\b"
    r"|\bsecurity\s+(?:code|number|digits?)\b|\b(?:card\s+)?verification\s+(?:code|value|number)\b"
    r"|\b(?:three|four|3|4)[\s-]+digits?\s+(?:code\s+|number\s+)?(?:on|at|from|in)\s+the\s+"
    r"(?:back|front|reverse)(?:\s+of\s+(?:the|my|your)\s+card)?\b"
    r"|\b(?:three|four|3|4)[\s-]+digit\s+(?:security\s+)?code\b"
    r"|\b(?:code|number|digits)\s+(?:on|at)\s+the\s+back(?:\s+of\s+(?:the|my|your)\s+card)?\b"
    r"|\bpin(?:\s+(?:code|number))?\b"
    r"|\bcryptogramme(?:\s+visuel)?\b|\bcode\s+(?:de\s+)?(?:s[ée]curit[ée]|v[ée]rification)\b"
    r"|\bcode\s+(?:pin|confidentiel|secret|cvv|cvc)\b"
    r"|\b(?:trois|quatre|3|4)\s+(?:derniers\s+|petits\s+)?chiffres\s+(?:qui\s+sont\s+|situ[ée]s\s+)?"
    r"(?:au\s+dos|derri[èe]re|au\s+verso|[àa]\s+l['’]arri[èe]re|sur\s+le\s+dos)"
    r"(?:\s+de\s+(?:la|ma|votre)\s+carte)?"
    r"|\bcode\s+(?:au\s+dos|derri[èe]re)\b",
    re.IGNORECASE,
)
_CODE_WORD = re.compile(r"\bcode\b", re.IGNORECASE)
# "zip code", "code postal", "promo code": codes that are not the card's.
_OTHER_CODES = {
    "zip", "area", "postal", "post", "postcode", "promo", "promotional", "discount", "reference",
    "access", "country", "sort", "bank", "branch", "swift", "bic", "iban", "client", "dossier",
    "confirmation", "booking", "voucher", "coupon", "activation", "verification", "security",
}
_EXPIRY_TRIGGER = re.compile(
    r"(?P<noun>\bexp(?:iry|iration)(?:\s+date)?\b|\bexp\b\.?(?:\s+date\b)?"
    r"|\bvalid\s+(?:thru|through|until|till|to)\b|\bgood\s+(?:thru|through)\b"
    r"|\bdate\s+d['’]\s?expiration\b|\bdate\s+de\s+(?:fin\s+de\s+)?validit[ée]\b"
    r"|\bfin\s+de\s+validit[ée]\b|\b(?:valable|valide)\s+jusqu['’]\s?(?:à|au|en|a)\b)"
    r"|(?P<verb>\bexpir(?:es|e|ed|ing|era|ée|ant)\b)",
    re.IGNORECASE,
)
_NUMBERISH = {
    lang: re.compile(
        r"\d|\b(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")\b", re.IGNORECASE)
    for lang, words in _NUMBERS.items()
}
_TOKEN = re.compile(r"([^\W\d_]+(?:['’\-][^\W\d_]+)*)|(\d+)|(\S)")
_ORDINAL_SUFFIX = {"st", "nd", "rd", "th", "er", "re", "e", "ème", "eme", "ère", "ieme", "ième"}


@lru_cache(maxsize=4096)
def _word_atoms(low: str, lang: str) -> tuple[int, ...] | None:
    """The numbers in one word: "forty-one" -> (40, 1); None for other words."""
    numbers = _NUMBERS[lang]
    value = numbers.get(low)
    if value is not None:
        return (value,)
    if "-" not in low:
        return None
    atoms = []
    for part in low.split("-"):
        if part == _CONNECTOR[lang]:
            continue
        value = numbers.get(part)
        if value is None:
            return None
        atoms.append(value)
    return tuple(atoms) or None


def _kind(value: int) -> str:
    if value < 10:
        return "u"
    if value < 20:
        return "t"
    return "x" if value < 100 else ("h" if value == 100 else "k")


# ---- numbers as they were said -----------------------------------------------------

class _Group:
    """Digits said as one piece: "4111", "forty one", "quatre mille cent onze", "zero".

    Words are built up as a quantity while they can be ("quatre mille cent onze"
    -> 4111); a word that cannot continue it starts a new piece ("four one" -> 4, 1).
    """

    __slots__ = ("b", "brk", "first", "h", "k", "last", "lit", "run", "state")

    def __init__(self, first: int, brk: str) -> None:
        self.first = self.last = first
        self.brk = brk  # what separates it from the piece before: none, soft, stop, hard
        self.k: int | None = None
        self.h: int | None = None
        self.b: int | None = None
        self.lit: str | None = None  # digits as written
        self.run: _Run | None = None
        self.state = ""

    @property
    def digits(self) -> str:
        if self.lit is not None:
            return self.lit
        return str((self.k or 0) + (self.h or 0) + (self.b or 0))

    def start(self, value: int, lang: str) -> None:
        kind = _kind(value)
        if kind == "h":
            self.h = 100
        elif kind == "k":
            self.k = 1000
        else:
            self.b = value
        self.state = "dix" if (lang == "fr" and value == 10) else ("zero" if value == 0 else kind)

    def feed(self, value: int, lang: str) -> bool:
        """Add a number word if it continues this quantity; False if it starts another."""
        kind, state = _kind(value), self.state
        if state in ("zero", "rep"):
            return False
        if state == "lit":
            return self._after_literal(kind)
        if kind == "u":
            if value == 0:
                return False
            if state == "x":
                self.b = (self.b or 0) + value
            elif state in ("h", "k") and self.b is None:
                self.b = value
            elif state == "dix" and value >= 7:
                self.b = (self.b or 0) + value
            else:
                return False
            self.state = "u" if state in ("h", "k") else "xu"
            return True
        if kind == "t":
            if lang == "fr" and state == "x" and self.b in (60, 80):
                self.b += value
            elif state in ("h", "k") and self.b is None:
                self.b = value
            else:
                return False
            self.state = "dix" if (lang == "fr" and self.b % 20 == 10) else "t"
            return True
        if kind == "x":
            if lang == "fr" and value == 20 and state == "u" and self.b == 4:
                self.b = 80
            elif state in ("h", "k") and self.b is None:
                self.b = value
            else:
                return False
            self.state = "x"
            return True
        if kind == "h":
            if self.h is None and self.b is None and state == "k":
                self.h, self.state = 100, "h"  # "mille cent"
                return True
            if self.h is not None or self.b is None or self.b == 0:
                return False
            if self.k is not None and self.b > 9:
                return False
            self.h, self.b, self.state = self.b * 100, None, "h"
            return True
        if self.k is not None:  # thousand
            return False
        self.k = (((self.h or 0) + (self.b or 0)) or 1) * 1000
        self.h = self.b = None
        self.state = "k"
        return True

    def _after_literal(self, kind: str) -> bool:
        """"14 hundred", "2 thousand": figures then a multiplier."""
        lit = self.lit or ""
        if lit.startswith("0") or kind not in ("h", "k") or len(lit) > (2 if kind == "h" else 3):
            return False
        self.lit = None
        if kind == "h":
            self.h, self.state = int(lit) * 100, "h"
        else:
            self.k, self.state = int(lit) * 1000, "k"
        return True

    def feed_literal(self, digits: str) -> bool:
        """Figures after "hundred"/"thousand": "2 thousand 400" is 2400."""
        if self.state not in ("h", "k") or self.b is not None or digits.startswith("0"):
            return False
        if len(digits) > (2 if self.state == "h" else 3):
            return False
        self.b, self.state = int(digits), "xu"
        return True

    def connects(self, lang: str, following: tuple[int, ...] | None) -> bool:
        """"one hundred and eleven", "quarante et un", "soixante et onze"."""
        if not following:
            return False
        if lang == "fr":
            return self.state == "x" and self.b in (20, 30, 40, 50, 60) and following[0] in (1, 11)
        return self.state in ("h", "k") and 0 < following[0] < 100


class _Run:
    """Pieces of digits read one after another: separated only by spaces, commas,
    dots, dashes or hesitations."""

    __slots__ = ("groups", "quantity")

    def __init__(self, groups: list[_Group]) -> None:
        self.groups = groups
        self.quantity = False
        for group in groups:
            group.run = self

    @property
    def digits(self) -> str:
        return "".join(g.digits for g in self.groups)


class _Scan:
    """One utterance cut into tokens, with its numbers found as they were said."""

    def __init__(self, text: str, lang: str) -> None:
        self.text, self.lang = text, lang
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.kinds: list[str] = []  # w(ord), d(igits), p(unctuation), x (a placeholder)
        self.raws: list[str] = []
        self.lows: list[str] = []
        holes = [m.span() for m in _PLACEHOLDERS.finditer(text)]
        self.holes = holes
        hole = 0
        for m in _TOKEN.finditer(text):
            start, end = m.span()
            raw = m.group()
            kind = "w" if m.lastindex == 1 else ("d" if m.lastindex == 2 else "p")
            while hole < len(holes) and holes[hole][1] <= start:
                hole += 1
            if hole < len(holes) and holes[hole][0] <= start:
                kind = "x"
            self.starts.append(start)
            self.ends.append(end)
            self.kinds.append(kind)
            self.raws.append(raw)
            self.lows.append(raw.lower().replace("’", "'") if kind == "w" else raw)
        self.n = len(self.raws)
        self.used = [False] * self.n
        self.spans: list[tuple[int, int, str]] = []
        self.groups: list[_Group] = []
        self.tok_group = [-1] * self.n
        self._build_groups()
        self._runs: list[_Run] | None = None

    # -- tokens --

    def _glued(self, i: int, j: int) -> bool:
        return 0 <= j < self.n and (self.ends[i] == self.starts[j] if j > i
                                     else self.ends[j] == self.starts[i])

    def _atoms(self, i: int) -> tuple[int, ...] | None:
        if self.kinds[i] != "w":
            return None
        low = self.lows[i]
        if low in _ZERO_LETTERS[self.lang]:
            # "oh" is zero only next to other digits: "nine four one oh seven", not "oh well".
            return (0,) if self._numberish(i - 1) or self._numberish(i + 1) else None
        return _word_atoms(low, self.lang)

    def _numberish(self, i: int) -> bool:
        if not 0 <= i < self.n:
            return False
        if self.kinds[i] == "d":
            return True
        return self.kinds[i] == "w" and _word_atoms(self.lows[i], self.lang) is not None

    def _plain_digits(self, i: int) -> bool:
        """Figures standing alone: not "5th", "10h30", "A12" or "FR76"."""
        if self.kinds[i] != "d":
            return False
        return not (self._glued(i, i - 1) and self.kinds[i - 1] == "w") and not (
            self._glued(i, i + 1) and self.kinds[i + 1] == "w")

    def _build_groups(self) -> None:
        lang = self.lang
        group: _Group | None = None
        pending = "hard"
        i = 0

        def close() -> None:
            nonlocal group
            if group is not None:
                self.groups.append(group)
                for t in range(group.first, group.last + 1):
                    self.tok_group[t] = len(self.groups) - 1
                group = None

        def begin(i: int) -> _Group:
            nonlocal pending
            close()
            new = _Group(i, pending)
            pending = "none"
            return new

        while i < self.n:
            kind, low = self.kinds[i], self.lows[i]
            if kind == "d":
                if not self._plain_digits(i):
                    close()
                    pending = "hard"
                elif group is not None and group.feed_literal(low):
                    group.last = i
                else:
                    group = begin(i)
                    group.lit, group.state = self._ascii(low), "lit"
                i += 1
                continue
            if kind == "w":
                count = _REPEATS.get(low)
                if count and i + 1 < self.n:
                    nxt = self._atoms(i + 1) if self.kinds[i + 1] == "w" else None
                    if self.kinds[i + 1] == "d" and len(self.raws[i + 1]) == 1:
                        nxt = (int(self.raws[i + 1]),)
                    if nxt and len(nxt) == 1 and nxt[0] < 10:
                        group = begin(i)
                        group.lit, group.state, group.last = str(nxt[0]) * count, "rep", i + 1
                        i += 2
                        continue
                atoms = self._atoms(i)
                if atoms:
                    for value in atoms:
                        if group is None or not group.feed(value, lang):
                            group = begin(i)
                            group.start(value, lang)
                        group.last = i
                    i += 1
                    continue
                if (low == _CONNECTOR[lang] and group is not None and i + 1 < self.n
                        and group.connects(lang, self._atoms(i + 1))):
                    i += 1
                    continue
                if low in _HESITATIONS:
                    close()
                    pending = "soft" if pending == "none" else pending
                    i += 1
                    continue
            elif kind == "p" and low in _SOFT_PUNCT and not self._decimal_point(i):
                close()
                if pending in ("none", "soft"):
                    pending = "stop" if low in _STOP_PUNCT else "soft"
                i += 1
                continue
            close()
            pending = "hard"
            i += 1
        close()

    @staticmethod
    def _ascii(digits: str) -> str:
        return digits if digits.isascii() else "".join(str(int(c)) for c in digits)

    def first_token_at(self, offset: int) -> int:
        return bisect.bisect_left(self.starts, offset)

    def _decimal_point(self, i: int) -> bool:
        """"0.30000000000000004", "1700000000.123456": a decimal, not a pause in a
        card number (whose groups have at most 6 figures)."""
        if not (self._glued(i, i - 1) and self._glued(i, i + 1)):
            return False
        if self.kinds[i - 1] != "d" or self.kinds[i + 1] != "d":
            return False
        return len(self.raws[i - 1]) > 6 or len(self.raws[i + 1]) > 6

    def in_hole(self, offset: int) -> bool:
        k = bisect.bisect_right(self.holes, (offset, len(self.text) + 1)) - 1
        return k >= 0 and self.holes[k][0] <= offset < self.holes[k][1]

    # -- runs --

    @property
    def runs(self) -> list[_Run]:
        """The runs, cut where an IBAN was found; computed once, on first use."""
        if self._runs is None:
            runs: list[_Run] = []
            current: list[_Group] = []
            for group in self.groups:
                used = any(self.used[t] for t in range(group.first, group.last + 1))
                if current and (used or group.brk == "hard"
                                or self._used_between(current[-1], group)):
                    runs.append(_Run(current))
                    current = []
                if not used:
                    current.append(group)
            if current:
                runs.append(_Run(current))
            for run in runs:
                run.quantity = self._is_quantity(run)
            self._runs = runs
        return self._runs

    def _used_between(self, before: _Group, after: _Group) -> bool:
        return any(self.used[t] for t in range(before.last + 1, after.first))

    def _is_quantity(self, run: _Run) -> bool:
        after = run.groups[-1].last + 1
        if after < self.n and self.lows[after] in _UNITS:
            return True
        before = run.groups[0].first - 1
        return before >= 0 and self.raws[before] in _CURRENCY

    def mark(self, first_tok: int, last_tok: int, what: str) -> None:
        for t in range(first_tok, last_tok + 1):
            self.used[t] = True
        self.spans.append((self.starts[first_tok], self.ends[last_tok], what))

    # -- context --

    def _words(self, i: int, step: int, sentence: bool = False) -> Iterable[str]:
        """Words going back (step -1) or forward (+1) from token i, punctuation skipped
        (with ``sentence``, up to the end of the sentence)."""
        j = i + step
        while 0 <= j < self.n:
            if self.kinds[j] == "w":
                yield self.lows[j]
            elif self.kinds[j] in ("d", "x") or (sentence and self.raws[j] in ".?!"):
                return
            j += step

    def card_ish(self, run: _Run) -> bool:
        """Could be (part of) a card number: no card number starts with 0, nor looks
        like a phone number ("+33 6...") or a date ("12 05 2024")."""
        digits = run.digits
        if len(digits) < 8 or run.quantity or digits.startswith("0"):
            return False
        before = run.groups[0].first - 1
        if before >= 0 and self.raws[before] == "+":
            return False
        sizes = [len(g.digits) for g in run.groups]
        return not (len(sizes) in (2, 3) and sizes[-1] == 4 and max(sizes[:-1]) <= 2
                    and digits[-4:-2] in ("19", "20"))

    def card_said_close(self, run: _Run) -> bool:
        """ "my card number is <run>", "<run>, that's my card"."""
        for words, limit in ((self._words(run.groups[0].first, -1, sentence=True), 6),
                             (self._words(run.groups[-1].last, 1, sentence=True), 4)):
            for count, word in enumerate(words):
                if word in _CARD_WORDS:
                    return True
                if word not in _CARD_FILLERS or count >= limit:
                    break
        return False

    def card_said_before(self, run: _Run) -> bool:
        """"card" earlier in the utterance, with nothing else named since."""
        j, seen = run.groups[0].first - 1, 0
        while j >= 0 and seen < 20:
            if self.kinds[j] == "w":
                word = self.lows[j]
                if word in _CARD_WORDS:
                    return True
                if word in _OTHER_LABELS:
                    return False
                seen += 1
            j -= 1
        return False

    @cached_property
    def card_said_anywhere(self) -> bool:
        return any(kind == "w" and low in _CARD_WORDS
                   for kind, low in zip(self.kinds, self.lows, strict=True))

    def iban_said_before(self, i: int) -> bool:
        for count, word in enumerate(self._words(i, -1)):
            if word in _IBAN_WORDS:
                return True
            if count >= 6:
                break
        return False


# ---- detectors ------------------------------------------------------------------

def _find_ibans(scan: _Scan) -> None:
    i = 0
    while i < scan.n:
        found = _iban_at(scan, i)
        if found is None:
            i += 1
            continue
        last, kind = found
        scan.mark(i, last, kind)
        i = last + 1


def _iban_at(scan: _Scan, i: int) -> tuple[int, str] | None:
    """An IBAN starting at token i: "FR76 3000...", "F R 7 6 3 0 0 0...", "fr76300..."."""
    if scan.kinds[i] != "w" or scan.used[i]:
        return None
    raw = scan.raws[i].replace("-", "").replace(".", "")
    j = i + 1
    if len(raw) == 1 and j < scan.n and scan.kinds[j] == "w" and len(scan.raws[j]) == 1:
        raw += scan.raws[j]  # a country spelled letter by letter
        j += 1
    elif len(raw) == 1 and j + 1 < scan.n and scan.raws[j] in (".", "-") and len(
            scan.raws[j + 1]) == 1 and scan.kinds[j + 1] == "w":
        raw += scan.raws[j + 1]
        j += 2
    if len(raw) != 2 or not raw.isascii() or not raw.isalpha():
        return None
    glued = j < scan.n and scan.kinds[j] == "d" and scan.starts[j] == scan.ends[j - 1]
    context = scan.iban_said_before(i)
    if not (raw.isupper() or glued or context):
        return None
    lower = not raw.isupper()
    chars = [raw.upper()]
    length = 2
    ends: list[tuple[int, int]] = []  # (characters so far, last token)
    while j < scan.n and length < 34:
        kind, tok = scan.kinds[j], scan.raws[j]
        if scan.used[j] or kind == "x":
            break
        g = scan.tok_group[j]
        if kind == "d" or g >= 0:
            if g >= 0 and scan.groups[g].first == j:
                digits, last = scan.groups[g].digits, scan.groups[g].last
            elif kind == "d":
                digits, last = _Scan._ascii(tok), j
            else:
                break
            chars.append(digits)
            length += len(digits)
            j = last + 1
            ends.append((length, last))
            continue
        if kind == "w":
            letters = tok.replace("-", "")
            glued_here = (scan.starts[j] == scan.ends[j - 1] and scan.kinds[j - 1] == "d") or (
                j + 1 < scan.n and scan.starts[j + 1] == scan.ends[j]
                and scan.kinds[j + 1] in ("d", "w"))
            if length >= 4 and letters.isascii() and letters.isalpha() and (
                    glued_here or (len(letters) <= 4 and (
                        letters.isupper() or (lower and letters.islower())))):
                chars.append(letters.upper())
                length += len(letters)
                ends.append((length, j))
                j += 1
                continue
            break
        if tok in ("-", ".", ","):
            j += 1
            continue
        break
    compact = "".join(chars)
    if len(compact) < 15 or not compact[2:4].isdigit():
        return None
    expected = IBAN_LENGTHS.get(compact[:2])
    if expected is None and not context:
        return None
    for count, last in sorted(ends, reverse=True):
        if count < 15 or (expected is not None and count != expected):
            continue
        if compact[4:count].isalnum() and _mod97(compact[:count]) == 1:
            return last, IBAN
    if context and ends:
        cut = [(count, last) for count, last in ends if count <= (expected or 34)]
        if cut and cut[-1][0] >= 14:
            return cut[-1][1], IBAN
    return None


def _edges(run: _Run) -> list[int]:
    """Where a card number may start or end inside a run: at its ends, at a pause,
    or between groups of figures ("4111 1111"); not between single spoken digits."""
    groups = run.groups
    edges = [0]
    for k in range(1, len(groups)):
        before, after = groups[k - 1], groups[k]
        if (after.brk != "none" or (len(before.digits) > 1 and len(after.digits) > 1)
                or (before.lit is None) != (after.lit is None)):
            edges.append(k)
    edges.append(len(groups))
    return edges


def _luhn_windows(run: _Run) -> list[tuple[int, int]]:
    """[a, b) group ranges covering every Luhn-valid 13-19 digit number in the run.

    Overlapping candidates are merged: when a stray window happens to pass the
    check next to the real card number, redacting both is the safe choice.
    """
    digits = [g.digits for g in run.groups]
    if sum(len(d) for d in digits) < 13:
        return []
    offsets = [0]
    for d in digits:
        offsets.append(offsets[-1] + len(d))
    joined = "".join(digits)
    edges = _edges(run)
    merged: list[tuple[int, int]] = []
    for x, a in enumerate(edges):
        for b in edges[x + 1:]:
            size = offsets[b] - offsets[a]
            if size > 19:
                break
            if size >= 13 and luhn_valid(joined[offsets[a]:offsets[b]]):
                if merged and a < merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
                else:
                    merged.append((a, b))
    return merged


def _find_cards(scan: _Scan) -> bool:
    """Card numbers in every run; True when one was found."""
    found = False
    for run in scan.runs:
        total = len(run.digits)
        if scan.card_ish(run) and (
                scan.card_said_close(run) or (total >= 13 and scan.card_said_before(run))):
            scan.mark(run.groups[0].first, run.groups[-1].last, CARD_NUMBER)
            found = True
            continue
        windows = _luhn_windows(run)
        for x, (a, b) in enumerate(windows):
            rest = run.groups[b:] if x == len(windows) - 1 else []
            # Whatever follows in the same breath (expiry, code) goes with it.
            if rest and len("".join(g.digits for g in rest)) <= 7 and all(
                    g.brk != "stop" for g in rest):
                b = len(run.groups)
            scan.mark(run.groups[a].first, run.groups[b - 1].last, CARD_NUMBER)
            found = True
    return found


def _after_trigger(scan: _Scan, end: int, max_words: int = 6) -> int | None:
    """The first group after a trigger phrase, past a few words ("is", "on my card")."""
    j, words = scan.first_token_at(end), 0
    while j < scan.n:
        if scan.used[j] or scan.kinds[j] == "x":
            return None
        if scan.tok_group[j] >= 0:
            return scan.tok_group[j]
        if scan.kinds[j] == "d":
            return None  # "5th", "10h30"
        if scan.kinds[j] == "w":
            words += 1
            if words > max_words or scan.lows[j] in _UNITS or scan.lows[j] in _OTHER_LABELS:
                return None
        j += 1
    return None


def _run_of(scan: _Scan, g: int) -> _Run | None:
    scan.runs  # noqa: B018 - groups learn their run
    return scan.groups[g].run


def _security_triggers(scan: _Scan) -> list[int]:
    """Where each security-code phrase ends; a bare "code" counts once "card" was said."""
    ends = [m.end() for m in _SECURITY_TRIGGER.finditer(scan.text) if not scan.in_hole(m.start())]
    if scan.card_said_anywhere:
        for m in _CODE_WORD.finditer(scan.text):
            i = scan.first_token_at(m.start())
            before = next(iter(scan._words(i, -1)), "")
            after = next(iter(scan._words(i, 1)), "")
            if before not in _OTHER_CODES and after not in _OTHER_CODES and not scan.in_hole(
                    m.start()):
                ends.append(m.end())
    return sorted(set(ends))


def _find_security_codes(scan: _Scan, *, any_digits: bool = False) -> bool:
    found = False
    for end in _security_triggers(scan):
        g = _after_trigger(scan, end)
        if g is None:
            continue
        run = _run_of(scan, g)
        if run is None or run.quantity or run.groups[0] is not scan.groups[g]:
            continue
        if any_digits:
            return True
        if 3 <= len(run.digits) <= 4:
            pick = run.groups
        elif 3 <= len(run.groups[0].digits) <= 4:
            pick = run.groups[:1]
        else:
            continue
        if any(scan.used[t] for t in range(pick[0].first, pick[-1].last + 1)):
            continue
        scan.mark(pick[0].first, pick[-1].last, SECURITY_CODE)
        found = True
    return found


def _expiry_digits_ok(groups: list[_Group]) -> bool:
    digits = "".join(g.digits for g in groups)
    first = len(groups[0].digits)
    if len(digits) == 4:
        return 1 <= int(digits[:2]) <= 12
    if len(digits) == 6:
        return 1 <= int(digits[:2]) <= 12 and digits[2:4] == "20"
    if len(digits) == 3:
        return first == 1 and digits[0] != "0"
    if len(digits) == 5:
        return first == 1 and digits[0] != "0" and digits[1:3] == "20"
    return False


def _find_expiry(scan: _Scan) -> bool:
    found = False
    for m in _EXPIRY_TRIGGER.finditer(scan.text):
        if scan.in_hole(m.start()):
            continue
        j, words = scan.first_token_at(m.end()), 0
        while j < scan.n and scan.kinds[j] != "d" and scan.tok_group[j] < 0:
            if scan.kinds[j] == "w":
                if scan.lows[j] in _MONTHS[scan.lang]:
                    break
                words += 1
                if words > 4 or scan.lows[j] in _OTHER_LABELS or scan.lows[j] in _UNITS:
                    break
            j += 1
        if j >= scan.n or scan.used[j]:
            continue
        month_tok = j if scan.kinds[j] == "w" and scan.lows[j] in _MONTHS[scan.lang] else None
        if month_tok is not None:
            j += 1
        groups: list[_Group] = []
        while j < scan.n and len(groups) < 6 and not scan.used[j]:
            g = scan.tok_group[j]
            if g >= 0:
                groups.append(scan.groups[g])
                j = scan.groups[g].last + 1
            elif (scan.kinds[j] == "p" and scan.raws[j] in "/-.,'’") or (
                    scan.kinds[j] == "w" and scan.lows[j] in _DATE_JOINERS):
                j += 1
            else:
                break
        best: list[_Group] = []
        for k in range(1, len(groups) + 1):
            head = groups[:k]
            after = head[-1].last + 1
            if after < scan.n and scan.lows[after] in _UNITS:
                break
            digits = "".join(g.digits for g in head)
            if month_tok is not None:
                card_ish = m.group("noun") is not None or scan.card_said_anywhere
                if (len(digits) == 4 and digits.startswith("20")) or (
                        len(digits) == 2 and card_ish):
                    best = head
            elif _expiry_digits_ok(head):
                best = head
        if best:
            first = month_tok if month_tok is not None else best[0].first
            scan.mark(first, best[-1].last, EXPIRY)
            found = True
    return found


# ---- public API -----------------------------------------------------------------

def _prepare(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _redact(text: str, lang: str) -> Redaction:
    if not _NUMBERISH[lang].search(text):
        return Redaction(text, frozenset())
    scan = _Scan(text, lang)
    _find_ibans(scan)
    _find_cards(scan)
    _find_security_codes(scan)
    _find_expiry(scan)
    if not scan.spans:
        return Redaction(text, frozenset())
    out, cursor = [], 0
    for start, end, what in sorted(scan.spans):
        out.append(text[cursor:start])
        out.append(PLACEHOLDER[what])
        cursor = end
    out.append(text[cursor:])
    return Redaction("".join(out), frozenset(what for _, _, what in scan.spans))


# Utterances and log lines repeat (a caller asked again, a periodic log): short
# texts are remembered.
_CACHED_UP_TO = 2000
_redact_cached = lru_cache(maxsize=2048)(_redact)


def redact(text: str, language: str = "en") -> Redaction:
    """``text`` with card numbers, security codes, IBANs and expiry dates replaced.

    >>> redact("my card number is 4111 1111 1111 1111, thanks").text
    'my card number is [card number], thanks'
    """
    text = _prepare(text)
    if len(text) > _CACHED_UP_TO:
        return _redact(text, lang_of(language))
    return _redact_cached(text, lang_of(language))


def _looks(text: str, lang: str) -> bool:
    if not _NUMBERISH[lang].search(text):
        return False
    scan = _Scan(text, lang)
    _find_ibans(scan)  # an IBAN being read is not a card
    for run in scan.runs:
        if scan.card_ish(run) and (scan.card_said_close(run) or scan.card_said_before(run)):
            return True
        if len(run.digits) >= 13 and _luhn_windows(run):
            return True
    return _find_security_codes(scan, any_digits=True)


_looks_cached = lru_cache(maxsize=2048)(_looks)


def looks_like_card_data(text: str, language: str = "en") -> bool:
    """True as soon as the caller is reading card data, so the bot can stop them.

    That is: 8 or more digits after the word "card", a complete Luhn-valid card
    number, or digits after "CVV", "security code", "cryptogramme"...
    """
    text = _prepare(text)
    if len(text) > _CACHED_UP_TO:
        return _looks(text, lang_of(language))
    return _looks_cached(text, lang_of(language))


def redact_obj(value: Any, language: str = "en") -> Any:
    """A copy of a JSON-like structure with every string redacted.

    Dicts, lists, tuples and sets are walked; a dict's key is read as the label of
    its value, so ``{"cvv": "123"}`` loses the code too. Other values are kept.
    """
    if isinstance(value, str):
        return redact(value, language).text
    if isinstance(value, dict):
        return {(_redact_key(k, language)): _redact_value(k, v, language)
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact_obj(v, language) for v in value]
    if isinstance(value, tuple):
        items = [redact_obj(v, language) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, (set, frozenset)):
        return type(value)(redact_obj(v, language) for v in value)
    return value


def _redact_key(key: Any, language: str) -> Any:
    return redact(key, language).text if isinstance(key, str) else key


def _redact_value(key: Any, value: Any, language: str) -> Any:
    if isinstance(key, str) and isinstance(value, str):
        label = re.sub(r"[_\W]+", " ", key).strip() + ": "
        labelled = redact(label + value, language).text
        if labelled.startswith(label):
            return redact(labelled[len(label):], language).text
    return redact_obj(value, language)


# ---- logs -----------------------------------------------------------------------

class RedactingFilter(logging.Filter):
    """Redacts each record's message (with its arguments), traceback and stack.

    Attach it to handlers (see :func:`install_log_redaction`): a filter on a logger
    does not see records that propagate from its children.
    """

    def __init__(self, languages: Iterable[str] = ("en", "fr"), name: str = "") -> None:
        super().__init__(name)
        self.languages = tuple(languages)

    def _clean(self, text: str) -> str:
        for language in self.languages:
            text = redact(text, language).text
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # bad arguments: keep them, but cleaned, rather than fail
            message = f"{record.msg} {record.args!r}"
        record.msg = self._clean(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
            # The traceback is kept as cleaned text only: formatters would otherwise
            # print the exception again from exc_info.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        return True


def add_log_redaction(handler: logging.Handler,
                      languages: Iterable[str] = ("en", "fr")) -> RedactingFilter:
    """Make ``handler`` redact what it emits (once; returns the filter in place)."""
    for existing in handler.filters:
        if isinstance(existing, RedactingFilter):
            return existing
    redacting = RedactingFilter(languages)
    handler.addFilter(redacting)
    return redacting


def install_log_redaction(languages: Iterable[str] = ("en", "fr")) -> list[RedactingFilter]:
    """Redaction on every handler of the root logger; call after logging is configured."""
    return [add_log_redaction(h, languages) for h in logging.getLogger().handlers]
