"""An unambiguous yes to a plan read back: nothing else counts as consent.

A yes word is not enough ("yes, if I can change the date", "yeah, well, I
suppose"): the line must be made only of words that agree. Anything more and the
bot asks again, which costs a few seconds; taking a hedge for consent would
commit someone to a plan they did not accept.
"""

from __future__ import annotations

import re

from voicebot.dialogue.parsers import normalize, parse_yes_no


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_AGREEING = {
    "en": _words("""
        yes yeah yep yup yea aye sure ok okay alright all right fine good great perfect
        excellent absolutely definitely certainly correct right exactly indeed i i'm im we
        we're agree agreed accept accepted do that that's thats this it it's its is sounds
        sound works work for me to the plan deal go ahead please thank thanks you of course
        happy with am will let's lets so well oh totally yess lovely brilliant done that'll
        be wonderful cool
    """),
    "fr": _words("""
        oui ouais ouaip ok okay d'accord daccord accord entendu parfait bien très tres bon
        ça ca me va marche c'est cest je j'accepte jaccepte accepte acceptons on nous suis
        tout à a fait absolument exactement volontiers merci allez-y allez vas-y y comme le
        ce plan cela convient conviens sûr sur évidemment carrément bah ben oh impeccable
        nickel super génial top
    """),
}
_STRONG = {
    "en": re.compile(r"\b(?:yes|yeah|yep|yup|yea|aye|sure|ok|okay|alright|agree|agreed|accept"
                     r"|deal|absolutely|definitely|correct)\b"),
    "fr": re.compile(r"\b(?:oui|ouais|ouaip|ok|okay|d'accord|daccord|accepte|j'accepte|entendu"
                     r"|volontiers|absolument|parfait|marche)\b"),
}


def clear_yes(text: str, language: str) -> bool:
    """True only for a plain, unconditional yes ("Yes, I agree", "Oui, ça me va")."""
    lang = "fr" if language.startswith("fr") else "en"
    norm = normalize(text)
    if "?" in norm or parse_yes_no(text, lang) is not True:
        return False
    words = re.findall(r"[\w']+", norm.replace("’", "'"))
    if not words or not _STRONG[lang].search(norm):
        return False
    return all(word in _AGREEING[lang] for word in words)
