"""Identity details a caller volunteers before they are asked.

People answer the question they expect: "Jane Doe, zip code 94107" to a
reference read-back, or "Hi, I'm Jane Doe, account 100200" in the first breath.
These find a reference or a postcode only where the caller labels it
("account 100200", "code postal 75011"), and the account holder's name only
where the caller presents themself with it ("I'm Jane Doe", "c'est Marie
Dupont", or the name alone at the start of the line). A name said after "for",
"about" or "de la part de" is someone else's: the caller is a third party.
"""

from __future__ import annotations

import re

from voicebot.dialogue.identity import fold_words, same_word
from voicebot.dialogue.parsers import extract_digits, normalize

_DIGITS = (r"(?:(?:\d|zero|oh|one|two|three|four|five|six|seven|eight|nine|double|triple|zéro"
           r"|un|deux|trois|quatre|cinq|six|sept|huit|neuf)[\s,.-]*)+")
_REFERENCE = re.compile(
    r"(?:account|reference|ref|acct|customer|dossier|référence|compte|client)"
    r"(?:\s+(?:number|no|num|numéro|n°|#))?\s*(?:is|est|c'est|:|,)?\s*(?P<d>" + _DIGITS + ")")
_POSTCODE = re.compile(
    r"(?:zip(?:\s*code)?|post\s*code|postal\s*code|code\s*postal|cp)\s*(?:is|est|c'est|:|,)?\s*"
    r"(?P<d>" + _DIGITS + ")")
# Presenting oneself; a name right after one of these is the speaker's.
_SELF = re.compile(r"(?:^|[,.;!?]\s*|\b(?:yes|yeah|hi|hello|oui|bonjour|allo|allô)\b[\s,]*)$"
                   r"|\b(?:my name is|my name's|name's|i'm|i am|this is|it's|it is|speaking"
                   r"|je m'appelle|je suis|c'est|ici|mon nom est|mon nom c'est|moi c'est"
                   r"|madame|monsieur|mrs|mr|ms|miss)\s*$")
_FOR_SOMEONE = re.compile(r"\b(?:for|about|behalf of|regarding|pour|de la part de|au nom de"
                          r"|concernant|au sujet de)\s*"
                          r"(?:mr|mrs|ms|miss|madame|monsieur|m)?\.?\s*$")


def volunteered_reference(text: str, language: str) -> str | None:
    """A reference the caller labelled as such ("account 100200")."""
    match = _REFERENCE.search(normalize(text))
    digits = extract_digits(match["d"], language) if match else None
    return digits if digits and len(digits) >= 4 else None


def volunteered_postcode(text: str, language: str) -> str | None:
    """A postcode the caller labelled as such ("zip code 94107")."""
    match = _POSTCODE.search(normalize(text))
    digits = extract_digits(match["d"], language) if match else None
    return digits if digits and len(digits) >= 4 else None


def names_position(text: str, on_file: str) -> tuple[str, str] | None:
    """Where the name on file is said: the words before and after it, or None."""
    norm = normalize(text)
    expected = fold_words(on_file)
    if not expected:
        return None
    # Fold word by word, keeping each word's place in the text.
    spans = [(m.start(), m.end(), fold_words(m.group())) for m in re.finditer(r"\S+", norm)]
    words = [(start, end, w[0]) for start, end, w in spans if w]
    n = len(expected)
    for i in range(len(words) - n + 1):
        window = words[i:i + n]
        if all(same_word(w, e, surname=k == n - 1)
               for k, ((_, _, w), e) in enumerate(zip(window, expected, strict=True))):
            return norm[:window[0][0]], norm[window[-1][1]:]
    return None


def presents_as(text: str, on_file: str) -> bool:
    """The caller says they are the person on file ("I'm Jane Doe", "Jane Doe here")."""
    where = names_position(text, on_file)
    return where is not None and _SELF.search(where[0]) is not None


def speaks_for(text: str, on_file: str) -> bool:
    """The caller names the person on file as someone they call for or about."""
    where = names_position(text, on_file)
    return where is not None and _FOR_SOMEONE.search(where[0]) is not None
