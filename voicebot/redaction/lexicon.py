"""The words and patterns that redaction reads: kinds of data and their
placeholders, number words (EN, FR), labels, units and trigger phrases."""

from __future__ import annotations

import re

from voicebot.text.words import (
    HUNDREDS,
    MONTH_NUMBER,
    REPEATS,
    TEENS,
    TENS,
    THOUSANDS,
    UNITS,
)

CARD_NUMBER, SECURITY_CODE, IBAN, EXPIRY = "card_number", "security_code", "iban", "expiry"
PLACEHOLDER = {
    CARD_NUMBER: "[card number]",
    SECURITY_CODE: "[security code]",
    IBAN: "[iban]",
    EXPIRY: "[expiry]",
}


# Every word that says a number, to its value. Beyond the shared tables: old
# English zeros, and "vingts"/"cents" as speech recognition writes them in
# "quatre-vingts", "deux cents".
_EXTRA_NUMBERS = {"en": {"nought": 0, "naught": 0}, "fr": {"vingts": 20}}


def _number_lexicon(lang: str) -> dict[str, int]:
    words = {**UNITS[lang], **TEENS[lang], **TENS[lang], **_EXTRA_NUMBERS[lang]}
    words.update({w: 100 for w in HUNDREDS[lang]})
    words.update({w: 1000 for w in THOUSANDS[lang]})
    return words


_NUMBERS = {lang: _number_lexicon(lang) for lang in ("en", "fr")}
_CONNECTOR = {"en": "and", "fr": "et"}
_ZERO_LETTERS = {"en": ("oh", "o"), "fr": ()}
_REPEATS = REPEATS
_HESITATIONS = {"um", "umm", "uh", "uhm", "er", "erm", "hmm", "hm", "euh", "heu", "hum", "bah"}
_SOFT_PUNCT = {",", ".", "-", "–", "—", ";", "…", "/"}
_STOP_PUNCT = {".", ";", "…"}
_CURRENCY = {"$", "€", "£", "¥"}
_UNITS = {
    "%", "$", "€", "£", "dollar", "dollars", "bucks", "buck", "euro", "euros", "cent", "cents",
    "pound", "pounds", "pence", "quid", "percent", "payment", "payments", "instalment",
    "instalments", "installment", "installments", "time", "times", "day", "days", "week",
    "weeks", "month", "months", "year", "years", "hour", "hours", "minute", "minutes",
    "monthly", "weekly", "am", "pm", "o'clock", "usd", "eur", "gbp", "k",
    "centimes", "centime", "balles", "paiement", "paiements", "versement", "versements",
    "mensualité", "mensualités", "échéance", "échéances", "prélèvement", "prélèvements",
    "fois", "jour", "jours", "semaine", "semaines", "mois", "an", "ans", "année", "années",
    "heure", "heures", "h", "pour",
}
_CARD_WORDS = {
    "card", "cards", "card's", "carte", "cartes", "visa", "mastercard", "amex", "maestro", "cb",
    "discover",
}
# Words that may stand between "card" and the number it introduces.
_CARD_FILLERS = {
    "is", "it's", "its", "it", "my", "the", "number", "numbers", "no", "num", "nr", "n",
    "reads", "says", "goes", "are", "so", "okay", "ok", "here", "here's", "that's", "thats",
    "well", "like", "on", "of", "this", "credit", "debit", "long", "full", "whole", "starts",
    "with", "be", "would", "will", "yes", "yeah", "right", "sure", "fine", "then", "and",
    "est", "c'est", "ce", "sont", "le", "la", "les", "mon", "ma", "mes", "numéro", "numero",
    "de", "du", "des", "alors", "donc", "ben", "bon", "voici", "voilà", "bancaire", "bleue",
    "crédit", "sur", "ça", "fait", "commence", "par", "oui", "d'accord", "et", "puis",
    *_HESITATIONS,
}
# Words said between two pieces of one number ("4111 1111 and then 1111 1111",
# "quatre mille cent onze, euh, attendez, mille cent onze"): none names what the
# number is, so the pieces may be read as one.
_GAP_WORDS = {
    "and", "then", "next", "after", "that", "that's", "the", "rest", "is", "are", "it's", "its",
    "it", "so", "ok", "okay", "alright", "sorry", "wait", "hold", "on", "let", "me", "see",
    "yes", "yeah", "yep", "right", "continuing", "continue", "followed", "by", "comma", "space",
    "dash", "again", "well", "i", "mean", "got", "you", "still", "there", "here", "now", "more",
    "last", "bit", "part", "a", "second", "moment", "sec", "good", "all", "ready", "with",
    "did", "get", "have", "of", "sure", "like", "just", "go", "going", "finally", "um-hmm",
    "et", "puis", "ensuite", "après", "alors", "donc", "voilà", "c'est", "ça", "le", "la",
    "les", "reste", "suite", "encore", "attendez", "attends", "pardon", "oui", "bon", "ben",
    "d'accord", "je", "vous", "avez", "noté", "tu", "as", "fait", "hein", "bien",
    "là", "de", "du", "voici", "suivi", "par", "virgule", "tiret", "espace", "instant",
    "seconde", "enfin", "ne", "quittez", "pas",
    *_HESITATIONS,
}
_GAP_PUNCT = {",", ".", "-", "–", "—", ";", "…", "?", "!", ":", "'", '"', "(", ")"}
_MAX_GAP_WORDS = 8

# Other things a number can be: once named, "card" said earlier no longer applies.
_OTHER_LABELS = {
    "reference", "ref", "account", "acct", "phone", "telephone", "mobile", "cell", "call",
    "zip", "postcode", "postal", "invoice", "order", "customer", "client", "dossier",
    "référence", "compte", "téléphone", "portable", "appeler", "rappeler", "joindre",
    "montant", "facture", "solde", "date", "birthday", "born", "naissance", "amount",
    "balance", "iban", "rib", "pay", "payer", "paid", "payé", "owe", "dois", "policy",
    "contrat", "contract", "case", "ticket", "claim", "sinistre", "fax", "siret", "siren",
    "send", "give", "afford", "manage", "transfer", "offer", "envoyer", "verser", "donner",
    "virer", "proposer", "propose", "payment", "paiement", "versement",
}
_IBAN_WORDS = {"iban", "rib"}
_MONTHS = {lang: dict(names) for lang, names in MONTH_NUMBER.items()}
_DATE_JOINERS = {"slash", "sur", "of", "barre", "de", "en"}
# "expires end of twenty-eight", "expire fin 2028": a year alone is enough.
_YEAR_END = {"end", "fin"}

_PLACEHOLDERS = re.compile(
    "|".join(re.escape(p) for p in PLACEHOLDER.values()), re.IGNORECASE)

_SECURITY_TRIGGER = re.compile(
    r"\bc\.?\s?v\.?\s?[vc](?:\s?2)?\b\.?|\bcv\s?2\b|\bcsc\b|\bcid\b|\bsee\s+vee\s+vee\b"
    r"|\bsecurity\s+(?:code|number|digits?)\b|\b(?:card\s+)?verification\s+(?:code|value|number)\b"
    r"|\b(?:three|four|3|4)[\s-]+digits?\s+(?:code\s+|number\s+)?(?:on|at|from|in)\s+the\s+"
    r"(?:back|front|reverse)(?:\s+of\s+(?:the|my|your)\s+card)?\b"
    r"|\b(?:three|four|3|4)[\s-]+digit\s+(?:security\s+)?code\b"
    r"|\b(?:code|number|digits)\s+(?:on|at)\s+the\s+back(?:\s+of\s+(?:the|my|your)\s+card)?\b"
    r"|\bpin(?:\s+(?:code|number))?\b"
    r"|\bcryptogramme(?:\s+visuel)?\b|\bcode\s+(?:de\s+)?(?:s[ée]curit[ée]|v[ée]rification)\b"
    r"|\bcode\s+(?:pin|confidentiel|secret|cvv|cvc)\b"
    r"|\b(?:trois|quatre|3|4)\s+(?:derniers\s+|petits\s+)?chiffres\s+(?:qui\s+sont\s+|situ[ée]s\s+)?"
    r"(?:au\s+dos|derri[èe]re|au\s+verso|[àa]\s+l['’]arri[èe]re|sur\s+le\s+dos)"
    r"(?:\s+de\s+(?:la|ma|votre)\s+carte)?"
    r"|\bcode\s+(?:au\s+dos|derri[èe]re)\b"
    # "the last three are 737": the code at the end of the signature strip.
    r"|\blast\s+(?:three|3)(?:\s+(?:digits?|numbers?|figures?))?"
    r"(?=\s+(?:are|is|were)\b|\s*[:,]|\s+\d)"
    r"|\b(?:trois|3)\s+derniers(?:\s+chiffres)?\b",
    re.IGNORECASE,
)
_CODE_WORD = re.compile(r"\bcode\b", re.IGNORECASE)
# "zip code", "code postal", "promo code": codes that are not the card's.
_OTHER_CODES = {
    "zip", "area", "postal", "post", "postcode", "promo", "promotional", "discount", "reference",
    "access", "country", "sort", "bank", "branch", "swift", "bic", "iban", "client", "dossier",
    "confirmation", "booking", "voucher", "coupon", "activation", "verification", "security",
}
_EXPIRY_TRIGGER = re.compile(
    r"(?P<noun>\bexp(?:iry|iration)(?:\s+date)?\b|\bexp\b\.?(?:\s+date\b)?"
    r"|\bvalid\s+(?:thru|through|until|till|to)\b|\bgood\s+(?:thru|through|until|till)\b"
    r"|\bdate\s+d['’]\s?expiration\b|\bdate\s+de\s+(?:fin\s+de\s+)?validit[ée]\b"
    r"|\bfin\s+de\s+validit[ée]\b|\b(?:valable|valide)\s+jusqu['’]\s?(?:à|au|en|a)\b)"
    r"|(?P<verb>\bexpir(?:es|e|ed|ing|era|ée|ant)\b)",
    re.IGNORECASE,
)
# The cheap test before a scan: it must match every text in which the scan could
# read a digit. "oh" is a zero only beside a number word or a repeat ("double
# oh"), so the repeats are in it and the zero letters need not be.
_NUMBERISH = {
    lang: re.compile(
        r"\d|\b(?:" + "|".join(sorted({*words, *_REPEATS}, key=len, reverse=True)) + r")\b",
        re.IGNORECASE)
    for lang, words in _NUMBERS.items()
}
_TOKEN = re.compile(r"([^\W\d_]+(?:['’\-][^\W\d_]+)*)|(\d+)|(\S)")
_ORDINAL_SUFFIX = {"st", "nd", "rd", "th", "er", "re", "e", "ème", "eme", "ère", "ieme", "ième"}
