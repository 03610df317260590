"""One error hierarchy for the whole service.

Every error says whether retrying the same operation could succeed, so callers
decide between a retry, a fallback and giving up without string matching.
"""

from __future__ import annotations


class VoicebotError(Exception):
    """Base of every error the service raises on purpose."""

    retryable: bool = False

    def __init__(self, message: str, *, retryable: bool | None = None) -> None:
        super().__init__(message)
        if retryable is not None:
            self.retryable = retryable


class ConfigError(VoicebotError):
    """Settings, a policy file or a prompt file is invalid."""


class ModelError(VoicebotError):
    """A model is missing, incomplete or failed to load."""


class ProtocolError(VoicebotError):
    """A carrier sent something the protocol does not allow.

    ``close_code`` is the WebSocket close code the connection should end with.
    """

    def __init__(self, message: str, *, close_code: int = 1002) -> None:
        super().__init__(message)
        self.close_code = close_code


class AudioFormatError(ProtocolError):
    """The carrier's audio is not in a format the service accepts."""

    def __init__(self, message: str) -> None:
        super().__init__(message, close_code=1003)


class OverloadedError(VoicebotError):
    """A bounded resource (worker pool, call slots) is full."""

    retryable = True


class EngineError(VoicebotError):
    """A speech or language engine failed on one request."""

    retryable = True
