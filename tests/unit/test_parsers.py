import pytest

from voicebot.dialogue.parsers import extract_digits, parse_yes_no, spell_digits


@pytest.mark.parametrize(
    ("text", "language", "digits"),
    [
        ("one zero zero two zero zero", "en", "100200"),
        ("My account number is one zero zero, two zero zero.", "en", "100200"),
        ("My account number is 1,00, 2,00.", "en", "100200"),
        ("It is 100-200", "en", "100200"),
        ("nine four one oh seven", "en", "94107"),
        ("double five three", "en", "553"),
        ("twenty one thirty four", "en", "2134"),
        ("I have 2 accounts, number 100200", "en", "100200"),
        ("un zéro zéro deux zéro zéro", "fr", "100200"),
        ("Trois zéro zéro quatre zéro zéro.", "fr", "300400"),
        ("trente, zéro quatre, zéro zéro", "fr", "300400"),
        ("soixante-quinze zéro onze", "fr", "75011"),
        ("hello there", "en", None),
        ("oh well", "en", None),
    ],
)
def test_extract_digits(text, language, digits):
    assert extract_digits(text, language) == digits


@pytest.mark.parametrize(
    ("text", "language", "answer"),
    [
        ("Yes, that's right.", "en", True),
        ("Yeah", "en", True),
        ("correct", "en", True),
        ("No.", "en", False),
        ("Nope, that is not right", "en", False),
        ("Not correct.", "en", False),
        ("No, it is 100300", "en", False),
        ("no, yes", "en", None),
        ("hmm", "en", None),
        ("", "en", None),
        ("Oui, c'est bien ça.", "fr", True),
        ("D'accord", "fr", True),
        ("Non", "fr", False),
        ("Non, ce n'est pas ça", "fr", False),
        ("c'est pas ça", "fr", False),
        ("euh", "fr", None),
        # a yes word negated before or after it is a no
        ("not okay", "en", False),
        ("I'm not okay with that", "en", False),
        ("I don't think that's right", "en", False),
        ("I wouldn't say that's right", "en", False),
        ("absolutely not", "en", False),
        ("of course not", "en", False),
        ("definitely not", "en", False),
        ("I don't agree", "en", False),
        ("I can't agree to that", "en", False),
        ("pas d'accord", "fr", False),
        ("je ne suis plus d'accord", "fr", False),
        ("absolument pas", "fr", False),
        ("bien sûr que non", "fr", False),
        ("ça me va pas", "fr", False),
        ("je n'accepte pas", "fr", False),
        ("je suis plus d'accord", "fr", False),
        ("en plus, ça me va", "fr", True),
        # ... but not across a clause break, and "not sure" is undecided, not a no
        ("Yes, I didn't hear you, that's right", "en", True),
        ("I'm not sure", "en", None),
        ("je ne suis pas sûr", "fr", None),
        # agreement without "yes", and agreement that sounds negative
        ("I agree", "en", True),
        ("sounds good", "en", True),
        ("no problem", "en", True),
        ("no worries", "en", True),
        ("j'accepte", "fr", True),
        ("ça me va", "fr", True),
        ("pas de souci", "fr", True),
        ("oui, pas de problème", "fr", True),
    ],
)
def test_parse_yes_no(text, language, answer):
    assert parse_yes_no(text, language) is answer


def test_spell_digits():
    assert spell_digits("100200", "en") == "one, zero, zero, two, zero, zero"
    assert spell_digits("3004", "fr") == "trois, zéro, zéro, quatre"


@pytest.mark.parametrize(("text", "expected"), [
    ("i dont owe this", "i don't owe this"),
    ("im in hospital and cant talk", "i'm in hospital and can't talk"),
    ("thats not mine, whats this", "that's not mine, what's this"),
    ("cest pas moi jai rien signé", "c'est pas moi j'ai rien signé"),
    # words that are words without an apostrophe stay
    ("I feel ill, its well past, were the men here", "i feel ill, its well past, were the men"
     " here"),
    ("Jen and the ID", "jen and the id"),
    # an elided French word heard as a word of its own
    ("j ai reçu une lettre c est pas à moi", "j'ai reçu une lettre c'est pas à moi"),
    ("d accord mais qu il arrête, s il vous plait", "d'accord mais qu'il arrête, s'il vous"
     " plait"),
    # spelled letters are not French
    ("my name is j a n e d o e", "my name is j a n e d o e"),
])
def test_rules_read_apostrophes_speech_recognition_dropped(text, expected):
    from voicebot.dialogue.parsers import rule_text

    assert rule_text(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # recognition spells French by sound: the third person for the first
    ("Je ne vous doit rien du tout.", "je ne vous dois rien du tout."),
    ("je lui doit que 200", "je lui dois que 200"),
    ("je peut payer 60 par mois", "je peux payer 60 par mois"),
    ("j'en veut plus de vos appels", "j'en veux plus de vos appels"),
    ("je n'en peut plus", "je n'en peux plus"),
    ("je sait pas", "je sais pas"),
    # the third person stays where it is meant
    ("il doit combien", "il doit combien"),
    ("elle peut payer", "elle peut payer"),
    ("ça vaut le coup", "ça vaut le coup"),
])
def test_rules_read_french_first_person_as_spoken(text, expected):
    from voicebot.dialogue.parsers import rule_text

    assert rule_text(text) == expected


@pytest.mark.parametrize(("text", "intent"), [
    ("Je ne vous doit rien du tout.", "dispute"),
    ("Je n'en peut plus, je veut mourir.", "vulnerable"),
    ("Je doit rien, c'est une erreur.", "dispute"),
])
def test_misspelled_french_first_person_is_still_understood(text, intent):
    import datetime as dt

    from voicebot.dialogue.understanding import parse

    assert intent in {i.value for i in parse(text, "fr", dt.date(2026, 12, 1)).intents}
