"""The chan_websocket adapter with strings and bytes only: events in both of Asterisk's
control formats (plain text, JSON), commands in the format the events came in, and
everything the protocol does not allow refused with a ProtocolError (fuzzed)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voicebot.errors import AudioFormatError, ProtocolError
from voicebot.telephony.asterisk_ws import (
    AsteriskMediaStream,
    ControlFormat,
    StreamState,
)
from voicebot.telephony.events import (
    AudioEncoding,
    AudioReceived,
    CallStarted,
    Carrier,
    DigitPressed,
    MarkPlayed,
)

# The examples of docs.asterisk.org (Configuration/Channel-Drivers/WebSocket).
PLAIN_START = ("MEDIA_START connection_id:e226e283-c90a-4ea9-9e37-389000b9ef47 "
               "channel:WebSocket/connectionid channel_id:pbx1-123456789.999 format:ulaw "
               "optimal_frame_size:160 ptime:20")
OLD_PLAIN_START = ("MEDIA_START connection_id:e226e283-c90a-4ea9-9e37-389000b9ef47 "
                   "channel:WebSocket/connectionid format:ulaw optimal_frame_size:160")
JSON_START = {
    "event": "MEDIA_START", "connection_id": "e226e283-c90a-4ea9-9e37-389000b9ef47",
    "channel": "WebSocket/connectionid", "channel_id": "pbx1-123456789.999", "format": "ulaw",
    "optimal_frame_size": 160, "ptime": 20,
    "channel_variables": {"VOICEBOT_CREDITOR": "contoso-bank", "VOICEBOT_ACCOUNT": "100200",
                          "VOICEBOT_LANGUAGE": "fr", "SOMETHING_ELSE": "x"},
}
FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def started(start: str = PLAIN_START) -> AsteriskMediaStream:
    stream = AsteriskMediaStream()
    stream.receive_text(start)
    return stream


def test_plain_text_call():
    stream = AsteriskMediaStream()
    [start] = stream.receive_text(PLAIN_START)
    assert start == CallStarted(stream_id="e226e283-c90a-4ea9-9e37-389000b9ef47",
                                call_id="pbx1-123456789.999", carrier=Carrier.ASTERISK_WS)
    assert stream.format is ControlFormat.PLAIN and stream.native_marks is None
    assert stream.receive_binary(b"\xff" * 160) == [
        AudioReceived(b"\xff" * 160, encoding=AudioEncoding.ULAW)]
    assert stream.receive_text("DTMF_END digit:5 channel_id:pbx1-123456789.999") == [
        DigitPressed("5")]
    assert stream.receive_text("MEDIA_MARK_PROCESSED u1.0") == [MarkPlayed("u1.0")]
    assert stream.native_marks is True


def test_the_oldest_media_start_names_the_call_by_its_connection():
    [start] = AsteriskMediaStream().receive_text(OLD_PLAIN_START)
    assert start.call_id == start.stream_id == "e226e283-c90a-4ea9-9e37-389000b9ef47"


def test_plain_text_commands():
    stream = started()
    assert stream.flush() == "FLUSH_MEDIA"
    assert stream.hangup() == "HANGUP"
    assert stream.answer() == "ANSWER"
    assert stream.mark("u1.0.1") == "MARK_MEDIA u1.0.1"
    assert stream.media(b"\x7f" * 320) == b"\x7f" * 320


def test_json_call_and_commands():
    stream = AsteriskMediaStream()
    [start] = stream.receive_text(json.dumps(JSON_START, indent=2))  # may be pretty-printed
    assert start.call_id == "pbx1-123456789.999"
    assert start.parameters == {"creditor": "contoso-bank", "account": "100200",
                                "language": "fr"}
    assert stream.format is ControlFormat.JSON and stream.native_marks is True
    assert json.loads(stream.flush()) == {"command": "FLUSH_MEDIA"}
    assert json.loads(stream.mark("u2.1")) == {"command": "MARK_MEDIA",
                                              "correlation_id": "u2.1"}
    assert json.loads(stream.hangup()) == {"command": "HANGUP"}
    event = {"event": "DTMF_END", "channel_id": "pbx1-123456789.999", "digit": "#"}
    assert stream.receive_text(json.dumps(event)) == [DigitPressed("#")]
    mark = {"event": "MEDIA_MARK_PROCESSED", "channel_id": "x", "correlation_id": "u2.1"}
    assert stream.receive_text(json.dumps(mark)) == [MarkPlayed("u2.1")]


def test_flow_control_errors_and_other_events_change_no_call_state():
    stream = started()
    assert stream.receive_text("MEDIA_XOFF") == [] and stream.xoff
    assert stream.receive_text("MEDIA_XON") == [] and not stream.xoff
    assert stream.receive_text("ERROR channel_id:x error_text:Unable to parse") == []
    assert stream.errors == ["Unable to parse"]
    assert stream.receive_text("STATUS queue_length:43 xon_level:800") == []
    assert stream.receive_text("QUEUE_DRAINED") == []
    assert stream.receive_text("MEDIA_BUFFERING_COMPLETED abc") == []
    assert stream.receive_text("SOMETHING_NEW key:value") == []  # tolerated
    assert stream.unknown_events == {"SOMETHING_NEW": 1}
    assert stream.receive_text("MEDIA_MARK_PROCESSED") == []  # a mark without a name


@pytest.mark.parametrize(("start", "message"), [
    (PLAIN_START.replace("format:ulaw", "format:alaw"), "format 'alaw'"),
    (PLAIN_START.replace("format:ulaw", "format:slin16"), "format 'slin16'"),
    (PLAIN_START.replace("optimal_frame_size:160", "optimal_frame_size:320"),
     "optimal_frame_size 320"),
    (PLAIN_START.replace("ptime:20", "ptime:30"), "ptime 30"),
    (json.dumps({**JSON_START, "format": "opus"}), "format 'opus'"),
])
def test_a_format_other_than_20_ms_ulaw_is_refused(start, message):
    with pytest.raises(AudioFormatError, match=message) as caught:
        AsteriskMediaStream().receive_text(start)
    assert caught.value.close_code == 1003


@pytest.mark.parametrize(("text", "message", "code"), [
    ("DTMF_END digit:1", "'DTMF_END' before MEDIA_START", 1002),
    ("", "empty text frame", 1007),
    ("{not json", "not valid JSON", 1007),
    ("[1, 2]", "not an event name", 1007),
    ('{"event": 5}', "no 'event' name", 1007),
    ("[" * 5000 + "]" * 5000, "not an event name", 1007),
    ('{"a":' * 2500 + "1" + "}" * 2500, "nested too deeply", 1007),
    ("media_start format:ulaw", "not an event name", 1007),
    ("MEDIA_START format:ulaw", "connection_id is missing", 1007),
    (PLAIN_START.replace("connection_id:e226", "connection_id:e226/../"), "not an id", 1007),
    (PLAIN_START.replace("optimal_frame_size:160", "optimal_frame_size:x"), "not an integer",
     1007),
    (PLAIN_START + "\nMEDIA_START", "several lines", 1007),
    ("MEDIA_START " + "x" * 20000, "exceeds", 1009),
    (json.dumps({**JSON_START, "channel_variables": [1]}), "channel_variables", 1007),
])
def test_malformed_events_before_the_call(text, message, code):
    with pytest.raises(ProtocolError, match=message) as caught:
        AsteriskMediaStream().receive_text(text)
    assert caught.value.close_code == code


def test_media_before_the_start_and_oversized_media_are_refused():
    with pytest.raises(ProtocolError, match="before MEDIA_START"):
        AsteriskMediaStream().receive_binary(b"\xff" * 160)
    with pytest.raises(ProtocolError, match="larger than") as caught:
        started().receive_binary(b"\xff" * 8001)
    assert caught.value.close_code == 1009
    assert started().receive_binary(b"") == []


def test_a_second_start_and_bad_digits_are_refused():
    stream = started()
    with pytest.raises(ProtocolError, match="second MEDIA_START"):
        stream.receive_text(PLAIN_START)
    with pytest.raises(ProtocolError, match="not a keypad key"):
        started().receive_text("DTMF_END digit:x")


def test_nothing_goes_out_before_the_start_and_only_whole_frames_do():
    stream = AsteriskMediaStream()
    with pytest.raises(ProtocolError):
        stream.flush()
    with pytest.raises(ValueError, match="160-byte"):
        started().media(b"\xff" * 100)
    with pytest.raises(ValueError, match="plain word"):
        started().mark("two words")


# -- fuzzing --------------------------------------------------------------------------

EVENT_NAMES = ["MEDIA_START", "DTMF_END", "MEDIA_MARK_PROCESSED", "MEDIA_XOFF", "MEDIA_XON",
               "ERROR", "STATUS", "QUEUE_DRAINED", "HANGUP", "x", ""]
scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
           | st.sampled_from(["ulaw", "160", "20", "1e400", "9" * 5000, "#", "u1.0"]))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                           max_leaves=8)


def plain_text() -> st.SearchStrategy[str]:
    token = st.one_of(
        st.builds(lambda k, v: f"{k}:{v}", st.sampled_from(
            ["connection_id", "channel_id", "format", "optimal_frame_size", "ptime", "digit",
             "correlation_id", "x"]), st.text(max_size=10) | st.sampled_from(
                 ["ulaw", "160", "20", "5", "abc-1", "9" * 5000])),
        st.text(max_size=8))
    return st.builds(lambda name, tokens: " ".join([name, *tokens]),
                     st.sampled_from(EVENT_NAMES) | st.text(max_size=8),
                     st.lists(token, max_size=6))


def json_text() -> st.SearchStrategy[str]:
    return st.builds(lambda name, body: json.dumps({"event": name, **body}),
                     st.sampled_from(EVENT_NAMES) | st.text(max_size=8),
                     st.dictionaries(st.sampled_from(
                         ["connection_id", "channel_id", "format", "optimal_frame_size",
                          "ptime", "digit", "correlation_id", "channel_variables", "x"]),
                         json_values, max_size=6))


frames = st.one_of(plain_text(), json_text(), st.text(max_size=100),
                   st.binary(max_size=400), st.just(PLAIN_START), st.just(json.dumps(JSON_START)))


@FUZZ
@given(st.lists(frames, min_size=1, max_size=10))
def test_any_frames_give_events_or_a_protocol_error(sequence):
    stream = AsteriskMediaStream()
    for frame in sequence:
        try:
            events = (stream.receive_binary(frame) if isinstance(frame, bytes)
                      else stream.receive_text(frame))
        except ProtocolError as exc:
            assert exc.close_code in (1002, 1003, 1007, 1009)
            return
        for event in events:
            assert isinstance(event, CallStarted | AudioReceived | DigitPressed | MarkPlayed)
            if isinstance(event, CallStarted):
                assert all(isinstance(v, str) and len(v) <= 64
                           for v in event.parameters.values())
    if stream.state is StreamState.STREAMING:
        # Whatever came in, what goes out is well-formed in the call's format.
        for command in (stream.flush(), stream.hangup(), stream.mark("u1.0")):
            if stream.format is ControlFormat.JSON:
                assert "command" in json.loads(command)
            else:
                assert "\n" not in command and len(command) < 128
