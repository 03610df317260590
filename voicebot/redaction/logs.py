"""Redaction of log records, before any handler writes them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from voicebot.redaction.redactor import redact


class RedactingFilter(logging.Filter):
    """Redacts each record's message (with its arguments), traceback and stack.

    Attach it to handlers (see :func:`install_log_redaction`): a filter on a logger
    does not see records that propagate from its children.
    """

    def __init__(self, languages: Iterable[str] = ("en", "fr"), name: str = "") -> None:
        super().__init__(name)
        self.languages = tuple(languages)

    def _clean(self, text: str) -> str:
        for language in self.languages:
            text = redact(text, language).text
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # bad arguments: keep them, but cleaned, rather than fail
            message = f"{record.msg} {record.args!r}"
        record.msg = self._clean(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
            # The traceback is kept as cleaned text only: formatters would otherwise
            # print the exception again from exc_info.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        return True


def add_log_redaction(handler: logging.Handler,
                      languages: Iterable[str] = ("en", "fr")) -> RedactingFilter:
    """Make ``handler`` redact what it emits (once; returns the filter in place)."""
    for existing in handler.filters:
        if isinstance(existing, RedactingFilter):
            return existing
    redacting = RedactingFilter(languages)
    handler.addFilter(redacting)
    return redacting


class RedactingRecordFactory:
    """Makes every log record already redacted, whichever logger and handler it goes
    to: libraries such as uvicorn configure their own handlers after ours."""

    def __init__(self, make: Callable[..., logging.LogRecord],
                 languages: Iterable[str] = ("en", "fr")) -> None:
        self.make = make
        self.redacting = RedactingFilter(languages)

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.make(*args, **kwargs)
        self.redacting.filter(record)
        return record


def install_log_redaction(languages: Iterable[str] = ("en", "fr")) -> list[RedactingFilter]:
    """Redaction on every handler of the root logger, and on every record made from
    now on (once); call after logging is configured."""
    current = logging.getLogRecordFactory()
    if not isinstance(current, RedactingRecordFactory):
        logging.setLogRecordFactory(RedactingRecordFactory(current, languages))
    return [add_log_redaction(h, languages) for h in logging.getLogger().handlers]
