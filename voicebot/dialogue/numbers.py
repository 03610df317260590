"""Numbers said in words, rewritten as figures, in English and French.

Speech recognition writes an amount as words, figures or a mix of both ("a
hundred and twenty", "2 hundred", "deux cents", "quatre-vingt-dix", "1.5k").
:func:`spoken_figures` rewrites every number phrase as figures so that the
rules reading amounts, counts and dates only deal with digits. It never
guesses between two honest readings:

* two numbers said as one price: "seventy-two fifty" is 72.50 and French "deux
  cinquante" 2,50 (French says "cent" when it means hundreds), but English
  "one fifty" is 150 (nobody offers 1.50); "fifteen fifty" (15.50 or 1550?),
  "fifty sixty" (either?) and "fifty fifty" (said twice) stay two figures,
  "15 50", which readers treat as unclear;
* "twenty twenty-five" is a year after a month, a day or "in", and otherwise
  stays "20 25";
* "two or three hundred" is "200 or 300": both ends of the range are kept;
* vague quantities ("a few hundred", "quelques centaines") stay words, and so
  does a lone "one", "un", "une" or "first", more often an article or a
  pronoun than a number.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NamedTuple

from voicebot.text.words import TEENS, TENS, UNITS

__all__ = ["spoken_figures"]

_TOKEN = re.compile(r"(?P<fig>\d+(?:[.,]\d+)*)|(?P<word>[^\W\d_]+(?:'[^\W\d_]+)*)|(?P<hy>-)|\S")
_SIMPLE_FIGURE = re.compile(r"\d{1,3}(?:[.,]\d{1,2})?")


def _table(words: str, start: int = 0, step: int = 1) -> dict[str, int]:
    return {w: start + i * step for i, w in enumerate(words.split())}


_ORDINALS = {
    "en": {**_table("first second third fourth fifth sixth seventh eighth ninth tenth eleventh"
                    " twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth"
                    " nineteenth", 1),
           **_table("twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth"
                    " ninetieth", 20, 10)},
    "fr": {**_table("unième deuxième troisième quatrième cinquième sixième septième huitième"
                    " neuvième dixième onzième douzième treizième quatorzième quinzième"
                    " seizième", 1),
           **_table("vingtième trentième quarantième cinquantième soixantième", 20, 10)},
}
# Multipliers after a number ("two grand", "un million"); "hundred", "cent",
# "thousand" and "mille" may also stand alone ("hundred and twenty", "mille euros").
_SCALES = {
    "en": {"thousand": 1000, "grand": 1000, "k": 1000, "million": 1_000_000},
    "fr": {"mille": 1000, "mil": 1000, "k": 1000, "million": 1_000_000,
           "millions": 1_000_000, "milliard": 10**9, "milliards": 10**9},
}
# "une centaine", "un millier": about that much, which is fine for an amount.
_ABOUT = {"dizaine": 10, "vingtaine": 20, "trentaine": 30, "cinquantaine": 50,
          "soixantaine": 60, "centaine": 100, "centaines": 100, "millier": 1000,
          "milliers": 1000}
_VAGUE_BEFORE = {"few", "several", "some", "many", "quelques", "plusieurs", "des"}
_RANGE = {"or", "to", "-", "ou", "à"}
_YEAR_BEFORE = {"in", "by", "since", "until", "till", "year", "en", "depuis", "année",
                "jusqu'en"}
_NOT_GRAND = {"total", "totals", "kids", "children", "child", "son", "daughter", "mother",
              "father", "parents", "scheme", "plan", "piano", "prix"}
_DECIMAL_WORD = {"en": "point", "fr": "virgule"}


class _Tok(NamedTuple):
    kind: str  # "fig", "word", "hy" or "other"
    text: str
    start: int
    end: int


class _Part(NamedTuple):
    """A number phrase read from tokens ``[first, end)``."""

    value: Decimal
    end: int
    ordinal: bool = False
    small: bool = False  # 0-99 in words only: may be half of "seventy-two fifty"
    two_digit: bool = False  # starts with a teen or a tens word
    words: int = 1  # tokens read, hyphens aside
    lead: Decimal | None = None  # "three hundred": 3, for "two or three hundred"
    scale: int | None = None  # and 100


class _Reader:
    """Number phrases in a list of tokens, for one language."""

    def __init__(self, toks: list[_Tok], lang: str) -> None:
        self.toks, self.lang = toks, lang

    def word(self, j: int) -> str | None:
        """The word at token ``j``, if it is one."""
        if 0 <= j < len(self.toks) and self.toks[j].kind == "word":
            return self.toks[j].text
        return None

    def glue(self, j: int) -> int:
        """Past a hyphen joining two words ("twenty-two", "quatre-vingt-dix")."""
        if (j + 1 < len(self.toks) and self.toks[j].kind == "hy"
                and self.toks[j + 1].kind == "word"):
            return j + 1
        return j

    # ---- 0 to 99 ------------------------------------------------------------

    def small(self, j: int) -> _Part | None:
        return self._small_fr(j) if self.lang == "fr" else self._small_en(j)

    def _small_en(self, j: int) -> _Part | None:
        w = self.word(j)
        if w is None:
            return None
        if w in TENS["en"]:
            value, k = TENS["en"][w], self.glue(j + 1)
            u = self.word(k)
            if u in UNITS["en"] and UNITS["en"][u] > 0:
                return _Part(Decimal(value + UNITS["en"][u]), k + 1, False, True, True, 2)
            if u in _ORDINALS["en"] and _ORDINALS["en"][u] < 10:
                return _Part(Decimal(value + _ORDINALS["en"][u]), k + 1, True, True, True, 2)
            return _Part(Decimal(value), j + 1, False, True, True)
        if w in TEENS["en"]:
            return _Part(Decimal(TEENS["en"][w]), j + 1, False, True, True)
        if w in UNITS["en"]:
            return _Part(Decimal(UNITS["en"][w]), j + 1, False, True, False)
        if w in _ORDINALS["en"]:
            value = _ORDINALS["en"][w]
            return _Part(Decimal(value), j + 1, True, True, value >= 10)
        return None

    def _below_twenty_fr(self, j: int, inner: bool = False) -> _Part | None:
        w = self.word(j)
        if w == "dix":
            k = self.glue(j + 1)
            u = self.word(k)
            if u in ("sept", "huit", "neuf"):
                return _Part(Decimal(10 + UNITS["fr"][u]), k + 1, False, True, True, 2)
            if u in ("septième", "huitième", "neuvième"):
                return _Part(Decimal(10 + _ORDINALS["fr"][u]), k + 1, True, True, True, 2)
        if w in TEENS["fr"]:
            return _Part(Decimal(TEENS["fr"][w]), j + 1, False, True, True)
        if w in UNITS["fr"]:
            return _Part(Decimal(UNITS["fr"][w]), j + 1, False, True, False)
        if w in _ORDINALS["fr"] and _ORDINALS["fr"][w] < 20 and (inner or w != "unième"):
            value = _ORDINALS["fr"][w]
            return _Part(Decimal(value), j + 1, True, True, value >= 10)
        return None

    def _small_fr(self, j: int) -> _Part | None:
        w = self.word(j)
        if w is None:
            return None
        tens, ordinal = TENS["fr"].get(w), False
        k = self.glue(j + 1)
        if w == "quatre" and self.word(k) in ("vingt", "vingts", "vingtième"):
            tens, ordinal, j = 80, self.word(k) == "vingtième", k
        elif tens is None and w in _ORDINALS["fr"] and _ORDINALS["fr"][w] >= 20:
            tens, ordinal = _ORDINALS["fr"][w], True
        if tens is None:
            return self._below_twenty_fr(j)
        if ordinal:
            return _Part(Decimal(tens), j + 1, True, True, True)
        k = self.glue(j + 1)
        if self.word(k) == "et":  # "vingt et un", "soixante et onze"
            m = self.glue(k + 1)
            u = self.word(m)
            if u in ("un", "une", "unième") or (tens == 60 and u in ("onze", "onzième")):
                extra = 1 if u in ("un", "une", "unième") else 11
                return _Part(Decimal(tens + extra), m + 1, u.endswith("ième"), True, True, 3)
            return _Part(Decimal(tens), j + 1, False, True, True)
        rest = self._below_twenty_fr(k, inner=True)
        if rest is not None and rest.value >= 1 and (
                rest.value < 10 or tens in (60, 80)):  # "soixante-douze", "quatre-vingt-dix"
            return _Part(Decimal(tens) + rest.value, rest.end, rest.ordinal, True, True, 2)
        return _Part(Decimal(tens), j + 1, False, True, True)

    # ---- up to 999 --------------------------------------------------------------

    def figure(self, j: int) -> Decimal | None:
        """A short figure that a multiplier may follow ("2 hundred", "1.5k")."""
        if j >= len(self.toks) or self.toks[j].kind != "fig":
            return None
        text = self.toks[j].text
        if not _SIMPLE_FIGURE.fullmatch(text):
            return None
        return Decimal(text.replace(",", "."))

    def hundreds(self, j: int) -> _Part | None:
        """A number below a thousand, with "hundred"/"cent" or without."""
        en, w = self.lang == "en", self.word(j)
        head, fig = self.small(j), None
        if head is None and (fig := self.figure(j)) is not None:
            head = _Part(fig, j + 1)
        if head is None and en and w in ("a", "couple"):  # "a hundred", "a couple of grand"
            k, lead = j + 1, 1
            if w == "a" and self.word(k) == "couple":
                k += 1
            if self.word(k - 1) == "couple":
                lead = 2
                if self.word(k) == "of":
                    k += 1
            if self.word(k) in ("hundred", "thousand", "grand", "million"):
                head = _Part(Decimal(lead), k, words=k - j)
        if (head is None and w == ("hundred" if en else "cent")
                and not (j and self.word(j - 1) in (*_VAGUE_BEFORE, "un", "pour"))):
            head = _Part(Decimal(1), j, words=0)  # "hundred and twenty", "cent euros"
        if head is None or head.ordinal or head.value != head.value.to_integral_value():
            return head
        k = self.glue(head.end)
        if en:
            fits = self.word(k) == "hundred" and 1 <= head.value < 100
        else:
            top = 10 if fig is not None else 20
            fits = self.word(k) in ("cent", "cents") and (
                2 <= head.value < top or head.words == 0) and not self._after_dollars(j)
        if not fits:
            return head
        value, end = head.value * 100, k + 1
        m = end + 1 if en and self.word(end) == "and" else end
        if fig is None:
            rest = self.small(self.glue(m))
        else:  # "2 hundred 50"
            rest = _Part(self.figure(m), m + 1) if self.figure(m) is not None else None
        if rest is not None and rest.value < 100 and (m == end or rest.value > 0):
            return _Part(value + rest.value, rest.end, rest.ordinal,
                         words=head.words + rest.words + 1)
        return _Part(value, end, words=head.words + 1,
                     lead=head.value if head.words else None, scale=100)

    def _after_dollars(self, j: int) -> bool:
        """ "dix dollars et sept cents": cents of a dollar, not seven hundred."""
        k = j - 1 if self.word(j - 1) == "et" else j
        return k > 0 and (self.word(k - 1) in ("dollar", "dollars") or self.toks[k - 1].text == "$")

    # ---- whole phrases ------------------------------------------------------------

    def number(self, i: int) -> _Part | None:
        """The longest number phrase starting at token ``i``."""
        cur = self.hundreds(i)
        if cur is None:
            return self._bare_scale(i)
        total, last, words, shape = Decimal(0), 10**12, 0, (cur.lead, cur.scale)
        while not cur.ordinal:
            cur = self._half(self._fraction(cur), last)
            k = self.glue(cur.end)
            mult = self._scale_at(k, cur, last)
            if mult is None:
                break
            first = not words and cur.words > 0 and shape == (None, None)
            shape = (cur.value, mult) if first else (None, None)
            total += cur.value * mult
            words += cur.words + 1
            last, end = mult, k + 1
            m = end + 1 if self.lang == "en" and self.word(end) == "and" else end
            nxt = self.hundreds(self.glue(m))
            if nxt is None and mult > 1000 and self._bare_thousand(self.glue(m)):
                nxt = _Part(Decimal(1), self.glue(m), words=0)  # "deux millions mille"
            if nxt is None and m < len(self.toks) and self.toks[m].text == ",":
                after = self.hundreds(m + 1)  # "one thousand, two hundred"
                if after is not None and after.value < mult and (
                        after.value >= 100 or self._scale_at(self.glue(after.end), after, mult)):
                    nxt = after
            if nxt is None or nxt.value >= mult:
                return _Part(total, end, words=words, lead=shape[0], scale=shape[1])
            cur = nxt
        if not words:
            return cur
        return _Part(total + cur.value, cur.end, cur.ordinal, words=words + cur.words)

    def _bare_thousand(self, i: int) -> bool:
        """ "thousand", "mille" with no number before, and no vague word ("few thousand")."""
        return self.word(i) == ("thousand" if self.lang == "en" else "mille") and not (
            i and self.word(i - 1) in _VAGUE_BEFORE)

    def _bare_scale(self, i: int) -> _Part | None:
        """ "thousand", "mille" with no number before; "half a grand"."""
        w = self.word(i)
        if self._bare_thousand(i):
            m = i + 2 if self.lang == "en" and self.word(i + 1) == "and" else i + 1
            rest = self.hundreds(self.glue(m))
            if rest is not None and rest.value < 1000:
                return _Part(1000 + rest.value, rest.end, rest.ordinal, words=rest.words + 1)
            return _Part(Decimal(1000), i + 1)
        if self.lang == "en" and w == "half" and self.word(i + 1) == "a":
            mult = _SCALES["en"].get(self.word(i + 2) or "")
            if mult and self.word(i + 2) != "k":
                return _Part(Decimal(mult) / 2, i + 3, words=3)
        return None

    def _scale_at(self, k: int, cur: _Part, last: int) -> int | None:
        """The multiplier at token ``k`` that may apply to ``cur``, if any."""
        w = self.word(k)
        if w is None or cur.value <= 0 or cur.value >= 1000:
            return None
        mult = _ABOUT.get(w) if self.lang == "fr" and w in _ABOUT else _SCALES[self.lang].get(w)
        if mult is None or mult >= last:
            return None
        if w == "k" and cur.value >= 100:
            return None  # "500k": a slip more likely than half a million
        if w == "grand" and self.word(k + 1) in _NOT_GRAND:
            return None
        if w in ("millions", "milliards", "centaines", "milliers") and cur.value < 2:
            return None
        if cur.value != cur.value.to_integral_value() and mult < 1000:
            return None
        return mult

    def _half(self, cur: _Part, last: int) -> _Part:
        """ "two and a half thousand"."""
        j = cur.end
        if (self.lang != "en" or cur.value != cur.value.to_integral_value()
                or [self.word(j), self.word(j + 1), self.word(j + 2)] != ["and", "a", "half"]):
            return cur
        half = _Part(cur.value + Decimal("0.5"), j + 3, words=cur.words + 3)
        return half if self._scale_at(j + 3, half, last) else cur

    def _fraction(self, cur: _Part) -> _Part:
        """ "one point five", "cinquante-neuf virgule dix"."""
        point = self.glue(cur.end)
        if (self.word(point) != _DECIMAL_WORD[self.lang]
                or cur.value != cur.value.to_integral_value()):
            return cur
        digits, j = "", point + 1
        while (u := self.word(j)) is not None:
            if u in UNITS[self.lang]:
                digits += str(UNITS[self.lang][u])
            elif u in ("oh", "o") and self.lang == "en":
                digits += "0"
            else:
                break
            j += 1
        if not digits:
            tail = self.small(j)
            if tail is None or tail.ordinal:
                return cur
            digits, j = str(tail.value), tail.end
        return _Part(cur.value + Decimal(f"0.{digits}"), j, words=cur.words + 1 + j - point - 1)


def _format(value: Decimal, lang: str, ordinal: bool = False) -> str:
    if ordinal:
        n = int(value)
        if lang == "fr":
            return f"{n}ème"
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    if value == value.to_integral_value():
        return str(int(value))
    text = format(value, "f")
    return text.replace(".", ",") if lang == "fr" else text


class _Writer:
    """Rebuilds the text with each number phrase replaced by figures."""

    def __init__(self, text: str, toks: list[_Tok]) -> None:
        self.text, self.toks, self.at = text, toks, 0
        self.out: list[str] = []

    def put(self, first: int, end: int, figures: str) -> None:
        self.out.append(self.text[self.at:self.toks[first].start] + figures)
        self.at = self.toks[end - 1].end

    def done(self) -> str:
        return "".join(self.out) + self.text[self.at:]


def spoken_figures(text: str, language: str, year_after: frozenset[str] = frozenset()) -> str:
    """``text`` (already normalized) with number words as figures, as described above.

    ``year_after`` adds words after which "twenty twenty-five" is a year (month names).
    """
    lang = "fr" if language.startswith("fr") else "en"
    toks = [_Tok(m.lastgroup or "other", m[0], m.start(), m.end()) for m in _TOKEN.finditer(text)]
    reader, writer = _Reader(toks, lang), _Writer(text, toks)
    i, last_end = 0, -1
    while i < len(toks):
        if _spoken_zero(reader, i, i == last_end):
            writer.put(i, i + 1, "0")
            i = last_end = i + 1
            continue
        part = reader.number(i)
        if part is None or part.end <= i or (part.end == i + 1 and toks[i].kind == "fig"):
            i += 1  # a figure on its own is left exactly as written
            continue
        j = reader.glue(part.end)
        priced = part.small or (100 < part.value < 10000 and part.value % 100 and part.words > 1)
        nxt = reader.number(j) if priced and not part.ordinal else None
        if nxt is not None and i != last_end and _is_pair(reader, nxt):
            a, b = int(part.value), int(nxt.value)
            if part.small and a in (19, 20) and _year_context(reader, i, year_after):
                writer.put(i, nxt.end, str(a * 100 + b))
            elif _doubtful_pair(part, b, lang):  # two figures, for the reader to doubt
                writer.put(i, part.end, str(a))
                writer.put(j, nxt.end, str(b))
            elif lang == "en" and a < 10:  # "one fifty a month": 150, never 1.50
                writer.put(i, nxt.end, str(a * 100 + b))
            else:  # a price: "seventy-two fifty", "deux cinquante", "cent dix-huit vingt"
                writer.put(i, nxt.end, f"{a}{',' if lang == 'fr' else '.'}{b:02d}")
            i = last_end = nxt.end
            continue
        other = _range_end(reader, part)
        if other is not None and other.scale is not None:
            writer.put(i, part.end, _format(part.value * other.scale, lang))
        elif _glued_to_word(reader, i, part.end) or (
                _lone_word(reader, i, part) and i != last_end and nxt is None):
            i = part.end
            continue
        else:
            writer.put(i, part.end, _format(part.value, lang, part.ordinal))
        i = part.end
        last_end = -1 if part.ordinal else i
    return writer.done()


def _spoken_zero(reader: _Reader, i: int, after_number: bool) -> bool:
    """ "oh" read as a digit: "nine four one oh seven", "oh nine twenty-eight"."""
    if reader.lang != "en" or reader.word(i) not in ("oh", "o"):
        return False
    nxt = reader.number(i + 1)
    if nxt is None or not nxt.small:
        return False
    return after_number or (nxt.value < 10 and reader.number(nxt.end) is not None)


def _lone_word(reader: _Reader, i: int, part: _Part) -> bool:
    """A lone "one", "une", "first" or "a second" stays a word."""
    if part.words != 1 or part.end != i + 1:
        return False
    if 0 < part.value <= 1:
        return True
    return bool(i) and reader.word(i) == "second" and reader.word(i - 1) in (
        "a", "one", "per", "split", "this", "few")


def _glued_to_word(reader: _Reader, i: int, end: int) -> bool:
    """A number hyphenated to a word stays a word: "third-party", "six-month", not "fifty-ish"."""
    toks = reader.toks

    def wordish(j: int) -> bool:
        w = reader.word(j)
        return w is not None and w != "ish" and reader.number(j) is None

    return (i >= 2 and toks[i - 1].kind == "hy" and toks[i - 1].start == toks[i - 2].end
            and wordish(i - 2)) or (reader.glue(end) > end and wordish(end + 1))


def _doubtful_pair(part: _Part, b: int, lang: str) -> bool:
    """Said twice ("fifty fifty"), or with two readings: "one fifty" (1.50 or
    150), "fifteen fifty" (15.50 or 1550), "twenty twenty-five" (a year?),
    "fifty sixty" (either?)."""
    a = int(part.value)
    if a == b:
        return True
    if not part.small:
        return False
    return (a % 10 == 0 and b % 10 == 0) or a == 20 or (lang == "en" and 10 <= a < 20)


def _is_pair(reader: _Reader, nxt: _Part) -> bool:
    """A second number 10-99 said right after one below 100: "one fifty", "seventy-two fifty"."""
    if not (nxt.small and nxt.two_digit and not nxt.ordinal and nxt.value >= 10):
        return False
    after = reader.number(reader.glue(nxt.end))
    return after is None or not after.small  # "douze trente-quatre cinquante-six": a reference


def _range_end(reader: _Reader, part: _Part) -> _Part | None:
    """ "two or three hundred": the first number borrows the second's multiplier."""
    j = part.end
    if not part.small or part.ordinal or j >= len(reader.toks) or reader.toks[j].text not in _RANGE:
        return None
    other = reader.number(j + 1)
    if other is not None and other.lead is not None and other.lead > part.value >= 1:
        return other
    return None


def _year_context(reader: _Reader, i: int, year_after: frozenset[str]) -> bool:
    """After "in", a month or a day ("January tenth twenty twenty-six")."""
    if i == 0:
        return False
    before = reader.toks[i - 1]
    if before.text in _YEAR_BEFORE or before.text in year_after:
        return True
    if before.text in _ORDINALS["en"] or before.text in _ORDINALS["fr"]:
        return True
    return (i >= 2 and before.text in ("st", "nd", "rd", "th", "er", "ème")
            and reader.toks[i - 2].kind == "fig" and reader.toks[i - 2].end == before.start)
