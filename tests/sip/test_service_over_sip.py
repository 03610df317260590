"""SIP calls through Asterisk into the service, over each of its Asterisk adapters:
AudioSocket (the ``audiosocket`` extension, a TCP connection to the service's port) and
chan_websocket (the ``websocket`` extension, ``WS /asterisk/media`` with the shared
secret as the Basic password). One service and one Asterisk serve every call here.

A caller talks over the greeting: the bot stops at once (over chan_websocket only if
``FLUSH_MEDIA`` dropped what Asterisk had queued), reads back the reference it heard,
and the caller's hang-up ends the call on both sides. Another caller keys the reference
and a yes, then says nothing: the dialogue asks for the name, asks twice whether anyone
is there, says goodbye and hangs up, which ends the SIP call from Asterisk's side.
"""

from __future__ import annotations

import datetime as dt
import time
import wave
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, free_port, launch_server, wait_until_healthy
from tests.e2e.helpers import dialogue, spoken_digits
from tests.sip.conftest import heard
from tests.sip.phone import Call, CallResult, place_call
from tests.sip.rig import Asterisk, missing
from tests.sip.sound import first_sound, levels, span_at, spans

pytestmark = [pytest.mark.e2e, pytest.mark.models, pytest.mark.sip]

SECRET = "asterisk-secret-for-tests"
CARRIERS = {"audiosocket": "asterisk-audiosocket", "websocket": "asterisk-websocket"}
NO_INPUT_SECONDS = 3  # the service's wait before "Are you still there?" (8 s by default)
REFERENCE = FIXTURES / "en_account_100200.wav"  # "My account number is one, zero, zero..."
OVER_THE_GREETING = 5.0  # seconds after the answer; the greeting lasts about 10 s


class Service:
    """The service and Asterisk, both adapters wired; each call's record found by what
    the service finished since the call began."""

    def __init__(self, srv, pbx: Asterisk) -> None:  # type: ignore[no-untyped-def]
        self.srv, self.pbx = srv, pbx

    def finished(self) -> int:
        return len(self.srv.api("/api/calls/recent"))

    def record_since(self, count: int, timeout: float = 10) -> dict:
        """The one call finished after the first ``count``; waits for it to be listed."""
        deadline = time.monotonic() + timeout
        while len(records := self.srv.api("/api/calls/recent")) <= count:
            assert time.monotonic() < deadline, "the call never ended on the service's side"
            time.sleep(0.1)
        [record] = records[count:]
        return record


@pytest.fixture(scope="module")
def service(model_paths, tmp_path_factory, twilio_recorder):
    if reason := missing():
        pytest.skip(reason)
    data = tmp_path_factory.mktemp("service")
    audiosocket, port = free_port(), free_port()
    srv = wait_until_healthy(launch_server(port, data, twilio_recorder.url, env={
        "VOICEBOT_AUDIOSOCKET_PORT": str(audiosocket),
        "VOICEBOT_ASTERISK_SECRET": SECRET,
        "VOICEBOT_NO_INPUT_TIMEOUT_SECONDS": str(NO_INPUT_SECONDS),
    }))
    try:
        pbx = Asterisk(data / "asterisk", audiosocket_port=audiosocket,
                       websocket_uri=f"ws://127.0.0.1:{port}/asterisk/media",
                       websocket_password=SECRET).start()
    except BaseException:
        srv.stop()
        raise
    yield Service(srv, pbx)
    pbx.stop()
    srv.stop()


def service_stopped(kept: dict, result: CallResult) -> float:
    """When the service stopped the bot's audio (its first hold or barge-in), in seconds
    of the caller's recording: the record's times are from the call's start on the
    service's wall clock, the recording's from the answer, on this machine's one clock."""
    started = dt.datetime.fromisoformat(kept["started_at"]).timestamp()
    answered = next(e["wall"] for e in result.events if e["type"] == "CALL_ESTABLISHED")
    at = min(d["at_seconds"] for d in kept["decisions"] if d["kind"] in ("hold", "barge_in"))
    return started + at - answered


def speech_onset(wav: Path, after: float) -> float:
    """When the caller's voice starts in what its phone sent, after ``after`` seconds."""
    onset = first_sound(levels(wav), after)
    assert onset is not None, f"no voice in {wav} after {after} s"
    return onset


@pytest.mark.parametrize("adapter", ["audiosocket", "websocket"])
def test_a_caller_talks_over_the_greeting_is_heard_and_hangs_up(service, adapter,
                                                                recognizer, tmp_path):
    before = service.finished()
    # The port's defaults: the demo creditor, in English. The caller reads the reference
    # over the greeting, hears it read back, and hangs up.
    result = place_call(service.pbx, adapter, [(OVER_THE_GREETING, REFERENCE)],
                        tmp_path / "heard.wav", seconds=18)
    assert result.established, result
    assert result.hung_up_by == "caller", result
    assert service.pbx.wait_no_channels() == [], service.pbx.log()[-3000:]
    record = service.record_since(before)
    kept = service.srv.api(f"/api/calls/{record['call_id']}")
    assert kept["carrier"] == CARRIERS[adapter] and kept["end_reason"] == "hangup", kept

    # The bot's audio stopped soon after the caller's voice began (held after 0.1 s of
    # voice, then the barge-in), not at the greeting's end 5 s later...
    assert result.sent is not None
    onset = speech_onset(result.sent, OVER_THE_GREETING)
    greeting = span_at(levels(result.heard), onset)
    assert greeting is not None, f"the caller began at {onset} s: no greeting going on"
    assert 0 < greeting[1] - onset < 0.6, (onset, greeting)  # 0.26-0.30 s here
    [first_bot, first_caller, *_] = kept["turns"]
    assert first_bot["speaker"] == "bot" and first_bot["interrupted"], dialogue(record)
    assert "barge_in" in record["events"], record["events"]
    # ...and the caller heard nothing the service had sent before it stopped: over
    # chan_websocket the bot's audio runs 0.4 s ahead into Asterisk's queue, which
    # FLUSH_MEDIA drops (without it the caller still hears 0.3 s after the stop; with
    # it the audio ends 0.02-0.06 s after, the way back to the phone).
    stopped = service_stopped(kept, result)
    assert -0.1 < greeting[1] - stopped < 0.2, (greeting, stopped, kept["decisions"])

    # The reference read out over SIP, G.711 and the adapter is the one heard, and the
    # caller heard it read back.
    assert first_caller["speaker"] == "caller" and first_caller["via"] == "voice"
    assert "100200" in spoken_digits(first_caller["text"], "en"), dialogue(record)
    said = heard(recognizer, result.heard)
    assert "assistant" in said, said  # the greeting's start, through Asterisk
    assert "100200" in spoken_digits(said.split("assistant", 1)[1], "en"), said


@pytest.mark.parametrize("adapter", ["audiosocket", "websocket"])
def test_a_keyed_reference_is_taken_and_silence_ends_the_call_from_the_service(
        service, adapter, recognizer, tmp_path):
    before = service.finished()
    with Call(service.pbx, adapter, [], tmp_path / "heard.wav", seconds=90) as call:
        assert call.wait_answered()
        call.wait_for_words(after=0.0)  # the greeting
        call.send_digits("100200#")  # RFC 4733, as the greeting offers
        call.wait_for_words(after=call.seconds())  # "I heard one, zero, zero, ..."
        call.send_digits("1")  # yes, on the keypad
        # The name is asked; then nothing, three times: the bot says goodbye and hangs up.
        result = call.wait_closed(timeout=60)
    assert result.established and result.hung_up_by == "remote", result
    assert service.pbx.wait_no_channels() == [], service.pbx.log()[-3000:]
    record = service.record_since(before)
    kept = service.srv.api(f"/api/calls/{record['call_id']}")
    assert kept["carrier"] == CARRIERS[adapter], kept
    assert kept["end_reason"] == "dialogue_ended", dialogue(record)

    turns = kept["turns"]
    keyed = [(t["text"], t["via"]) for t in turns if t["speaker"] == "caller"]
    assert keyed == [("100200", "keypad"), ("1", "keypad")], dialogue(record)
    bot = [t["text"] for t in turns if t["speaker"] == "bot"]
    assert "one, zero, zero, two, zero, zero" in bot[1], dialogue(record)
    assert "full name" in bot[2], dialogue(record)  # identity, once the reference is right
    assert not any(t["interrupted"] for t in turns), dialogue(record)
    assert bot[-1].endswith("Goodbye."), dialogue(record)
    events = [d["kind"] for d in kept["decisions"]]
    assert events.count("keypad") == 2 and events.count("no_input") == 3, events

    # The goodbye was heard to its end before the line dropped.
    said = heard(recognizer, last_words(result.heard, tmp_path / "goodbye.wav"))
    assert "call us back" in said and "goodbye" in said, said


def last_words(wav: Path, out: Path) -> Path:
    """The last stretch of sound in ``wav``, written to ``out``."""
    [*_, (start, end)] = spans(levels(wav))
    with wave.open(str(wav)) as w:
        rate = w.getframerate()
        w.setpos(int(max(0.0, start - 0.2) * rate))
        frames = w.readframes(int((end - start + 0.4) * rate))
    with wave.open(str(out), "wb") as o:
        o.setnchannels(1)
        o.setsampwidth(2)
        o.setframerate(rate)
        o.writeframes(frames)
    return out
