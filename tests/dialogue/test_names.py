"""A caller asked for their name who gives it is identifying, not a third party: the
classifier's guess on a bare name ("Marie du pont", misheard) is not worth a right-party
question; the rules' reading of "I'm her husband" still is."""

from __future__ import annotations

import pytest

from tests.dialogue.conftest import converse


@pytest.mark.parametrize(("reference", "lines"), [
    ("300400", ["oui", "Marie du pont", "sept cinq zéro un un"]),
    ("300400", ["oui", "c'est Marie Dupont", "75011"]),
    ("300400", ["oui", "moi c'est Marie Dupont", "sept cinq zéro un un"]),
    ("100200", ["yes", "my name is Jane Doe", "nine four one zero seven"]),
    ("100200", ["yes", "Jane Doe", "94107"]),
    ("500600", ["yes", "John Smith", "one zero zero zero one"]),
])
@pytest.mark.models
async def test_a_name_given_when_asked_identifies_the_caller(reference, lines,
                                                             intent_classifier):
    # The shipped classifier, which guesses a third party on "Marie du pont" and a
    # request for a person on "sept cinq zéro un un".
    dialogue, turns = await converse(reference, lines, classifier=intent_classifier)
    assert dialogue.verified, [t["text"] for t in turns]
    assert dialogue.handoff is None
    assert "right_party_check" not in [kind for kind, _ in dialogue.record.events]


@pytest.mark.parametrize(("reference", "lines"), [
    ("100200", ["yes", "this is her husband"]),
    ("300400", ["oui", "je suis le mari de Marie Dupont"]),
])
@pytest.mark.models
async def test_someone_else_giving_a_name_is_still_a_third_party(reference, lines,
                                                                intent_classifier):
    dialogue, _ = await converse(reference, lines, classifier=intent_classifier)
    assert not dialogue.verified
    assert "third_party" in dialogue.flags
