"""Placing simulated calls with streamdouble and reading what came back."""

from __future__ import annotations

import re
from pathlib import Path

from streamdouble.api import run_scenario, save_reply
from streamdouble.scenario import parse
from streamdouble.session import SessionConfig

from tests.conftest import FIXTURES, read_wav
from voicebot.dialogue.parsers import _number_words_to_digits, normalize


async def call(url: str, steps: list[dict], params: dict[str, str], out: Path | None = None):
    """Run a scripted call; returns the streamdouble report."""
    scenario = parse({"name": "test", "steps": steps}, base_dir=FIXTURES)
    config = SessionConfig(custom_parameters=params, response_timeout_s=15.0,
                           quiet_period_s=1.5, max_drain_s=15.0, max_call_s=120.0)
    report = await run_scenario(url, scenario, config=config)
    if out is not None:
        save_reply(report, out)
    return report


def event_times(report, kind: str) -> list[float]:
    origin = report.result.started_at
    return [e.at - origin for e in report.result.events_of(kind)]


def transcribe(recognizer, wav: Path, language: str) -> str:
    from voicebot.engines.stt import transcribe_recording

    return transcribe_recording(recognizer, read_wav(wav), language)


def spoken_digits(text: str, language: str) -> str:
    """Every digit said in ``text``, words or figures, in order, as one string."""
    words = re.sub(r"[^\w\s'-]", " ", normalize(text)).split()
    return "".join(re.sub(r"\D", "", w) for w in _number_words_to_digits(words, language))
