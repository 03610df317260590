"""Calls placed with streamdouble (a third-party Twilio Media Streams simulator)
against the real server on loopback, with recorded callers whose voices are not
the bot's, checked by transcribing what the bot said back."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import FIXTURES, read_wav
from tests.e2e.helpers import call, event_times, spoken_digits, transcribe

pytestmark = [pytest.mark.e2e, pytest.mark.models]


def speech_onset(recognizer_vad, name: str) -> float:
    """Seconds into a fixture where the VAD first hears speech."""
    from voicebot.turns.vad import WINDOW_SECONDS

    probs = recognizer_vad.stream().push(read_wav(FIXTURES / name))
    return next(i for i, p in enumerate(probs) if p >= 0.5) * WINDOW_SECONDS


@pytest.fixture(scope="module")
def vad():
    from voicebot.turns.vad import SileroVad

    return SileroVad()


async def test_english_call_greets_reads_back_and_confirms(server, recognizer, tmp_path):
    reply = tmp_path / "reply.wav"
    report = await call(server.ws, [
        {"wait": 12.5},
        {"say": "en_account_100200.wav"},
        {"wait": 8},
        {"say": "en_yes.wav"},
        {"wait": 10},
    ], {"creditor": "acme-telecom", "language": "en"}, out=reply)
    result = report.result
    assert not result.violations, result.violations
    assert result.clears_received == 0
    assert len(result.marks_echoed) >= 6
    text = transcribe(recognizer, reply, "en")
    lowered = text.lower()
    assert "automated assistant" in lowered
    assert "account reference" in lowered
    assert "100200" in spoken_digits(text, "en"), text
    assert "confirmed" in lowered, text
    # The bot hung up after handing off (no negotiation step yet) or the call ended.
    log = server.log()
    assert "hand-off requested: account_identified" in log


async def test_french_call_speaks_french(server, recognizer, tmp_path):
    reply = tmp_path / "reply.wav"
    report = await call(server.ws, [
        {"wait": 13},
        {"say": "fr_account_300400.wav"},
        {"wait": 11},
    ], {"creditor": "northwind-energy", "language": "fr"}, out=reply)
    assert not report.result.violations
    text = transcribe(recognizer, reply, "fr")
    lowered = text.lower()
    assert "assistant" in lowered and "automatis" in lowered, text
    assert "dossier" in lowered, text
    assert "300400" in spoken_digits(text, "fr"), text


async def test_caller_talking_over_the_greeting_gets_a_prompt_clear(server, vad):
    wait = 3.0
    report = await call(server.ws, [
        {"wait": wait},
        {"say": "en_interrupt.wav"},
        {"wait": 3},
    ], {"creditor": "acme-telecom"})
    clears = event_times(report, "clear_received")
    assert len(clears) == 1, clears
    onset = wait + speech_onset(vad, "en_interrupt.wav")
    reaction = clears[0] - onset
    # Minimum speech (0.5 s) plus VAD windows and a frame or two of transport.
    assert 0.3 < reaction < 1.0, reaction
    # After the clear the bot stops sending the greeting.
    media_after = [t for t in event_times(report, "media_received") if t > clears[0] + 0.1]
    assert not media_after or min(media_after) > clears[0] + 1.0


@pytest.mark.parametrize("noise", ["cough.wav", "en_mm.wav", "en_okay.wav"])
async def test_coughs_and_backchannels_do_not_cut_the_bot_off(server, noise):
    report = await call(server.ws, [
        {"wait": 2.0},
        {"say": noise},
        {"wait": 1.0},
        {"say": noise},
        {"wait": 1.5},
    ], {"creditor": "acme-telecom"})
    assert report.result.clears_received == 0
    media = np.array(event_times(report, "media_received"))
    # The greeting kept flowing straight through the noise.
    assert media.max() > 5.5
    assert np.max(np.diff(media[media > 1.0])) < 0.5
