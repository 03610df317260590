"""Shared by the hand-off tests: constants, a stand-in redactor, the recorder's records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from voicebot.redaction import redact_obj

CALL_SID = "CA" + "0123456789abcdef" * 2
ACCOUNT_SID = "AC" + "fedcba9876543210" * 2
AUTH_TOKEN = "twilio-auth-token-for-tests"
CARD = "4111 1111 1111 1111"


def card_redact(value: Any) -> Any:
    """The service's own redaction (card numbers, security codes, IBANs)."""
    return redact_obj(value)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.perf_counter() when the request was read

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode(), keep_blank_values=True)


@dataclass
class Recorder:
    """Records each request; answers with the scripted replies, then with ``default``."""

    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    replies: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    default: tuple[int, dict[str, Any]] = (200, {"sid": CALL_SID, "status": "in-progress"})
    delay: float = 0.0

    def reply(self, status: int, body: dict[str, Any]) -> None:
        self.replies.append((status, body))
