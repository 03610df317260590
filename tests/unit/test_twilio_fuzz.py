"""Fuzzing the Twilio Media Streams adapter: whatever a client sends, the adapter
either returns carrier events or raises its own ProtocolError with a close code.
Nothing else may escape (a TypeError or a RecursionError would end the stream
with 1011 and a traceback, and in the glue it would look like our bug)."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voicebot.errors import ProtocolError
from voicebot.telephony.events import (
    AudioReceived,
    CallEnded,
    CallStarted,
    DigitPressed,
    MarkPlayed,
)
from voicebot.telephony.twilio import StreamState, TwilioStream

CLOSE_CODES = {1002, 1003, 1007, 1008, 1009}
EVENT_TYPES = (CallStarted, AudioReceived, DigitPressed, MarkPlayed, CallEnded)
FUZZ = settings(max_examples=400, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

VALID: dict[str, dict[str, Any]] = {
    "connected": {"event": "connected", "protocol": "Call", "version": "1.0.0"},
    "start": {
        "event": "start", "sequenceNumber": "1", "streamSid": "MZ1",
        "start": {"streamSid": "MZ1", "accountSid": "AC1", "callSid": "CA1",
                  "tracks": ["inbound"], "customParameters": {"creditor": "acme-telecom"},
                  "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000,
                                  "channels": 1}},
    },
    "media": {"event": "media", "sequenceNumber": "2", "streamSid": "MZ1",
              "media": {"track": "inbound", "chunk": "1", "timestamp": "20",
                        "payload": base64.b64encode(b"\xff" * 160).decode()}},
    "dtmf": {"event": "dtmf", "streamSid": "MZ1", "sequenceNumber": "3",
             "dtmf": {"track": "inbound_track", "digit": "5"}},
    "mark": {"event": "mark", "streamSid": "MZ1", "sequenceNumber": "4",
             "mark": {"name": "u1.0"}},
    "stop": {"event": "stop", "streamSid": "MZ1", "sequenceNumber": "5",
             "stop": {"accountSid": "AC1", "callSid": "CA1"}},
}

scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
           | st.text(max_size=20) | st.sampled_from(["", "0", "-1", "1e400", "²³", "NaN",
                                                     "9" * 5000, "inbound", "//8=", "=="]))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=4),
    max_leaves=12,
)
event_names = st.sampled_from([*VALID, "unknown", "receive", "_on_start", "__class__",
                               "require_streaming", "sid", ""]) | st.text(max_size=10)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path inside a JSON value."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


@st.composite
def mutated_frame(draw: st.DrawFn) -> str:
    """A valid frame with a few values replaced, removed or added."""
    frame = copy.deepcopy(VALID[draw(st.sampled_from(sorted(VALID)))])
    for _ in range(draw(st.integers(1, 4))):
        spots = paths(frame)[1:]
        path = draw(st.sampled_from(spots))
        parent = frame
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(json_values)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = draw(json_values)
        if not isinstance(frame, dict) or not frame:
            break
    text = json.dumps(frame)
    cut = draw(st.none() | st.integers(0, len(text)))
    return text if cut is None else text[:cut]


def frame_text() -> st.SearchStrategy[str]:
    random_object = st.builds(lambda name, body: json.dumps({"event": name, **body}),
                              event_names, st.dictionaries(st.text(max_size=10), json_values,
                                                           max_size=5))
    return st.one_of(
        mutated_frame(),
        st.sampled_from([json.dumps(f) for f in VALID.values()]),
        random_object,
        json_values.map(json.dumps),
        st.text(max_size=200),
        st.integers(1, 20_000).map(lambda n: "[" * n + "]" * n),
        st.integers(1, 20_000).map(lambda n: '{"a":' * n + "1" + "}" * n),
    )


def feed(stream: TwilioStream, text: str) -> bool:
    """One frame: events of the right kinds, or a ProtocolError with a close code."""
    try:
        events = stream.receive(text)
    except ProtocolError as exc:
        assert exc.close_code in CLOSE_CODES, exc
        return False
    assert isinstance(events, list)
    assert all(isinstance(e, EVENT_TYPES) for e in events), events
    for event in events:
        if isinstance(event, AudioReceived):
            assert isinstance(event.payload, bytes) and len(event.payload) <= 8000
            assert event.timestamp_ms is None or isinstance(event.timestamp_ms, int)
        if isinstance(event, CallStarted):
            assert all(isinstance(k, str) and isinstance(v, str)
                       for k, v in event.parameters.items())
    return True


@FUZZ
@given(st.lists(frame_text(), min_size=1, max_size=12))
def test_any_sequence_of_frames_gives_events_or_a_protocol_error(frames):
    stream = TwilioStream()
    for text in frames:
        if not feed(stream, text):
            return  # the glue closes the stream here
    if stream.state is StreamState.STREAMING:
        # Whatever came in, what goes out is still well-formed JSON.
        for out in (stream.media(b"\x00" * 160), stream.mark("m"), stream.clear()):
            assert json.loads(out)["streamSid"] == stream.stream_sid


@FUZZ
@given(st.lists(mutated_frame(), min_size=1, max_size=8))
def test_mutated_frames_after_a_good_start(frames):
    stream = TwilioStream()
    assert feed(stream, json.dumps(VALID["connected"]))
    assert feed(stream, json.dumps(VALID["start"]))
    for text in frames:
        if not feed(stream, text):
            return


@FUZZ
@given(st.binary(max_size=300))
def test_binary_frames_are_refused_with_1003(data):
    stream = TwilioStream()
    try:
        stream.receive_binary(data)
    except ProtocolError as exc:
        assert exc.close_code == 1003
    else:
        raise AssertionError("a binary frame was accepted")


def test_the_crashes_fuzzing_found_are_protocol_errors():
    """Each of these escaped as TypeError, RecursionError or OverflowError before."""
    started = json.dumps(VALID["start"])
    cases = [
        ([json.dumps({"event": "unknown"})], None),  # ignored like any unknown event
        (["[" * 5_000 + "]" * 5_000], 1007),
        ([json.dumps({**VALID["start"], "start": {**VALID["start"]["start"],
                                                   "mediaFormat": {"sampleRate": 1e400}}})],
         1007),
        ([started, json.dumps({**VALID["media"], "media": {**VALID["media"]["media"],
                                                           "timestamp": 1e400}})], 1007),
        ([json.dumps({**VALID["start"], "start": {**VALID["start"]["start"],
                                                   "callSid": {"a": 1}}})], 1007),
        ([json.dumps({**VALID["start"], "start": {**VALID["start"]["start"],
                                                   "callSid": "CA1/../../x"}})], 1007),
    ]
    for frames, code in cases:
        stream = TwilioStream()
        try:
            for text in frames:
                stream.receive(text)
        except ProtocolError as exc:
            assert exc.close_code == code, (frames[-1][:80], exc)
        else:
            assert code is None, frames[-1][:80]
