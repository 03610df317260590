"""The SIP rig's fixtures: one Asterisk for the session, an agent's phone per test;
and the callers' recordings, with ways to check what was heard."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.e2e.helpers import transcribe
from tests.sip.phone import Phone, agent_phone
from tests.sip.rig import Asterisk, missing
from tests.sip.sound import FRAME, LOUD, levels

JANE = FIXTURES / "en_calling_for_jane.wav"  # "Hi. I'm calling for Jane Doe."
MONTH = FIXTURES / "en_jane_100_a_month.wav"
YES = FIXTURES / "en_jane_yes.wav"  # "Yes, that's right."


@pytest.fixture(scope="session")
def asterisk(tmp_path_factory) -> Asterisk:
    """Asterisk with the rig's dialplan (see asterisk_conf.py), on loopback ports."""
    if reason := missing():
        pytest.skip(reason)
    pbx = Asterisk(tmp_path_factory.mktemp("asterisk")).start()
    yield pbx
    pbx.stop()


@pytest.fixture
def agent(asterisk, tmp_path) -> Phone:
    """The agent's phone, answering at Asterisk's ``agent`` endpoint, sending silence."""
    phone = agent_phone(asterisk, tmp_path / "agent").start()
    yield phone
    phone.stop()


@pytest.fixture(autouse=True)
def no_channel_left(request):
    """Every call of a test is over when it ends, on Asterisk's side too."""
    yield
    if "asterisk" in request.fixturenames:
        pbx = request.getfixturevalue("asterisk")
        assert pbx.wait_no_channels() == [], pbx.log()[-3000:]


def heard(recognizer, wav: Path, language: str = "en") -> str:
    """What ``wav`` says, lower case (the tests' own Whisper)."""
    return transcribe(recognizer, wav, language).lower()


def seconds_of_sound(wav: Path, threshold: float = LOUD) -> float:
    """How long ``wav`` is louder than ``threshold`` (RMS of 20 ms frames, 16-bit)."""
    return float((levels(wav) > threshold).sum() * FRAME)
