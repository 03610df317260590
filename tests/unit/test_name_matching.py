"""Names as recognition writes them: the account holder's name misheard, split or
joined is still theirs; a different person's name, however close, is not."""

from __future__ import annotations

import pytest

from voicebot.dialogue.identity import name_matches


@pytest.mark.parametrize(("said", "on_file"), [
    ("Jane Doe", "Jane Doe"),
    ("my name is Jane Doe.", "Jane Doe"),
    ("Jane Doh", "Jane Doe"),           # a sound misheard
    ("Jando.", "Jane Doe"),             # two words run together, a vowel lost
    ("Jandoe", "Jane Doe"),
    ("Janedo", "Jane Doe"),
    ("uh Jando", "Jane Doe"),           # a sound before the name
    ("it's Jane Doh", "Jane Doe"),
    ("Marie du pont", "Marie Dupont"),  # one word split in two
    ("Mariedupont", "Marie Dupont"),
    ("c'est Marie Dupont", "Marie Dupont"),
    ("Mari Dupon", "Marie Dupont"),
    ("Jon Smyth", "John Smith"),
    ("John Smith", "John Smith"),
])
def test_the_holders_name_heard_imperfectly_matches(said, on_file):
    assert name_matches(said, on_file)


@pytest.mark.parametrize(("said", "on_file"), [
    ("John Doe", "Jane Doe"),           # same sounds, another first name
    ("Gene Doe", "Jane Doe"),
    ("Johndoe", "Jane Doe"),
    ("Jenny Dee", "Jane Doe"),
    ("Joan Dowd", "Jane Doe"),
    ("Jondo", "Jane Doe"),
    ("Dando", "Jane Doe"),
    ("Janet", "Jane Doe"),
    ("Jane", "Jane Doe"),               # half a name
    ("Doe", "Jane Doe"),
    ("Doe Jane", "Jane Doe"),
    ("Jane Smith", "John Smith"),
    ("Janesmith", "John Smith"),
    ("Mary Smith", "Jane Doe"),
    ("Marie Durand", "Marie Dupont"),
    ("Martine Dupont", "Marie Dupont"),
    ("", "Jane Doe"),
])
def test_another_persons_name_does_not(said, on_file):
    assert not name_matches(said, on_file)
