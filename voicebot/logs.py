"""Log output: one JSON object a line for the service (what log collectors read), or
plain text for a person at a terminal; each record of a call carries its call id.

The call id travels in a context variable set when a call's session is made: the
session's tasks, started from there, inherit it, so even a log line that does not
name the call (a library's, an engine's) is filed under it.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import sys

CALL_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("call_id", default=None)
FORMATS = ("json", "text")


class CallIdFilter(logging.Filter):
    """Puts the current call's id on each record (``record.call_id``; None outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "call_id"):
            record.call_id = CALL_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time (UTC, ISO 8601), level, logger, message, the
    call id when there is one, and the error's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        call_id = getattr(record, "call_id", None)
        if call_id:
            out["call_id"] = call_id
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info)
        elif record.exc_text:  # already formatted (and cleaned of card data)
            out["error"] = record.exc_text
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        call_id = getattr(record, "call_id", None)
        return line if not call_id or call_id in line else f"{line} [{call_id}]"


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record comes (a test or a tool may
    have swapped it since), never to a stream closed since the handler was made."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):  # type: ignore[no-untyped-def]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:  # type: ignore[no-untyped-def]
        pass


def configure(level: str, fmt: str = "text") -> None:
    """Logging to standard error in ``fmt`` ("json" or "text"), every record with the
    call id it belongs to. As ``logging.basicConfig``: a root logger that already has
    handlers of someone else's (a test runner's) is left as it is."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, _StderrHandler)]
    if len(ours) != len(root.handlers):
        return
    for old in ours:
        root.removeHandler(old)
    handler = _StderrHandler()
    handler.addFilter(CallIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())
