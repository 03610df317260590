"""Checking that the caller is the account holder, with the factors a policy allows.

Speech recognition mishears names ("Jane Doh", "Jando" for "Jane Doe"), so names are
compared by sound-alike similarity, surname first; postcodes and dates must
match exactly once parsed.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from voicebot.dialogue.parsers import extract_digits, normalize

# Words people put around their name.
_FILLER = re.compile(
    r"\b(my|name|is|it's|its|it|i'm|i am|this is|speaking|yes|yeah|sure|the|account|holder|"
    r"full|je|suis|m'appelle|mon|nom|c'est|oui|moi|madame|monsieur|mrs|mr|ms|miss)\b"
)


def fold_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", normalize(text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _FILLER.sub(" ", text)
    return re.sub(r"[^a-z ]", " ", text).split()


# Words that make a line more than a name: someone else, a request, a person wanted.
_NOT_A_NAME = frozenset({
    "her", "his", "him", "she", "he", "they", "them", "their", "husband", "wife", "partner",
    "son", "daughter", "mother", "mum", "mom", "father", "dad", "brother", "sister", "aunt",
    "uncle", "nan", "gran", "grandma", "grandad", "boss", "client", "tenant", "for", "behalf",
    "calling", "call", "about", "agent", "person", "human", "someone", "somebody", "operator",
    "manager", "real", "advisor", "adviser", "lawyer", "attorney", "solicitor", "dead", "died",
    "passed", "hospital", "mari", "femme", "epoux", "epouse", "compagnon", "compagne", "fils",
    "fille", "mere", "pere", "frere", "soeur", "tante", "oncle", "pour", "part", "appelle",
    "appel", "conseiller", "conseillere", "quelqu", "personne", "humain", "avocat",
    "locataire", "patron", "mort", "decede", "decedee", "hopital", "sa", "ses", "leur", "elle",
    "il", "lui",
})


_NUMBER_WORDS = frozenset({
    "zero", "oh", "o", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "double", "triple", "un", "une", "deux", "trois", "quatre", "cinq", "sept", "huit", "neuf",
    "dix", "zip", "code", "postal", "postcode", "and", "et",
})


def identity_answer(text: str, language: str) -> bool:
    """The line gives a name, a postcode or reference, or both, and nothing else
    ("Marie du pont", "sept cinq zéro un un", "Jane Doe, 94107")."""
    if bare_name(text):
        return True
    digits = extract_digits(text, language) or ""
    if len(digits) < 3:
        return False
    words = [w for w in fold_words(text) if w not in _NUMBER_WORDS]
    return len(words) <= 4 and not any(w in _NOT_A_NAME for w in words)


def bare_name(text: str) -> bool:
    """The line is a name and nothing else ("Marie du pont", "c'est Jane Doe", "my
    name is Gene Doe"): what a caller says when asked for their name."""
    if extract_digits(text, "en") or extract_digits(text, "fr"):
        return False
    words = fold_words(text)
    return 1 <= len(words) <= 4 and not any(w in _NOT_A_NAME for w in words)


_SOUNDS = [
    (r"ph", "f"), (r"gh", ""), (r"ck", "k"), (r"th", "t"), (r"sch", "s"), (r"ch", "s"),
    (r"g(?=[eiy])", "j"), (r"c(?=[eiy])", "s"), (r"[cq]", "k"), (r"x", "ks"), (r"z", "s"),
    (r"w", "v"), (r"(?<=.)h", ""), (r"(?<=.)[aeiouy]", ""), (r"(.)\1+", r"\1"),
]


def _sound(word: str) -> str:
    """A crude sound-alike key (first letter kept, vowels and silent letters dropped)."""
    word = re.sub(r"^y", "i", word)
    for pattern, repl in _SOUNDS:
        word = re.sub(pattern, repl, word)
    return word


def same_word(heard: str, expected: str, *, surname: bool) -> bool:
    """Nearly the same spelling, or the same sound with a similar spelling.

    Strict on purpose: a wrong match tells a stranger about someone's debt,
    while a wrong refusal only means asking again or passing to a person.
    """
    spelled = difflib.SequenceMatcher(None, heard, expected).ratio()
    if spelled >= 0.8 and abs(len(heard) - len(expected)) <= 1:  # not "Martine" for "Marie"
        return True
    return _sound(heard) == _sound(expected) and spelled >= (0.5 if surname else 0.6)


def name_matches(said: str, on_file: str) -> bool:
    """True when ``said`` is the full name on file, allowing small mishearings."""
    words = fold_words(said)
    expected = fold_words(on_file)
    if not words or not expected:
        return False
    # Each part of the name on file must be heard, in order, nearly or by sound.
    heard = words[-len(expected):]
    last = len(expected) - 1
    if len(heard) == len(expected) and all(
            same_word(h, e, surname=i == last)
            for i, (h, e) in enumerate(zip(heard, expected, strict=True))):
        return True
    # Recognition splits or joins words ("Marie du pont" for "Marie Dupont", "Jando"
    # for "Jane Doe"): compare each tail of what was heard with the whole name, spaces
    # aside, by the same rule as one word (nearly the same spelling, or the same sound
    # with a similar one), held stricter since a longer string matches more easily.
    target = "".join(expected)
    for start in range(len(words)):
        tail = "".join(words[start:])
        if len(words) - start == len(expected) or abs(len(tail) - len(target)) > 2:
            continue  # as many words as the name: compared word by word above
        spelled = difflib.SequenceMatcher(None, tail, target).ratio()
        if spelled >= 0.9 or (spelled >= 0.8 and _sound(tail) == _sound(target)):
            return True
    return False


def postcode_matches(said: str, on_file: str, language: str) -> bool:
    """Digit postcodes (US ZIP, French code postal) compared digit for digit."""
    expected = re.sub(r"\s", "", on_file).upper()
    if expected.isdecimal():
        return extract_digits(said, language) == expected
    # Alphanumeric postcodes (e.g. UK): compare letters and digits only.
    return re.sub(r"[^A-Z0-9]", "", said.upper()) == expected
