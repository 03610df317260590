"""Number words and month names in English and French, and the language of a tag.

Plain tables, no logic beyond building them: the dialogue reads amounts and dates
with them, the redaction reads card numbers with them. Each reader adds the few
words only it needs (the redaction's "nought", the dialogue's ordinals).
"""

from __future__ import annotations

__all__ = [
    "DIGIT_WORDS",
    "HUNDREDS",
    "MONTH_NUMBER",
    "REPEATS",
    "TEENS",
    "TENS",
    "THOUSANDS",
    "UNITS",
    "lang_of",
]


def lang_of(language: str) -> str:
    """"fr" for any French tag ("fr", "fr-FR"), otherwise "en"."""
    return "fr" if language.lower().startswith("fr") else "en"


def _table(words: str, start: int = 0, step: int = 1) -> dict[str, int]:
    return {w: start + i * step for i, w in enumerate(words.split())}


# The ten digits as they are spelled back to a caller, in order.
DIGIT_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    "fr": ("zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"),
}
# 0-9 as they are heard: the digits, and "zero" without its accent, "une".
UNITS: dict[str, dict[str, int]] = {
    "en": _table(" ".join(DIGIT_WORDS["en"])),
    "fr": {**_table(" ".join(DIGIT_WORDS["fr"])), "zero": 0, "une": 1},
}
TEENS: dict[str, dict[str, int]] = {
    "en": _table("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen",
                 10),
    # French says 17-19 as "dix-sept", "dix-huit", "dix-neuf".
    "fr": _table("dix onze douze treize quatorze quinze seize", 10),
}
TENS: dict[str, dict[str, int]] = {
    "en": {**_table("twenty thirty forty fifty sixty seventy eighty ninety", 20, 10), "fourty": 40},
    # 70-99 in France are built ("soixante-dix", "quatre-vingt-dix"); Belgium and
    # Switzerland say them in one word.
    "fr": {**_table("vingt trente quarante cinquante soixante", 20, 10), "septante": 70,
           "huitante": 80, "octante": 80, "nonante": 90},
}
# "double one" is 11, "triple zéro" 000: the same words in both languages.
REPEATS: dict[str, int] = {"double": 2, "triple": 3, "quadruple": 4}
HUNDREDS: dict[str, tuple[str, ...]] = {"en": ("hundred",), "fr": ("cent", "cents")}
THOUSANDS: dict[str, tuple[str, ...]] = {"en": ("thousand",), "fr": ("mille",)}

_MONTHS = {
    "en": ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
}
_MONTH_EXTRA = {
    "en": {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
           "sept": 9, "oct": 10, "nov": 11, "dec": 12},
    # No "sept": it is also seven.
    "fr": {"fevrier": 2, "aout": 8, "decembre": 12, "janv": 1, "févr": 2, "fevr": 2, "avr": 4,
           "juil": 7, "oct": 10, "nov": 11, "déc": 12},
}
# Month names and their usual abbreviations, to the month's number (1-12).
MONTH_NUMBER: dict[str, dict[str, int]] = {
    lang: {**{m: i for i, m in enumerate(names, 1)}, **_MONTH_EXTRA[lang]}
    for lang, names in _MONTHS.items()
}
