"""One call's redaction: caller turns redacted as they arrive, and card numbers
read over several turns caught when their last piece arrives.

A caller reading a card stops, waits for the bot, and goes on: "4111 1111" then
"1111 1111". Neither turn is a card number alone. :class:`CardGuard` keeps, between
turns, only the digits a later turn could still complete (at most 18, with where
they sit in the text it returned; a card it has just redacted among them while the
next turn may still need them) — never what was said — and when a turn
completes a card it redacts that turn and says which earlier turns to amend. A
card being read goes on being redacted in the next turn while it is still too
short, and for one code or expiry after it.
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


def _goes_on(read: int, size: int) -> bool:
    """Whether a card being read goes on with ``size`` more digits in a later turn:
    while it is too short to be a card, as far as a card with its expiry and code;
    once long enough, one code or expiry at most ("737", "12 28"), not a reference."""
    if read < 13:
        return read + size <= CARD_AND_MORE
    return size <= 4 and read <= 19


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
        if len(self._last) >= 5 and _digits(first) == self._last:
            # "100200", asked again, "100200": the same answer, not more digits.
            self._held, self._read = [], None
        amends, joined = self._join(scan, first) if first and self._held else ((), 0)
        read = self._read if self._read is not None else (joined or None)
        if first and read is not None:
            continue_card(scan, first, read, _goes_on)
        rendered = scan.render()
        self._keep(scan, rendered, key, first, last, read)
        self._after(scan, rendered)
        kinds = rendered.found | ({CARD_NUMBER} if amends else frozenset())
        return Heard(rendered.text, kinds, amends)

    # -- joining ----------------------------------------------------------------------

    def _join(self, scan: _Scan, first: list[_Run]) -> tuple[tuple[Amend, ...], int]:
        """Card numbers that start in earlier turns and end in this one's first chain:
        marked here, amends for the earlier turns, and how many held digits they took."""
        groups, cuts = flatten(first)
        held = self._held
        pieces = [h.digits for h in held] + [g.digits for g in groups]
        all_cuts = [i for i, h in enumerate(held) if h.edge] + [len(held) + c for c in cuts]
        start = len(held)
        for a, b in luhn_windows(pieces, all_cuts):
            if a < len(held) < b:
                mark_window(scan, groups, b - len(held))
                start = min(start, a)
        amend = [i for i in range(start, len(held)) if not held[i].redacted]
        return self._amend(amend), sum(len(h.digits) for h in held[start:])

    def _amend(self, indexes: list[int]) -> tuple[Amend, ...]:
        """Amends that redact the held groups at ``indexes``: one per earlier turn, one
        span per run of it.

        A card takes the end of what was held, so nothing held comes after an
        amended span and no held position moves: the amended groups are only
        marked redacted (their digits stay while a later turn may still need them).
        """
        spans: dict[int, list[tuple[int, int]]] = {}
        previous: _Held | None = None
        for i in indexes:
            h = self._held[i]
            if previous is not None and (previous.key, previous.run) == (h.key, h.run):
                spans[h.key][-1] = (spans[h.key][-1][0], h.end)
            else:
                spans.setdefault(h.key, []).append((h.start, h.end))
            previous = h
            self._held[i] = replace(h, redacted=True)
        return tuple(Amend(key, tuple(sorted(s))) for key, s in spans.items())

    # -- what is kept for the next turn ----------------------------------------------

    def _keep(self, scan: _Scan, rendered: Rendered, key: int, first: list[_Run],
              last: list[_Run], read: int | None) -> None:
        """Keep the digits the utterance ends with, joined to those held before when the
        whole utterance goes on with them."""
        whole = bool(first) and first is last
        held = self._held if whole else []
        read = read if whole else None
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
        clean = not any(used(scan, g) for run in last for g in run.groups)
        self._last = _digits(last)[-19:] if clean else ""

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
