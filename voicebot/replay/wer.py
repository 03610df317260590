"""Word error rates for recognition checks: raw, and with numbers written alike.

Whisper writes "nine four one zero seven" as "94107" and "sixty euros" as "60 €"; those
are not mishearings, so the normalised rate reads numbers as digits, digit runs a digit a
word, and drops currency words after an amount.
"""

from __future__ import annotations

import re

NUMBERS = {
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
           "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
           "seventeen", "eighteen", "nineteen", "twenty"],
    "fr": ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf",
           "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix-sept",
           "dix-huit", "dix-neuf", "vingt"],
}
TENS = {"en": {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
               "eighty": 80, "ninety": 90, "hundred": 100},
        "fr": {"trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60, "cent": 100}}
_TITLES = {"mr": "mister", "mrs": "missus", "m": "monsieur", "ok": "okay"}
_CURRENCY = ("a", "dollars", "euros", "dollar", "euro")


def words(text: str) -> list[str]:
    """Lower-cased words, punctuation dropped."""
    return re.findall(r"[\w']+", text.lower().replace("’", "'"))


def normalised(text: str, language: str) -> list[str]:
    """Words with numbers as digits, digit runs one digit a word, currency words after
    an amount dropped: how a number is written is not what was heard wrong."""
    language = language if language in NUMBERS else "en"
    table = {w: str(n) for n, w in enumerate(NUMBERS[language])} | {
        w: str(n) for w, n in TENS[language].items()}
    out: list[str] = []
    text = re.sub(r"([$€])\s?(\d[\d,.]*)", r"\2 \1", text)  # "$100": 100 dollars
    for word in words(text.replace("$", " dollars ").replace("€", " euros ")):
        word = table.get(_TITLES.get(word, word), _TITLES.get(word, word))
        if word == "100" and out and out[-1] in ("a", "1"):
            out.pop()  # "a hundred", "one hundred": 100
        if word.isdigit() and len(word) > 2 and word != "100":
            out.extend(word)  # a reference read digit by digit, heard as one number
            continue
        if word in _CURRENCY and out and out[-1].isdigit():
            continue
        out.extend(list(word) if word.isdigit() and len(word) <= 2 and out
                   and out[-1].isdigit() else [word])
    return out


def edits(reference: list[str], heard: list[str]) -> int:
    """Word insertions, deletions and substitutions from ``reference`` to ``heard``."""
    row = list(range(len(heard) + 1))
    for i, word in enumerate(reference, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(heard, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1,
                                           previous + (word != other))
    return row[-1]


def word_errors(reference: str, heard: str) -> tuple[int, int]:
    """Word edits from ``reference`` to ``heard`` and the reference's length."""
    ref = words(reference)
    return edits(ref, words(heard)), len(ref)


def normalised_errors(reference: str, heard: str, language: str) -> tuple[int, int]:
    """As ``word_errors``, with numbers written alike (see ``normalised``)."""
    ref = normalised(reference, language)
    return edits(ref, normalised(heard, language)), len(ref)
