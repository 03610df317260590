from pathlib import Path

import pytest
import yaml

from voicebot.dialogue.prompts import load_prompts
from voicebot.errors import ConfigError
from voicebot.settings import PROJECT_ROOT

PROMPTS = PROJECT_ROOT / "prompts"


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


def test_shipped_prompts_have_every_template_in_both_languages():
    en, fr = load_prompts(PROMPTS, "en"), load_prompts(PROMPTS, "fr")
    assert set(en.templates) == set(fr.templates)
    assert en.version != fr.version
    assert "automated assistant" in en.render("greeting", creditor="Acme Telecom")
    assert "assistant automatisé" in fr.render("greeting", creditor="Northwind Energy")
