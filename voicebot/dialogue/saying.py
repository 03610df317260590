"""Amounts, counts, dates and plans worded the way people say them, in English and French.

Piper reads figures well in English, so English keeps them ("72 dollars and 50
cents", "6 monthly payments", "December 15th"). French amounts and counts are
written in words ("deux cent trente-six euros quarante", "trois paiements
mensuels"), as a person would say them, with the usual spelling (traditional
hyphens, "et un", "quatre-vingts" and "deux cents" plural only at the end of a
number); days of the month and years stay figures ("le 1er mars 2028"), which
espeak-ng reads well.

Everything said here must pass the reply guard: :func:`voicebot.dialogue.money.numbers_in`
reads each amount and count back as the value the engine produced, and no other
number appears. Option ordinals are "First:", "Second:"... and "Premièrement :",
"Deuxièmement :"...; the French ones are not number words to it, and the English
ones are skipped only because a figure before a colon reads as a time ("2nd:"),
which the tests check. Dates follow one rule, see :func:`say_date`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from voicebot.dialogue.dates import lang_of
from voicebot.policy import Decision, Frequency, Instalment
from voicebot.policy.models import CURRENCY_MINOR_DIGITS

__all__ = [
    "Noun", "describe_options", "describe_plan", "french_number", "plural", "say_amount",
    "say_count", "say_date", "year_is_said",
]

# ---- French numbers -----------------------------------------------------------------

_UNITS = ("zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
          "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit",
          "dix-neuf")
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _unit(n: int, feminine: bool) -> str:
    return "une" if n == 1 and feminine else _UNITS[n]


def _below_100(n: int, feminine: bool, final: bool) -> str:
    if n < 20:
        return _unit(n, feminine)
    tens, unit = divmod(n, 10)
    if tens == 7:  # soixante-dix, soixante et onze, soixante-douze...
        return "soixante et onze" if unit == 1 else f"soixante-{_UNITS[10 + unit]}"
    if tens == 8:  # quatre-vingts, but quatre-vingt-un and quatre-vingt mille
        return f"quatre-vingt-{_unit(unit, feminine)}" if unit else \
            "quatre-vingts" if final else "quatre-vingt"
    if tens == 9:  # quatre-vingt-dix, quatre-vingt-onze (no "et")
        return f"quatre-vingt-{_UNITS[10 + unit]}"
    if unit == 0:
        return _TENS[tens]
    if unit == 1:
        return f"{_TENS[tens]} et {_unit(1, feminine)}"
    return f"{_TENS[tens]}-{_UNITS[unit]}"


def _below_1000(n: int, feminine: bool, final: bool) -> str:
    hundreds, rest = divmod(n, 100)
    words = []
    if hundreds == 1:
        words.append("cent")  # never "un cent"
    elif hundreds:  # "deux cents", but "deux cent un" and "deux cent mille"
        words.append(f"{_UNITS[hundreds]} cent{'s' if rest == 0 and final else ''}")
    if rest:
        words.append(_below_100(rest, feminine, final))
    return " ".join(words)


def french_number(n: int, feminine: bool = False) -> str:
    """A whole number in French words: 80 "quatre-vingts", 201 "deux cent un", 21 000 "vingt et
    un mille"; ``feminine`` for a feminine noun ("vingt et une mensualités").

    "cent" and "vingt" take their plural 's' only at the end of a number or before
    "millions"/"milliards" (nouns), never before "mille" (invariable).
    """
    if n < 0 or n >= 10**12:
        raise ValueError(f"no French words for {n}")
    if n == 0:
        return "zéro"
    billions, rest = divmod(n, 10**9)
    millions, rest = divmod(rest, 10**6)
    thousands, units = divmod(rest, 1000)
    words = []
    for count, noun in ((billions, "milliard"), (millions, "million")):
        if count:
            words.append(f"{_below_1000(count, False, True)} {noun}{'s' if count > 1 else ''}")
    if thousands:
        words.append("mille" if thousands == 1 else f"{_below_1000(thousands, False, False)} mille")
    if units:
        words.append(_below_1000(units, feminine, True))
    return " ".join(words)


# ---- counts ---------------------------------------------------------------------------


def plural(n: int | Decimal, singular: str, plural_form: str, language: str) -> str:
    """The form of a noun for ``n``: French keeps the singular below 2 ("0 euro", "1,5 euro")."""
    if lang_of(language) == "fr":
        return singular if abs(n) < 2 else plural_form
    return singular if n == 1 else plural_form


class Noun(StrEnum):
    """What the bot counts aloud."""

    PAYMENT = "payment"
    MONTHLY_PAYMENT = "monthly payment"
    WEEKLY_PAYMENT = "weekly payment"
    FORTNIGHTLY_PAYMENT = "fortnightly payment"
    INSTALMENT = "instalment"
    MONTHLY_INSTALMENT = "monthly instalment"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"

    @classmethod
    def payments(cls, frequency: Frequency | None) -> Noun:
        """The noun for payments at ``frequency`` ("monthly payment")."""
        return {Frequency.MONTHLY: cls.MONTHLY_PAYMENT, Frequency.WEEKLY: cls.WEEKLY_PAYMENT,
                Frequency.FORTNIGHTLY: cls.FORTNIGHTLY_PAYMENT}.get(frequency, cls.PAYMENT)


@dataclass(frozen=True, slots=True)
class _Forms:
    singular: str
    plural: str
    feminine: bool = False


_NOUNS: dict[str, dict[Noun, _Forms]] = {
    "en": {noun: _Forms(noun.value, f"{noun.value}s") for noun in Noun},
    "fr": {
        Noun.PAYMENT: _Forms("paiement", "paiements"),
        Noun.MONTHLY_PAYMENT: _Forms("paiement mensuel", "paiements mensuels"),
        Noun.WEEKLY_PAYMENT: _Forms("paiement hebdomadaire", "paiements hebdomadaires"),
        Noun.FORTNIGHTLY_PAYMENT: _Forms("paiement bimensuel", "paiements bimensuels"),
        Noun.INSTALMENT: _Forms("versement", "versements"),
        Noun.MONTHLY_INSTALMENT: _Forms("mensualité", "mensualités", feminine=True),
        Noun.DAY: _Forms("jour", "jours"),
        Noun.WEEK: _Forms("semaine", "semaines", feminine=True),
        Noun.MONTH: _Forms("mois", "mois"),
    },
}


def say_count(n: int, noun: Noun | str, language: str) -> str:
    """"6 monthly payments", "one payment"; "trois paiements mensuels", "une mensualité"."""
    lang = lang_of(language)
    forms = _NOUNS[lang][Noun(noun)]
    word = plural(n, forms.singular, forms.plural, lang)
    if lang == "fr":
        return f"{french_number(n, forms.feminine)} {word}"
    return f"{'one' if n == 1 else n} {word}"


# ---- amounts --------------------------------------------------------------------------

_CURRENCIES: dict[tuple[str, str], tuple[_Forms, _Forms]] = {  # major, minor
    ("USD", "en"): (_Forms("dollar", "dollars"), _Forms("cent", "cents")),
    ("USD", "fr"): (_Forms("dollar", "dollars"), _Forms("centime", "centimes")),
    ("EUR", "en"): (_Forms("euro", "euros"), _Forms("cent", "cents")),
    ("EUR", "fr"): (_Forms("euro", "euros"), _Forms("centime", "centimes")),
    ("GBP", "en"): (_Forms("pound", "pounds"), _Forms("penny", "pence")),
    ("GBP", "fr"): (_Forms("livre", "livres", feminine=True), _Forms("penny", "pence")),
    ("CHF", "en"): (_Forms("franc", "francs"), _Forms("centime", "centimes")),
    ("CHF", "fr"): (_Forms("franc", "francs"), _Forms("centime", "centimes")),
}
for _code in ("CAD", "AUD", "NZD"):
    for _lang in ("en", "fr"):
        _CURRENCIES[_code, _lang] = _CURRENCIES["USD", _lang]


def _currency(code: str, lang: str) -> tuple[_Forms, _Forms | None]:
    """Names of a currency and its minor unit; other currencies get their CLDR names."""
    known = _CURRENCIES.get((code, lang))
    if known is not None:
        return known
    from babel.numbers import get_currency_name

    major = _Forms(get_currency_name(code, 1, lang), get_currency_name(code, 2, lang))
    return major, None


def _said_number(n: int, lang: str, feminine: bool) -> str:
    return french_number(n, feminine) if lang == "fr" else str(n)


def _quantity(n: int, forms: _Forms, lang: str) -> str:
    noun = plural(n, forms.singular, forms.plural, lang)
    return f"{_said_number(n, lang, forms.feminine)} {noun}"


def say_amount(amount: Decimal, currency: str, language: str) -> str:
    """An amount as said aloud: "72 dollars and 50 cents", "1 dollar", "12 pounds and 50
    pence"; "deux cent trente-six euros quarante", "un euro cinq", "cinquante centimes"."""
    lang, code = lang_of(language), currency.upper()
    digits = CURRENCY_MINOR_DIGITS.get(code, 2)
    minor_total = int(abs(Decimal(amount)).quantize(Decimal(1).scaleb(-digits)).scaleb(digits))
    major, minor = divmod(minor_total, 10**digits)
    major_forms, minor_forms = _currency(code, lang)
    if minor and major == 0 and minor_forms is not None:
        return _quantity(minor, minor_forms, lang)
    said = _quantity(major, major_forms, lang)
    if lang == "fr" and major >= 10**6 and major % 10**6 == 0:  # "un million d'euros"
        noun = plural(major, major_forms.singular, major_forms.plural, lang)
        de = "d'" if noun[0] in "aeiouéh" else "de "
        said = f"{french_number(major)} {de}{noun}"
    if not minor:
        return said
    if minor_forms is None:  # an unfamiliar currency: "72 couronnes suédoises 50"
        return f"{said} {_said_number(minor, lang, False)}"
    if lang == "en":
        return f"{said} and {_quantity(minor, minor_forms, lang)}"
    if minor == 1:  # "neuf euros un" is heard as nine euros; say the centime
        return f"{said} et {_quantity(1, minor_forms, lang)}"
    return f"{said} {french_number(minor)}"  # "cinquante-neuf euros dix"


# ---- dates ----------------------------------------------------------------------------

_WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
}
_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
}
YEAR_AFTER_DAYS = 183


def year_is_said(day: dt.date, today: dt.date) -> bool:
    """Whether :func:`say_date` says the year of ``day``.

    A month and day alone is heard as the next such date, so the year is said only
    when that hearing could be wrong or doubtful: for a date in the past, or one in
    another year more than six months (183 days) ahead. "January 1st" on November
    2nd needs no year; the end of an 18-month plan does.
    """
    return day < today or (day.year != today.year and (day - today).days > YEAR_AFTER_DAYS)


def _ordinal_en(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def say_date(day: dt.date, language: str, today: dt.date) -> str:
    """A due date as said aloud, relative to ``today``.

    Today and tomorrow by name; a date two to six days ahead by its weekday
    ("Friday", "vendredi"); any other date by month and day ("December 15th",
    "le 15 décembre", "le 1er mars"), with the year only when :func:`year_is_said`.
    Never a weekday and a date together.
    """
    lang = lang_of(language)
    ahead = (day - today).days
    if ahead == 0:
        return "aujourd'hui" if lang == "fr" else "today"
    if ahead == 1:
        return "demain" if lang == "fr" else "tomorrow"
    if 2 <= ahead <= 6:
        return _WEEKDAYS[lang][day.weekday()]
    month, year = _MONTHS[lang][day.month - 1], year_is_said(day, today)
    if lang == "fr":
        text = f"le {'1er' if day.day == 1 else day.day} {month}"
        return f"{text} {day.year}" if year else text
    text = f"{month} {_ordinal_en(day.day)}"
    return f"{text}, {day.year}" if year else text


def _on(day: dt.date, lang: str, today: dt.date) -> str:
    """"today", "on Friday", "on December 15th"; "aujourd'hui", "vendredi", "le 15 décembre"."""
    said = say_date(day, lang, today)
    if lang == "en" and abs((day - today).days) > 1:
        return f"on {said}"
    return said


def _fr_de(said: str) -> str:
    """"de" before a French date: "d'aujourd'hui", "de vendredi", "du 2 décembre"."""
    if said.startswith("le "):
        return f"du {said[3:]}"
    return f"d'{said}" if said[0] in "aeiou" else f"de {said}"


def _fr_a(said: str) -> str:
    """"à" before a French date: "au 2 mars", "à vendredi"."""
    return f"au {said[3:]}" if said.startswith("le ") else f"à {said}"


def _starting(day: dt.date, lang: str, today: dt.date) -> str:
    """"starting December 2nd" / "à partir du 2 décembre"."""
    said = say_date(day, lang, today)
    return f"à partir {_fr_de(said)}" if lang == "fr" else f"starting {said}"


def _between(first: dt.date, last: dt.date, lang: str, today: dt.date) -> str:
    """"from December 2nd to May 2nd" / "du 2 décembre au 2 mai"."""
    a, b = say_date(first, lang, today), say_date(last, lang, today)
    return f"{_fr_de(a)} {_fr_a(b)}" if lang == "fr" else f"from {a} to {b}"


# ---- plans ----------------------------------------------------------------------------


def _join(parts: list[str], lang: str) -> str:
    """"A, then B, and C" / "A, puis B, et C"."""
    then, also = ("puis", "et") if lang == "fr" else ("then", "and")
    if len(parts) == 1:
        return parts[0]
    text = f"{parts[0]}, {then} {parts[1]}"
    return text + "".join(f", {also} {p}" for p in parts[2:])


def _plan(decision: Decision, lang: str, today: dt.date, brief: bool) -> str:
    rows = decision.schedule

    def amount(value: Decimal) -> str:
        return say_amount(value, decision.currency, lang)

    def item(row: Instalment) -> str:
        return f"{amount(row.amount)} {_on(row.due, lang, today)}"

    if len(rows) == 1:
        row = rows[0]
        if decision.kind == "settlement":
            head = "un paiement unique de" if lang == "fr" else "a single payment of"
        else:
            head = "un seul paiement de" if lang == "fr" else "one payment of"
        return f"{head} {item(row)}"
    down = rows[0] if rows[0].role == "down_payment" else None
    instalments = rows[1:] if down else rows
    regular = decision.instalment_amount or instalments[0].amount
    last = instalments[-1] if len(instalments) > 1 and instalments[-1].amount != regular \
        else None
    run = instalments[:-1] if last else instalments
    parts = [item(down)] if down else []
    if len(run) < 2 or any(row.amount != regular for row in run):
        parts += [item(row) for row in run]
        if last:
            parts.append(item(last))
        return _join(parts, lang)
    counted = f"{say_count(len(run), Noun.payments(decision.frequency), lang)} " \
              f"{'de' if lang == 'fr' else 'of'} {amount(regular)}"
    if last is None:
        when = _starting(run[0].due, lang, today) if brief else \
            _between(run[0].due, run[-1].due, lang, today)
        parts.append(f"{counted}, {when}")
    else:
        parts.append(f"{counted}, {_starting(run[0].due, lang, today)}")
        one = "un dernier de" if lang == "fr" else "a last one of"
        parts.append(f"{one} {amount(last.amount)}" if brief else f"{one} {item(last)}")
    return _join(parts, lang)


def describe_plan(decision: Decision, language: str, today: dt.date) -> str:
    """The whole plan, to offer or read back.

    "48 dollars today, then 6 monthly payments of 72 dollars from December 2nd to
    May 2nd"; "trois paiements mensuels de soixante euros à partir d'aujourd'hui,
    puis un dernier de cinquante-six euros quarante le 1er mars".
    """
    return _plan(decision, lang_of(language), today, brief=False)


_ORDINALS = {
    "en": ("First", "Second", "Third", "Fourth", "Fifth", "Sixth"),
    "fr": ("Premièrement", "Deuxièmement", "Troisièmement", "Quatrièmement", "Cinquièmement",
           "Sixièmement"),
}


def _option(decision: Decision, lang: str, today: dt.date) -> str:
    """One option, short: the first date and the amounts, not every due date."""
    fr = lang == "fr"

    def amount(value: Decimal) -> str:
        return say_amount(value, decision.currency, lang)

    if decision.label == "pay_in_full" and len(decision.schedule) == 1:
        row = decision.schedule[0]
        if fr:
            return f"la totalité, {amount(row.amount)}, {_on(row.due, lang, today)}"
        return f"the full {amount(row.amount)} {_on(row.due, lang, today)}"
    if decision.kind == "settlement":
        row = decision.schedule[0]
        if fr:
            return (f"un règlement réduit de {amount(row.amount)} {_on(row.due, lang, today)}, "
                    f"au lieu de {amount(decision.balance)}")
        return (f"a settlement of {amount(row.amount)} {_on(row.due, lang, today)}, "
                f"instead of {amount(decision.balance)}")
    plan = _plan(decision, lang, today, brief=True)
    if decision.requires_human:
        if fr:
            return f"si un conseiller accepte un plan pour difficultés, {plan}"
        return f"if a colleague approves a hardship plan, {plan}"
    return plan


def describe_options(menu: tuple[Decision, ...], language: str, today: dt.date) -> str:
    """The menu as a short numbered list: "First: ... Second: ..." / "Premièrement : ..."."""
    lang = lang_of(language)
    colon = " :" if lang == "fr" else ":"
    ordinals = _ORDINALS[lang]
    said = []
    for i, decision in enumerate(menu):
        ordinal = ordinals[i] if i < len(ordinals) else ("Ou" if lang == "fr" else "Or")
        said.append(f"{ordinal}{colon} {_option(decision, lang, today)}.")
    return " ".join(said)
