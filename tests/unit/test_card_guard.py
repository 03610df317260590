"""A call's caller turns through one CardGuard: cards read over several turns."""

import pytest

from voicebot.redaction import CardGuard, Heard

CARD = "card_number"


def converse(turns: list[str], language: str = "en") -> tuple[list[str], list[Heard]]:
    """What a call session would store: each turn as heard, amended by later turns."""
    guard = CardGuard(language)
    stored: list[str] = []
    heard: list[Heard] = []
    for text in turns:
        result = guard.hear(text, key=len(stored))
        stored.append(result.text)
        heard.append(result)
        for amend in result.amends:
            stored[amend.key] = amend.apply(stored[amend.key])
    return stored, heard


@pytest.mark.parametrize(
    ("turns", "expected", "language"),
    [
        (["4111 1111", "1111 1111"], ["[card number]", "[card number]"], "en"),
        (["My card is 4111 1111", "1111 1111"], ["My card is [card number]", "[card number]"],
         "en"),
        (["4111 1111 1111", "um", "and then 1111."],
         ["[card number]", "um", "and then [card number]."], "en"),
        (["4111", "1111", "1111", "1111"], ["[card number]"] * 4, "en"),
        (["okay so four one one one, one one one one, got that?", "one one one one",
          "one one one one"],
         ["okay so [card number], got that?", "[card number]", "[card number]"], "en"),
        (["4111 1111 1111 111", "1 and that's it"],
         ["[card number]", "[card number] and that's it"], "en"),
        (["quatre mille cent onze, mille cent onze", "euh, mille cent onze",
          "mille cent onze, voilà"],
         ["[card number]", "euh, [card number]", "[card number], voilà"], "fr"),
        # Whisper splits inside a group, and a group with the expiry after it.
        (["4532-0151-128", "30366, 12/28"], ["[card number]", "[card number]"], "en"),
        # "card" said in the turn before: a long number is taken for one, checksum or not.
        (["I'd like to pay by card", "4111 1111 1111 1112"],
         ["I'd like to pay by card", "[card number]"], "en"),
        # A card being read goes on after a misheard digit...
        (["my card number is 4111 1111", "1111 1112"],
         ["my card number is [card number]", "[card number]"], "en"),
        # ...and a code or expiry said right after a card number goes with it.
        (["4111 1111 1111 1111", "737"], ["[card number]", "[card number]"], "en"),
    ],
)
def test_cards_over_several_turns(turns, expected, language):
    stored, heard = converse(turns, language)
    assert stored == expected
    assert any(CARD in h.found for h in heard[1:]) or CARD in heard[0].found
    assert heard[-1].card_data


def test_amends_name_the_turns_to_change():
    guard = CardGuard("en")
    first = guard.hear("so it's 4111 1111", key=7)
    assert first.text == "so it's 4111 1111" and not first.amends
    second = guard.hear("1111 1111", key=9)
    assert second.text == "[card number]"
    assert [a.key for a in second.amends] == [7]
    assert second.amends[0].apply(first.text) == "so it's [card number]"


def test_amends_land_after_earlier_placeholders_and_keep_the_words():
    stored, heard = converse(["cvv 123, and 4111 1111", "1111 1111"])
    assert stored == ["cvv [security code], and [card number]", "[card number]"]
    stored, heard = converse(["4111 1111 and 1111", "1111"])
    assert stored == ["[card number] and [card number]", "[card number]"]
    assert len(heard[1].amends) == 1 and len(heard[1].amends[0].spans) == 2


def test_two_cards_read_over_three_turns():
    # The second turn completes the first card and starts the second.
    guard = CardGuard("en")
    stored = [guard.hear("4111 1111 1111", key=0).text]
    second = guard.hear("1111 and 5105 1051", key=1)
    stored.append(second.text)
    for amend in second.amends:
        stored[amend.key] = amend.apply(stored[amend.key])
    third = guard.hear("0510 5100", key=2)
    stored.append(third.text)
    for amend in third.amends:
        stored[amend.key] = amend.apply(stored[amend.key])
    assert stored == ["[card number]", "[card number] and [card number]", "[card number]"]
    assert [a.key for a in third.amends] == [1]


@pytest.mark.parametrize(
    ("turns", "language"),
    [
        (["my reference is 100200", "yes", "94107"], "en"),
        (["100200", "yes", "94107", "yes", "300"], "en"),
        (["100200", "100200", "100200"], "en"),  # the same answer, asked again
        (["I can pay 1,200 dollars", "on the 5th", "12/05/2024"], "en"),
        (["4111 1111 1111 1111", "my reference is 100200"], "en"),
        (["ma référence est 100200", "oui", "code postal 75011", "1 200 euros"], "fr"),
    ],
)
def test_ordinary_turns_are_kept(turns, language):
    stored, heard = converse(turns, language)
    kept = [t for t in turns if "4111" not in t]
    assert [s for s, t in zip(stored, turns, strict=True) if "4111" not in t] == kept
    assert not any(h.amends for h in heard)


def test_a_turn_that_answers_something_else_ends_the_reading():
    stored, _ = converse(["4111 1111", "my name is Jane", "1111 1111"])
    assert stored == ["4111 1111", "my name is Jane", "1111 1111"]


def test_the_guard_keeps_digits_only_and_few():
    """Nothing said is kept between turns: at most 18 digits, and where they are."""
    guard = CardGuard("en")
    for text in ["Hi, this is Jane Doe from 12 Baker Street", "so it's 4111 1111 1111",
                 "one two three four five six seven eight nine", "um"]:
        guard.hear(text)
    strings = [v for v in _values(guard) if isinstance(v, str)]
    assert all(s.isdigit() or s in ("en", "fr", "") for s in strings), strings
    assert sum(len(s) for s in strings if s.isdigit()) <= 18 + 19


def _values(obj, depth: int = 0):
    """Every value reachable from an object's attributes."""
    if depth > 4:
        return
    items = vars(obj).values() if hasattr(obj, "__dict__") else (
        obj if isinstance(obj, (list, tuple, set)) else ())
    for value in items:
        yield value
        if not isinstance(value, (str, int, float, bool, type(None))):
            yield from _values(value, depth + 1)
