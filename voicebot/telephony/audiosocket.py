"""Asterisk's AudioSocket protocol (``AudioSocket(uuid,host:port)``), sans-I/O.

Asterisk connects over TCP and both sides send frames of a 1-byte kind, a 2-byte
big-endian payload length and the payload
(docs.asterisk.org, Configuration/Channel-Drivers/AudioSocket):

- ``0x01`` the call's UUID, 16 bytes, first and once;
- ``0x10`` audio: signed 16-bit little-endian linear PCM, 8 kHz mono (320 bytes are
  20 ms);
- ``0x03`` a keypad digit, one ASCII byte (Asterisk 20, 21 and 22 and later);
- ``0x00`` hang-up (closing the socket says the same);
- ``0xff`` an error, with an optional code (Asterisk's: 0x01 the caller hung up,
  0x02 a frame could not be forwarded, 0x04 out of memory).

``0x11``-``0x18`` carry the same PCM at higher rates in recent releases; this service
asks for none of them and refuses them. Asterisk accepts only audio and hang-up frames
from us, at the pace they are to be played: it has no buffer, no marks and no way to
drop audio once sent (pacing and marks are ``voicebot.telephony.pacing``'s).

``AudioSocketStream.receive_data`` takes bytes as they come off the socket, split
anywhere, and returns the events of the frames they complete; ``audio`` and
``hangup`` frame what goes back. Nothing here touches a socket or decodes audio.
"""

from __future__ import annotations

import enum
import uuid

from voicebot.errors import AudioFormatError, ProtocolError
from voicebot.telephony.events import (
    AudioEncoding,
    AudioReceived,
    CallEnded,
    CallStarted,
    Carrier,
    CarrierEvent,
    DigitPressed,
)

HEADER_BYTES = 3
AUDIO_RATE = 8000
FRAME_BYTES = 320  # 20 ms of 8 kHz 16-bit PCM
# Asterisk sends a frame per packetization interval (20 ms as a rule); 200 ms is far
# beyond any ptime, and a length past it is a broken or hostile peer.
MAX_AUDIO_PAYLOAD = 3200
MAX_ERROR_PAYLOAD = 64
DTMF_DIGITS = frozenset("0123456789*#ABCD")
# Asterisk's error codes (bit-packed, one byte).
ERROR_CODES = {0x01: "the caller hung up", 0x02: "a frame could not be forwarded",
               0x04: "out of memory"}

# Protocol errors close the TCP connection; the codes name the fault in the logs and
# match the WebSocket ones the other adapters use.
PROTOCOL_ERROR = 1002
TOO_BIG = 1009


class Kind(enum.IntEnum):
    HANGUP = 0x00
    UUID = 0x01
    DTMF = 0x03
    AUDIO = 0x10
    ERROR = 0xFF


KINDS = frozenset(kind.value for kind in Kind)
# Linear PCM at 12, 16, 24, 32, 44.1, 48, 96 and 192 kHz (Asterisk 23 and later).
HIGHER_RATES = range(0x11, 0x19)


class StreamState(enum.Enum):
    AWAITING_UUID = "awaiting_uuid"
    STREAMING = "streaming"
    ENDED = "ended"


class AudioSocketStream:
    """One AudioSocket connection's protocol state, fed bytes as they arrive."""

    def __init__(self) -> None:
        self.state = StreamState.AWAITING_UUID
        self.call_uuid: str | None = None
        self._buffer = bytearray()

    # -- inbound -----------------------------------------------------------------

    def receive_data(self, data: bytes) -> list[CarrierEvent]:
        """The events of every frame ``data`` completes; a partial frame waits for more.

        Raises ProtocolError (AudioFormatError for audio of another rate) for anything
        the protocol does not allow; the connection is then closed.
        """
        if self.state is StreamState.ENDED:
            if data:
                raise ProtocolError(f"{len(data)} bytes after the hang-up",
                                    close_code=PROTOCOL_ERROR)
            return []
        self._buffer += data
        events: list[CarrierEvent] = []
        while len(self._buffer) >= HEADER_BYTES and self.state is not StreamState.ENDED:
            kind = self._buffer[0]
            length = int.from_bytes(self._buffer[1:3], "big")
            self._check_header(kind, length)  # before waiting for a payload that big
            if len(self._buffer) < HEADER_BYTES + length:
                break
            payload = bytes(self._buffer[HEADER_BYTES:HEADER_BYTES + length])
            del self._buffer[:HEADER_BYTES + length]
            events += self._frame(Kind(kind), payload)
        if self.state is StreamState.ENDED:
            self._buffer.clear()  # the call is over: what follows a hang-up is not read
        return events

    def connection_lost(self) -> list[CarrierEvent]:
        """The peer closed the socket: a hang-up (mid-frame, a truncated one)."""
        if self.state is StreamState.ENDED:
            return []
        self.state = StreamState.ENDED
        if self._buffer:
            return [CallEnded(f"connection closed mid-frame ({len(self._buffer)} bytes)")]
        return [CallEnded("hangup")]

    def _check_header(self, kind: int, length: int) -> None:
        if kind in HIGHER_RATES:
            raise AudioFormatError(f"AudioSocket kind {kind:#04x} is PCM above 8 kHz; "
                                   "this service takes 8 kHz audio (0x10)")
        if kind not in KINDS:
            raise ProtocolError(f"unknown AudioSocket kind {kind:#04x}",
                                close_code=PROTOCOL_ERROR)
        expected = {Kind.HANGUP: 0, Kind.UUID: 16, Kind.DTMF: 1}.get(Kind(kind))
        if expected is not None and length != expected:
            raise ProtocolError(f"{Kind(kind).name} frame of {length} bytes (expected "
                                f"{expected})", close_code=PROTOCOL_ERROR)
        if kind == Kind.AUDIO and length > MAX_AUDIO_PAYLOAD:
            raise ProtocolError(f"audio frame of {length} bytes exceeds the "
                                f"{MAX_AUDIO_PAYLOAD}-byte limit", close_code=TOO_BIG)
        if kind == Kind.AUDIO and (length == 0 or length % 2):
            raise ProtocolError(f"audio frame of {length} bytes is not whole 16-bit samples",
                                close_code=PROTOCOL_ERROR)
        if kind == Kind.ERROR and length > MAX_ERROR_PAYLOAD:
            raise ProtocolError(f"error frame of {length} bytes", close_code=TOO_BIG)
        if self.state is StreamState.AWAITING_UUID and kind not in (Kind.UUID, Kind.HANGUP,
                                                                    Kind.ERROR):
            raise ProtocolError(f"{Kind(kind).name} frame before the call's UUID",
                                close_code=PROTOCOL_ERROR)
        if self.state is StreamState.STREAMING and kind == Kind.UUID:
            raise ProtocolError("second UUID frame on one connection",
                                close_code=PROTOCOL_ERROR)

    def _frame(self, kind: Kind, payload: bytes) -> list[CarrierEvent]:
        if kind is Kind.UUID:
            self.call_uuid = str(uuid.UUID(bytes=payload))
            self.state = StreamState.STREAMING
            return [CallStarted(stream_id=self.call_uuid, call_id=self.call_uuid,
                                sample_rate=AUDIO_RATE, encoding=AudioEncoding.SLIN16.value,
                                carrier=Carrier.AUDIOSOCKET)]
        if kind is Kind.AUDIO:
            return [AudioReceived(payload, encoding=AudioEncoding.SLIN16)]
        if kind is Kind.DTMF:
            digit = chr(payload[0])
            if digit not in DTMF_DIGITS:
                raise ProtocolError(f"DTMF byte {payload[0]:#04x} is not a keypad key",
                                    close_code=PROTOCOL_ERROR)
            return [DigitPressed(digit)]
        self.state = StreamState.ENDED
        if kind is Kind.HANGUP:
            return [CallEnded("hangup")]
        code = payload[0] if payload else None
        meaning = ERROR_CODES.get(code, "application error") if code is not None else ""
        return [CallEnded(f"error {code:#04x}: {meaning}" if code is not None
                          else "error")]

    # -- outbound ----------------------------------------------------------------

    @staticmethod
    def audio(pcm: bytes) -> bytes:
        """An audio frame of 8 kHz 16-bit little-endian PCM (the line turns the speaker's
        mu-law into it)."""
        if not pcm or len(pcm) % 2 or len(pcm) > MAX_AUDIO_PAYLOAD:
            raise ValueError(f"{len(pcm)} bytes is not one frame of 16-bit samples")
        return bytes([Kind.AUDIO]) + len(pcm).to_bytes(2, "big") + pcm

    @staticmethod
    def hangup() -> bytes:
        """The hang-up frame: Asterisk's AudioSocket() returns and the dialplan goes on."""
        return bytes([Kind.HANGUP, 0, 0])


def uuid_frame(call_uuid: str) -> bytes:
    """The frame Asterisk opens a connection with (for tests and tools)."""
    return bytes([Kind.UUID, 0, 16]) + uuid.UUID(call_uuid).bytes


def audio_frame(pcm: bytes) -> bytes:
    """An audio frame of raw 8 kHz PCM (for tests and tools)."""
    return bytes([Kind.AUDIO]) + len(pcm).to_bytes(2, "big") + pcm


def dtmf_frame(digit: str) -> bytes:
    """A keypad frame (for tests and tools)."""
    return bytes([Kind.DTMF, 0, 1]) + digit.encode("ascii")
