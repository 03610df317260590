"""Card numbers, security codes and expiry dates in an utterance."""

from __future__ import annotations

from voicebot.redaction.chains import run_windows
from voicebot.redaction.lexicon import (
    _CODE_WORD,
    _DATE_JOINERS,
    _EXPIRY_TRIGGER,
    _MONTHS,
    _OTHER_CODES,
    _OTHER_LABELS,
    _SECURITY_TRIGGER,
    _UNITS,
    _YEAR_END,
    CARD_NUMBER,
    EXPIRY,
    SECURITY_CODE,
)
from voicebot.redaction.scan import _Scan
from voicebot.redaction.spoken import _Group, _Run


def _find_cards(scan: _Scan) -> bool:
    """Card numbers in every run; True when one was found."""
    found = False
    for run in scan.runs:
        total = len(run.digits)
        if any(scan.used[t] for t in range(run.groups[0].first, run.groups[-1].last + 1)):
            continue  # taken with the card number it was glued to
        if scan.card_ish(run) and (
                scan.card_said_close(run) or (total >= 13 and scan.card_said_before(run))):
            scan.mark(run.groups[0].first, run.groups[-1].last, CARD_NUMBER)
            found = True
            continue
        windows = run_windows(run)
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
        j, words, year_end = scan.first_token_at(m.end()), 0, False
        while j < scan.n and scan.kinds[j] != "d" and scan.tok_group[j] < 0:
            if scan.kinds[j] == "w":
                if scan.lows[j] in _MONTHS[scan.lang]:
                    break
                year_end = year_end or scan.lows[j] in _YEAR_END
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
            elif _expiry_digits_ok(head) or (year_end and (
                    len(digits) == 2 or (len(digits) == 4 and digits.startswith("20")))):
                best = head
        if best:
            first = month_tok if month_tok is not None else best[0].first
            scan.mark(first, best[-1].last, EXPIRY)
            found = True
    return found

