"""An unambiguous yes to a plan read back: nothing else counts as consent.

Consent need not contain "yes" ("I agree", "sounds good", "j'accepte"), but a yes
word is not enough either ("yes, if I can change the date", "yeah, well, I
suppose"): the line must be made only of words that agree. Anything more and the
bot asks again, which costs a few seconds; taking a hedge for consent would
commit someone to a plan they did not accept.
"""

from __future__ import annotations

import re

from voicebot.dialogue.parsers import agreement_idioms, parse_yes_no, rule_text


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_AGREEING = {
    "en": _words("""
        yes yeah yep yup yea aye sure ok okay alright all right fine good great perfect
        excellent absolutely definitely certainly correct right exactly indeed i i'm im we
        we're agree agreed accept accepted do that that's thats this it it's its is sounds
        sound works work for me to the plan deal go ahead please thank thanks you of course
        happy with am will let's lets so well oh totally yess lovely brilliant done that'll
        be wonderful cool grand acceptable proceed set up on sign lock in bet confirm
        confirmed terms conditions those these payment payments arrangement schedule sorry
        dear love sir madam being patient very much glad bloody hell finally damn
    """),
    "fr": _words("""
        oui ouais ouaip ok okay d'accord daccord accord entendu parfait bien très tres bon
        ça ca me va marche c'est cest je j'accepte jaccepte accepte acceptons on nous suis
        tout à a fait absolument exactement volontiers merci allez-y allez vas-y y comme le
        ce plan cela convient conviens sûr sur évidemment carrément bah ben oh impeccable
        nickel super génial top affirmatif valide valider validez j'valide confirme confirmer
        confirmez donne mon accord consentement avez vous madame monsieur petit beaucoup
        patience pour votre good go banco enfin eh échéancier cet avec conditions les
        enregistrer enregistrez l'enregistrer pouvez putain moi vas truc part dessus là la
    """),
}
_STRONG = {
    "en": re.compile(r"\b(?:yes|yeah|yep|yup|yea|aye|sure|ok|okay|alright|agree|agreed|accept"
                     r"|accepted|deal|absolutely|definitely|certainly|correct|perfect|fine"
                     r"|sounds good|that works|works for me|go ahead|let'?s do (?:it|that)"
                     r"|(?:i|we) do$|happy with (?:it|that|this)|acceptable|proceed|set it up"
                     r"|sign me up|lock it in|confirm(?:ed)?|^bet)\b"),
    "fr": re.compile(r"\b(?:oui|ouais|ouaip|ok|okay|d'accord|daccord|accepte|j'accepte"
                     r"|acceptons|entendu|volontiers|absolument|parfait|marche|me va"
                     r"|convient|c'est bon|très bien|tres bien|allez-y|vas-y|impeccable"
                     r"|nickel|carrément|affirmatif|j'valide|valide[rz]?|confirme[rz]?|banco"
                     r"|donne mon accord|mon consentement|c'est good)\b"),
}
# "Do I agree?", "is it fine": the line asks, whatever its words.
_ASKS = {
    "en": frozenset({"do", "does", "is", "are", "am", "will", "would", "should", "can"}),
    "fr": frozenset({"est-ce", "estce"}),
}


def clear_yes(text: str, language: str) -> bool:
    """True only for a plain, unconditional yes ("Yes, I agree", "I agree", "Oui, ça me
    va", "j'accepte"): a line made only of agreeing words, with at least one that
    agrees on its own, no negation and no question."""
    lang = "fr" if language.startswith("fr") else "en"
    norm = agreement_idioms(rule_text(text), lang)
    if "?" in norm or parse_yes_no(text, lang) is False:
        return False
    words = re.findall(r"[\w']+", norm)
    if not words or words[0] in _ASKS[lang]:
        return False
    if not _STRONG[lang].search(" ".join(re.findall(r"[\w'-]+", norm))):
        return False
    return all(word in _AGREEING[lang] for word in words)
