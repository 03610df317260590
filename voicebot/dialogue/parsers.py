"""Deterministic understanding of what callers say: digits and yes/no, EN and FR.

Speech recognition returns numbers sometimes as digits ("100 200"), sometimes as
words ("one zero zero"), and French callers often read references in pairs
("dix, zéro deux"). These parsers accept all of those and answer ``None`` when
they are not sure, so the caller can be asked again.
"""

from __future__ import annotations

import re
import unicodedata

from text_to_num import text2num

from voicebot.text.words import DIGIT_WORDS, REPEATS

_SPOKEN_ZERO = {"en": ("oh", "o"), "fr": ()}
_REPEAT = {"en": REPEATS, "fr": REPEATS}
_DIGIT_RUN = re.compile(r"\d(?:[\d\s,.\-–/]*\d)?")


def normalize(text: str) -> str:
    """Lower case, unified apostrophes and spaces, accents kept."""
    text = unicodedata.normalize("NFC", text).lower()
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip()


# Speech recognition and typing callers drop apostrophes ("i dont owe this", "im in
# hospital", "cest pas ma dette"); the rules are written with them. Only forms that
# are no other word are restored ("ill", "id", "its", "were", "well" stay).
_APOSTROPHES = {
    **{f"{stem}nt": f"{stem}n't" for stem in (
        "do", "does", "did", "is", "was", "are", "were", "could", "should", "would", "have",
        "has", "had", "must", "need")},
    "dont": "don't", "cant": "can't", "wont": "won't", "aint": "ain't", "im": "i'm",
    "ive": "i've", "youre": "you're", "youve": "you've", "theyre": "they're",
    "theyve": "they've", "weve": "we've", "thats": "that's", "whats": "what's",
    "theres": "there's", "hes": "he's", "shes": "she's", "whos": "who's",
    "jai": "j'ai", "cest": "c'est", "jsuis": "j'suis", "chuis": "j'suis", "jpeux": "j'peux",
    "jveux": "j'veux", "jsais": "j'sais", "quil": "qu'il", "jetais": "j'étais",
    "jy": "j'y", "daccord": "d'accord", "jaccepte": "j'accepte", "jvalide": "j'valide",
}
_APOSTROPHE_WORD = re.compile(r"\b(?:" + "|".join(sorted(_APOSTROPHES, key=len, reverse=True))
                              + r")\b")


# French object pronouns glued to their verb: "vous mappelez", "menvoyez", "arrêtez
# dappeler".
_FR_ELIDED = re.compile(r"\b([mtl]|d(?=appel))(appel\w*|[ée]cri\w*|envoy\w*|harc[eè]l\w*"
                        r"|emb[eê]t\w*|[ée]nerv\w*)\b")


# ... or written as a word of its own ("j ai", "c est", "qu il", "d accord").
_FR_DETACHED = re.compile(r"\b(?:(j) (ai|avais|aurai|aurais|étais|etais)|(c) (est|était|etait)"
                          r"|(d) (accord)|(n) (est|ai|a|avais|était|etait|y)"
                          r"|(qu) (il|ils|elle|elles|on|est|un|une)|(s) (il|ils))\b")


def _join_detached(match: re.Match[str]) -> str:
    first, second = (g for g in match.groups() if g is not None)
    return f"{first}'{second}"


# Recognition writes French by sound, and "je dois", "je doit" and "je doigt" sound
# alike: after "je" (and a "ne" or an object pronoun) the first person is restored, as
# the rules are written ("je ne vous doit rien", "je peut payer", "j'en veut plus").
_FR_FIRST_PERSON = re.compile(
    r"\b((?:je|j')(?: ?ne| ?n')?(?: ?(?:vous|te|lui|leur|le|la|les|l'|en|y|me|m'))?"
    r"(?: ?en| ?y)? ?)(doi[tg]|peut|veut|sait|vaut)\b")
_FIRST_PERSON = {"doit": "dois", "doig": "dois", "peut": "peux", "veut": "veux",
                 "sait": "sais", "vaut": "vaux"}


def rule_text(text: str) -> str:
    """The line as the rules read it: :func:`normalize`, apostrophes restored, French
    first-person verbs spelled as the rules spell them."""
    text = _APOSTROPHE_WORD.sub(lambda m: _APOSTROPHES[m.group()], normalize(text))
    text = _FR_DETACHED.sub(_join_detached, text)
    text = _FR_FIRST_PERSON.sub(lambda m: m.group(1) + _FIRST_PERSON[m.group(2)], text)
    return _FR_ELIDED.sub(r"\1'\2", text)


def _number_words_to_digits(words: list[str], language: str) -> list[str]:
    """Turn each number word into digits, keeping "twenty one" as 21, not 201.

    Words are read one at a time (not as a quantity) because references are
    spelled digit by digit: "un zéro zéro" is 1 0 0, not 100.
    """
    digit_words = {w: str(i) for i, w in enumerate(DIGIT_WORDS.get(language, DIGIT_WORDS["en"]))}
    if language == "fr":
        digit_words["une"] = "1"
    out: list[str] = []
    for raw in words:
        word = raw.strip(",.;:!?")
        separator = "," if raw != word else ""
        value = digit_words.get(word)
        if value is None and re.fullmatch(r"[^\W\d_]+(?:-[^\W\d_]+)*", word):
            try:
                value = str(text2num(word, language))
            except ValueError:
                value = None
        if value is None:
            out.append(raw)
            continue
        previous = out[-1] if out else ""
        if (len(value) == 1 and previous.isdecimal() and len(previous) == 2
                and previous.endswith("0") and previous != "10" and value != "0"):
            out[-1] = previous[0] + value  # twenty one -> 21
        else:
            out.append(value)
        if separator:
            out[-1] += separator
    return out


def _spoken_zeros(words: list[str], zeros: tuple[str, ...], language: str) -> list[str]:
    """"oh" is zero next to another digit ("nine four one oh seven"), not in "oh well"."""
    names = set(DIGIT_WORDS.get(language, ())) | set(zeros)

    def digitish(word: str) -> bool:
        word = word.strip(",.")
        return word.isdecimal() or word in names

    out = list(words)
    for i, word in enumerate(words):
        if word.strip(",.") in zeros:
            neighbours = words[max(0, i - 1) : i] + words[i + 1 : i + 2]
            if any(digitish(n) for n in neighbours):
                out[i] = word.replace(word.strip(",."), "zero")
    return out


def _expand_repeats(words: list[str], language: str) -> list[str]:
    out: list[str] = []
    repeats = _REPEAT.get(language, {})
    i = 0
    while i < len(words):
        count = repeats.get(words[i].strip(",."))
        if count and i + 1 < len(words):
            out.extend([words[i + 1]] * count)
            i += 2
            continue
        out.append(words[i])
        i += 1
    return out


def extract_digits(text: str, language: str = "en") -> str | None:
    """The longest run of digits the caller said, e.g. "one zero zero, 200" -> "100200".

    Digits separated only by spaces, commas, dots or dashes belong to one run:
    a reference is read in groups. Returns None when nothing digit-like was said.
    """
    words = normalize(text).split(" ")
    zeros = _SPOKEN_ZERO.get(language, ())
    # "oh" counts as zero only between other digit words or digits.
    if zeros:
        words = _spoken_zeros(words, zeros, language)
    words = _expand_repeats(words, language)
    converted = " ".join(_number_words_to_digits(words, language))
    runs = [re.sub(r"\D", "", run) for run in _DIGIT_RUN.findall(converted)]
    runs = [run for run in runs if run]
    if not runs:
        return None
    return max(runs, key=len)


_YES = {
    "en": ["yes", "yeah", "yep", "yup", "correct", "right", "that's right", "sure", "exactly",
           "affirmative", "uh-huh", "uh huh", "okay", "ok", "that is right", "absolutely",
           "indeed", "of course", "that's it", "perfect", "definitely", "certainly",
           "agree", "agreed", "i accept", "sounds good", "that works"],
    "fr": ["oui", "ouais", "exact", "exactement", "c'est ça", "c'est bien ça", "d'accord",
           "tout à fait", "correct", "c'est correct", "bien sûr", "absolument", "parfait",
           "voilà", "ok", "okay", "oui oui", "certainement", "entendu", "ça me va",
           "ça marche", "ça me convient", "j'accepte"],
}
_NO = {
    "en": ["no", "nope", "nah", "wrong", "incorrect", "not right", "not correct", "isn't",
           "is not", "that's not", "negative", "not quite", "not it", "disagree",
           "don't agree", "do not agree", "don't accept", "do not accept", "refuse",
           "reject", "no way", "not at all", "decline", "don't consent", "do not consent",
           "not interested"],
    "fr": ["non", "pas ça", "faux", "incorrect", "pas correct", "pas bon", "pas exact",
           "ce n'est pas", "c'est pas", "pas du tout", "refuse", "je refuse", "pas d'accord",
           "ne me va pas", "ne marche pas", "ne me convient pas", "n'accepte pas", "nan",
           "décline", "pas question", "hors de question", "valide pas", "accepte pas",
           "pas accepter", "pas en mesure", "accepte rien", "jamais de la vie"],
}
# Words that turn a yes word round when they come just before it ("not okay", "I
# don't think that's right", "pas d'accord", "je ne suis plus d'accord") ...
_NEGATORS = {
    "en": re.compile(r"^(?:not|never|neither|nor|\w+n't|dont|didnt|doesnt|isnt|wasnt|arent"
                     r"|wouldnt|cant|wont|aint|hardly)$"),
    "fr": re.compile(r"^(?:ne|n'\w*|pas|jamais|plus|point|guère|nullement)$"),
}
# ... or just after it ("absolutely not", "of course not", "absolument pas",
# "bien sûr que non").
_NEGATED_AFTER = {"en": re.compile(r"^not\b"),
                  "fr": re.compile(r"^(?:pas|rien|jamais|que non)\b")}
_NEGATION_REACH = 3  # words before a yes word that can still negate it
_NOT_NEGATING_PLUS = frozenset({"en", "de", "le", "au", "non", "et", "ou", "bien"})
_UNSURE = {"en": ("sure",), "fr": ("sûr", "sur", "certain")}


# Agreement said with a negative word in it: "no problem" is a yes, not a no.
_NEGATIVE_YES = {
    "en": re.compile(r"\b(?:no problem(?: at all)?|not a problem|no worries)\b"),
    "fr": re.compile(r"\b(?:pas de (?:problème|probleme|souci|soucis)"
                     r"|sans (?:problème|probleme|souci)|aucun (?:problème|probleme|souci))\b"),
}


def agreement_idioms(text: str, language: str) -> str:
    """``text`` with each negative-sounding agreement ("no problem", "pas de souci")
    replaced by "ok", so that a "no" inside it is not read as a refusal."""
    pattern = _NEGATIVE_YES.get("fr" if language.startswith("fr") else "en")
    return pattern.sub("ok", text) if pattern else text


def _contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w']){re.escape(phrase)}(?![\w'])", text) is not None


def _yes_spans(text: str, language: str) -> list[tuple[int, int, str]]:
    spans = []
    for phrase in _YES.get(language, _YES["en"]):
        for match in re.finditer(rf"(?<![\w']){re.escape(phrase)}(?![\w'])", text):
            spans.append((match.start(), match.end(), phrase))
    # A yes phrase inside a longer one ("right" in "that's right") is the longer one.
    return [s for s in spans
            if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]


def _is_negated(text: str, start: int, end: int, language: str) -> bool:
    """Whether a negation in the same clause reaches the yes word at ``start:end``."""
    lang = language if language in _NEGATORS else "en"
    clause = text[:start].split("|")[-1].split()
    reach = len(clause) - _NEGATION_REACH
    for i, word in enumerate(clause):
        if i < reach or not _NEGATORS[lang].match(word):
            continue
        if word == "plus" and i > 0 and clause[i - 1] in _NOT_NEGATING_PLUS:
            continue  # "en plus, ça me va": besides, not "no longer"
        return True
    return _NEGATED_AFTER[lang].match(text[end:].strip()) is not None


def parse_yes_no(text: str, language: str = "en") -> bool | None:
    """True for yes, False for no, None when unclear or both.

    A yes word that is negated ("not okay", "absolutely not", "pas d'accord") is a no;
    a negated "sure" ("I'm not sure") is neither: the caller has not decided.
    """
    # Clause breaks become "|": a negation does not reach over one ("I don't know, yes").
    norm = re.sub(r"[!?.,;:]", " | ", agreement_idioms(rule_text(text), language))
    norm = re.sub(r"\s+", " ", norm).strip(" |")
    if not norm.replace("|", "").strip():
        return None
    says_no = any(_contains(norm, p) for p in _NO.get(language, _NO["en"]))
    yes_spans = _yes_spans(norm, language)
    negated = [span for span in yes_spans if _is_negated(norm, span[0], span[1], language)]
    if any(span[2] in _UNSURE.get(language, ()) for span in negated):
        return None
    plain_yes = len(negated) < len(yes_spans)
    if negated:
        says_no = True
    if says_no:
        # "not correct", "c'est pas ça": the negation wins over the yes word inside it.
        return False if not plain_yes or _negated_yes(norm, language) else None
    return True if plain_yes else None


def _negated_yes(text: str, language: str) -> bool:
    pattern = {
        "en": r"\b(not|isn't|n't)\b.{0,12}\b(right|correct|it)\b",
        "fr": r"\b(pas|n'est pas)\b.{0,12}\b(ça|correct|exact|bon)\b|c'est pas",
    }.get(language, r"\bnot\b")
    return re.search(pattern, text) is not None


def spell_digits(digits: str, language: str = "en") -> str:
    """Digits as words with pauses, for reading a reference back."""
    words = DIGIT_WORDS.get(language, DIGIT_WORDS["en"])
    return ", ".join(words[int(d)] for d in digits if d.isdecimal())
