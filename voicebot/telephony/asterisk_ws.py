"""Asterisk's WebSocket channel driver (``chan_websocket``, Asterisk 20.16, 21.11,
22.6, 23.0 and later), sans-I/O.

As documented (docs.asterisk.org, Configuration/Channel-Drivers/WebSocket) and
implemented (``channels/chan_websocket.c``): media travels in BINARY frames, raw in
the channel's codec (mu-law here: 160 bytes are 20 ms); control travels in TEXT frames.
Asterisk speaks first, with ``MEDIA_START``; its control messages are single-line plain
text by default (``MEDIA_START connection_id:<id> channel:<name> channel_id:<uniqueid>
format:ulaw optimal_frame_size:160 ptime:20``, parameters as ``key:value``; the oldest
releases send no ``channel_id`` or ``ptime``) or, from 20.18, 22.8 and 23.2 with
``control_message_format = json`` or the dial option ``f(json)``, one JSON object a
frame (``{"event": "MEDIA_START", ..., "channel_variables": {...}}``). Commands must be
sent in the format the events come in, so the format of ``MEDIA_START`` is kept.

Events taken: ``MEDIA_START``, ``DTMF_END`` (``digit``), ``MEDIA_MARK_PROCESSED``
(the ``correlation_id`` given to ``MARK_MEDIA``; 22.8 and later), ``MEDIA_XOFF`` and
``MEDIA_XON`` (Asterisk's queue of about 1000 frames is nearly full / has room again),
``ERROR``, ``STATUS``, ``QUEUE_DRAINED``, ``MEDIA_BUFFERING_COMPLETED``; unknown ones are
tolerated. Asterisk announces no hang-up: it closes the WebSocket.

Commands sent: ``FLUSH_MEDIA`` (drop the audio Asterisk has queued: barge-in),
``MARK_MEDIA <id>`` (answered by ``MEDIA_MARK_PROCESSED <id>`` once everything queued
before it has gone to the caller), ``HANGUP``, ``ANSWER``.
"""

from __future__ import annotations

import enum
import json
import logging
import re
from typing import Any

from voicebot.errors import AudioFormatError, ProtocolError
from voicebot.telephony.close_codes import (  # noqa: F401 (named here too)
    CLOSE_INVALID_PAYLOAD,
    CLOSE_PROTOCOL_ERROR,
    CLOSE_TOO_BIG,
    CLOSE_UNSUPPORTED_DATA,
)
from voicebot.telephony.events import (
    AudioEncoding,
    AudioReceived,
    CallStarted,
    Carrier,
    CarrierEvent,
    DigitPressed,
    MarkPlayed,
)

log = logging.getLogger(__name__)


ACCEPTED_FORMAT = "ulaw"
FRAME_BYTES = 160  # 20 ms of mu-law: what the speaker sends, and Asterisk's optimal size
PTIME_MS = 20
MAX_MEDIA_PAYLOAD = 8000  # one second of mu-law; Asterisk sends 160 bytes
MAX_TEXT = 16_384
MAX_VARIABLES = 256  # channel variables in a JSON MEDIA_START
DTMF_DIGITS = frozenset("0123456789*#ABCD")
ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")  # records keep ids of 64 characters
# Asterisk's text commands are at most 128 bytes and split at spaces.
MARK_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
# Channel variables the dialplan can set (inherited with a ``__`` prefix) to choose
# the call's creditor, account and language; chan_websocket reports them in the JSON
# ``MEDIA_START`` only.
VARIABLES = {"VOICEBOT_CREDITOR": "creditor", "VOICEBOT_ACCOUNT": "account",
             "VOICEBOT_LANGUAGE": "language", "VOICEBOT_CALL": "call"}
IGNORED_EVENTS = frozenset({"STATUS", "QUEUE_DRAINED", "MEDIA_BUFFERING_COMPLETED"})


class ControlFormat(enum.Enum):
    PLAIN = "plain-text"
    JSON = "json"


class StreamState(enum.Enum):
    AWAITING_START = "awaiting_start"
    STREAMING = "streaming"


class AsteriskMediaStream:
    """One chan_websocket connection's protocol state."""

    def __init__(self, max_text: int = MAX_TEXT) -> None:
        self.max_text = max_text
        self.state = StreamState.AWAITING_START
        self.format: ControlFormat | None = None
        self.channel_id: str | None = None
        self.channel: str | None = None
        # Whether Asterisk answers MARK_MEDIA: known True with JSON (both came in 22.8)
        # or once it answered one; unknown (None) until then.
        self.native_marks: bool | None = None
        self.xoff = False  # Asterisk's queue is nearly full: send nothing more for now
        self.errors: list[str] = []  # ERROR events (a command Asterisk refused), last 8
        self.unknown_events: dict[str, int] = {}

    # -- inbound -----------------------------------------------------------------

    def receive_text(self, text: str) -> list[CarrierEvent]:
        """Parse one TEXT frame (an event). Raises ProtocolError with the close code."""
        if len(text) > self.max_text:
            raise ProtocolError(f"text frame of {len(text)} characters exceeds the "
                                f"{self.max_text}-character limit", close_code=CLOSE_TOO_BIG)
        stripped = text.strip()
        if not stripped:
            raise ProtocolError("empty text frame", close_code=CLOSE_INVALID_PAYLOAD)
        if stripped.startswith("{"):
            name, fields, positional = _parse_json(stripped)
            fmt = ControlFormat.JSON
        else:
            name, fields, positional = _parse_plain(stripped)
            fmt = ControlFormat.PLAIN
        if self.state is StreamState.AWAITING_START:
            if name != "MEDIA_START":
                raise ProtocolError(f"'{name[:40]}' before MEDIA_START")
            return self._on_start(fmt, fields)
        if name == "MEDIA_START":
            raise ProtocolError("second MEDIA_START on one connection")
        if name == "DTMF_END":
            digit = str(fields.get("digit", ""))
            if digit not in DTMF_DIGITS:
                raise ProtocolError(f"DTMF_END digit {digit[:8]!r} is not a keypad key",
                                    close_code=CLOSE_INVALID_PAYLOAD)
            return [DigitPressed(digit)]
        if name == "MEDIA_MARK_PROCESSED":
            self.native_marks = True
            mark = str(fields.get("correlation_id") or (positional[0] if positional else ""))
            return [MarkPlayed(mark)] if MARK_NAME.fullmatch(mark) else []
        if name in ("MEDIA_XOFF", "MEDIA_XON"):
            self.xoff = name == "MEDIA_XOFF"
            return []
        if name == "ERROR":
            detail = str(fields.get("error_text") or " ".join(positional))[:200]
            self.errors = [*self.errors[-7:], detail]
            log.warning("Asterisk refused a command: %s", detail)
            return []
        if name not in IGNORED_EVENTS:
            self._on_unknown(name)
        return []

    def receive_binary(self, data: bytes) -> list[CarrierEvent]:
        """One BINARY frame: caller audio in mu-law."""
        if self.state is StreamState.AWAITING_START:
            raise ProtocolError(f"media ({len(data)} bytes) before MEDIA_START")
        if len(data) > MAX_MEDIA_PAYLOAD:
            raise ProtocolError(f"media frame of {len(data)} bytes is larger than "
                                f"{MAX_MEDIA_PAYLOAD}", close_code=CLOSE_TOO_BIG)
        if not data:
            return []
        return [AudioReceived(data, encoding=AudioEncoding.ULAW)]

    def _on_start(self, fmt: ControlFormat, fields: dict[str, Any]) -> list[CarrierEvent]:
        codec = str(fields.get("format", ""))
        if codec != ACCEPTED_FORMAT:
            raise AudioFormatError(f"MEDIA_START format {codec[:20]!r}; this service takes "
                                   f"{ACCEPTED_FORMAT} (dial with c(ulaw))")
        for key, wanted in (("optimal_frame_size", FRAME_BYTES), ("ptime", PTIME_MS)):
            if key in fields and _int(fields[key], key) != wanted:
                raise AudioFormatError(f"MEDIA_START {key} {fields[key]!s:.12}; this service "
                                       f"sends {FRAME_BYTES}-byte frames every {PTIME_MS} ms")
        connection_id = _id(fields, "connection_id", required=True)
        channel_id = _id(fields, "channel_id") or connection_id
        self.channel = str(fields.get("channel", ""))[:128]
        parameters: dict[str, str] = {}
        variables = fields.get("channel_variables") or {}
        if not isinstance(variables, dict) or len(variables) > MAX_VARIABLES:
            raise ProtocolError("MEDIA_START channel_variables is not an object of variables",
                                close_code=CLOSE_INVALID_PAYLOAD)
        for variable, parameter in VARIABLES.items():
            value = variables.get(variable)
            if isinstance(value, str) and value:
                parameters[parameter] = value[:64]
        self.format = fmt
        self.native_marks = True if fmt is ControlFormat.JSON else None
        self.state = StreamState.STREAMING
        self.channel_id = channel_id
        return [CallStarted(stream_id=connection_id, call_id=channel_id, parameters=parameters,
                            encoding=AudioEncoding.ULAW.value, carrier=Carrier.ASTERISK_WS)]

    def _on_unknown(self, name: str) -> None:
        # Tolerated: Asterisk adds events. Logged once per name and ignored.
        name = name[:64]
        count = self.unknown_events.get(name, 0)
        if count == 0 and len(self.unknown_events) < 32:
            log.warning("ignoring unknown chan_websocket event %r", name)
        if count or len(self.unknown_events) < 32:
            self.unknown_events[name] = count + 1

    # -- outbound ----------------------------------------------------------------

    def media(self, ulaw: bytes) -> bytes:
        """One BINARY frame of bot audio (whole 160-byte frames: Asterisk drops the rest)."""
        self._require_started()
        if not ulaw or len(ulaw) % FRAME_BYTES:
            raise ValueError(f"{len(ulaw)} bytes is not whole {FRAME_BYTES}-byte frames")
        return ulaw

    def flush(self) -> str:
        return self._command("FLUSH_MEDIA")

    def hangup(self) -> str:
        return self._command("HANGUP")

    def answer(self) -> str:
        return self._command("ANSWER")

    def mark(self, name: str) -> str:
        if not MARK_NAME.fullmatch(name):
            raise ValueError(f"mark name {name!r} is not a plain word")
        return self._command("MARK_MEDIA", name)

    def _command(self, command: str, correlation_id: str | None = None) -> str:
        self._require_started()
        if self.format is ControlFormat.JSON:
            body = {"command": command}
            if correlation_id is not None:
                body["correlation_id"] = correlation_id
            return json.dumps(body, separators=(",", ":"))
        return command if correlation_id is None else f"{command} {correlation_id}"

    def _require_started(self) -> None:
        if self.state is StreamState.AWAITING_START:
            raise ProtocolError("cannot send before MEDIA_START")


def _parse_plain(text: str) -> tuple[str, dict[str, Any], list[str]]:
    """``NAME key:value key:value word`` -> name, fields, positional words."""
    if "\n" in text or "\r" in text:
        raise ProtocolError("plain-text event spans several lines",
                            close_code=CLOSE_INVALID_PAYLOAD)
    name, *tokens = text.split()
    fields: dict[str, Any] = {}
    positional: list[str] = []
    for index, token in enumerate(tokens[:32]):
        key, sep, value = token.partition(":")
        if key == "error_text" and sep:  # free text, last on the line (ERROR)
            fields[key] = " ".join([value, *tokens[index + 1:]]).strip()
            break
        if sep and key and key.isidentifier():
            fields[key] = value
        else:
            positional.append(token)
    return _name(name), fields, positional


def _parse_json(text: str) -> tuple[str, dict[str, Any], list[str]]:
    try:
        message = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProtocolError(f"event is not valid JSON ({exc.msg} at position {exc.pos})",
                            close_code=CLOSE_INVALID_PAYLOAD) from None
    except RecursionError:
        raise ProtocolError("event is JSON nested too deeply",
                            close_code=CLOSE_INVALID_PAYLOAD) from None
    if not isinstance(message, dict):
        raise ProtocolError("event is JSON but not an object", close_code=CLOSE_INVALID_PAYLOAD)
    event = message.get("event")
    if not isinstance(event, str):
        raise ProtocolError("event has no 'event' name", close_code=CLOSE_INVALID_PAYLOAD)
    return _name(event), message, []


def _name(name: str) -> str:
    if not name or len(name) > 64 or not all(c.isupper() or c.isdigit() or c == "_"
                                             for c in name):
        raise ProtocolError(f"{name[:40]!r} is not an event name",
                            close_code=CLOSE_INVALID_PAYLOAD)
    return name


def _id(fields: dict[str, Any], key: str, *, required: bool = False) -> str:
    """An id Asterisk made (a UUID, a uniqueid such as ``pbx1-1700000000.12``): it ends
    up in logs, records and URLs."""
    value = fields.get(key, "")
    if not isinstance(value, str) or (value and not ID.fullmatch(value)) or \
            (required and not value):
        raise ProtocolError(f"MEDIA_START {key} is missing or not an id",
                            close_code=CLOSE_INVALID_PAYLOAD)
    return value


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ProtocolError(f"MEDIA_START {name} is not an integer",
                            close_code=CLOSE_INVALID_PAYLOAD)
    try:
        return int(value)
    except ValueError:
        raise ProtocolError(f"MEDIA_START {name} is not an integer",
                            close_code=CLOSE_INVALID_PAYLOAD) from None
