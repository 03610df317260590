from pathlib import Path

import pytest

from voicebot.errors import ConfigError
from voicebot.settings import Settings
from voicebot.web.app import ServiceState


@pytest.fixture(scope="module")
def state():
    return ServiceState(Settings.from_env({}), engines=None)


def test_greeting_uses_the_creditor_name_from_its_policy(state):
    assert state.creditor_name("northwind-energy") == "Northwind Energy"
    assert state.creditor_name("unknown-co") == "Unknown Co"


@pytest.mark.parametrize(
    ("params", "language"),
    [
        ({"creditor": "northwind-energy"}, "fr"),  # the creditor's first language
        ({"creditor": "acme-telecom"}, "en"),
        ({"creditor": "acme-telecom", "account": "300400"}, "fr"),  # the account's language
        ({"creditor": "northwind-energy", "language": "en"}, "en"),  # asked for wins
        ({"creditor": "acme-telecom", "language": "de"}, "en"),  # unsupported: default
        ({}, "en"),
    ],
)
def test_call_language(state, params, language):
    assert state.call_language(params) == language


def test_broken_policy_stops_start_up_with_the_file_and_field(tmp_path: Path):
    (tmp_path / "bad.yaml").write_text("id: bad\nname: Bad\n")
    with pytest.raises(ConfigError, match=r"bad.yaml"):
        ServiceState(Settings.from_env({}, policies_dir=tmp_path), engines=None)
