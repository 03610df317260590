"""One call's redaction: caller turns redacted as they arrive, and card numbers
read over several turns caught when their last piece arrives.

A caller reading a card stops, waits for the bot, and goes on: "4111 1111" then
"1111 1111". Neither turn is a card number alone. :class:`CardGuard` keeps, between
turns, only the digits a later turn could still complete (at most 18, with where
they sit in the text it returned) — never what was said — and when a turn
completes a card it redacts that turn and says which earlier turns to amend.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from voicebot.redaction.chains import (
    CARD_AND_MORE,
    chains,
    continue_card,
    edges,
    flatten,
    lead,
    luhn_windows,
    mark_window,
    tail,
    used,
)
from voicebot.redaction.lexicon import (
    _CARD_WORDS,
    _HESITATIONS,
    CARD_NUMBER,
    EXPIRY,
    PLACEHOLDER,
    SECURITY_CODE,
)
from voicebot.redaction.redactor import detect, numberish, prepare
from voicebot.redaction.scan import Rendered, _Scan
from voicebot.redaction.spoken import _Run
from voicebot.text.words import lang_of

# Digits kept between turns: a card number has at most 19, and a later turn must
# bring at least one of them.
_HELD_DIGITS = 18
# Turns after the word "card" during which a long number is taken for one.
_CARD_SAID_TURNS = 2


def _digits(chain: list[_Run]) -> str:
    return "".join(run.digits for run in chain)


def _goes_on_to(read: int) -> int:
    """How far a card being read may go on in the caller's next turn: while it is too
    short to be a card, as far as a card with its expiry and code; once long
    enough, a code or an expiry at most ("737", "12 28"), not a reference."""
    return CARD_AND_MORE if read < 13 else read + 4


@dataclass(frozen=True)
class Amend:
    """Placeholders to put into an earlier turn's text, as it is stored.

    ``spans`` are (start, end) in that text, ascending; apply every amend, in the
    order given, to the text :meth:`CardGuard.hear` returned for ``key``.
    """

    key: int
    spans: tuple[tuple[int, int], ...]

    def apply(self, text: str) -> str:
        """``text`` with each span replaced by the card number placeholder."""
        for start, end in reversed(self.spans):
            text = text[:start] + PLACEHOLDER[CARD_NUMBER] + text[end:]
        return text


@dataclass(frozen=True)
class Heard:
    """A caller turn as it may be stored, logged and understood."""

    text: str
    found: frozenset[str]
    amends: tuple[Amend, ...] = ()

    @property
    def card_data(self) -> bool:
        """The caller read card data (in this turn, or completed it with this turn)."""
        return bool(self.found & {CARD_NUMBER, SECURITY_CODE, EXPIRY}) or bool(self.amends)


@dataclass(frozen=True)
class _Held:
    """One group of digits kept from an earlier turn, and where it is in that turn's
    stored text."""

    digits: str
    key: int
    run: int  # groups of one run of one turn share a placeholder
    start: int
    end: int
    edge: bool  # a card number may start here
    redacted: bool


class CardGuard:
    """Redacts one call's caller turns (speech or keypad), across turn boundaries.

    >>> guard = CardGuard("en")
    >>> guard.hear("4111 1111", key=0).text
    '4111 1111'
    >>> second = guard.hear("and 1111 1111", key=1)
    >>> second.text, second.amends[0].apply("4111 1111")
    ('and [card number]', '[card number]')
    """

    def __init__(self, language: str = "en") -> None:
        self.language = lang_of(language)
        self._held: list[_Held] = []
        self._read: int | None = None  # digits of a card being read, once it has started
        self._card_said = 0  # turns left during which "card" said before still counts
        self._last = ""  # the digits the last turn ended with, to tell a repeat
        self._turns = 0

    def hear(self, text: str, key: int | None = None) -> Heard:
        """Redact one caller turn. ``key`` names the turn in amends (default: how
        many turns were heard before)."""
        key = self._turns if key is None else key
        self._turns += 1
        text = prepare(text)
        if not numberish(text, self.language):
            self._no_digits(_Scan(text, self.language))
            return Heard(text, frozenset())
        scan = _Scan(text, self.language, card_context=self._card_said > 0)
        detect(scan)
        found = chains(scan)
        first, last = lead(scan, found), tail(scan, found)
        repeated = _digits(first) == self._last and len(self._last) >= 5
        if repeated:  # "100200", asked again, "100200": the same answer, not more digits
            self._held, self._read = [], None
        amends = self._join(scan, first) if first and self._held else ()
        if first and self._read is not None:
            continue_card(scan, first, self._read, _goes_on_to(self._read))
        rendered = scan.render()
        self._keep(scan, rendered, key, first, last)
        self._after(scan, rendered)
        kinds = rendered.found | ({CARD_NUMBER} if amends else frozenset())
        return Heard(rendered.text, kinds, amends)

    # -- joining ----------------------------------------------------------------------

    def _join(self, scan: _Scan, first: list[_Run]) -> tuple[Amend, ...]:
        """Card numbers that start in earlier turns and end in this one's first chain."""
        groups, cuts = flatten(first)
        held = self._held
        pieces = [h.digits for h in held] + [g.digits for g in groups]
        all_cuts = [i for i, h in enumerate(held) if h.edge] + [len(held) + c for c in cuts]
        amend: set[int] = set()
        for a, b in luhn_windows(pieces, all_cuts):
            if a < len(held) < b:
                mark_window(scan, groups, b - len(held))
                amend.update(i for i in range(a, len(held)) if not held[i].redacted)
        return self._amend(sorted(amend))

    def _amend(self, indexes: list[int]) -> tuple[Amend, ...]:
        """Amends that redact the held groups at ``indexes``; the held groups learn
        where they now are."""
        if not indexes:
            return ()
        stretches: list[list[int]] = []
        for i in indexes:
            before = stretches[-1][-1] if stretches else None
            if before is not None and before == i - 1 and (
                    self._held[before].key, self._held[before].run) == (
                    self._held[i].key, self._held[i].run):
                stretches[-1].append(i)
            else:
                stretches.append([i])
        by_key: dict[int, list[tuple[int, int]]] = {}
        for stretch in stretches:
            first, last = self._held[stretch[0]], self._held[stretch[-1]]
            by_key.setdefault(first.key, []).append((first.start, last.end))
        amends = tuple(Amend(key, tuple(sorted(spans))) for key, spans in by_key.items())
        for amend in amends:
            self._moved(amend)
        return amends

    def _moved(self, amend: Amend) -> None:
        """Shift the held groups of an amended turn to where they now are."""
        size = len(PLACEHOLDER[CARD_NUMBER])
        new: list[_Held] = []
        for h in self._held:
            if h.key == amend.key:
                shift = 0
                for start, end in amend.spans:
                    if start <= h.start and h.end <= end:
                        h = replace(h, start=start + shift, end=start + shift + size,
                                    redacted=True)
                        break
                    if end <= h.start:
                        shift += size - (end - start)
                else:
                    h = replace(h, start=h.start + shift, end=h.end + shift)
            new.append(h)
        self._held = new

    # -- what is kept for the next turn ----------------------------------------------

    def _keep(self, scan: _Scan, rendered: Rendered, key: int, first: list[_Run],
              last: list[_Run]) -> None:
        """Keep the digits the utterance ends with, joined to those held before when the
        whole utterance goes on with them."""
        whole = bool(first) and first is last
        held = self._held if whole else []
        read = self._read if whole else None
        for number, run in enumerate(last):
            cuts = set(edges(run))
            marked = any(used(scan, g) for g in run.groups)
            read = (read or 0) + len(run.digits) if marked else None
            for k, group in enumerate(run.groups):
                start, end = scan.starts[group.first], scan.ends[group.last]
                spot = rendered.placeholder_at(start) or rendered.placeholder_at(end - 1)
                redacted = spot is not None
                if spot is None:
                    spot = (rendered.position(start), rendered.position(end))
                held.append(_Held(group.digits, key, number, spot[0], spot[1], k in cuts,
                                  redacted))
        self._read = read if read is not None and read < CARD_AND_MORE else None
        kept, size = [], 0
        for h in reversed(held):
            size += len(h.digits)
            if size > _HELD_DIGITS:
                break
            kept.append(h)
        self._held = kept[::-1]
        self._last = _digits(last)[-19:]

    def _no_digits(self, scan: _Scan) -> None:
        """A turn without digits: a hesitation ("um...") keeps what was held, anything
        else ends it (a "yes" answers the bot, and what comes next is a new answer)."""
        if not all(scan.lows[j] in _HESITATIONS or scan.kinds[j] == "p" for j in range(scan.n)):
            self._held, self._read, self._last = [], None, ""
        self._after(scan, None)

    def _after(self, scan: _Scan, rendered: Rendered | None) -> None:
        said = any(kind == "w" and low in _CARD_WORDS
                   for kind, low in zip(scan.kinds, scan.lows, strict=True))
        if said or (rendered is not None and CARD_NUMBER in rendered.found):
            self._card_said = _CARD_SAID_TURNS
        else:
            self._card_said = max(0, self._card_said - 1)
