"""The AudioSocket adapter with bytes only: frames as Asterisk sends them (split
anywhere), what goes back, and everything the protocol does not allow refused with a
ProtocolError, never another exception (fuzzed)."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voicebot.audio.codec import slin_encode, ulaw_decode
from voicebot.errors import AudioFormatError, ProtocolError
from voicebot.telephony.audiosocket import (
    MAX_AUDIO_PAYLOAD,
    AudioSocketStream,
    StreamState,
    audio_frame,
    dtmf_frame,
    uuid_frame,
)
from voicebot.telephony.events import (
    AudioEncoding,
    AudioReceived,
    CallEnded,
    CallStarted,
    Carrier,
    DigitPressed,
)

CALL = "8a3f1c2e-6b4d-4e5f-9a7b-0c1d2e3f4a5b"
PCM = np.arange(-80, 80, dtype="<i2").tobytes()  # 20 ms: 160 samples, 320 bytes
HANGUP = b"\x00\x00\x00"
FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def call_bytes() -> bytes:
    return uuid_frame(CALL) + audio_frame(PCM) + dtmf_frame("5") + audio_frame(PCM) + HANGUP


EXPECTED = [
    CallStarted(stream_id=CALL, call_id=CALL, encoding=AudioEncoding.SLIN16.value,
                carrier=Carrier.AUDIOSOCKET),
    AudioReceived(PCM, encoding=AudioEncoding.SLIN16),
    DigitPressed("5"),
    AudioReceived(PCM, encoding=AudioEncoding.SLIN16),
    CallEnded("hangup"),
]


def test_a_whole_call_in_one_read():
    stream = AudioSocketStream()
    assert stream.receive_data(call_bytes()) == EXPECTED
    assert stream.state is StreamState.ENDED
    assert stream.call_uuid == CALL


def test_the_uuid_frame_is_the_binary_form():
    frame = uuid_frame(CALL)
    assert frame[:3] == b"\x01\x00\x10" and frame[3:] == uuid.UUID(CALL).bytes


@pytest.mark.parametrize("cut", range(1, len(call_bytes())))
def test_split_at_every_byte_boundary(cut):
    data = call_bytes()
    stream = AudioSocketStream()
    assert stream.receive_data(data[:cut]) + stream.receive_data(data[cut:]) == EXPECTED


def test_one_byte_at_a_time():
    stream = AudioSocketStream()
    events = []
    for byte in call_bytes():
        events += stream.receive_data(bytes([byte]))
    assert events == EXPECTED


def test_closing_the_socket_is_a_hang_up():
    stream = AudioSocketStream()
    stream.receive_data(uuid_frame(CALL) + audio_frame(PCM)[:100])
    [ended] = stream.connection_lost()
    assert isinstance(ended, CallEnded) and "mid-frame" in ended.reason
    assert stream.connection_lost() == []
    clean = AudioSocketStream()
    clean.receive_data(uuid_frame(CALL))
    assert clean.connection_lost() == [CallEnded("hangup")]


def test_an_error_frame_ends_the_call_with_asterisks_meaning():
    stream = AudioSocketStream()
    stream.receive_data(uuid_frame(CALL))
    assert stream.receive_data(b"\xff\x00\x01\x01") == [
        CallEnded("error 0x01: the caller hung up")]
    bare = AudioSocketStream()
    assert bare.receive_data(b"\xff\x00\x00") == [CallEnded("error")]


def test_what_follows_a_hang_up_is_not_read():
    stream = AudioSocketStream()
    events = stream.receive_data(uuid_frame(CALL) + HANGUP + audio_frame(PCM))
    assert events[-1] == CallEnded("hangup")
    with pytest.raises(ProtocolError, match="after the hang-up"):
        stream.receive_data(audio_frame(PCM))


@pytest.mark.parametrize(("data", "message"), [
    (audio_frame(PCM), "before the call's UUID"),
    (dtmf_frame("1"), "before the call's UUID"),
    (b"\x42\x00\x00", "unknown AudioSocket kind 0x42"),
    (b"\x02\x00\x01x", "unknown AudioSocket kind 0x02"),
    (b"\x01\x00\x0f" + bytes(15), "UUID frame of 15 bytes"),
    (b"\x00\x00\x01\x00", "HANGUP frame of 1 bytes"),
])
def test_frames_out_of_place_or_malformed_before_the_call(data, message):
    with pytest.raises(ProtocolError, match=message):
        AudioSocketStream().receive_data(data)


@pytest.mark.parametrize(("data", "message", "code"), [
    (uuid_frame(CALL), "second UUID", 1002),
    (b"\x10\xff\xff", "exceeds the 3200-byte limit", 1009),
    (b"\x10\x00\x03abc", "not whole 16-bit samples", 1002),
    (b"\x10\x00\x00", "not whole 16-bit samples", 1002),
    (b"\x03\x00\x02" + b"12", "DTMF frame of 2 bytes", 1002),
    (b"\x03\x00\x01x", "is not a keypad key", 1002),
    (b"\xff\x01\x00", "error frame of 256 bytes", 1009),
])
def test_malformed_frames_during_the_call(data, message, code):
    stream = AudioSocketStream()
    stream.receive_data(uuid_frame(CALL))
    with pytest.raises(ProtocolError, match=message) as caught:
        stream.receive_data(data)
    assert caught.value.close_code == code


def test_an_oversized_frame_is_refused_from_its_header_alone():
    """A peer announcing 64 kB is refused before a byte of it is waited for."""
    stream = AudioSocketStream()
    stream.receive_data(uuid_frame(CALL))
    with pytest.raises(ProtocolError):
        stream.receive_data(b"\x10\xfa\x00")


@pytest.mark.parametrize("kind", range(0x11, 0x19))
def test_pcm_at_higher_rates_is_an_audio_format_error(kind):
    stream = AudioSocketStream()
    stream.receive_data(uuid_frame(CALL))
    with pytest.raises(AudioFormatError, match="above 8 kHz"):
        stream.receive_data(bytes([kind, 0x01, 0x40]) + bytes(320))


def test_outbound_frames():
    assert AudioSocketStream.audio(PCM) == b"\x10\x01\x40" + PCM
    assert AudioSocketStream.hangup() == HANGUP
    for bad in (b"", b"\x00" * 3, b"\x00" * 3202):
        with pytest.raises(ValueError):
            AudioSocketStream.audio(bad)


def test_outbound_audio_round_trips_through_the_parser():
    """What the service sends is what a peer speaking the protocol reads back: the
    speaker's mu-law as linear PCM (the line's transcoding)."""
    ulaw = bytes(range(160))
    pcm = slin_encode(ulaw_decode(ulaw))
    stream = AudioSocketStream()
    stream.receive_data(uuid_frame(CALL))
    [audio] = stream.receive_data(AudioSocketStream.audio(pcm))
    assert isinstance(audio, AudioReceived) and audio.samples == 160
    assert np.array_equal(np.frombuffer(audio.payload, dtype="<i2"), ulaw_decode(ulaw))


# -- fuzzing --------------------------------------------------------------------------


def valid_frames() -> st.SearchStrategy[bytes]:
    audio = st.integers(1, 200).flatmap(lambda n: st.binary(min_size=2 * n, max_size=2 * n))
    return st.one_of(audio.map(audio_frame),
                     st.sampled_from(sorted("0123456789*#ABCD")).map(dtmf_frame))


def feed(stream: AudioSocketStream, chunks: list[bytes]) -> list[object] | None:
    """Events, or None after a ProtocolError; nothing else may escape."""
    events: list[object] = []
    for chunk in chunks:
        try:
            events += stream.receive_data(chunk)
        except ProtocolError as exc:
            assert exc.close_code in (1002, 1003, 1009)
            return None
    for event in events:
        if isinstance(event, AudioReceived):
            assert 0 < len(event.payload) <= MAX_AUDIO_PAYLOAD and len(event.payload) % 2 == 0
        if isinstance(event, DigitPressed):
            assert event.digit in "0123456789*#ABCD"
    return events


@st.composite
def split(draw: st.DrawFn, data: bytes) -> list[bytes]:
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=8)))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


@FUZZ
@given(st.data())
def test_random_bytes_give_events_or_a_protocol_error(data):
    raw = data.draw(st.binary(max_size=2000) | st.lists(
        st.binary(max_size=40) | valid_frames(), max_size=12).map(b"".join))
    prefix = data.draw(st.sampled_from([b"", uuid_frame(CALL)]))
    feed(AudioSocketStream(), data.draw(split(prefix + raw)))


@FUZZ
@given(st.data())
def test_valid_calls_split_anywhere_give_the_same_events(data):
    frames = data.draw(st.lists(valid_frames(), max_size=10))
    whole = uuid_frame(CALL) + b"".join(frames) + HANGUP
    expected = AudioSocketStream().receive_data(whole)
    assert feed(AudioSocketStream(), data.draw(split(whole))) == expected
    assert expected[0].call_id == CALL and expected[-1] == CallEnded("hangup")
