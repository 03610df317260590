from pathlib import Path

import pytest
import yaml

from voicebot.dialogue.base import Listen
from voicebot.dialogue.intro import ReferenceDialogue
from voicebot.dialogue.prompts import load_prompts
from voicebot.errors import ConfigError
from voicebot.settings import PROJECT_ROOT

PROMPTS = PROJECT_ROOT / "prompts"


def dialogue(language="en", known=None):
    return ReferenceDialogue(load_prompts(PROMPTS, language), "Acme Telecom", known)


def test_greeting_discloses_the_automated_assistant_and_asks_for_the_reference():
    d = dialogue()
    reply = d.start()
    assert "automated assistant of Acme Telecom" in reply.text
    assert "account reference" in reply.text
    assert d.listen is Listen.DIGITS


def test_voice_reference_is_read_back_and_confirmed():
    d = dialogue()
    d.start()
    reply = d.on_caller_text("My account number is one zero zero, two zero zero.")
    assert "one, zero, zero, two, zero, zero" in reply.text
    assert d.listen is Listen.YES_NO
    done = d.on_caller_text("Yes, that's right.")
    assert d.confirmed and d.reference == "100200"
    assert "confirmed" in done.text
    assert done.handoff == "account_identified"


def test_a_correction_becomes_the_new_candidate():
    d = dialogue()
    d.start()
    d.on_caller_text("one zero zero two zero zero")
    reply = d.on_caller_text("No, it's five zero zero six zero zero")
    assert "five, zero, zero, six, zero, zero" in reply.text
    d.on_caller_text("yes")
    assert d.reference == "500600"


def test_no_without_digits_asks_again():
    d = dialogue()
    d.start()
    d.on_caller_text("one zero zero two zero zero")
    reply = d.on_caller_text("no")
    assert "try again" in reply.text
    assert d.listen is Listen.DIGITS


def test_keypad_entry_and_keypad_confirmation():
    d = dialogue()
    d.start()
    reply = d.on_keypad("100200")
    assert "one, zero, zero, two, zero, zero" in reply.text
    d.on_keypad("1")
    assert d.confirmed and d.reference == "100200"


def test_known_reference_is_confirmed_from_the_greeting():
    d = dialogue(known="500600")
    reply = d.start()
    assert "five, zero, zero, six, zero, zero" in reply.text
    assert d.listen is Listen.YES_NO


def test_nonsense_three_times_hands_off():
    d = dialogue()
    d.start()
    first = d.on_caller_text("bananas")
    assert "did not catch" in first.text and first.handoff is None
    d.on_caller_text("what?")
    last = d.on_caller_text("purple")
    assert last.handoff == "reference_not_obtained"


def test_silence_reprompts_then_ends_politely():
    d = dialogue()
    d.start()
    assert "still there" in d.on_no_input().text
    assert not d.on_no_input().end_call
    final = d.on_no_input()
    assert final.end_call and "Goodbye" in final.text


def test_french_flow():
    d = dialogue("fr")
    assert "assistant automatisé" in d.start().text
    reply = d.on_caller_text("Mon numéro de dossier est trois zéro zéro quatre zéro zéro.")
    assert "trois, zéro, zéro, quatre, zéro, zéro" in reply.text
    d.on_caller_text("Oui, c'est bien ça.")
    assert d.reference == "300400"


def write(tmp_path: Path, data) -> Path:
    (tmp_path / "en.yaml").write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return tmp_path


def good_data():
    return yaml.safe_load((PROMPTS / "en.yaml").read_text())


def test_prompt_file_with_unknown_placeholder_is_refused(tmp_path):
    data = good_data()
    data["templates"]["read_back"] = "I heard {digitz}"
    with pytest.raises(ConfigError, match=r"en.yaml: templates.read_back: unknown placeholder"):
        load_prompts(write(tmp_path, data), "en")


def test_prompt_file_missing_a_template_or_with_extra_keys_is_refused(tmp_path):
    data = good_data()
    del data["templates"]["greeting"]
    with pytest.raises(ConfigError, match="templates missing: greeting"):
        load_prompts(write(tmp_path, data), "en")
    data = good_data()
    data["colour"] = "blue"
    with pytest.raises(ConfigError, match="colour: Extra inputs are not permitted"):
        load_prompts(write(tmp_path, data), "en")


def test_prompt_file_that_is_not_yaml_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_prompts(write(tmp_path, "version: [unclosed"), "en")
