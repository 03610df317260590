"""Numbers as they were said: number words, and the pieces and runs of digits
they make, with their token positions."""

from __future__ import annotations

from voicebot.redaction.lexicon import _CONNECTOR, _NUMBERS


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

