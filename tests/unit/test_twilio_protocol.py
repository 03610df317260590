import base64
import json

import pytest

from voicebot.errors import ProtocolError
from voicebot.telephony.events import (
    AudioReceived,
    CallEnded,
    CallStarted,
    DigitPressed,
    MarkPlayed,
)
from voicebot.telephony.twilio import StreamState, TwilioStream
from voicebot.telephony.twiml import connect_stream

CONNECTED = json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"})


def start(**overrides):
    body = {
        "event": "start",
        "sequenceNumber": "1",
        "streamSid": "MZ1",
        "start": {
            "streamSid": "MZ1",
            "accountSid": "AC1",
            "callSid": "CA1",
            "tracks": ["inbound"],
            "customParameters": {"creditor": "acme-telecom", "language": "en"},
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
        },
    }
    body["start"].update(overrides)
    return json.dumps(body)


def media(payload=b"\xff" * 160, ts="20", chunk="1"):
    return json.dumps({
        "event": "media", "sequenceNumber": "2", "streamSid": "MZ1",
        "media": {"track": "inbound", "chunk": chunk, "timestamp": ts,
                  "payload": base64.b64encode(payload).decode()},
    })


def streaming():
    stream = TwilioStream()
    assert stream.receive(CONNECTED) == []
    stream.receive(start())
    return stream


def test_full_call_in_order():
    stream = TwilioStream()
    assert stream.receive(CONNECTED) == []
    [started] = stream.receive(start())
    assert started == CallStarted(stream_id="MZ1", call_id="CA1", account_id="AC1",
                                  parameters={"creditor": "acme-telecom", "language": "en"})
    assert stream.receive(media(b"\x01\x02", ts="40")) == [AudioReceived(b"\x01\x02", 40)]
    dtmf = {"event": "dtmf", "streamSid": "MZ1", "sequenceNumber": "3",
            "dtmf": {"track": "inbound_track", "digit": "5"}}
    assert stream.receive(json.dumps(dtmf)) == [DigitPressed("5")]
    mark = {"event": "mark", "streamSid": "MZ1", "sequenceNumber": "4", "mark": {"name": "u1.0"}}
    assert stream.receive(json.dumps(mark)) == [MarkPlayed("u1.0")]
    stop = {"event": "stop", "streamSid": "MZ1", "sequenceNumber": "5",
            "stop": {"accountSid": "AC1", "callSid": "CA1"}}
    assert stream.receive(json.dumps(stop)) == [CallEnded("stop")]
    assert stream.state is StreamState.STOPPED


def test_outbound_frames_are_what_twilio_expects():
    stream = streaming()
    assert json.loads(stream.media(b"\xff\x00")) == {
        "event": "media", "streamSid": "MZ1", "media": {"payload": "/wA="}}
    assert json.loads(stream.mark("u1.0")) == {
        "event": "mark", "streamSid": "MZ1", "mark": {"name": "u1.0"}}
    assert json.loads(stream.clear()) == {"event": "clear", "streamSid": "MZ1"}


def test_cannot_send_before_start():
    with pytest.raises(ProtocolError):
        TwilioStream().media(b"\xff")


@pytest.mark.parametrize(
    ("frame", "code", "words"),
    [
        ("{not json", 1007, "not valid JSON"),
        ("[1, 2]", 1007, "not an object"),
        ('{"streamSid": "MZ1"}', 1007, "no 'event'"),
    ],
)
def test_malformed_frames_close_with_invalid_payload(frame, code, words):
    with pytest.raises(ProtocolError) as err:
        streaming().receive(frame)
    assert err.value.close_code == code
    assert words in str(err.value)


def test_media_before_start_is_a_protocol_error():
    stream = TwilioStream()
    stream.receive(CONNECTED)
    with pytest.raises(ProtocolError) as err:
        stream.receive(media())
    assert err.value.close_code == 1002
    assert "before 'start'" in str(err.value)


@pytest.mark.parametrize(
    "fmt",
    [
        {"encoding": "audio/x-alaw", "sampleRate": 8000, "channels": 1},
        {"encoding": "audio/x-mulaw", "sampleRate": 16000, "channels": 1},
        {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 2},
    ],
)
def test_wrong_media_format_is_refused(fmt):
    stream = TwilioStream()
    with pytest.raises(ProtocolError) as err:
        stream.receive(start(mediaFormat=fmt))
    assert err.value.close_code == 1003
    assert "unsupported media format" in str(err.value)


def test_binary_and_oversized_frames():
    stream = streaming()
    with pytest.raises(ProtocolError) as err:
        stream.receive_binary(b"\x00" * 10)
    assert err.value.close_code == 1003
    small = TwilioStream(max_frame_bytes=1024)
    with pytest.raises(ProtocolError) as err:
        small.receive(media(b"\xff" * 2000))
    assert err.value.close_code == 1009


def test_bad_payloads():
    stream = streaming()
    bad_b64 = json.dumps({"event": "media", "media": {"payload": "!!!", "timestamp": "1"}})
    with pytest.raises(ProtocolError, match="base64"):
        stream.receive(bad_b64)
    with pytest.raises(ProtocolError, match="timestamp"):
        stream.receive(media(ts="soon"))
    with pytest.raises(ProtocolError, match="keypad"):
        stream.receive(json.dumps({"event": "dtmf", "dtmf": {"digit": "x"}}))
    with pytest.raises(ProtocolError, match="second 'start'"):
        stream.receive(start())


def test_unknown_events_are_ignored_and_counted(caplog):
    stream = streaming()
    assert stream.receive(json.dumps({"event": "transcription", "x": 1})) == []
    assert stream.receive(json.dumps({"event": "transcription", "x": 2})) == []
    assert stream.unknown_events == {"transcription": 2}
    assert "unknown Media Streams event 'transcription'" in caplog.text
    assert stream.state is StreamState.STREAMING


def test_nothing_after_stop():
    stream = streaming()
    stream.receive(json.dumps({"event": "stop", "stop": {}}))
    with pytest.raises(ProtocolError, match="after 'stop'"):
        stream.receive(media())


def test_outbound_track_media_is_not_the_caller():
    stream = streaming()
    frame = json.loads(media())
    frame["media"]["track"] = "outbound"
    assert stream.receive(json.dumps(frame)) == []


def test_twiml_connects_the_stream_with_escaped_parameters():
    xml = connect_stream("wss://bot.example/twilio/stream",
                         {"creditor": "acme-telecom", "account": "", "note": 'a "b" <c>'})
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Connect>')
    assert '<Stream url="wss://bot.example/twilio/stream">' in xml
    assert '<Parameter name="creditor" value="acme-telecom"/>' in xml
    assert 'name="account"' not in xml  # empty values are left out
    assert "value='a \"b\" &lt;c&gt;'" in xml
