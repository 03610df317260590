import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voicebot.dialogue.dates import add_months, figures, parse_date, say_date

TODAY = dt.date(2025, 11, 20)  # a Thursday


def d(month: int, day: int, year: int = 2025) -> dt.date:
    return dt.date(year, month, day)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("on the 5th", "en", d(12, 5)),  # the 5th has passed this month
        ("the fifth", "en", d(12, 5)),
        ("on the fifth", "en", d(12, 5)),
        ("on the 25th", "en", d(11, 25)),
        ("the twentieth", "en", d(11, 20)),  # today is not the past
        ("the 31st", "en", d(12, 31)),  # November has no 31st
        ("on the 1st", "en", d(12, 1)),
        ("on the first", "en", d(12, 1)),
        ("the first of the month", "en", d(12, 1)),
        ("the 5th of next month", "en", d(12, 5)),
        ("starting 5th", "en", d(12, 5)),
        ("December 5th", "en", d(12, 5)),
        ("december fifth", "en", d(12, 5)),
        ("December 5", "en", d(12, 5)),
        ("Dec. 5", "en", d(12, 5)),
        ("5 December", "en", d(12, 5)),
        ("the 5th of December", "en", d(12, 5)),
        ("December the fifth", "en", d(12, 5)),
        ("November 1st", "en", d(11, 1, 2026)),  # passed this year
        ("January 10th, 2026", "en", d(1, 10, 2026)),
        ("January tenth twenty twenty-six", "en", d(1, 10, 2026)),
        ("Friday, December 5th", "en", d(12, 5)),
        ("Friday the 5th", "en", d(12, 5)),
        ("next Friday", "en", d(11, 21)),
        ("on Friday", "en", d(11, 21)),
        ("this Thursday", "en", d(11, 20)),
        ("Thursday", "en", d(11, 27)),
        ("Friday after next", "en", d(11, 28)),
        ("next week on Tuesday", "en", d(11, 25)),
        ("Monday next week", "en", d(11, 24)),
        ("tomorrow", "en", d(11, 21)),
        ("the day after tomorrow", "en", d(11, 22)),
        ("today", "en", d(11, 20)),
        ("in two weeks", "en", d(12, 4)),
        ("in a week", "en", d(11, 27)),
        ("in a fortnight", "en", d(12, 4)),
        ("in 10 days", "en", d(11, 30)),
        ("in a month", "en", d(12, 20)),
        ("three weeks from now", "en", d(12, 11)),
        ("next week", "en", d(11, 27)),
        ("next month", "en", d(12, 20)),
        ("end of the month", "en", d(11, 30)),
        ("end of next month", "en", d(12, 31)),
        ("beginning of next month", "en", d(12, 1)),
        ("I can do 50 a month starting on the 5th", "en", d(12, 5)),
        ("First of the month works", "en", d(12, 1)),
        ("a week from Friday", "en", d(11, 28)),
        ("I'll pay on the second", "en", d(12, 2)),
        ("What if I pay 250 a month for 8 months starting January 15?", "en", d(1, 15, 2026)),
        ("le 5", "fr", d(12, 5)),
        ("le cinq", "fr", d(12, 5)),
        ("le 25", "fr", d(11, 25)),
        ("le 1er", "fr", d(12, 1)),
        ("le premier", "fr", d(12, 1)),
        ("le 5 décembre", "fr", d(12, 5)),
        ("le cinq décembre", "fr", d(12, 5)),
        ("le 1er décembre", "fr", d(12, 1)),
        ("le premier décembre", "fr", d(12, 1)),
        ("5 decembre", "fr", d(12, 5)),
        ("le 10 janvier 2026", "fr", d(1, 10, 2026)),
        ("vendredi 5 décembre", "fr", d(12, 5)),
        ("vendredi 5", "fr", d(12, 5)),
        ("le 5 du mois prochain", "fr", d(12, 5)),
        ("le 15 de chaque mois", "fr", d(12, 15)),
        ("à partir du 5", "fr", d(12, 5)),
        ("vendredi prochain", "fr", d(11, 21)),
        ("vendredi", "fr", d(11, 21)),
        ("ce jeudi", "fr", d(11, 20)),
        ("vendredi en huit", "fr", d(11, 28)),
        ("mardi de la semaine prochaine", "fr", d(11, 25)),
        ("demain", "fr", d(11, 21)),
        ("après-demain", "fr", d(11, 22)),
        ("aujourd'hui", "fr", d(11, 20)),
        ("dans deux semaines", "fr", d(12, 4)),
        ("dans une semaine", "fr", d(11, 27)),
        ("dans quinze jours", "fr", d(12, 5)),
        ("dans un mois", "fr", d(12, 20)),
        ("la semaine prochaine", "fr", d(11, 27)),
        ("le mois prochain", "fr", d(12, 20)),
        ("à la fin du mois", "fr", d(11, 30)),
        ("début du mois prochain", "fr", d(12, 1)),
        # A named month's start or end.
        ("early January", "en", d(1, 1, 2026)),
        ("at the beginning of January", "en", d(1, 1, 2026)),
        ("end of February", "en", d(2, 28, 2026)),
        ("c'est possible de commencer début janvier ?", "fr", d(1, 1, 2026)),
        ("fin février", "fr", d(2, 28, 2026)),
        ("à la fin de décembre", "fr", d(12, 31)),
        # Years said in words.
        ("January tenth, twenty twenty-six", "en", d(1, 10, 2026)),
        ("le dix janvier deux mille vingt-six", "fr", d(1, 10, 2026)),
    ],
)
def test_parse_date(text, language, expected):
    assert parse_date(text, language, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("", "en"),
        ("fifty a month", "en"),
        ("four payments", "en"),
        ("the 5th or the 10th", "en"),  # two dates: ask again
        ("tomorrow or next Monday", "en"),
        ("December 5th, 2024", "en"),  # in the past
        ("the 5th of this month", "en"),  # passed
        ("Saturday, December 5th", "en"),  # December 5th is a Friday
        ("February 30th", "en"),
        ("the 5th payment", "en"),
        ("give me a second", "en"),
        ("le premier paiement", "fr"),
        ("le 4 fois", "fr"),
        ("50 euros", "fr"),
        ("le 5 décembre 2024", "fr"),
        ("le 40", "fr"),
        ("Can I pay it off in 12 months?", "en"),
        # "Right now" is "currently"; an ordinal naming an option is no day.
        ("I'm driving right now", "en"),
        ("money's tight right now", "en"),
        ("The second one.", "en"),
        ("the 2nd option please", "en"),
        ("could you repeat the first date?", "en"),
    ],
)
def test_parse_date_none(text, language):
    assert parse_date(text, language, TODAY) is None


def test_past_day_of_month_rolls_to_the_next_month_that_has_it():
    today = dt.date(2025, 1, 31)
    assert parse_date("on the 30th", "en", today) == dt.date(2025, 3, 30)
    assert parse_date("le 31", "fr", today) == today
    assert parse_date("on the 5th", "en", dt.date(2025, 12, 20)) == dt.date(2026, 1, 5)


def test_figures():
    assert figures("On the fifth, fifty dollars", "en") == "on the 5th, 50 dollars"
    assert figures("le premier décembre, cinquante euros", "fr") == "le 1er décembre, 50 euros"
    assert figures("un paiement", "fr") == "un paiement"


@pytest.mark.parametrize(
    ("day", "language", "said"),
    [
        (d(12, 5), "en", "Friday, December 5th"),
        (d(12, 1), "en", "Monday, December 1st"),
        (d(12, 22), "en", "Monday, December 22nd"),
        (d(12, 13), "en", "Saturday, December 13th"),
        (d(1, 2, 2026), "en", "Friday, January 2nd, 2026"),
        (d(12, 5), "fr", "vendredi 5 décembre"),
        (d(12, 1), "fr", "lundi 1er décembre"),
        (d(1, 2, 2026), "fr", "vendredi 2 janvier 2026"),
        (d(11, 20), "en", "today"),
        (d(11, 21), "en", "tomorrow"),
        (d(11, 20), "fr", "aujourd'hui"),
        (d(11, 21), "fr", "demain"),
    ],
)
def test_say_date(day, language, said):
    assert say_date(day, language, TODAY) == said


def test_say_date_without_today():
    assert say_date(d(1, 2, 2026), "en") == "Friday, January 2nd"


def test_add_months_clamps():
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 12, 15), 2) == dt.date(2026, 2, 15)


@settings(max_examples=150, deadline=None)
@given(
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2060, 12, 31)),
    st.integers(min_value=0, max_value=400),
    st.sampled_from(["en", "fr"]),
)
def test_said_dates_parse_back(today, ahead, language):
    day = today + dt.timedelta(days=ahead)
    assert parse_date(say_date(day, language, today), language, today) == day
