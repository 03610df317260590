import io
import logging
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voicebot.dialogue.parsers import extract_digits
from voicebot.redaction import (
    RedactingFilter,
    Redaction,
    add_log_redaction,
    iban_valid,
    install_log_redaction,
    looks_like_card_data,
    luhn_valid,
    redact,
    redact_obj,
)

CARD, CODE, IBAN, EXPIRY = "card_number", "security_code", "iban", "expiry"

# Published test card numbers (all Luhn-valid): Visa 16 and 13, Mastercard, Amex 15,
# Discover, JCB, Diners 14.
TEST_CARDS = ["4111111111111111", "4222222222222", "5555555555554444", "378282246310005",
              "6011111111111117", "3530111333300000", "30569309025904", "4012888888881881"]


def test_test_cards_pass_luhn():
    assert all(luhn_valid(card) for card in TEST_CARDS)
    assert luhn_valid("4111 1111-1111.1111")
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("")
    assert not luhn_valid("4111 abcd")


@pytest.mark.parametrize(
    ("text", "expected", "found"),
    [
        ("my card number is 4111 1111 1111 1111", "my card number is [card number]", {CARD}),
        ("4111-1111-1111-1111", "[card number]", {CARD}),
        ("It's 4111.1111.1111.1111, thanks.", "It's [card number], thanks.", {CARD}),
        ("It's 4111111111111111.", "It's [card number].", {CARD}),
        ("4,111,111,111,111,111", "[card number]", {CARD}),
        ("Sure, it's 3782 822463 10005.", "Sure, it's [card number].", {CARD}),
        ("5555 5555 5555 4444 is the one", "[card number] is the one", {CARD}),
        ("four one one one, one one one one, one one one one, one one one one",
         "[card number]", {CARD}),
        ("OK, four one one one 1111 1111 1111.", "OK, [card number].", {CARD}),
        ("forty one eleven, eleven eleven, eleven eleven, eleven eleven", "[card number]",
         {CARD}),
        ("four two two two, two two two two, two two two two two", "[card number]", {CARD}),
        ("four um one one one one one one one one one one one one one one one",
         "[card number]", {CARD}),
        ("three zero five six nine three zero nine zero two five nine zero four",
         "[card number]", {CARD}),
        # Said to be a card: redacted even when the checksum fails or it is cut short.
        ("my card number is 4111 1111 1111 1112", "my card number is [card number]", {CARD}),
        ("visa: 4111 1111", "visa: [card number]", {CARD}),
        ("4111 1111 1111 1112, that's my card", "[card number], that's my card", {CARD}),
        ("I'll pay by card. Here we go: 4111 1111 1111 1112 and that's it",
         "I'll pay by card. Here we go: [card number] and that's it", {CARD}),
        # What follows a card number in the same breath goes with it.
        ("4111 1111 1111 1111 12 28 123", "[card number]", {CARD}),
        ("ref 100200, 4111 1111 1111 1111", "ref 100200, [card number]", {CARD}),
        ("the security code is 123", "the security code is [security code]", {CODE}),
        ("CVV 4 5 6", "CVV [security code]", {CODE}),
        ("CVV2: 1234.", "CVV2: [security code].", {CODE}),
        ("c.v.c. is one two three", "c.v.c. is [security code]", {CODE}),
        ("the three digits on the back are seven eight nine",
         "the three digits on the back are [security code]", {CODE}),
        ("security code is on the back, it's 123",
         "security code is on the back, it's [security code]", {CODE}),
        ("expiry 12/28", "expiry [expiry]", {EXPIRY}),
        ("it expires twelve twenty-eight", "it expires [expiry]", {EXPIRY}),
        ("expiration date 04/2027", "expiration date [expiry]", {EXPIRY}),
        ("exp. 0427", "exp. [expiry]", {EXPIRY}),
        ("valid thru zero four slash twenty seven", "valid thru [expiry]", {EXPIRY}),
        ("my card expires December 28", "my card expires [expiry]", {EXPIRY}),
        ("card 4111 1111 1111 1111, cvv 123, expires 12/28. My reference is 100200.",
         "card [card number], cvv [security code], expires [expiry]. My reference is 100200.",
         {CARD, CODE, EXPIRY}),
        ("my IBAN is GB29 NWBK 6016 1331 9268 19.", "my IBAN is [iban].", {IBAN}),
        ("The CVV? It's 123.", "The CVV? It's [security code].", {CODE}),
        ("my PIN number is 4 3 2 1", "my PIN number is [security code]", {CODE}),
        ("Okay, the card is 4111 1111 1111 1111, the code is 123.",
         "Okay, the card is [card number], the code is [security code].", {CARD, CODE}),
        ("Card number? Sure. 4111 1111 1111 1111", "Card number? Sure. [card number]", {CARD}),
        ("my card number is, uh, 4111, 1111, 1111, 1111", "my card number is, uh, [card number]",
         {CARD}),
        ("four thousand one hundred and eleven, one thousand one hundred and eleven, "
         "eleven eleven, eleven eleven", "[card number]", {CARD}),
        ("PAN 4111111111111111 exp 1228 cvv 123",
         "PAN [card number] exp [expiry] cvv [security code]", {CARD, CODE, EXPIRY}),
        ("card=4111111111111111;", "card=[card number];", {CARD}),
    ],
)
def test_redact_english(text, expected, found):
    result = redact(text, "en")
    assert result == Redaction(expected, frozenset(found))


@pytest.mark.parametrize(
    ("text", "expected", "found"),
    [
        ("mon numéro de carte est 4111 1111 1111 1111",
         "mon numéro de carte est [card number]", {CARD}),
        ("quatre mille cent onze, mille cent onze, mille cent onze, mille cent onze",
         "[card number]", {CARD}),
        ("Quarante et un, onze, onze, onze, onze, onze, onze, onze.", "[card number].", {CARD}),
        ("cinquante-cinq, cinquante-cinq, cinquante-cinq, cinquante-cinq, cinquante-cinq, "
         "cinquante-cinq, quarante-quatre, quarante-quatre", "[card number]", {CARD}),
        ("quatre un un un un un un un un un un un un un un un", "[card number]", {CARD}),
        ("trois cent soixante-dix-huit, deux cent quatre-vingt-deux, deux cent quarante-six, "
         "trois cent dix, zéro zéro cinq", "[card number]", {CARD}),
        ("c'est la carte quatre mille cent onze, mille cent onze, mille cent onze, "
         "mille cent douze", "c'est la carte [card number]", {CARD}),
        ("le cryptogramme est 321", "le cryptogramme est [security code]", {CODE}),
        ("code de sécurité : trois deux un", "code de sécurité : [security code]", {CODE}),
        ("les trois chiffres au dos sont quatre cent cinquante-six",
         "les trois chiffres au dos sont [security code]", {CODE}),
        ("date d'expiration 12/28", "date d'expiration [expiry]", {EXPIRY}),
        ("valable jusqu'à décembre 2028", "valable jusqu'à [expiry]", {EXPIRY}),
        ("elle expire en douze vingt-huit", "elle expire en [expiry]", {EXPIRY}),
        ("mon IBAN : FR76 3000 6000 0112 3456 7890 189, merci",
         "mon IBAN : [iban], merci", {IBAN}),
        ("F R sept six trois zéro zéro zéro six zéro zéro zéro zéro un un deux trois quatre "
         "cinq six sept huit neuf zéro un huit neuf", "[iban]", {IBAN}),
        ("4\u202f111\u202f111\u202f111\u202f111\u202f111 !", "[card number] !", {CARD}),
        ("numéro de carte 4970 1000 0000 0000, date d'expiration 12/28, cryptogramme 123",
         "numéro de carte [card number], date d'expiration [expiry], cryptogramme "
         "[security code]", {CARD, CODE, EXPIRY}),
    ],
)
def test_redact_french(text, expected, found):
    assert redact(text, "fr") == Redaction(expected, frozenset(found))
    assert redact(text, "fr-FR") == Redaction(expected, frozenset(found))


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("My account reference is 100200.", "en"),
        ("one zero zero two zero zero", "en"),
        ("I can pay 2,400 dollars.", "en"),
        ("twenty four hundred dollars a month", "en"),
        ("My zip is 94107.", "en"),
        ("nine four one oh seven", "en"),
        ("On December 5th, at 10:30.", "en"),
        ("12/05/2024 or 2024-12-05", "en"),
        ("6 monthly payments of 72 dollars", "en"),
        ("six monthly payments of seventy two dollars starting twenty twenty five", "en"),
        ("Call me on 415 555 0123.", "en"),
        ("My phone number is 0044 20 7946 0958.", "en"),
        ("I'd like to pay by card on the 15th, 300 dollars.", "en"),
        ("By card, my number is 06 12 34 56 78.", "en"),
        ("My card ends in 1234.", "en"),
        ("My card was charged on 12 05 2024.", "en"),
        ("The offer expires on December 5th.", "en"),
        ("The plan expires December 28.", "en"),
        ("It expires in 12 months.", "en"),
        ("I will pay 150 dollars, I don't have the security code.", "en"),
        ("Security code? I can pay 300.", "en"),
        ("Policy number 1234567890123.", "en"),
        ("double oh seven", "en"),
        ("I have three kids and two jobs.", "en"),
        ("Visa ending 1111.", "en"),
        ("The security code? I'll send 300 on Friday.", "en"),
        ("My zip code is 94107, I paid by card.", "en"),
        ("latency=0.30000000000000004 at 1700000000.123456", "en"),
        ("It's 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0", "en"),
        ("call 1 800 555 0199", "en"),
        ("Ma référence est 100200.", "fr"),
        ("Je peux payer 2 400 euros.", "fr"),
        ("quatre-vingt-dix-neuf euros par mois", "fr"),
        ("Code postal 75011, le 5 décembre à 10h30.", "fr"),
        ("6 mensualités de 72 euros", "fr"),
        ("Appelez-moi au 06 12 34 56 78.", "fr"),
        ("Je paierai par carte le quinze, trois cents euros.", "fr"),
    ],
)
def test_ordinary_numbers_are_kept(text, language):
    assert redact(text, language) == Redaction(text, frozenset())
    assert not looks_like_card_data(text, language)


IBANS = [
    "GB82 WEST 1234 5698 7654 32", "DE89 3704 0044 0532 0130 00",
    "FR14 2004 1010 0505 0001 3M02 606", "NL91 ABNA 0417 1643 00", "BE68 5390 0754 7034",
    "CH93 0076 2011 6238 5295 7", "ES91 2100 0418 4502 0005 1332",
    "IT60 X054 2811 1010 0000 0123 456", "NO93 8601 1117 947", "SA03 8000 0000 6080 1016 7519",
    "MT84 MALT 0110 0001 2345 MTLC AST0 01S", "FR76 3000 6000 0112 3456 7890 189",
    "GB29 NWBK 6016 1331 9268 19",
]


@pytest.mark.parametrize("iban", IBANS)
def test_valid_ibans_are_redacted(iban):
    assert iban_valid(iban)
    compact = iban.replace(" ", "")
    assert iban_valid(compact) and iban_valid(compact.lower())
    for written in (iban, compact, compact.lower(), iban.replace(" ", "-")):
        result = redact(f"Here it is: {written}. Thanks", "en")
        assert result == Redaction("Here it is: [iban]. Thanks", frozenset({IBAN}))


def test_broken_ibans():
    broken = "GB82 WEST 1234 5698 7654 33"
    assert not iban_valid(broken)
    assert not iban_valid("FR76 3000 6000 0112 3456 7890 18")  # a character short
    assert not iban_valid("hello")
    assert IBAN not in redact(f"send it to {broken} please").found
    assert IBAN not in redact("FR76 3000 6000 0112 3456 7890 180", "fr").found
    assert not looks_like_card_data("FR76 3000 6000 0112 3456 7890 189", "fr")
    # Said to be an IBAN: a misheard one is still taken out.
    assert redact(f"my IBAN is {broken}") == Redaction("my IBAN is [iban]", frozenset({IBAN}))


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("my card number is 4111 1111", "en"),
        ("the card number, it's four one one one, one one one one", "en"),
        ("4111 1111 1111 1111", "en"),
        ("the security code is 1", "en"),
        ("cvv one two", "en"),
        ("numéro de carte 4970 1000", "fr"),
        ("le cryptogramme c'est trois", "fr"),
    ],
)
def test_looks_like_card_data(text, language):
    assert looks_like_card_data(text, language)


@pytest.mark.parametrize(
    "text",
    ["I'd like to pay by card", "my card number is 4111", "my reference is 100200",
     "I can pay 2,400 dollars", "hello", ""],
)
def test_does_not_look_like_card_data(text):
    assert not looks_like_card_data(text)


def test_placeholders_are_stable():
    once = redact("card 4111 1111 1111 1111 cvv 123 exp 12/28, ref 12345678")
    assert once.text == "card [card number] cvv [security code] exp [expiry], ref 12345678"
    assert redact(once.text) == Redaction(once.text, frozenset())
    assert redact("[card number] cvv 1, [card number] 12345678").found == frozenset()


def test_text_outside_the_spans_is_kept_exactly():
    text = "  Well…  my card:\t4111 1111 1111 1111 ,  right?\n(ref #100200)  "
    assert redact(text).text == "  Well…  my card:\t[card number] ,  right?\n(ref #100200)  "


def test_long_text_is_linear():
    text = "card 4111 1111 1111 1111, cvv 123, expires 12/28; " * 1500
    start = time.perf_counter()
    result = redact(text)
    assert time.perf_counter() - start < 3
    assert result.text == "card [card number], cvv [security code], expires [expiry]; " * 1500


# ---- properties ------------------------------------------------------------------

_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def _check_digit(body: str) -> str:
    for d in "0123456789":
        if luhn_valid(body + d):
            return d
    raise AssertionError(body)


@st.composite
def card_numbers(draw) -> str:
    size = draw(st.integers(13, 19))
    body = "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=size - 1,
                                 max_size=size - 1)))
    return body + _check_digit(body)


def _chunks(digits: str, size: int) -> list[str]:
    return [digits[i:i + size] for i in range(0, len(digits), size)]


@st.composite
def spoken_or_written(draw, number: str) -> str:
    style = draw(st.sampled_from(["none", "fours", "twos", "words", "word-fours", "mixed"]))
    sep = draw(st.sampled_from([" ", "-", ".", ", "]))
    if style == "none":
        return number
    if style in ("fours", "twos"):
        return sep.join(_chunks(number, 4 if style == "fours" else 2))
    words = [_WORDS[int(d)] for d in number]
    if style == "words":
        return " ".join(words)
    if style == "mixed":  # "four one one one 1111 1111 1111"
        return " ".join(words[:4] + _chunks(number[4:], 4))
    return ", ".join(" ".join(chunk) for chunk in _chunks(words, 4))


_AROUND = [("", ""), ("my card number is ", ""), ("Sure. It's ", ", thanks."),
           ("here you go: ", " okay?"), ("so the long number is ", ". Did you get that?")]


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_card_number_is_redacted(data):
    number = data.draw(card_numbers())
    said = data.draw(spoken_or_written(number))
    before, after = data.draw(st.sampled_from(_AROUND))
    result = redact(before + said + after)
    assert CARD in result.found
    assert result.text == f"{before}[card number]{after}"
    left = extract_digits(result.text) or ""
    assert not any(number[i:i + 6] in left for i in range(len(number) - 5))
    assert looks_like_card_data(before + said + after)


_MOTS = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"]


@settings(max_examples=60, deadline=None)
@given(number=card_numbers(), sep=st.sampled_from([" ", ", "]))
def test_any_card_number_said_in_french_is_redacted(number, sep):
    said = sep.join(_MOTS[int(d)] for d in number)
    result = redact(f"alors c'est {said}, voilà", "fr")
    assert result == Redaction("alors c'est [card number], voilà", frozenset({CARD}))


@settings(max_examples=60, deadline=None)
@given(number=card_numbers(), ref=st.integers(100000, 999999))
def test_reference_beside_a_card_survives(number, ref):
    text = f"My reference is {ref} and my card is {' '.join(_chunks(number, 4))}."
    assert redact(text) == Redaction(
        f"My reference is {ref} and my card is [card number].", frozenset({CARD}))


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("abc 12,.-/:€$xyzFR"), max_size=60))
def test_redaction_never_fails_and_keeps_text_without_card_data(text):
    result = redact(text)
    assert isinstance(result.text, str)
    if not result.found:
        assert result.text == text
    looks_like_card_data(text)


# ---- structures and logs -----------------------------------------------------------

def test_redact_obj_walks_structures():
    packet = {
        "account": {"reference": "100200", "balance": 2400},
        "transcript": [
            ("caller", "my card number is 4111 1111 1111 1111"),
            ("bot", "Please don't read card numbers to me."),
        ],
        "cvv": "123",
        "notes": {"said 4111111111111111": None},
        "flags": {"card"},
        "amount": 72.5,
    }
    assert redact_obj(packet) == {
        "account": {"reference": "100200", "balance": 2400},
        "transcript": [
            ("caller", "my card number is [card number]"),
            ("bot", "Please don't read card numbers to me."),
        ],
        "cvv": "[security code]",
        "notes": {"said [card number]": None},
        "flags": {"card"},
        "amount": 72.5,
    }
    assert redact_obj("cryptogramme 321", "fr") == "cryptogramme [security code]"
    assert redact_obj(None) is None


def _captured_logger(name: str) -> tuple[logging.Logger, io.StringIO, logging.Handler]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(handler)
    return logger, stream, handler


def test_log_handler_emits_redacted_records():
    logger, stream, handler = _captured_logger("tests.redaction.handler")
    # The service also redacts records as they are made; this is the handler's own filter,
    # so the plain record factory stands in while it is checked.
    factory = logging.getLogRecordFactory()
    logging.setLogRecordFactory(logging.LogRecord)
    try:
        logger.info("card %s", "4111111111111111")
        assert stream.getvalue() == "INFO card 4111111111111111\n"  # without the filter
        stream.truncate(0), stream.seek(0)
        add_log_redaction(handler)
        add_log_redaction(handler)
        assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
        logger.info("card %s", "4111111111111111")
        logging.getLogger("tests.redaction.handler.child").warning(
            "caller said: %r", {"text": "le cryptogramme est 321"})
        try:
            raise ValueError("declined: 4111 1111 1111 1111")
        except ValueError:
            logger.exception("payment failed for %s", "5555-5555-5555-4444")
        out = stream.getvalue()
        assert out.startswith("INFO card [card number]\n")
        assert "WARNING caller said: {'text': 'le cryptogramme est [security code]'}" in out
        assert "payment failed for [card number]" in out
        assert "ValueError: declined: [card number]" in out
        assert not re.search(r"\d{4}", out.replace("[card number]", ""))
    finally:
        logging.setLogRecordFactory(factory)
        logger.removeHandler(handler)


def test_filter_rewrites_the_record():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "cvv %s, ref %s",
                               ("123", 100200), None)
    assert RedactingFilter().filter(record) is True
    assert record.msg == "cvv [security code], ref 100200"
    assert record.args is None
    assert record.getMessage() == "cvv [security code], ref 100200"


def test_install_log_redaction_on_root_handlers():
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root.addHandler(handler)
    old_level, old_factory = root.level, logging.getLogRecordFactory()
    root.setLevel(logging.INFO)
    try:
        filters = install_log_redaction()
        install_log_redaction()
        assert any(f in handler.filters for f in filters)
        logging.getLogger("tests.redaction.root").info("IBAN %s", "DE89370400440532013000")
        assert stream.getvalue() == "IBAN [iban]\n"
        # A library that sets up its own handlers later (uvicorn) still gets clean records.
        logger, later, own = _captured_logger("tests.redaction.uvicorn")
        logger.info("caller said %s", "4532-0151-12830366.")
        logger.removeHandler(own)
        assert later.getvalue() == "INFO caller said [card number].\n"
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        logging.setLogRecordFactory(old_factory)
