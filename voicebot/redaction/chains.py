"""Card numbers read in pieces: digits joined across filler words and turns.

A caller reading a card pauses, hesitates and talks between the groups ("4111
1111 and then 1111 1111"), or stops and goes on in the next turn. Runs of digits
(:class:`~voicebot.redaction.spoken._Run`) separated only by filler words form a
*chain*; a card number is any Luhn-valid 13-19 digits of a chain that starts and
ends where a piece may (:func:`edges`). A run that something else was named for
("my reference is 100200"), an amount, a date or an international phone number
never joins a chain, so it cannot lend digits to a card number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from voicebot.redaction.checksums import luhn_valid
from voicebot.redaction.lexicon import _GAP_PUNCT, _GAP_WORDS, _MAX_GAP_WORDS, CARD_NUMBER
from voicebot.redaction.scan import _Scan
from voicebot.redaction.spoken import _Group, _Run

# A card number with its expiry and security code said after it: how many digits a
# reading that has started as a card may still run to.
CARD_AND_MORE = 19 + 7


def edges(run: _Run) -> list[int]:
    """Where a card number may start or end inside a run: at its ends, at a pause,
    or between groups of figures ("4111 1111"); not between single spoken digits."""
    groups = run.groups
    cuts = [0]
    for k in range(1, len(groups)):
        before, after = groups[k - 1], groups[k]
        if (after.brk != "none" or (len(before.digits) > 1 and len(after.digits) > 1)
                or (before.lit is None) != (after.lit is None)):
            cuts.append(k)
    cuts.append(len(groups))
    return cuts


def luhn_windows(pieces: Sequence[str], cuts: Sequence[int]) -> list[tuple[int, int]]:
    """[a, b) piece ranges, a and b among ``cuts``, covering every Luhn-valid number
    of 13-19 digits.

    Overlapping candidates are merged: when a stray window happens to pass the
    check next to the real card number, redacting both is the safe choice.
    """
    offsets = [0]
    for digits in pieces:
        offsets.append(offsets[-1] + len(digits))
    if offsets[-1] < 13:
        return []
    joined = "".join(pieces)
    merged: list[tuple[int, int]] = []
    for x, a in enumerate(cuts):
        for b in cuts[x + 1:]:
            size = offsets[b] - offsets[a]
            if size > 19:
                break
            if size >= 13 and luhn_valid(joined[offsets[a]:offsets[b]]):
                if merged and a < merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
                else:
                    merged.append((a, b))
    return merged


def run_windows(run: _Run) -> list[tuple[int, int]]:
    """Group ranges of one run that are card numbers."""
    return luhn_windows([g.digits for g in run.groups], edges(run))


def gap_only(scan: _Scan, first: int, end: int) -> bool:
    """Tokens first..end-1 are only filler words and pauses, a few at most (not a
    decimal point: "1700000000.123456" is one number)."""
    words = 0
    for j in range(first, end):
        kind = scan.kinds[j]
        if kind == "w" and scan.lows[j] in _GAP_WORDS:
            words += 1
            if words > _MAX_GAP_WORDS:
                return False
        elif kind != "p" or scan.raws[j] not in _GAP_PUNCT or scan.between_figures(j):
            return False
    return True


def linkable(scan: _Scan, run: _Run) -> bool:
    """May be a piece of a card number read with words in between."""
    return not (run.quantity or scan.phone_or_date(run) or scan.labelled_other(run))


def chains(scan: _Scan) -> list[list[_Run]]:
    """Runs joined across filler words, in order; a run that cannot link stands alone
    and is left out."""
    out: list[list[_Run]] = []
    current: list[_Run] = []
    for run in scan.runs:
        if not linkable(scan, run):
            if current:
                out.append(current)
            current = []
            continue
        if current and gap_only(scan, current[-1].groups[-1].last + 1, run.groups[0].first):
            current.append(run)
            continue
        if current:
            out.append(current)
        current = [run]
    if current:
        out.append(current)
    return out


def flatten(chain: Sequence[_Run]) -> tuple[list[_Group], list[int]]:
    """The groups of a chain, and where a card number may start or end among them
    (inside runs as :func:`edges` says, and wherever words came between)."""
    groups: list[_Group] = []
    cuts: list[int] = []
    for run in chain:
        base = len(groups)
        cuts.extend(base + c for c in edges(run) if not cuts or base + c != cuts[-1])
        groups.extend(run.groups)
    return groups, cuts


def used(scan: _Scan, group: _Group) -> bool:
    return any(scan.used[t] for t in range(group.first, group.last + 1))


def mark_groups(scan: _Scan, groups: Sequence[_Group], what: str = CARD_NUMBER) -> bool:
    """Mark the groups not marked yet, one span per stretch of one run; True if any."""
    marked = False
    stretch: list[_Group] = []

    def flush() -> None:
        nonlocal marked
        if stretch:
            scan.mark(stretch[0].first, stretch[-1].last, what)
            marked = True
            stretch.clear()

    for group in groups:
        if used(scan, group):
            flush()
            continue
        if stretch and (group.run is not stretch[-1].run or any(
                scan.used[t] for t in range(stretch[-1].last + 1, group.first))):
            flush()
        stretch.append(group)
    flush()
    return marked


def mark_window(scan: _Scan, groups: Sequence[_Group], end: int) -> bool:
    """Mark ``groups`` (a card number ending at ``groups[end - 1]``); what follows in
    the same breath, up to 7 digits (an expiry, a code), goes with it."""
    run = groups[end - 1].run
    rest = run.groups[run.groups.index(groups[end - 1]) + 1:] if run is not None else []
    if rest and len("".join(g.digits for g in rest)) <= 7 and all(
            g.brk != "stop" for g in rest):
        return mark_groups(scan, [*groups[:end], *rest])
    return mark_groups(scan, groups[:end])


def find_linked_cards(scan: _Scan) -> bool:
    """Card numbers whose pieces came with words between them; True if one was found.

    A chain that has started as a card (a piece redacted already, as a card or
    because "card" was said) takes the pieces that follow it, up to a card number
    with its expiry and code, even when the checksum fails: a misheard digit does
    not let the rest through.
    """
    found = False
    for chain in chains(scan):
        if len(chain) < 2:
            continue
        groups, cuts = flatten(chain)
        for a, b in luhn_windows([g.digits for g in groups], cuts):
            found |= mark_window(scan, groups[a:], b - a)
        found |= continue_card(scan, chain, None)
    return found


def _in_one_breath(read: int, size: int) -> bool:
    return read + size <= CARD_AND_MORE


def continue_card(scan: _Scan, chain: Sequence[_Run], read: int | None,
                  goes_on: Callable[[int, int], bool] = _in_one_breath) -> bool:
    """Mark runs that go on with a card already being read (``read`` digits of it so
    far, None if it has not started) while ``goes_on(read, digits of the run)``; True
    if any were marked. A single digit does not go on with it: "..., that's the one"."""
    marked = False
    for run in chain:
        size = len(run.digits)
        if any(used(scan, g) for g in run.groups):
            read = (read or 0) + size
        elif read is not None and size > 1 and goes_on(read, size):
            marked |= mark_groups(scan, run.groups)
            read += size
        else:
            read = None
    return marked


def lead(scan: _Scan, found: list[list[_Run]]) -> list[_Run]:
    """The chain the utterance starts with (after filler words at most)."""
    if found and gap_only(scan, 0, found[0][0].groups[0].first):
        return found[0]
    return []


def tail(scan: _Scan, found: list[list[_Run]]) -> list[_Run]:
    """The chain the utterance ends with (before filler words at most)."""
    if found and gap_only(scan, found[-1][-1].groups[-1].last + 1, scan.n):
        return found[-1]
    return []
