"""Twilio Media Streams (bidirectional ``<Connect><Stream>``), sans-I/O.

``TwilioStream.receive(text)`` parses one WebSocket text frame into carrier
events, enforcing the protocol's order (``connected``, ``start``, then media);
``media()``, ``mark()`` and ``clear()`` encode what goes back. Nothing here
touches a socket, so the whole protocol is tested with strings.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import logging
import re
from collections.abc import Callable
from typing import Any

from voicebot.errors import AudioFormatError, ProtocolError
from voicebot.telephony.close_codes import (  # noqa: F401 (named here too)
    CLOSE_INVALID_PAYLOAD,
    CLOSE_PROTOCOL_ERROR,
    CLOSE_TOO_BIG,
    CLOSE_UNSUPPORTED_DATA,
)
from voicebot.telephony.events import (
    AudioReceived,
    CallEnded,
    CallStarted,
    CarrierEvent,
    DigitPressed,
    MarkPlayed,
)

log = logging.getLogger(__name__)

# WebSocket close codes (RFC 6455 section 7.4.1).

ACCEPTED_ENCODING = "audio/x-mulaw"
ACCEPTED_RATE = 8000
DTMF_DIGITS = frozenset("0123456789*#ABCD")
SID = re.compile(r"[A-Za-z0-9_.:-]{0,64}")
MAX_MEDIA_PAYLOAD = 8000  # one second of mu-law; Twilio sends 160 bytes


class StreamState(enum.Enum):
    AWAITING_START = "awaiting_start"
    STREAMING = "streaming"
    STOPPED = "stopped"


class TwilioStream:
    """One Media Streams connection's protocol state."""

    def __init__(self, max_frame_bytes: int = 16_384) -> None:
        self.max_frame_bytes = max_frame_bytes
        self.state = StreamState.AWAITING_START
        self.stream_sid: str | None = None
        self.call_sid: str | None = None
        self.unknown_events: dict[str, int] = {}
        self._handlers: dict[str, Callable[[dict[str, Any]], list[CarrierEvent]]] = {
            "connected": self._on_connected,
            "start": self._on_start,
            "media": self._on_media,
            "dtmf": self._on_dtmf,
            "mark": self._on_mark,
            "stop": self._on_stop,
        }

    # -- inbound -----------------------------------------------------------

    def receive(self, text: str) -> list[CarrierEvent]:
        """Parse one text frame. Raises ProtocolError with the close code to use."""
        if len(text) > self.max_frame_bytes:
            raise ProtocolError(
                f"frame of {len(text)} bytes exceeds the {self.max_frame_bytes}-byte limit",
                close_code=CLOSE_TOO_BIG,
            )
        try:
            message = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ProtocolError(
                f"frame is not valid JSON ({exc.msg} at position {exc.pos})",
                close_code=CLOSE_INVALID_PAYLOAD,
            ) from None
        except RecursionError:
            raise ProtocolError("frame is JSON nested too deeply",
                                close_code=CLOSE_INVALID_PAYLOAD) from None
        if not isinstance(message, dict):
            raise ProtocolError("frame is JSON but not an object", close_code=CLOSE_INVALID_PAYLOAD)
        event = message.get("event")
        if not isinstance(event, str):
            raise ProtocolError("frame has no 'event' name", close_code=CLOSE_INVALID_PAYLOAD)

        # An explicit table: a frame's event name must never reach any other method.
        handler = self._handlers.get(event)
        if handler is None:
            return self._on_unknown(event)
        if self.state is StreamState.STOPPED:
            raise ProtocolError(f"'{event}' after 'stop'")
        result: list[CarrierEvent] = handler(message)
        return result

    def receive_binary(self, data: bytes) -> list[CarrierEvent]:
        raise ProtocolError(
            f"binary frame of {len(data)} bytes: Media Streams sends JSON text frames only",
            close_code=CLOSE_UNSUPPORTED_DATA,
        )

    def _on_connected(self, message: dict[str, Any]) -> list[CarrierEvent]:
        if self.state is not StreamState.AWAITING_START:
            raise ProtocolError("'connected' after the stream started")
        return []

    def _on_start(self, message: dict[str, Any]) -> list[CarrierEvent]:
        if self.state is not StreamState.AWAITING_START:
            raise ProtocolError("second 'start' on one stream")
        start = _object(message, "start")
        stream_sid = _sid(start, "streamSid", required=True)
        call_sid = _sid(start, "callSid")
        account_sid = _sid(start, "accountSid")
        fmt = start.get("mediaFormat") or {}
        if not isinstance(fmt, dict):
            raise ProtocolError("start.mediaFormat is not an object",
                                close_code=CLOSE_INVALID_PAYLOAD)
        encoding = str(fmt.get("encoding", ACCEPTED_ENCODING))
        rate = _int(fmt.get("sampleRate", ACCEPTED_RATE), "start.mediaFormat.sampleRate")
        channels = _int(fmt.get("channels", 1), "start.mediaFormat.channels")
        if encoding != ACCEPTED_ENCODING or rate != ACCEPTED_RATE or channels != 1:
            raise AudioFormatError(
                f"unsupported media format {encoding} {rate} Hz x{channels}; "
                f"expected {ACCEPTED_ENCODING} {ACCEPTED_RATE} Hz mono"
            )
        params = start.get("customParameters") or {}
        if not isinstance(params, dict):
            raise ProtocolError(
                "start.customParameters is not an object", close_code=CLOSE_INVALID_PAYLOAD
            )
        self.state = StreamState.STREAMING
        self.stream_sid = stream_sid
        self.call_sid = call_sid
        return [
            CallStarted(
                stream_id=stream_sid,
                call_id=self.call_sid,
                account_id=account_sid,
                parameters={str(k): str(v) for k, v in params.items()},
                sample_rate=rate,
                encoding=encoding,
            )
        ]

    def _on_media(self, message: dict[str, Any]) -> list[CarrierEvent]:
        self._require_streaming("media")
        media = _object(message, "media")
        track = media.get("track", "inbound")
        if track not in ("inbound", "inbound_track"):
            return []  # outbound echo of a forked stream: not the caller
        payload_b64 = _text(media, "payload", where="media")
        try:
            payload = base64.b64decode(payload_b64, validate=True)
        except (binascii.Error, ValueError):
            raise ProtocolError(
                "media.payload is not valid base64", close_code=CLOSE_INVALID_PAYLOAD
            ) from None
        if len(payload) > MAX_MEDIA_PAYLOAD:
            raise ProtocolError(
                f"media payload of {len(payload)} bytes is larger than {MAX_MEDIA_PAYLOAD}",
                close_code=CLOSE_TOO_BIG,
            )
        timestamp = media.get("timestamp")
        ts = _int(timestamp, "media.timestamp") if timestamp is not None else None
        return [AudioReceived(payload=payload, timestamp_ms=ts)]

    def _on_dtmf(self, message: dict[str, Any]) -> list[CarrierEvent]:
        self._require_streaming("dtmf")
        digit = str(_object(message, "dtmf").get("digit", ""))
        if digit not in DTMF_DIGITS:
            raise ProtocolError(f"dtmf digit {digit!r} is not a keypad key",
                                close_code=CLOSE_INVALID_PAYLOAD)
        return [DigitPressed(digit)]

    def _on_mark(self, message: dict[str, Any]) -> list[CarrierEvent]:
        self._require_streaming("mark")
        name = _text(_object(message, "mark"), "name", where="mark")
        return [MarkPlayed(name)]

    def _on_stop(self, message: dict[str, Any]) -> list[CarrierEvent]:
        self.state = StreamState.STOPPED
        return [CallEnded("stop")]

    def _on_unknown(self, event: str) -> list[CarrierEvent]:
        # Tolerated: Twilio may add events. Logged once per name and ignored.
        name = event[:64]
        count = self.unknown_events.get(name, 0)
        if count == 0 and len(self.unknown_events) < 32:
            log.warning("ignoring unknown Media Streams event %r", name)
        if count or len(self.unknown_events) < 32:
            self.unknown_events[name] = count + 1
        return []

    def _require_streaming(self, event: str) -> None:
        if self.state is StreamState.AWAITING_START:
            raise ProtocolError(f"'{event}' before 'start'")

    # -- outbound ----------------------------------------------------------

    def media(self, payload: bytes) -> str:
        return json.dumps(
            {
                "event": "media",
                "streamSid": self._sid(),
                "media": {"payload": base64.b64encode(payload).decode("ascii")},
            }
        )

    def mark(self, name: str) -> str:
        return json.dumps({"event": "mark", "streamSid": self._sid(), "mark": {"name": name}})

    def clear(self) -> str:
        return json.dumps({"event": "clear", "streamSid": self._sid()})

    def _sid(self) -> str:
        if self.stream_sid is None:
            raise ProtocolError("cannot send before the stream has started")
        return self.stream_sid


def _object(message: dict[str, Any], key: str) -> dict[str, Any]:
    value = message.get(key)
    if not isinstance(value, dict):
        raise ProtocolError(f"'{key}' is missing or not an object",
                            close_code=CLOSE_INVALID_PAYLOAD)
    return value


def _text(obj: dict[str, Any], key: str, *, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise ProtocolError(f"{where}.{key} is missing or empty", close_code=CLOSE_INVALID_PAYLOAD)
    return value


def _sid(obj: dict[str, Any], key: str, *, required: bool = False) -> str:
    """A Twilio id (``CA`` and 32 hex digits in practice): it ends up in logs and URLs."""
    value = obj.get(key, "")
    if not isinstance(value, str) or not SID.fullmatch(value) or (required and not value):
        raise ProtocolError(f"start.{key} is missing or not an id",
                            close_code=CLOSE_INVALID_PAYLOAD)
    return value


def _int(value: Any, name: str) -> int:
    # Twilio sends counters as strings; accept both, refuse anything else
    # (floats included: 1e400 is infinity, and 0.5 is no counter).
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ProtocolError(f"{name} is not an integer", close_code=CLOSE_INVALID_PAYLOAD)
    try:
        return int(value)
    except ValueError:
        raise ProtocolError(f"{name} is not an integer", close_code=CLOSE_INVALID_PAYLOAD) from None
