"""One utterance cut into tokens, with its numbers found as they were said."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from voicebot.redaction.lexicon import (
    _CARD_FILLERS,
    _CARD_WORDS,
    _CONNECTOR,
    _CURRENCY,
    _GAP_WORDS,
    _HESITATIONS,
    _IBAN_WORDS,
    _OTHER_LABELS,
    _PLACEHOLDERS,
    _REPEATS,
    _SOFT_PUNCT,
    _STOP_PUNCT,
    _TOKEN,
    _UNITS,
    _ZERO_LETTERS,
    CARD_NUMBER,
    PLACEHOLDER,
)
from voicebot.redaction.spoken import _Group, _Run, _word_atoms


@dataclass(frozen=True)
class Rendered:
    """A scanned text with its card data replaced, and where the placeholders went:
    (start, end) in the text read, (start, end) in the text written."""

    text: str
    found: frozenset[str]
    placed: tuple[tuple[int, int, int, int], ...]

    def position(self, offset: int) -> int:
        """Where an offset of the text read (outside any span) lands in ``text``."""
        shift = 0
        for _start, end, _out_start, out_end in self.placed:
            if end > offset:
                break
            shift = out_end - end
        return offset + shift

    def placeholder_at(self, offset: int) -> tuple[int, int] | None:
        """The placeholder (start, end in ``text``) replacing ``offset``, if any."""
        for start, end, out_start, out_end in self.placed:
            if start <= offset < end:
                return out_start, out_end
        return None


class _Scan:
    """One utterance cut into tokens, with its numbers found as they were said."""

    def __init__(self, text: str, lang: str, card_context: bool = False) -> None:
        self.text, self.lang = text, lang
        # "card" was said in the caller's turn just before: as if said at the start.
        self.card_context = card_context
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
        zeros = _ZERO_LETTERS[self.lang]
        if low in zeros:
            # "oh" is zero only next to other digits: "nine four one oh seven", "oh oh
            # seven", "double oh", not "oh well".
            before, after = i - 1, i + 1
            while before >= 0 and self.lows[before] in zeros:
                before -= 1
            while after < self.n and self.lows[after] in zeros:
                after += 1
            return (0,) if self._numberish(before) or self._numberish(after) else None
        return _word_atoms(low, self.lang)

    def _numberish(self, i: int) -> bool:
        if not 0 <= i < self.n:
            return False
        if self.kinds[i] == "d":
            return True
        return self.kinds[i] == "w" and (
            self.lows[i] in _REPEATS or _word_atoms(self.lows[i], self.lang) is not None)

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
        card number (whose groups have at most 6 figures).

        Only a dot or a comma, and only one in the number: "4532-0151-12830366" and
        "4532.0151.12830366" are groups, as speech recognition writes them.
        """
        if self.raws[i] not in (".", ",") or not self.between_figures(i):
            return False
        if len(self.raws[i - 1]) <= 6 and len(self.raws[i + 1]) <= 6:
            return False
        return not (self.between_figures(i - 2) or self.between_figures(i + 2))

    def between_figures(self, i: int) -> bool:
        """Token i is a separator glued to figures on both sides ("4532-0151")."""
        return (0 < i < self.n - 1 and self.kinds[i] == "p" and self.kinds[i - 1] == "d"
                and self.kinds[i + 1] == "d" and self._glued(i, i - 1) and self._glued(i, i + 1))

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
        """Replace tokens first..last; a card number takes every figure glued to it,
        so no tail is left beside the placeholder ("[card number]-12830366")."""
        if what == CARD_NUMBER:
            first, last = first_tok, last_tok
            while first > 0 and self._glued_figure(first - 1, -1):
                first -= 1
            while last < self.n - 1 and self._glued_figure(last + 1, 1):
                last += 1
            first_tok, last_tok = first, last
        for t in range(first_tok, last_tok + 1):
            self.used[t] = True
        self.spans.append((self.starts[first_tok], self.ends[last_tok], what))

    def _glued_figure(self, j: int, step: int) -> bool:
        """Token j, next to a marked token, continues its figures: a figure or a
        separator between figures, with no space."""
        if self.used[j] or not self._glued(j, j - step):
            return False
        return self.kinds[j] == "d" or (
            self.raws[j] in "-./,'’" and self.between_figures(j))

    def render(self) -> Rendered:
        """The text with every marked span replaced by its placeholder."""
        out: list[str] = []
        placed: list[tuple[int, int, int, int]] = []
        cursor = size = 0
        for start, end, what in sorted(self.spans):
            if start < cursor:  # inside the span before (a card took its glued tail)
                if end > cursor:
                    placed[-1] = (placed[-1][0], end, placed[-1][2], placed[-1][3])
                    cursor = end
                continue
            kept = self.text[cursor:start]
            out.append(kept)
            size += len(kept)
            out.append(PLACEHOLDER[what])
            placed.append((start, end, size, size + len(PLACEHOLDER[what])))
            size += len(PLACEHOLDER[what])
            cursor = end
        out.append(self.text[cursor:])
        return Rendered("".join(out), frozenset(what for _, _, what in self.spans),
                        tuple(placed))

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
        """Could be (part of) a card number: 8 digits or more, not a quantity, and no
        card number starts with 0."""
        digits = run.digits
        if len(digits) < 8 or run.quantity or digits.startswith("0"):
            return False
        return not self.phone_or_date(run)

    def phone_or_date(self, run: _Run) -> bool:
        """An international phone number ("+33 6...") or a full date in figures ("12 05
        2024", "2024-12-05"); not a month and year ("05 2028"), an expiry's shape."""
        before = run.groups[0].first - 1
        if before >= 0 and self.raws[before] == "+":
            return True
        if any(g.lit is None for g in run.groups):
            return False  # dates are written in figures; "one two 2000" is read digits
        parts = [g.digits for g in run.groups]
        if [len(p) for p in parts] == [4, 2, 2]:  # 2024-12-05
            year, day_month = parts[0], parts[1:]
        elif len(parts) == 3 and len(parts[0]) <= 2 and len(parts[1]) <= 2 and len(
                parts[2]) == 4:
            year, day_month = parts[-1], parts[:-1]  # 12/05/2024, 5 12 2024
        else:
            return False
        numbers = [int(p) for p in day_month]
        return (year[:2] in ("19", "20") and all(1 <= n <= 31 for n in numbers)
                and min(numbers) <= 12)

    def labelled_other(self, run: _Run) -> bool:
        """Something other than a card was named just before: "my reference is 100200"."""
        j, words = run.groups[0].first - 1, 0
        while j >= 0 and words < 6:
            kind, low = self.kinds[j], self.lows[j]
            if kind == "w":
                if low in _OTHER_LABELS:
                    return True
                if low not in _GAP_WORDS and low not in _CARD_FILLERS:
                    return False
                words += 1
            elif kind != "p" or low in ".?!":
                return False
            j -= 1
        return False

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
        """"card" earlier in the utterance (or in the turn before), with nothing else
        named since."""
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
        return self.card_context and j < 0

    @cached_property
    def card_said_anywhere(self) -> bool:
        return self.card_context or any(kind == "w" and low in _CARD_WORDS
                   for kind, low in zip(self.kinds, self.lows, strict=True))

    def iban_said_before(self, i: int) -> bool:
        for count, word in enumerate(self._words(i, -1)):
            if word in _IBAN_WORDS:
                return True
            if count >= 6:
                break
        return False

