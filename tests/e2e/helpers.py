"""Placing simulated calls with streamdouble and reading what came back."""

from __future__ import annotations

import asyncio
import re
import secrets
from pathlib import Path
from urllib.parse import urlencode

from streamdouble.api import CallReport, save_reply
from streamdouble.metrics import compute
from streamdouble.protocol import StreamIdentity
from streamdouble.scenario import parse
from streamdouble.session import Session, SessionConfig

from tests.conftest import FIXTURES, TWILIO_TOKEN, read_wav
from tests.twilio_webhook import stream_parameters
from voicebot.dialogue.parsers import _number_words_to_digits, normalize


def new_call_sid() -> str:
    return "CA" + secrets.token_hex(16)


async def twiml_parameters(stream_url: str, call_sid: str,
                           params: dict[str, str]) -> dict[str, str]:
    """What the voice webhook tells Twilio to put on the stream's ``start`` for a call
    (its parameters and its token), asked as Twilio asks: signed."""
    http = stream_url.replace("ws://", "http://", 1).removesuffix("/twilio/stream")
    return await asyncio.to_thread(stream_parameters, http, call_sid, f"?{urlencode(params)}",
                                   TWILIO_TOKEN)


async def call(url: str, steps: list[dict], params: dict[str, str], out: Path | None = None,
               call_sid: str | None = None):
    """Run a scripted call as Twilio would place it (the voice webhook, then its stream);
    returns the streamdouble report."""
    scenario = parse({"name": "test", "steps": steps}, base_dir=FIXTURES)
    call_sid = call_sid or new_call_sid()
    config = SessionConfig(custom_parameters=await twiml_parameters(url, call_sid, params),
                           response_timeout_s=15.0, quiet_period_s=1.5, max_drain_s=15.0,
                           max_call_s=120.0)
    session = Session(url, scenario=scenario, config=config,
                      identity=StreamIdentity(call_sid=call_sid))
    result = await session.run()
    report = CallReport(result=result, metrics=compute(result))
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


def dialogue(record: dict) -> str:
    """A call record's transcript as one line per turn, for failure messages
    (pytest shortens a printed list; a message is printed whole)."""
    return "\n".join(f"{t['speaker']}{' (interrupted)' if t.get('interrupted') else ''}: "
                     f"{t['text']}" for t in record["transcript"])
