"""IBANs in an utterance, written or spelled."""

from __future__ import annotations

from voicebot.redaction.checksums import IBAN_LENGTHS, _mod97
from voicebot.redaction.lexicon import IBAN
from voicebot.redaction.scan import _Scan


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
    if len(compact) < 15 or not compact[2:4].isdecimal():
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

