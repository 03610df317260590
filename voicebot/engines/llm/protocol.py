"""What every language model backend promises: one structured answer per call, in time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from voicebot.engines.llm.output import OutputT

DEFAULT_TIMEOUT = 1.5


class LanguageModel(Protocol):
    """Turns a few messages into one ``output`` object, checked against its model.

    ``timeout`` is part of the contract (rather than left to ``asyncio.timeout``
    around the call) so that running out of time is reported as the same
    retryable EngineError as every other failure.
    """

    async def complete_json(self, messages: list[dict[str, str]], output: type[OutputT], *,
                            max_tokens: int = 64,
                            timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
                            ) -> OutputT:
        """The checked answer; raises an EngineError on any failure."""
        ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class LlmTiming:
    """What one call cost. Token counts and server times are None when not reported."""

    wall_ms: float
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cached_tokens: int | None = None
    prompt_ms: float | None = None  # server-side prompt processing (llama.cpp)
    generation_ms: float | None = None  # server-side generation (llama.cpp)

    @property
    def tokens_per_second(self) -> float | None:
        """Generation speed: server-measured when known, else over the wall time."""
        if not self.completion_tokens:
            return None
        millis = self.generation_ms if self.generation_ms else self.wall_ms
        return self.completion_tokens * 1000 / millis if millis > 0 else None
