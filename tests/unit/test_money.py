import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from num2words import num2words

from voicebot.dialogue.money import (
    PlanRequest,
    numbers_in,
    parse_amount,
    parse_count,
    parse_frequency,
    parse_lump_sum,
    parse_plan_request,
    say_amount,
    say_count,
)
from voicebot.policy import Ask, Frequency

W, F, M = Frequency.WEEKLY, Frequency.FORTNIGHTLY, Frequency.MONTHLY
TODAY = dt.date(2025, 11, 20)  # a Thursday


@pytest.mark.parametrize(
    ("text", "language", "amount"),
    [
        # The same fifty, as whisper may write it.
        ("fifty", "en", "50"),
        ("50", "en", "50"),
        ("$50", "en", "50"),
        ("50$", "en", "50"),
        ("$ 50", "en", "50"),
        ("50.00", "en", "50"),
        ("$50.00.", "en", "50"),
        ("fifty dollars", "en", "50"),
        ("Fifty bucks.", "en", "50"),
        ("cinquante", "fr", "50"),
        ("50 €", "fr", "50"),
        ("50€", "fr", "50"),
        ("€50", "fr", "50"),
        ("cinquante euros", "fr", "50"),
        ("50 balles", "fr", "50"),
        # Cents and centimes.
        ("59,10 €", "fr", "59.10"),
        ("59.10 €", "fr", "59.10"),
        ("59 euros 10", "fr", "59.10"),
        ("cinquante-neuf euros dix", "fr", "59.10"),
        ("59 € 10", "fr", "59.10"),
        ("deux cent trente-six euros quarante", "fr", "236.40"),
        ("cinquante-neuf virgule dix euros", "fr", "59.10"),
        ("seventy two fifty", "en", "72.50"),  # a price, said as one
        ("one fifty", "en", "150"),  # 1.50 is no amount to offer
        ("72 dollars and 50 cents", "en", "72.50"),
        ("seventy-two dollars and fifty cents", "en", "72.50"),
        ("seventy two dollars fifty", "en", "72.50"),
        ("$72.50", "en", "72.50"),
        ("fifty cents", "en", "0.50"),
        ("cinquante centimes", "fr", "0.50"),
        ("un euro cinquante", "fr", "1.50"),
        ("one dollar and five cents", "en", "1.05"),
        ("un euro", "fr", "1"),
        ("one dollar", "en", "1"),
        # Thousands.
        ("1,900", "en", "1900"),
        ("1 900", "en", "1900"),
        ("1 900", "fr", "1900"),
        ("1 900 €", "fr", "1900"),
        ("1.900 euros", "fr", "1900"),
        ("2.400,50", "fr", "2400.50"),
        ("1,900.50", "en", "1900.50"),
        ("two thousand four hundred", "en", "2400"),
        ("deux mille quatre cents euros", "fr", "2400"),
        ("mille neuf cents", "fr", "1900"),
        ("nineteen hundred dollars", "en", "1900"),
        ("a hundred and twenty", "en", "120"),
        # In a sentence, next to other numbers.
        ("I can do fifty a month", "en", "50"),
        ("I can pay 80 bucks", "en", "80"),
        ("maybe $50 every two weeks", "en", "50"),
        ("I can pay 1,900 in one go", "en", "1900"),
        ("a lump sum of two thousand", "en", "2000"),
        ("four payments of fifty", "en", "50"),
        ("4 payments of $50", "en", "50"),
        ("I can do 50 a month starting on the 5th", "en", "50"),
        ("I can pay 50 on the 5th", "en", "50"),
        ("50 a month over 6 months", "en", "50"),
        ("I owe 2000 but I can pay 50 a month", "en", "50"),
        ("I have 2 kids, I can only pay 80", "en", "80"),
        ("My account number is 100200 and I can pay 50 dollars", "en", "50"),
        ("I can't pay 100, only 60", "en", "60"),
        ("I can settle for 1500", "en", "1500"),
        ("I could manage about forty-five dollars a week", "en", "45"),
        ("Je peux payer cinquante euros par mois", "fr", "50"),
        ("je peux payer 50 le 5", "fr", "50"),
        ("quatre mensualités de 120 euros", "fr", "120"),
        ("cinquante euros tous les quinze jours", "fr", "50"),
        ("je vous dois deux mille euros, je peux mettre cent par mois", "fr", "100"),
        ("pas 100 mais 60", "fr", "60"),
        ("je peux payer 80 euros le 1er décembre", "fr", "80"),
        ("1 500 € en une seule fois", "fr", "1500"),
        ("fifty fifty", "en", "50"),
        ("I'm on a fixed income, I get 900 a month, I can pay 30", "en", "30"),
        ("fifty a month, so about six hundred a year", "en", "50"),
        ("I can't do 200, but I could do 150.", "en", "150"),
        ("Je ne peux pas payer plus de 50 euros par mois.", "fr", "50"),
        ("J'ai 3 enfants, je peux payer 40 euros", "fr", "40"),
        ("Je touche 1 200 euros par mois, je peux payer 60", "fr", "60"),
    ],
)
def test_parse_amount(text, language, amount):
    assert parse_amount(text, language) == Decimal(amount)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("", "en"),
        ("hello", "en"),
        ("in four goes", "en"),
        ("six payments", "en"),
        ("on the 5th", "en"),
        ("in two weeks", "en"),
        ("over 6 months", "en"),
        ("10 percent", "en"),
        ("at 3 o'clock", "en"),
        ("fifty or sixty dollars", "en"),  # unclear: the bot asks again
        ("between 50 and 100 a month", "en"),
        ("50, maybe 60", "en"),
        ("I can pay 100 now and 50 later", "en"),
        ("50 dollars now and 100 dollars next month", "en"),
        ("en quatre fois", "fr"),
        ("le 5 décembre", "fr"),
        ("dans deux semaines", "fr"),
        ("cinquante ou soixante euros", "fr"),
        ("je dois deux mille euros", "fr"),
        ("10 %", "fr"),
        ("je préfère payer le 5 ou le 6", "fr"),
    ],
)
def test_parse_amount_none(text, language):
    assert parse_amount(text, language) is None


@pytest.mark.parametrize(
    ("text", "language", "count"),
    [
        ("in four goes", "en", 4),
        ("4 payments", "en", 4),
        ("six instalments", "en", 6),
        ("six installments", "en", 6),
        ("twelve monthly payments", "en", 12),
        ("over 6 months", "en", 6),
        ("spread over the next ten months", "en", 10),
        ("over a year", "en", 12),
        ("can I pay it in 3?", "en", 3),
        ("split it into three", "en", 3),
        ("four payments of fifty", "en", 4),
        ("in one go", "en", 1),
        ("one payment", "en", 1),
        ("a single payment", "en", 1),
        ("I can't pay in one go, I need four payments", "en", 4),
        ("en quatre fois", "fr", 4),
        ("en 4 mensualités", "fr", 4),
        ("sur six mois", "fr", 6),
        ("en trois versements", "fr", 3),
        ("trois prélèvements de 100 euros", "fr", 3),
        ("je voudrais payer en 2", "fr", 2),
        ("en une seule fois", "fr", 1),
        ("en une fois", "fr", 1),
        ("pas en une fois, en dix fois", "fr", 10),
        ("Can I pay it off in 12 months?", "en", 12),
        ("twenty dollars a week for twelve weeks", "en", 12),
        ("50 euros par mois pendant 10 mois", "fr", 10),
    ],
)
def test_parse_count(text, language, count):
    assert parse_count(text, language) == count


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("fifty a month", "en"),
        ("$50 every two weeks", "en"),
        ("twice a month", "en"),
        ("I can't do 4 payments", "en"),
        ("in 6 months", "en"),  # a date, not a number of instalments
        ("four payments or five payments", "en"),
        ("cinquante euros par mois", "fr"),
        ("une fois par mois", "fr"),
        ("deux fois par mois", "fr"),
        ("un paiement de 50 euros", "fr"),  # "un" is an article here
        ("je ne peux pas payer en quatre fois", "fr"),
        ("ça fait trois fois que je vous demande", "fr"),
        ("I've asked you three times to stop ringing me", "en"),
        ("stop ringing me five times a day", "en"),
        ("I can pay 100 in 2026", "en"),
    ],
)
def test_parse_count_none(text, language):
    assert parse_count(text, language) is None


@pytest.mark.parametrize(
    ("text", "language", "frequency"),
    [
        ("fifty a week", "en", W),
        ("every week", "en", W),
        ("per week", "en", W),
        ("weekly", "en", W),
        ("once a week", "en", W),
        ("$20/week", "en", W),
        ("every Friday", "en", W),
        ("every two weeks", "en", F),
        ("every 2 weeks", "en", F),
        ("every other week", "en", F),
        ("every second week", "en", F),
        ("biweekly", "en", F),
        ("bi-weekly", "en", F),
        ("fortnightly", "en", F),
        ("80 a fortnight", "en", F),
        ("fifty a month", "en", M),
        ("per month", "en", M),
        ("monthly", "en", M),
        ("each month", "en", M),
        ("once a month", "en", M),
        ("on the 5th of every month", "en", M),
        ("par semaine", "fr", W),
        ("chaque semaine", "fr", W),
        ("toutes les semaines", "fr", W),
        ("30 euros la semaine", "fr", W),
        ("hebdomadaire", "fr", W),
        ("tous les vendredis", "fr", W),
        ("toutes les deux semaines", "fr", F),
        ("tous les quinze jours", "fr", F),
        ("une semaine sur deux", "fr", F),
        ("par mois", "fr", M),
        ("cinquante euros par mois", "fr", M),
        ("mensuel", "fr", M),
        ("en quatre mensualités", "fr", M),
        ("tous les mois", "fr", M),
        ("une fois par mois", "fr", M),
        ("100 euros le mois", "fr", M),
        ("fifty every other friday", "en", F),
        ("every second Friday", "en", F),
        ("trente euros un vendredi sur deux", "fr", F),
        ("I can pay 200 now and then 100 a month after that", "en", M),
        ("30 dollars a month from then", "en", M),
        ("Fifty a fucking month, take it or leave it", "en", M),
        ("Can I pay weekly instead of monthly?", "en", W),
        ("yes but every two weeks not monthly", "en", F),
        ("toutes les semaines plutôt que tous les mois", "fr", W),
        ("toutes les deux semaines pas tous les mois", "fr", F),
    ],
)
def test_parse_frequency(text, language, frequency):
    assert parse_frequency(text, language) == frequency


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("in a week", "en"),
        ("in a month", "en"),
        ("next week", "en"),
        ("twice a month", "en"),
        ("every three weeks", "en"),
        ("quarterly", "en"),
        ("weekly or monthly", "en"),
        ("fifty", "en"),
        ("la semaine prochaine", "fr"),
        ("le mois prochain", "fr"),
        ("dans un mois", "fr"),
        ("deux fois par mois", "fr"),
    ],
)
def test_parse_frequency_none(text, language):
    assert parse_frequency(text, language) is None


@pytest.mark.parametrize(
    ("text", "language", "lump"),
    [
        ("I can pay 1,900 in one go", "en", True),
        ("a lump sum of two thousand", "en", True),
        ("I want to pay it all off", "en", True),
        ("Can I settle the balance?", "en", True),
        ("Can I settle?", "en", False),  # a reduced settlement, not the whole balance
        ("I'd like to pay in full", "en", True),
        ("all at once", "en", True),
        ("I can't pay it all at once", "en", False),
        ("there's no way I can settle", "en", False),
        ("pay off the balance in 6 payments", "en", False),
        ("fifty a month", "en", False),
        ("en une seule fois", "fr", True),
        ("je veux solder", "fr", True),
        ("régler la totalité", "fr", True),
        ("je peux tout payer d'un coup", "fr", True),
        ("je ne peux pas payer en une seule fois", "fr", False),
        ("en quatre fois", "fr", False),
        ("mon solde est de 2000 euros", "fr", False),
    ],
)
def test_parse_lump_sum(text, language, lump):
    assert parse_lump_sum(text, language) is lump


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("I can do 50 a month starting on the 5th", "en",
         PlanRequest(Decimal(50), None, M, dt.date(2025, 12, 5))),
        ("maybe $50 every two weeks from next Friday", "en",
         PlanRequest(Decimal(50), None, F, dt.date(2025, 11, 21))),
        ("four payments of fifty", "en", PlanRequest(Decimal(50), 4)),
        ("I can pay 1,900 in one go", "en", PlanRequest(lump_sum=True, upfront=Decimal(1900))),
        ("over 6 months, every two weeks", "en", PlanRequest(frequency=F)),
        ("Je peux payer cinquante euros par mois à partir du 5 décembre", "fr",
         PlanRequest(Decimal(50), None, M, dt.date(2025, 12, 5))),
        ("en quatre fois, le premier", "fr", PlanRequest(None, 4, None, dt.date(2025, 12, 1))),
        ("hmm, I don't know", "en", PlanRequest()),
    ],
)
def test_parse_plan_request(text, language, expected):
    assert parse_plan_request(text, language, TODAY) == expected


def test_plan_request_empty_and_ask():
    assert PlanRequest().empty
    assert not PlanRequest(lump_sum=True).empty
    request = parse_plan_request("fifty a month on the 5th", "en", TODAY)
    ask = Ask(amount=request.amount, frequency=request.frequency, first_date=request.first_date)
    assert ask.amount == 50 and ask.frequency is M


@pytest.mark.parametrize(
    ("text", "language", "numbers"),
    [
        ("4 payments of 72 dollars and 50 cents, first on Friday, December 5th", "en",
         ["4", "72.50", "5"]),
        ("one payment of 1,900 dollars", "en", ["1", "1900"]),
        ("no one will call you", "en", []),
        ("Quatre mensualités de 59 euros 10 à partir du premier décembre", "fr",
         ["4", "59.10", "1"]),
        ("un plan de 50 centimes", "fr", ["0.50"]),
        ("deux cent trente-six euros", "fr", ["236"]),
    ],
)
def test_numbers_in(text, language, numbers):
    assert numbers_in(text, language) == [Decimal(n) for n in numbers]


@pytest.mark.parametrize(
    ("amount", "currency", "language", "said"),
    [
        ("48.00", "USD", "en", "48 dollars"),
        ("1", "USD", "en", "1 dollar"),
        ("72.50", "USD", "en", "72 dollars and 50 cents"),
        ("1.01", "USD", "en", "1 dollar and 1 cent"),
        ("0.50", "USD", "en", "50 cents"),
        ("0.01", "EUR", "en", "1 cent"),
        ("1900", "EUR", "en", "1900 euros"),
        ("59.10", "EUR", "fr", "59 euros 10"),
        ("1.05", "EUR", "fr", "1 euro 5"),
        ("1", "EUR", "fr", "1 euro"),
        ("0.50", "EUR", "fr", "50 centimes"),
        ("0.01", "EUR", "fr", "1 centime"),
        ("2400", "EUR", "fr", "2400 euros"),
        ("12.5", "GBP", "en", "12 pounds and 50 pence"),
    ],
)
def test_say_amount(amount, currency, language, said):
    assert say_amount(Decimal(amount), currency, language) == said


def test_say_amount_never_uses_symbols():
    for language in ("en", "fr"):
        for currency in ("USD", "EUR", "GBP", "CHF", "CAD"):
            said = say_amount(Decimal("1234.56"), currency, language)
            assert not set(said) & set("$€£,.")


def test_say_count():
    assert say_count(4, "en") == "4 payments"
    assert say_count(1, "en") == "1 payment"
    assert say_count(3, "fr") == "3 versements"
    assert parse_count(say_count(6, "fr"), "fr") == 6


AMOUNTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100000), places=2)


@settings(max_examples=150, deadline=None)
@given(AMOUNTS, st.sampled_from(["USD", "EUR", "GBP", "CHF"]), st.sampled_from(["en", "fr"]))
def test_said_amounts_parse_back(amount, currency, language):
    assert parse_amount(say_amount(amount, currency, language), language) == amount
    assert numbers_in(say_amount(amount, currency, language), language) == [amount]


# ---- hearing money as a class of problems -----------------------------------------

@pytest.mark.parametrize(
    ("text", "language", "amount"),
    [
        # Figures and words mixed.
        ("2 hundred a month", "en", "200"),
        ("I can do 2 hundred and 50", "en", "250"),
        ("15 hundred dollars", "en", "1500"),
        ("2 thousand", "en", "2000"),
        ("2 cents euros par mois", "fr", "200"),
        ("3 mille euros", "fr", "3000"),
        # Colloquial hundreds and thousands.
        ("a grand a month", "en", "1000"),
        ("two grand", "en", "2000"),
        ("half a grand", "en", "500"),
        ("a couple hundred a month", "en", "200"),
        ("a couple of hundred dollars", "en", "200"),
        ("couple hundred bucks", "en", "200"),
        ("a hundred and twenty quid", "en", "120"),
        ("a hundred bucks a month", "en", "100"),
        ("hundred and twenty five a month", "en", "125"),
        ("1.5k", "en", "1500"),
        ("$2k", "en", "2000"),
        ("1,5k", "fr", "1500"),
        ("une centaine par mois", "fr", "100"),
        # French compounds, hyphenated or not.
        ("cent vingt", "fr", "120"),
        ("quatre-vingt-dix", "fr", "90"),
        ("quatre vingt dix euros", "fr", "90"),
        ("quatre-vingt-dix-neuf euros", "fr", "99"),
        ("deux cents", "fr", "200"),
        ("soixante-dix balles", "fr", "70"),
        ("soixante dix balles", "fr", "70"),
        ("soixante et onze euros", "fr", "71"),
        ("vingt et un euros", "fr", "21"),
        ("vingt-et-un euros", "fr", "21"),
        ("cent quatre-vingts", "fr", "180"),
        ("deux mille cinq cents euros", "fr", "2500"),
        ("septante-cinq francs", "fr", "75"),
        ("seventy-two", "en", "72"),
        ("eighty five", "en", "85"),
        ("one hundred and five dollars", "en", "105"),
        # Currency before or after, symbols or words.
        ("twenty quid a week", "en", "20"),
        ("£20 a week", "en", "20"),
        ("20 pounds a week", "en", "20"),
        ("€50 par mois", "fr", "50"),
        ("50 € par mois", "fr", "50"),
        ("cinquante balles", "fr", "50"),
        ("1200 bucks", "en", "1200"),
        # Cents, both styles.
        ("72.50", "en", "72.50"),
        ("72,50", "fr", "72.50"),
        ("72,50 €", "fr", "72.50"),
        ("seventy-two fifty a month", "en", "72.50"),
        ("seventy two dollars fifty", "en", "72.50"),
        ("72 dollars 50", "en", "72.50"),
        ("seventy-two dollars, fifty cents", "en", "72.50"),
        ("soixante-douze cinquante", "fr", "72.50"),
        ("soixante-douze euros cinquante", "fr", "72.50"),
        ("soixante douze euros et cinquante centimes", "fr", "72.50"),
        ("deux cent trente-six euros quarante", "fr", "236.40"),
        ("douze cinquante", "fr", "12.50"),
        ("deux fois cent dix-huit vingt", "fr", "118.20"),
        ("twenty five fifty", "en", "25.50"),
        ("a hundred twenty five fifty", "en", "125.50"),
        ("dix dollars et sept cents", "fr", "10.07"),
        # "One fifty" is a hundred and fifty.
        ("one fifty a month", "en", "150"),
        ("two fifty a month", "en", "250"),
        ("one-fifty", "en", "150"),
        # Thousands separators.
        ("I can pay 1,000", "en", "1000"),
        ("1 000 €", "fr", "1000"),
        ("1.000 euros", "fr", "1000"),
        ("$1,200.50", "en", "1200.50"),
        ("1 200,50 €", "fr", "1200.50"),
        # About one amount is one amount.
        ("about a hundred fifty or so", "en", "150"),
        ("fifty-ish a month", "en", "50"),
        ("something like fifty", "en", "50"),
        ("environ cinquante euros", "fr", "50"),
        ("à peu près 60 euros", "fr", "60"),
        # Self-corrections: the last amount stands.
        ("fifty, no, sixty", "en", "60"),
        ("fifty, sorry, sixty", "en", "60"),
        ("fifty... I mean sixty", "en", "60"),
        ("fifty dollars, no wait, sixty dollars a month", "en", "60"),
        ("I could do 100, actually make that 80", "en", "80"),
        ("fifty a month, no, sixty a month", "en", "60"),
        ("cinquante par mois, pardon, soixante par mois", "fr", "60"),
        ("cinquante, non, soixante", "fr", "60"),
        ("cinquante euros, pardon, soixante", "fr", "60"),
        ("cinquante, enfin soixante", "fr", "60"),
        ("cinquante ou plutôt soixante", "fr", "60"),
        # Amounts turned down are not offered.
        ("not 100, maybe 80", "en", "80"),
        ("100 is too much, maybe 80", "en", "80"),
        ("100 a month is too much for me, 80", "en", "80"),
        ("I can't do 100 a month but 80 is ok", "en", "80"),
        ("pas 100, peut-être 80", "fr", "80"),
        ("100 c'est trop, 80", "fr", "80"),
        ("on peut mettre 50 au lieu de 60 ?", "fr", "50"),
        ("could we do 50 instead of 60", "en", "50"),
        # Other numbers in the line are not money.
        ("I can pay 50 at 5", "en", "50"),
        ("I have 3 kids, 50 a month", "en", "50"),
        ("I'm 84, I can do 20 a month", "en", "20"),
        ("my zip is 94107 and I can pay 50", "en", "50"),
        ("I can pay 100 in 2026", "en", "100"),
        ("j'ai payé 100 euros le mois dernier, je peux faire 50", "fr", "50"),
        ("my last bill was sixty bucks, I can do forty", "en", "40"),
        ("in four goes of fifty", "en", "50"),
    ],
)
def test_amounts_heard(text, language, amount):
    assert parse_amount(text, language) == Decimal(amount)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # Negations.
        ("I can't do 100", "en"),
        ("I can't pay 100", "en"),
        ("I cannot pay 100 dollars", "en"),
        ("je ne peux pas faire 100", "fr"),
        ("je ne peux pas payer 100 euros", "fr"),
        # Time, dates, counts, durations, rates, years.
        ("call me at five", "en"),
        ("I can pay at 5 o'clock", "en"),
        ("on the 15th", "en"),
        ("on the fifteenth", "en"),
        ("in 3 payments", "en"),
        ("in three payments", "en"),
        ("over twelve months", "en"),
        ("le quinze", "fr"),
        ("en trois fois", "fr"),
        ("à 18 heures", "fr"),
        ("dans les années soixante-dix", "fr"),
        ("im in bankruptcy chapter seven", "en"),
        ("The second one.", "en"),
        ("option deux", "fr"),
        ("12/28", "en"),
        # References, cards, postcodes.
        ("my account number is one zero zero two zero zero", "en"),
        ("4111 1111 1111 1111", "en"),
        ("4242 4242...", "en"),
        ("le code derrière c'est 321", "fr"),
        ("jane doe nine four one oh seven", "en"),
        ("Press zero. Zero.", "en"),
        ("code postal 75011", "fr"),
        # Two amounts, or one that needs checking.
        ("two or three hundred", "en"),
        ("two to three hundred a month", "en"),
        ("fifty, maybe sixty", "en"),
        ("fifty to a hundred a month", "en"),
        ("between 50 and 100", "en"),
        ("50-100", "en"),
        ("I can do 50 or 60", "en"),
        ("about fifty or sixty a month i guess", "en"),
        ("fifteen fifty a month", "en"),
        ("twenty twenty five", "en"),
        ("a few hundred a month", "en"),
        ("five hundred k", "en"),
        ("deux ou trois cents euros", "fr"),
        ("deux-trois cents euros", "fr"),
        ("cinquante ou soixante balles", "fr"),
        ("entre cinquante et soixante", "fr"),
        ("50 à 60 euros", "fr"),
        ("une cinquantaine ou une soixantaine par mois", "fr"),
        ("quelques centaines d'euros", "fr"),
    ],
)
def test_no_amount_heard(text, language):
    assert parse_amount(text, language) is None


Y = dt.date(2025, 11, 20)  # TODAY, a Thursday


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # Paying in full: the balance, never an instalment amount.
        ("pay in full", "en", PlanRequest(lump_sum=True)),
        ("I'll pay the whole 480 today", "en", PlanRequest(first_date=Y, lump_sum=True)),
        ("the whole thing", "en", PlanRequest(lump_sum=True)),
        ("everything", "en", PlanRequest(lump_sum=True)),
        ("I'll pay everything", "en", PlanRequest(lump_sum=True)),
        ("I want to pay the full four eighty", "en", PlanRequest(lump_sum=True)),
        ("the whole two thousand four hundred at once", "en", PlanRequest(lump_sum=True)),
        ("got my tax refund so i'll just pay it off", "en", PlanRequest(lump_sum=True)),
        ("I'll pay it all off friday", "en",
         PlanRequest(first_date=dt.date(2025, 11, 21), lump_sum=True)),
        ("tout", "fr", PlanRequest(lump_sum=True)),
        ("le tout, maintenant", "fr", PlanRequest(lump_sum=True)),
        ("la totalité", "fr", PlanRequest(lump_sum=True)),
        ("je paie tout aujourd'hui", "fr", PlanRequest(first_date=Y, lump_sum=True)),
        ("Bon, je vous paie les 236 euros, tenez.", "fr", PlanRequest(lump_sum=True)),
        ("je veux payer les deux cent trente-six quarante en une fois", "fr",
         PlanRequest(lump_sum=True)),
        ("Je serai en mesure de solder le dossier le 5 janvier.", "fr",
         PlanRequest(first_date=dt.date(2026, 1, 5), lump_sum=True)),
        # A sum paid at once that may not be the balance: up front, for the engine to judge.
        ("I can pay 1,900 in one go", "en", PlanRequest(lump_sum=True, upfront=Decimal(1900))),
        ("1 500 € en une seule fois", "fr", PlanRequest(lump_sum=True, upfront=Decimal(1500))),
        # Asking for less is a settlement, not payment in full.
        ("is there a discount if i pay it all now", "en", PlanRequest()),
        ("vous prendriez moins si je payais tout d'un coup ?", "fr", PlanRequest()),
        ("Can we settle for less?", "en", PlanRequest()),
        # Money up front, then instalments.
        ("300 now and the rest next month", "en", PlanRequest(upfront=Decimal(300))),
        ("I can put 100 down and then 50 a month", "en",
         PlanRequest(Decimal(50), frequency=M, upfront=Decimal(100))),
        ("100 down, 50 a month", "en", PlanRequest(Decimal(50), frequency=M, upfront=Decimal(100))),
        ("a deposit of 200 and 40 a week", "en",
         PlanRequest(Decimal(40), frequency=W, upfront=Decimal(200))),
        ("I'll put 48 down and then 72 a month for six months", "en",
         PlanRequest(Decimal(72), 6, M, upfront=Decimal(48))),
        ("I can pay 200 now and then 100 a month after that", "en",
         PlanRequest(Decimal(100), frequency=M, upfront=Decimal(200))),
        ("100 today and 50 a month from the 5th", "en",
         PlanRequest(Decimal(50), None, M, dt.date(2025, 12, 5), upfront=Decimal(100))),
        ("100 first, then 50 every two weeks", "en",
         PlanRequest(Decimal(50), frequency=F, upfront=Decimal(100))),
        ("can i pay 100 today and sort the rest out later", "en",
         PlanRequest(upfront=Decimal(100))),
        ("i can do a grand now and the rest over the next few months", "en",
         PlanRequest(upfront=Decimal(1000))),
        ("I can pay 100 now and 50 later", "en", PlanRequest(Decimal(50), upfront=Decimal(100))),
        ("cent vingt maintenant et le reste le mois prochain", "fr",
         PlanRequest(upfront=Decimal(120))),
        ("deux cents tout de suite et le reste en janvier", "fr",
         PlanRequest(upfront=Decimal(200))),
        ("Je mets 36,40 tout de suite et 50 par mois pendant quatre mois.", "fr",
         PlanRequest(Decimal(50), 4, M, upfront=Decimal("36.40"))),
        ("Je peux verser 100 maintenant et ensuite 40 par mois.", "fr",
         PlanRequest(Decimal(40), frequency=M, upfront=Decimal(100))),
        ("un acompte de 150 euros puis 60 euros par mois", "fr",
         PlanRequest(Decimal(60), frequency=M, upfront=Decimal(150))),
        # A sum up front to close the account: a settlement offer.
        ("I'll give you 1000 right now to close it", "en", PlanRequest(upfront=Decimal(1000))),
        ("Would you accept 2,000 as a full and final settlement?", "en",
         PlanRequest(upfront=Decimal(2000))),
        ("i can do fifteen hundred to settle it today", "en", PlanRequest(upfront=Decimal(1500))),
        ("two grand and we call it done", "en", PlanRequest(upfront=Decimal(2000))),
        ("Take 200 and call it even", "en", PlanRequest(upfront=Decimal(200))),
        ("if i pay 350 today can you wipe the rest", "en", PlanRequest(upfront=Decimal(350))),
        ("I can settle for 1500", "en", PlanRequest(upfront=Decimal(1500))),
        ("Je vous donne 150 euros tout de suite pour solder le dossier.", "fr",
         PlanRequest(upfront=Decimal(150))),
        ("Accepteriez-vous 200 euros pour solde de tout compte ?", "fr",
         PlanRequest(upfront=Decimal(200))),
        ("cent quarante, aujourd'hui, et on est quittes", "fr", PlanRequest(upfront=Decimal(140))),
        ("Non, je préfère faire un seul versement de 190 pour solder.", "fr",
         PlanRequest(upfront=Decimal(190))),
        # Rhythms.
        ("I can do 50 every two weeks", "en", PlanRequest(Decimal(50), frequency=F)),
        ("fifty bucks every other week", "en", PlanRequest(Decimal(50), frequency=F)),
        ("fifty every other friday starting the fifth", "en",
         PlanRequest(Decimal(50), None, F, dt.date(2025, 12, 5))),
        ("trente euros un vendredi sur deux à partir du 5", "fr",
         PlanRequest(Decimal(30), None, F, dt.date(2025, 12, 5))),
        ("cinquante euros tous les quinze jours", "fr", PlanRequest(Decimal(50), frequency=F)),
        ("Can I pay weekly instead of monthly?", "en", PlanRequest(frequency=W)),
        ("toutes les deux semaines pas tous les mois", "fr", PlanRequest(frequency=F)),
        ("I'm on dialysis three times a week, so maybe 25 a month?", "en",
         PlanRequest(Decimal(25), frequency=M)),
        ("My pension comes on the third, so 30 dollars a month from then", "en",
         PlanRequest(Decimal(30), None, M, dt.date(2025, 12, 3))),
        ("I'd like to pay the balance over three months", "en", PlanRequest(None, 3, M)),
        ("sur six mois", "fr", PlanRequest(None, 6, M)),
        # No rhythm said with an instalment amount is fine.
        ("I can do 200", "en", PlanRequest(Decimal(200))),
        ("je peux faire deux cents", "fr", PlanRequest(Decimal(200))),
        # Numbers to check before use: ambiguous, never guessed.
        ("two or three hundred a month", "en", PlanRequest(frequency=M, ambiguous=True)),
        ("fifty, maybe sixty", "en", PlanRequest(ambiguous=True)),
        ("Could it be, like, 50 a month? Or 55?", "en", PlanRequest(frequency=M, ambiguous=True)),
        ("I was thinking sixty, or, I don't know, maybe seventy a month?", "en",
         PlanRequest(frequency=M, ambiguous=True)),
        ("i can do fifteen fifty a month", "en", PlanRequest(frequency=M, ambiguous=True)),
        ("a few hundred a month", "en", PlanRequest(frequency=M, ambiguous=True)),
        ("five hundred k", "en", PlanRequest(ambiguous=True)),
        # ... but a number that may not be money is given, to be confirmed.
        ("I can pay 94107", "en", PlanRequest(Decimal(94107), ambiguous=True)),
        ("I can pay 2025", "en", PlanRequest(Decimal(2025), ambiguous=True)),
        ("I can pay on 15", "en", PlanRequest(Decimal(15), ambiguous=True)),
        ("je peux payer 75011", "fr", PlanRequest(Decimal(75011), ambiguous=True)),
        ("uh yeah it's 500 600", "en", PlanRequest(Decimal(500600), ambiguous=True)),
        ("300400 now and the rest next month", "en",
         PlanRequest(upfront=Decimal(300400), ambiguous=True)),
        ("Je pourrais faire entre 50 et 80 par mois.", "fr",
         PlanRequest(frequency=M, ambiguous=True)),
        ("je peux faire soixante dix ou soixante quinze", "fr", PlanRequest(ambiguous=True)),
        ("une cinquantaine ou une soixantaine par mois je pense", "fr",
         PlanRequest(frequency=M, ambiguous=True)),
        ("two or three hundred now and the rest next month", "en",
         PlanRequest(ambiguous=True)),
        # Nothing about a plan.
        ("I can't do 100", "en", PlanRequest()),
        ("I'm driving right now", "en", PlanRequest()),
        ("je ne peux pas payer 100 euros", "fr", PlanRequest()),
        ("everything's fine", "en", PlanRequest()),
        ("c'est tout", "fr", PlanRequest()),
        ("tout de suite", "fr", PlanRequest()),
    ],
)
def test_plan_requests_heard(text, language, expected):
    assert parse_plan_request(text, language, TODAY) == expected


def test_an_ambiguous_reading_is_not_empty():
    request = parse_plan_request("two or three hundred", "en", TODAY)
    assert request.ambiguous and request.amount is None and not request.empty
    assert PlanRequest(upfront=Decimal(300)).empty is False


@pytest.mark.parametrize(
    ("text", "language", "numbers"),
    [
        ("a hundred and twenty quid", "en", ["120"]),
        ("two or three hundred", "en", ["200", "300"]),
        ("one fifty", "en", ["150"]),
        ("fifteen fifty", "en", ["15", "50"]),
        ("seventy-two fifty", "en", ["72.50"]),
        ("I'll put 48 down and then 72 a month for six months", "en", ["48", "72", "6"]),
        ("1.5k", "en", ["1500"]),
        ("cent vingt maintenant et quatre-vingt-dix par mois", "fr", ["120", "90"]),
        ("soixante-douze cinquante", "fr", ["72.50"]),
        ("deux cents euros", "fr", ["200"]),
        ("2 cents euros", "fr", ["200"]),
        ("un euro cinquante", "fr", ["1.50"]),
        ("mille neuf cents", "fr", ["1900"]),
    ],
)
def test_numbers_in_words(text, language, numbers):
    assert numbers_in(text, language) == [Decimal(n) for n in numbers]


def _worded(amount: Decimal, currency: str, language: str) -> str:
    return num2words(amount, lang=language, to="currency", currency=currency)


@settings(max_examples=200, deadline=None)
@given(AMOUNTS, st.sampled_from(["USD", "EUR", "GBP"]), st.sampled_from(["en", "fr"]))
def test_amounts_said_in_words_parse_back(amount, currency, language):
    said = _worded(amount, currency, language)
    line = f"je peux payer {said}" if language == "fr" else f"I can pay {said}"
    assert parse_amount(line, language) == amount
    assert numbers_in(line, language) == [amount]


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=2, max_value=99_999), st.sampled_from(["en", "fr"]),
       st.sampled_from(["figures", "words", "currency"]))
def test_roles_of_amounts_in_words(n, language, style):
    """The same amount, said any way, lands in the same field (maybe to be confirmed:
    a bare 12345 may be a postcode, 2025 a year)."""
    said = {"figures": str(n), "words": num2words(n, lang=language),
            "currency": _worded(Decimal(n), "EUR", language)}[style]
    fr = language == "fr"
    monthly = parse_plan_request(f"{said} {'par mois' if fr else 'a month'}", language, TODAY)
    assert (monthly.amount, monthly.frequency, monthly.upfront) == (n, M, None)
    now = f"{said} {'maintenant et le reste le mois prochain' if fr else 'now and the rest later'}"
    assert parse_plan_request(now, language, TODAY).upfront == n
    close = f"{said} {'pour solder le dossier' if fr else 'to close the account'}"
    settle = parse_plan_request(close, language, TODAY)
    assert (settle.upfront, settle.amount, settle.lump_sum) == (n, None, False)


@pytest.mark.parametrize(("text", "language", "amount"), [
    ("80, not 100", "en", "80"),
    ("no, the 100 is wrong, I said 80", "en", "80"),
    ("not 50, 60 a month", "en", "60"),
    ("60 par mois, pas 50", "fr", "60"),
    ("le 100 c'est faux, j'ai dit 80", "fr", "80"),
    ("I can pay $100 a month.", "en", "100"),
    ("not 50, 60", "en", "60"),
    ("not fifty dollars, sixty", "en", "60"),
    ("the 90 was a mistake, seventy a month", "en", "70"),
    ("pas cinquante, soixante", "fr", "60"),
    ("pas les 100 euros, 80", "fr", "80"),
    ("le 100 c'était une erreur, quatre-vingts par mois", "fr", "80"),
    ("I'm not 100 percent sure but 40 a month", "en", "40"),
])
def test_a_figure_taken_back_is_not_the_amount(text, language, amount):
    assert parse_plan_request(text, language, TODAY).amount == Decimal(amount)
