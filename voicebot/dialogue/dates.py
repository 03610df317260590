"""Dates and payment frequencies callers ask for, and dates said back, in English and French.

Callers name payment dates loosely ("on the 5th", "next Friday", "le cinq
décembre", "dans deux semaines"). These rules turn them into a calendar date
relative to a ``today`` that is always passed in, so a call can be replayed. A
date in the past, an impossible one, or two different dates in one answer give
None, and the caller is asked again. The conventions:

* a day of the month alone ("the 5th", "le 5") is this month's if it is today or
  later, otherwise the next month that has that day; a month and day without a
  year is the next such date;
* a weekday alone, "next" or "on" it ("vendredi prochain") is the first one after
  today; "this Friday" / "ce vendredi" may be today; "Friday after next" and
  "vendredi en huit" add a week; a weekday said with a date must match it;
* "next week" / "la semaine prochaine" is a week from today, "next month" the
  same day next month, "end of the month" its last day; "early January" /
  "début janvier" is the 1st, "end of January" / "fin janvier" the last day;
* "right now" means "currently", not a date.

Own rules rather than dateparser: nothing heavy to load, and a stray number is
never taken for a date. :func:`figures` is also the first step of
:mod:`voicebot.dialogue.money`: it turns number words into figures ("the fifth"
-> "the 5th", "cinquante" -> "50") with :mod:`voicebot.dialogue.numbers`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from functools import cache, lru_cache

from voicebot.dialogue.numbers import spoken_figures
from voicebot.dialogue.parsers import normalize
from voicebot.policy.models import Frequency

# Month names and lang_of live with the other shared words; the dialogue imports them
# from here too.
from voicebot.text.words import MONTH_NUMBER, lang_of

WEEKDAYS = {
    "en": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
}


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


MONTH_RE = {lang: _alternation(MONTH_NUMBER[lang]) for lang in MONTH_NUMBER}
WEEKDAY_RE = {lang: _alternation(WEEKDAYS[lang]) for lang in WEEKDAYS}

# Words after a number that make it a count, a duration or money, never a day.
_NOT_A_DAY = (
    r"(?!\s*(?:[%$€:]|\d|(?:payments?|instal+ments?|goes|times|chunks?|parts?|dollars?|bucks?"
    r"|euros?|cents?|centimes?|balles?|days?|weeks?|months?|years?|hours?|fois|paiements?"
    r"|versements?|mensualités?|échéances?|prélèvements?|jours?|semaines?|mois|ans?|années?"
    r"|heures?|h|am|pm|o'clock|percent|pour ?cent|one|ones|options?|plans?|choices?|offers?"
    r"|dates?|time)\b))"
)

_ONE_RULES = {
    "en": [
        (r"\bone\b(?=\s+(?:dollars?|bucks?|euros?|cents?|pounds?|pence|penny|francs?|payments?"
         r"|instal+ments?|go|goes|weeks?|months?|days?|years?|fortnights?|shot|hit|lump)\b)", "1"),
        (rf"\b(the|on|{MONTH_RE['en']})\s+first\b(?!\s+(?:payment|instal|time|one|week|month"
         r"|year|day|thing|step|of all))", r"\1 1st"),
        (rf"\bfirst(?=\s+of\s+(?:the month|this month|next month|each|every|{MONTH_RE['en']})\b)",
         "1st"),
    ],
    "fr": [
        (r"\b(?:un|une)\b(?=\s+(?:seule?\s+)?(?:euros?|centimes?|dollars?|cents?|balles?|livres?"
         r"|francs?|penny)\b)", "1"),
        (r"\ben (?:un|une)\b(?=\s+(?:seule?\s+)?(?:fois|coup|paiements?|versements?|mensualités?"
         r"|échéances?|traites?|prélèvements?|virements?|règlements?)\b)", "en 1"),
        (r"\b(?:un|une)\b(?=\s+seule?\b)", "1"),
        (r"\b(?:un|une)\b(?=\s+(?:jours?|semaines?|mois|ans?|années?|quinzaines?)\b)", "1"),
        (rf"\b(le|au|du)\s+premier\b(?=\s*(?:$|[,.;!?]|{MONTH_RE['fr']}|du mois|de ce|de chaque"
         r"|de tous|et|ou|à|prochain|si|plutôt))", r"\1 1er"),
        (rf"\bpremier(?=\s+(?:{MONTH_RE['fr']})\b)", "1er"),
    ],
}
_ONE_RULES_RE = {
    lang: [(re.compile(p), r) for p, r in rules] for lang, rules in _ONE_RULES.items()
}


_MONTH_WORDS = {lang: frozenset(MONTH_NUMBER[lang]) for lang in MONTH_NUMBER}


@lru_cache(maxsize=1024)
def figures(text: str, language: str) -> str:
    """Normalized text with number words as figures ("le cinq" -> "le 5")."""
    lang = lang_of(language)
    out = spoken_figures(normalize(text).replace("–", "-"), lang, _MONTH_WORDS[lang])
    for pattern, repl in _ONE_RULES_RE[lang]:
        out = pattern.sub(repl, out)
    return out


# ---- dates --------------------------------------------------------------------

def add_months(d: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's length."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _day_of_month(day: int, today: dt.date, months_ahead: int | None = None) -> dt.date | None:
    """The next date (today included) with this day of the month; skips short months."""
    if not 1 <= day <= 31:
        return None
    first = today.replace(day=1)
    span = [months_ahead] if months_ahead is not None else range(13)
    for ahead in span:
        month = add_months(first, ahead)
        if day <= calendar.monthrange(month.year, month.month)[1]:
            candidate = month.replace(day=day)
            if candidate >= today:
                return candidate
    return None


def _month_day(month: int, day: int, year: int | None, today: dt.date) -> dt.date | None:
    years = [year] if year is not None else range(today.year, today.year + 9)
    for y in years:
        try:
            candidate = dt.date(y, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _weekday(wd: int, today: dt.date, include_today: bool) -> dt.date:
    ahead = (wd - today.weekday()) % 7
    if ahead == 0 and not include_today:
        ahead = 7
    return today + dt.timedelta(days=ahead)


def _shift(today: dt.date, n: int, unit: str) -> dt.date:
    unit = unit.rstrip("s")
    if unit in ("day", "jour"):
        return today + dt.timedelta(days=n)
    if unit in ("week", "semaine"):
        return today + dt.timedelta(weeks=n)
    if unit in ("fortnight", "quinzaine"):
        return today + dt.timedelta(weeks=2 * n)
    if unit in ("year", "an", "année"):
        return add_months(today, 12 * n)
    return add_months(today, n)


def _year(raw: str | None) -> int | None:
    return int(raw.replace(" ", "")) if raw else None


Resolver = Callable[[re.Match, dt.date, str], dt.date | None]


def _wd(match: re.Match, lang: str, group: str = "w") -> int | None:
    name = match.groupdict().get(group)
    return WEEKDAYS[lang].index(name) if name else None


def _check_weekday(match: re.Match, lang: str, d: dt.date | None) -> dt.date | None:
    wd = _wd(match, lang)
    return None if d is None or (wd is not None and d.weekday() != wd) else d


def _explicit(m: re.Match, today: dt.date, lang: str) -> dt.date | None:
    d = _month_day(MONTH_NUMBER[lang][m["m"]], int(m["d"]), _year(m["y"]), today)
    return _check_weekday(m, lang, d)


def _dom(m: re.Match, today: dt.date, lang: str) -> dt.date | None:
    rel = m.groupdict().get("rel")
    ahead = {"this": 0, "ce": 0, "next": 1, "prochain": 1}.get(rel or "")
    return _check_weekday(m, lang, _day_of_month(int(m["d"]), today, ahead))


def _relative(m: re.Match, today: dt.date, lang: str) -> dt.date | None:
    n = m["n"]
    return _shift(today, 1 if n in ("a", "an", "1") else int(n), m["u"])


def _named_weekday(m: re.Match, today: dt.date, lang: str) -> dt.date:
    q, groups = m.groupdict().get("q") or "", m.groupdict()
    wd = _wd(m, lang) if m["w"] else _wd(m, lang, "w2")
    assert wd is not None
    d = _weekday(wd, today, include_today=q in ("this", "ce"))
    if groups.get("later") is not None or groups.get("later2") is not None:
        d += dt.timedelta(days=7)
    return d


def _next_week_day(m: re.Match, today: dt.date, lang: str) -> dt.date:
    wd = _wd(m, lang) if m["w"] else _wd(m, lang, "w2")
    assert wd is not None
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
    return monday + dt.timedelta(days=wd)


def _month_start(m: re.Match, today: dt.date, lang: str) -> dt.date | None:
    """ "early January", "début janvier": the 1st of the next such month."""
    return _month_day(MONTH_NUMBER[lang][m["m"]], 1, None, today)


def _month_end_of(m: re.Match, today: dt.date, lang: str) -> dt.date:
    """ "end of January", "fin janvier": the last day of the next such month."""
    month = MONTH_NUMBER[lang][m["m"]]
    end = _month_end(dt.date(today.year, month, 1))
    return end if end >= today else _month_end(dt.date(today.year + 1, month, 1))


def _fixed(f: Callable[[dt.date], dt.date]) -> Resolver:
    return lambda m, today, lang: f(today)


def _rules(lang: str) -> list[tuple[str, Resolver]]:
    mo, wds = MONTH_RE[lang], WEEKDAY_RE[lang]
    year = (r"(?:\s*,?\s*(?P<y>(?:19|20)\d{2}|(?:19|20) \d{2})(?!\d)"
            r"(?!\s*(?:dollars?|euros?|bucks|[$€])))?")
    day = r"(?P<d>[12]\d|3[01]|0?[1-9])"
    unit_en = r"(?P<u>days?|weeks?|fortnights?|months?|years?)"
    unit_fr = r"(?P<u>jours?|semaines?|quinzaines?|mois|ans?|années?)"
    if lang == "en":
        w = rf"\b(?:(?P<w>{wds})\s*,?\s*)?"
        d = rf"(?<!\d){day}(?:st|nd|rd|th)?(?!\d)"
        return [
            (rf"{w}(?:the\s+)?{d}(?:\s+of)?\s+(?P<m>{mo})\b\.?{year}", _explicit),
            (rf"{w}\b(?P<m>{mo})\.?\s+(?:the\s+)?{d}\b{year}{_NOT_A_DAY}", _explicit),
            (rf"{w}(?:on\s+)?(?:the\s+)?{d}\s+of\s+(?P<rel>this|next)\s+month\b", _dom),
            (rf"{w}(?:on\s+)?(?:the\s+)?{d}\s+of\s+(?:the|each|every)\s+month\b", _dom),
            (rf"{w}(?:on\s+)?the\s+{d}\b{_NOT_A_DAY}", _dom),
            (rf"\b(?P<w>{wds})\s+{day}(?:st|nd|rd|th)\b", _dom),
            (rf"\b(?:on|from|by|starting|before|until)\s+{day}(?:st|nd|rd|th)\b", _dom),
            (r"\b(?:the\s+)?day after tomorrow\b", _fixed(lambda t: t + dt.timedelta(days=2))),
            (r"\btomorrow\b", _fixed(lambda t: t + dt.timedelta(days=1))),
            (r"\b(?:today|tonight)\b", _fixed(lambda t: t)),  # "right now" is "currently"
            (rf"(?<!off )(?<!back )\bin\s+(?P<n>\d+|an?)\s+{unit_en}(?:'s|')?(?:\s+time)?\b",
             _relative),
            (rf"\b(?P<n>\d+|an?)\s+{unit_en}\s+from\s+(?:now|today)\b", _relative),
            (rf"\bnext\s+week\s+(?:on\s+)?(?P<w>{wds})\b|\b(?P<w2>{wds})\s+next\s+week\b",
             _next_week_day),
            (r"\bnext\s+week\b", _fixed(lambda t: t + dt.timedelta(days=7))),
            (r"\bend of next month\b", _fixed(lambda t: _month_end(add_months(t, 1)))),
            (r"\b(?:beginning|start) of next month\b|\bearly next month\b",
             _fixed(lambda t: add_months(t.replace(day=1), 1))),
            (r"\bnext\s+month\b", _fixed(lambda t: add_months(t, 1))),
            (rf"\b(?:(?:the\s+)?(?:beginning|start) of|early)\s+(?P<m>{mo})\b", _month_start),
            (rf"\b(?:(?:the\s+)?end of|late)\s+(?P<m>{mo})\b", _month_end_of),
            (r"\b(?:end of (?:the |this )?month|month end)\b", _fixed(_month_end)),
            (rf"\b(?P<w>{wds})\s+after\s+next\b(?P<later>)|\ba\s+week\s+(?:from|on)\s+"
             rf"(?P<w2>{wds})\b(?P<later2>)", _named_weekday),
            (rf"\b(?:(?P<q>next|this|coming|on|every|each)\s+)?(?P<w>{wds})s?\b", _named_weekday),
        ]
    w = rf"\b(?:(?P<w>{wds})\s+)?"
    d = rf"(?<!\d){day}(?:er|re)?(?!\d)"
    return [
        (rf"{w}(?:le\s+)?{d}\s+(?P<m>{mo})\b\.?{year}", _explicit),
        (rf"{w}(?:le|du)\s+{d}\s+(?:du|de)\s+(?:ce\s+)?mois\s+(?P<rel>prochain)\b", _dom),
        (rf"{w}(?:le|du)\s+{d}\s+de\s+(?P<rel>ce)\s+mois(?:-ci)?\b", _dom),
        (rf"{w}(?:le|du)\s+{d}\s+(?:du|de chaque|de tous les)\s+mois\b", _dom),
        (rf"{w}(?:le|du)\s+{d}\b{_NOT_A_DAY}", _dom),
        (rf"(?P<w>{wds})\s+{d}\b{_NOT_A_DAY}", _dom),
        (r"\baprès[- ]demain\b", _fixed(lambda t: t + dt.timedelta(days=2))),
        (r"\bdemain\b", _fixed(lambda t: t + dt.timedelta(days=1))),
        (r"\b(?:aujourd'hui|ce soir|dès maintenant)\b", _fixed(lambda t: t)),
        (rf"\b(?:dans|d'ici)\s+(?P<n>\d+)\s+{unit_fr}\b", _relative),
        (rf"\b(?P<w>{wds})\s+(?:de\s+)?la\s+semaine\s+prochaine\b", _next_week_day),
        (r"\bla\s+semaine\s+prochaine\b", _fixed(lambda t: t + dt.timedelta(days=7))),
        (r"\bfin\s+(?:du|de)\s+mois\s+prochain\b",
         _fixed(lambda t: _month_end(add_months(t, 1)))),
        (r"\bdébut\s+(?:du|de)\s+mois\s+prochain\b",
         _fixed(lambda t: add_months(t.replace(day=1), 1))),
        (r"\ble\s+mois\s+prochain\b", _fixed(lambda t: add_months(t, 1))),
        (rf"\b(?:au\s+)?début\s+(?:de\s+|d')?(?P<m>{mo})\b", _month_start),
        (rf"\b(?:à\s+la\s+)?fin\s+(?:de\s+|d')?(?P<m>{mo})\b", _month_end_of),
        (r"\bfin\s+(?:du|de ce|de)\s+mois\b", _fixed(_month_end)),
        (rf"\b(?P<w>{wds})\s+en\s+(?:huit|8)\b(?P<later>)", _named_weekday),
        (rf"\b(?:(?P<q>ce|chaque|tous les)\s+)?(?P<w>{wds})s?(?:\s+(?:prochain|qui vient))?\b",
         _named_weekday),
    ]


@cache
def _compiled(lang: str) -> list[tuple[re.Pattern, Resolver]]:
    return [(re.compile(p), r) for p, r in _rules(lang)]


def scan_dates(converted: str, language: str, today: dt.date | None = None
               ) -> list[tuple[int, int, dt.date | None]]:
    """Every date expression in text already passed through :func:`figures`.

    Each is (start, end, date); date is None when it does not resolve (a past or
    impossible date) or when no ``today`` is given.
    """
    lang = lang_of(language)
    text = converted
    found: list[tuple[int, int, dt.date | None]] = []
    for pattern, resolve in _compiled(lang):
        for m in pattern.finditer(text):
            value = resolve(m, today, lang) if today is not None else None
            found.append((m.start(), m.end(), value))
        text = pattern.sub(lambda m: " " * (m.end() - m.start()), text)
    return sorted(found, key=lambda f: f[0])


def parse_date(text: str, language: str, today: dt.date) -> dt.date | None:
    """The one date the caller asks for, today or later; None if none, past or unclear."""
    found = scan_dates(figures(text, language), language, today)
    if not found or any(value is None for _, _, value in found):
        return None
    dates = {value for _, _, value in found}
    return dates.pop() if len(dates) == 1 else None


# ---- frequencies ----------------------------------------------------------------

_FREQ_RULES: dict[str, list[tuple[str, Frequency | None]]] = {
    "en": [
        (r"\b(?:twice|\d+ times|several times|a few times)\s+(?:a|per|every|each)\s+"
         r"(?:month|week)\b|\bevery\s+(?:(?:[3-9]|\d\d+)\s+(?:weeks|months)|(?:2|other|2nd)\s+"
         r"months?|(?!7\b|14\b|30\b|31\b)\d+\s+days)\b|\b(?:bi-?monthly|semi-?monthly|quarterly)\b",
         None),
        (r"\bevery\s+(?:2|other|2nd)\s+weeks?\b|\bevery\s+14\s+days\b|\b(?:fortnightly"
         r"|bi-?weekly)\b|\b(?:a|per|every|each)\s+fortnight\b"
         rf"|\bevery\s+(?:other|2nd|second)\s+(?:{WEEKDAY_RE['en']})\b", Frequency.FORTNIGHTLY),
        (r"\b(?:per|every|each)\s+(?:week|wk)\b|/\s*(?:week|wk)\b|\bevery\s+7\s+days\b|\bweekly\b"
         rf"|\b(?:every|each)\s+(?:{WEEKDAY_RE['en']})\b|\bon\s+(?:{WEEKDAY_RE['en']})s\b"
         r"|{a}\s+{swear}(?:week|wk)\b{after}|{num_a}\s+(?:week|wk)\b", Frequency.WEEKLY),
        (r"\b(?:per|every|each)\s+(?:month|mo)\b|/\s*(?:month|mo)\b|\bevery\s+3[01]\s+days\b"
         r"|\bmonthly\b|\bof\s+(?:each|every)\s+month\b|{a}\s+{swear}(?:month|mo)\b{after}"
         r"|{num_a}\s+(?:month|mo)\b",
         Frequency.MONTHLY),
    ],
    "fr": [
        (r"\b(?:\d+|plusieurs|quelques)\s+fois\s+par\s+(?:mois|semaine)\b|\btou(?:te)?s\s+les\s+"
         r"(?:(?!2\b|7\b|1[45]\b|30\b)\d+\s+(?:jours|semaines)|(?:[2-9]|\d\d+)\s+mois)\b"
         r"|\b(?:trimestriel\w*|bimestriel\w*)", None),
        (r"\btou(?:te)?s\s+les\s+(?:2\s+semaines|1[45]\s+jours|quinzaines?)\b|\b(?:1|une)\s+"
         r"semaine\s+sur\s+2\b|\b(?:par|chaque|à la)\s+quinzaine\b|\bbimensuel\w*"
         rf"|\b(?:un|1)\s+(?:{WEEKDAY_RE['fr']})\s+sur\s+2\b",
         Frequency.FORTNIGHTLY),
        (r"\b(?:par|chaque)\s+semaine\b|/\s*semaine\b|\btou(?:te)?s\s+les\s+semaines\b"
         r"|\btous\s+les\s+7\s+jours\b|\bhebdo\w*|(?:\d|€|\beuros?|\bballes?|\bdollars?)\s+"
         r"(?P<f>la\s+semaine)\b(?!\s+(?:prochaine|dernière|suivante|d'après|du|de|qui))"
         rf"|\b(?:chaque|tous les)\s+(?:{WEEKDAY_RE['fr']})s?\b", Frequency.WEEKLY),
        (r"\b(?:par|chaque)\s+mois\b|/\s*mois\b|\btous\s+les\s+(?:mois|30\s+jours)\b|\bmensu\w*"
         r"|(?:\d|€|\beuros?|\bballes?|\bdollars?)\s+(?P<f>le\s+mois)\b"
         r"(?!\s+(?:prochain|dernier|suivant|d'après|du|de))", Frequency.MONTHLY),
    ],
}
_A = "".join(rf"(?<!\b{w} )" for w in (
    "in", "within", "for", "over", "than", "after", "about", "around", "of", "half", "just",
    "only", "next", "a", "the", "this", "that", "per", "every", "each"))
_A_AFTER = r"(?!\s+(?:from|ago|later|or so|after|before|and a half|early|late)\b|')"
# "100 a month after that": after an amount, "a month" is always a rhythm.
_NUM_A = "(?:" + "|".join(rf"(?<={w} )" for w in (
    r"\d", "dollars", "dollar", "bucks", "euros", "euro", "quid", "pounds")) + ")a"
_SWEAR = r"(?:(?:fucking|bloody|damn|freaking|goddamn)\s+)?"
# "weekly instead of monthly", "pas tous les mois": the rhythm they turn down.
_REFUSED = re.compile(r"\b(?:instead of|rather than|plutôt que|au lieu de|not|pas)\s+$")


@cache
def _freq_rules(lang: str) -> list[tuple[re.Pattern, Frequency | None]]:
    return [(re.compile(p.replace("{a}", rf"{_A}\ba").replace("{after}", _A_AFTER)
                        .replace("{num_a}", _NUM_A).replace("{swear}", _SWEAR)), f)
            for p, f in _FREQ_RULES[lang]]


def scan_frequencies(converted: str, language: str) -> list[tuple[int, int, Frequency | None]]:
    """Every frequency in text passed through :func:`figures`, as (start, end, frequency).

    The frequency is None for rhythms the engine has no name for ("twice a month").
    """
    found, blank = [], converted
    for pattern, freq in _freq_rules(lang_of(language)):
        for m in pattern.finditer(blank):
            start, end = m.span("f") if m.groupdict().get("f") else m.span()
            if not _REFUSED.search(converted, 0, start):
                found.append((start, end, freq))
        blank = pattern.sub(lambda m: " " * (m.end() - m.start()), blank)
    return sorted(found, key=lambda f: f[0])


def one_frequency(found: list[tuple[int, int, Frequency | None]]) -> Frequency | None:
    """The frequency when all those found agree, else None."""
    kinds = {f for _, _, f in found}
    return kinds.pop() if len(kinds) == 1 else None


def parse_frequency(text: str, language: str) -> Frequency | None:
    """Weekly, fortnightly or monthly, as the caller said it; None if none or unclear."""
    return one_frequency(scan_frequencies(figures(text, language), language))


# ---- saying dates -------------------------------------------------------------

@cache
def _names(lang: str) -> tuple[dict[int, str], dict[int, str]]:
    from babel.dates import get_day_names, get_month_names

    return (dict(get_day_names("wide", locale=lang)), dict(get_month_names("wide", locale=lang)))


def ordinal_en(n: int) -> str:
    """1 -> "1st", 22 -> "22nd", 13 -> "13th" (read as ordinals by Piper's espeak-ng)."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def say_date(d: dt.date, language: str, today: dt.date | None = None) -> str:
    """The date as TTS should say it: "Friday, December 5th" / "vendredi 5 décembre"."""
    lang = lang_of(language)
    if today is not None and d == today:
        return "aujourd'hui" if lang == "fr" else "today"
    if today is not None and d == today + dt.timedelta(days=1):
        return "demain" if lang == "fr" else "tomorrow"
    days, months = _names(lang)
    with_year = today is not None and d.year != today.year
    if lang == "fr":
        day = "1er" if d.day == 1 else str(d.day)
        text = f"{days[d.weekday()]} {day} {months[d.month]}"
        return f"{text} {d.year}" if with_year else text
    text = f"{days[d.weekday()]}, {months[d.month]} {ordinal_en(d.day)}"
    return f"{text}, {d.year}" if with_year else text
