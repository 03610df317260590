"""Cutting a reply into pieces that can be synthesized and played one by one."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=\S)")
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+")


def split_for_speech(text: str, max_chars: int = 120) -> list[str]:
    """Sentences, with long ones cut at clause boundaries, so the first piece is short."""
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
