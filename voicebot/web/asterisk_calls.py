"""Calls the dialplan announces before it connects them (``POST /asterisk/calls``), and
the shared secret that Asterisk's requests carry.

AudioSocket brings nothing but the call's UUID, so the dialplan says beforehand which
creditor, account and language that UUID is for::

    same => n,Set(CURLOPT(httpheader)=Authorization: Bearer ${VOICEBOT_SECRET})
    same => n,Set(OK=${CURL(http://127.0.0.1:8080/asterisk/calls,uuid=${ID}&account=100200)})
    same => n,AudioSocket(${ID},127.0.0.1:9092)

An announcement is used once and forgotten after ``asterisk_call_seconds``; a UUID never
announced gets the AudioSocket port's defaults. chan_websocket calls can name an
announcement too (``v(call=<uuid>)`` or the ``VOICEBOT_CALL`` channel variable), though
their dial string can carry the parameters itself.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from typing import Literal
from urllib.parse import parse_qs

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from voicebot.clock import Clock

MAX_ANNOUNCED = 4096
PARAMETER = r"^[A-Za-z0-9_.-]{1,64}$"


class CallAnnouncement(BaseModel):
    """What the dialplan says of a call before connecting it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    uuid: uuid.UUID
    creditor: str | None = Field(None, pattern=PARAMETER)
    account: str | None = Field(None, pattern=PARAMETER)
    language: Literal["en", "fr"] | None = None

    def parameters(self) -> dict[str, str]:
        return {key: value for key, value in (("creditor", self.creditor),
                                              ("account", self.account),
                                              ("language", self.language)) if value}


class AnnouncementError(ValueError):
    """An announcement that cannot be read; the message says why."""


def parse_announcement(body: bytes, content_type: str = "") -> CallAnnouncement:
    """A JSON object, or form fields (what ``CURL(url,uuid=...&account=...)`` sends)."""
    text = body.decode("utf-8", "replace").strip()
    if text.startswith("{") or "json" in content_type:
        try:
            fields = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            raise AnnouncementError("the body is not valid JSON") from None
        if not isinstance(fields, dict):
            raise AnnouncementError("the body is not a JSON object")
    else:
        form = parse_qs(text, keep_blank_values=False, max_num_fields=16)
        fields = {key: values[-1] for key, values in form.items()}
    try:
        return CallAnnouncement.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}"
                             for err in exc.errors())
        raise AnnouncementError(problems) from None


def call_key(value: str) -> str | None:
    """A call's UUID in its canonical form, or None when it is not one."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        return None


class AnnouncedCalls:
    """Announcements waiting for their call: each used once, forgotten after
    ``lifetime`` seconds; at most ``capacity`` (the oldest make room)."""

    def __init__(self, lifetime: float, clock: Clock, capacity: int = MAX_ANNOUNCED) -> None:
        self.lifetime = lifetime
        self.capacity = capacity
        self._clock = clock
        self._calls: OrderedDict[str, tuple[float, dict[str, str]]] = OrderedDict()

    def __len__(self) -> int:
        self._forget_expired()
        return len(self._calls)

    def announce(self, announcement: CallAnnouncement) -> None:
        key = str(announcement.uuid)
        self._forget_expired()
        self._calls.pop(key, None)
        while len(self._calls) >= self.capacity:
            self._calls.popitem(last=False)
        self._calls[key] = (self._clock.now() + self.lifetime, announcement.parameters())

    def take(self, call: str) -> dict[str, str] | None:
        """The parameters announced for ``call`` (a UUID), once; None if none wait."""
        key = call_key(call)
        if key is None:
            return None
        self._forget_expired()
        entry = self._calls.pop(key, None)
        return dict(entry[1]) if entry is not None else None

    def _forget_expired(self) -> None:
        now = self._clock.now()
        while self._calls:
            key, (expires, _) = next(iter(self._calls.items()))
            if expires > now:
                break
            del self._calls[key]


def authorized(headers: Mapping[str, str], secret: str | None) -> bool:
    """``Authorization: Bearer <secret>``, or Basic with the secret as the password (what
    ``websocket_client.conf``'s ``username``/``password`` send). No secret: nobody."""
    if not secret:
        return False
    value = headers.get("authorization", "")
    scheme, _, credentials = value.partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer":
        offered = credentials
    elif scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return False
        offered = decoded.partition(":")[2]
    else:
        return False
    return hmac.compare_digest(offered.encode(), secret.encode())


SAFE_PARAMETERS = ("creditor", "account", "language", "call", "channel")


def uri_parameters(query: Mapping[str, str]) -> dict[str, str]:
    """The call's parameters from a chan_websocket URI (``v(creditor=...,account=...)``):
    known names only, plain values only."""
    return {key: query[key] for key in SAFE_PARAMETERS
            if key in query and _PLAIN.fullmatch(query[key] or "")}


_PLAIN = re.compile(PARAMETER)
