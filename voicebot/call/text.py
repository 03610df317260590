"""Cutting a reply into pieces that can be synthesized and played one by one."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=\S)")
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+")


def split_for_speech(text: str, max_chars: int = 70, first_chars: int | None = 40
                     ) -> list[str]:
    """Sentences, with long ones cut at clause boundaries, so the first piece is short.

    The first piece decides how soon the caller hears anything, so a first
    sentence longer than ``first_chars`` is cut at its first clause boundary.
    Pieces of at most ``max_chars`` keep a slow voice's synthesis of the next
    piece shorter than the playing of the current one.
    """
    pieces = _split(text, max_chars)
    if first_chars is not None and pieces and len(pieces[0]) > first_chars:
        head, *rest = _CLAUSE_END.split(pieces[0], maxsplit=1)
        if rest and len(head) >= 6:
            pieces[0:1] = [head, rest[0]]
    return pieces


def _split(text: str, max_chars: int) -> list[str]:
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        sentence = sentence.strip()
        if not sentence:
            continue
        if len(sentence) <= max_chars:
            pieces.append(sentence)
            continue
        current = ""
        for clause in _CLAUSE_END.split(sentence):
            if current and len(current) + 1 + len(clause) > max_chars:
                pieces.append(current)
                current = clause
            else:
                current = f"{current} {clause}".strip()
        if current:
            pieces.append(current)
    return pieces


def truncate_to_fraction(text: str, fraction: float) -> str:
    """The words of ``text`` a listener heard when playback stopped at ``fraction``."""
    words = text.split()
    keep = int(len(words) * max(0.0, min(1.0, fraction)))
    if keep >= len(words):
        return text
    return " ".join(words[:keep]) + ("…" if keep else "")
