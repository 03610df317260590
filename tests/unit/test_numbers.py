"""Number words as figures (voicebot.dialogue.numbers, through dates.figures)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from num2words import num2words

from voicebot.dialogue.dates import figures


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # Words, hyphenated or not, with "and" / "et".
        ("fifty", "en", "50"),
        ("seventy-two", "en", "72"),
        ("seventy two", "en", "72"),
        ("a hundred and twenty", "en", "120"),
        ("one hundred twenty", "en", "120"),
        ("hundred and twenty five", "en", "125"),
        ("two thousand and five", "en", "2005"),
        ("one thousand, two hundred", "en", "1200"),
        ("twenty five hundred", "en", "2500"),
        ("nineteen hundred dollars", "en", "1900 dollars"),
        ("cent vingt", "fr", "120"),
        ("quatre-vingt-dix", "fr", "90"),
        ("quatre vingt dix", "fr", "90"),
        ("quatre-vingts euros", "fr", "80 euros"),
        ("quatre-vingt-un", "fr", "81"),
        ("soixante-dix", "fr", "70"),
        ("soixante dix sept", "fr", "77"),
        ("soixante et onze", "fr", "71"),
        ("vingt et un", "fr", "21"),
        ("vingt-et-un", "fr", "21"),
        ("dix-sept", "fr", "17"),
        ("deux cents", "fr", "200"),
        ("deux cent", "fr", "200"),
        ("deux cent trente-six euros quarante", "fr", "236 euros 40"),
        ("dix-neuf cents euros", "fr", "1900 euros"),
        ("mille neuf cent quatre-vingt", "fr", "1980"),
        ("deux mille cinq cents", "fr", "2500"),
        ("septante-cinq", "fr", "75"),
        ("nonante", "fr", "90"),
        # Figures and words mixed.
        ("2 hundred a month", "en", "200 a month"),
        ("2 hundred and 50", "en", "250"),
        ("15 hundred", "en", "1500"),
        ("2 thousand", "en", "2000"),
        ("2 cents euros", "fr", "200 euros"),
        ("2 mille", "fr", "2000"),
        # Thousands, colloquially.
        ("a grand a month", "en", "1000 a month"),
        ("two grand", "en", "2000"),
        ("2 grand", "en", "2000"),
        ("half a grand", "en", "500"),
        ("a couple hundred", "en", "200"),
        ("a couple of grand", "en", "2000"),
        ("couple hundred bucks", "en", "200 bucks"),
        ("two and a half thousand", "en", "2500"),
        ("1.5k", "en", "1500"),
        ("$2k", "en", "$2000"),
        ("five k", "en", "5000"),
        ("1,5k", "fr", "1500"),
        ("une centaine d'euros", "fr", "100 d'euros"),
        ("un millier", "fr", "1000"),
        # Decimals said in words.
        ("one point five k", "en", "1500"),
        ("seventy two point five zero", "en", "72.50"),
        ("cinquante-neuf virgule dix euros", "fr", "59,10 euros"),
        # Prices said in two parts; doubtful ones stay two figures.
        ("seventy-two fifty", "en", "72.50"),
        ("twenty five fifty", "en", "25.50"),
        ("a hundred twenty five fifty", "en", "125.50"),
        ("one fifty", "en", "150"),
        ("two fifty a month", "en", "250 a month"),
        ("one-fifty", "en", "150"),
        ("fifteen fifty", "en", "15 50"),
        ("ten fifty", "en", "10 50"),
        ("fifty sixty", "en", "50 60"),
        ("fifty fifty", "en", "50 50"),
        ("douze cinquante", "fr", "12,50"),
        ("deux cinquante", "fr", "2,50"),
        ("soixante-douze cinquante", "fr", "72,50"),
        ("cent dix-huit vingt", "fr", "118,20"),
        ("cinquante soixante", "fr", "50 60"),
        # Years: after a month, a day or "in"; doubtful otherwise.
        ("january tenth twenty twenty-six", "en", "january 10th 2026"),
        ("in twenty twenty five", "en", "in 2025"),
        ("twenty twenty five", "en", "20 25"),
        ("vingt vingt-cinq", "fr", "20 25"),
        ("deux mille vingt-cinq", "fr", "2025"),
        # Both ends of a range.
        ("two or three hundred", "en", "200 or 300"),
        ("two to three thousand", "en", "2000 to 3000"),
        ("two-three hundred", "en", "200-300"),
        ("deux ou trois cents euros", "fr", "200 ou 300 euros"),
        ("deux-trois cents", "fr", "200-300"),
        # Vague quantities stay words.
        ("a few hundred", "en", "a few hundred"),
        ("several thousand", "en", "several thousand"),
        ("hundreds of dollars", "en", "hundreds of dollars"),
        ("quelques centaines d'euros", "fr", "quelques centaines d'euros"),
        ("five hundred k", "en", "500 k"),
        # Ordinals, for dates.
        ("the twenty first", "en", "the 21st"),
        ("the twenty-second", "en", "the 22nd"),
        ("every second week", "en", "every 2nd week"),
        ("le vingt-et-unième", "fr", "le 21ème"),
        ("le cinq", "fr", "le 5"),
        # Words that are not numbers here.
        ("no one will call you", "en", "no one will call you"),
        ("give me a second", "en", "give me a second"),
        ("un paiement", "fr", "un paiement"),
        ("third-party", "en", "third-party"),
        ("a six-month plan", "en", "a six-month plan"),
        ("fifty-ish", "en", "50-ish"),
        ("peut-être cinquante", "fr", "peut-être 50"),
        ("three grand kids", "en", "3 grand kids"),
        ("the grand total", "en", "the grand total"),
        ("cinquante cents", "fr", "50 cents"),
        ("20 pour cent du solde", "fr", "20 pour cent du solde"),
        ("cent pour cent", "fr", "100 pour cent"),
        # Figures are left as written.
        ("1 000 euros", "fr", "1 000 euros"),
        ("59,10 €", "fr", "59,10 €"),
        ("05", "en", "05"),
        ("one two three", "en", "1 2 3"),
        ("nine four one oh seven", "en", "9 4 1 0 7"),
        ("expiration oh nine twenty eight", "en", "expiration 0 9 28"),
        ("oh fifty then", "en", "oh 50 then"),
    ],
)
def test_number_words_become_figures(text, language, expected):
    assert figures(text, language) == expected


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=2, max_value=999_999_999), st.sampled_from(["en", "fr"]))
def test_any_number_in_words_comes_back(n, language):
    assert figures(num2words(n, lang=language), language) == str(n)


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=2, max_value=99), st.sampled_from(["en", "fr"]))
def test_ordinals_come_back(n, language):
    said = num2words(n, lang=language, to="ordinal")
    expected = f"{n}ème" if language == "fr" else num2words(n, lang="en", to="ordinal_num")
    if said.endswith("vingtsième"):  # num2words' own slip: "quatre-vingtième"
        said = said.replace("vingtsième", "vingtième")
    assert figures(f"le {said}", language) == f"le {expected}"


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=2, max_value=9_999), st.integers(min_value=0, max_value=99),
       st.sampled_from(["en", "fr"]))
def test_a_number_said_with_a_multiplier_in_figures(n, tail, language):
    """ "2 hundred", "15 hundred", "2 cents euros", "3 mille": the figure is multiplied."""
    if language == "en" and n < 100:
        assert figures(f"{n} hundred", "en") == str(n * 100)
    if language == "fr" and n < 10:
        assert figures(f"{n} cents euros", "fr") == f"{n * 100} euros"
    if n < 1000:
        word = "mille" if language == "fr" else "thousand"
        assert figures(f"{n} {word}", language) == str(n * 1000)
    if language == "en" and n < 100 and tail:
        assert figures(f"{n} hundred and {tail}", "en") == str(n * 100 + tail)


@settings(max_examples=100, deadline=None)
@given(st.decimals(min_value=Decimal("0.1"), max_value=Decimal("99.9"), places=1))
def test_thousands_with_k(value):
    assert figures(f"{value}k", "en") == str(int(value * 1000))
    assert figures(f"{str(value).replace('.', ',')}k", "fr") == str(int(value * 1000))
