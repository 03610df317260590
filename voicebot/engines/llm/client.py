"""The OpenAI-compatible Chat Completions client that serves every backend.

The embedded llama.cpp server, Ollama, vLLM and any other compatible server are
reached the same way. A call either returns a checked answer within its timeout
or raises an ``EngineError`` that says what went wrong, so the caller can fall
back to its deterministic parsers without waiting. The error is retryable unless
the server refused the request itself (HTTP 4xx such as a bad key or an unknown
model).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from voicebot.engines.llm import wire
from voicebot.engines.llm.output import OutputT, json_schema, parse_reply
from voicebot.engines.llm.protocol import DEFAULT_TIMEOUT, LlmTiming
from voicebot.errors import EngineError

log = logging.getLogger(__name__)


class ChatCompletionsModel:
    """A model behind ``POST {base_url}/chat/completions`` (OpenAI-compatible).

    Requests are deterministic (``temperature: 0``) and constrained by a
    ``json_schema`` response format, the schema of the output class asked for,
    which then checks the answer. ``cache_prompt`` asks llama.cpp's server to
    reuse the cached prefix (the system prompt): current servers do so anyway,
    older ones only when asked. Ollama and vLLM ignore the field, but strict
    servers reject unknown fields, so it can be left out.

    With ``stream`` (the default) the answer is read as server-sent events and
    put together here: when a call runs out of time the connection is closed and
    llama.cpp stops generating at once, whereas a plain request would keep its
    slot and the CPU busy until ``max_tokens``. A server that answers a streamed
    request with a plain JSON body is read just the same.

    ``slots`` is the number of llama.cpp slots behind ``base_url`` when it is
    known (the embedded server): ``prime`` then reads each prompt into each slot.

    ``last_timing`` is the timing of the latest call that got an answer; calls made
    concurrently should use ``complete_json_timed`` to get their own.
    """

    def __init__(self, base_url: str, model: str, *, api_key: str | None = None,
                 client: httpx.AsyncClient | None = None, cache_prompt: bool = True,
                 stream: bool = True, slots: int | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.cache_prompt = cache_prompt
        self.stream = stream
        self.slots = slots
        self.url = f"{self.base_url}/chat/completions"
        self.last_timing: LlmTiming | None = None
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._own_client = client is None
        # A loopback server is reached directly, whatever proxy the environment names.
        self._client = client or httpx.AsyncClient(trust_env=not is_loopback(self.base_url))

    def __repr__(self) -> str:
        return f"ChatCompletionsModel({self.base_url!r}, {self.model!r})"

    async def complete_json(self, messages: list[dict[str, str]], output: type[OutputT], *,
                            max_tokens: int = 64,
                            timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
                            ) -> OutputT:
        """The ``output`` object the model writes for ``messages``; raises an EngineError
        (an InvalidReplyError when the answer fails the check) on any failure."""
        answer, _timing = await self.complete_json_timed(
            messages, output, max_tokens=max_tokens, timeout=timeout)
        return answer

    async def complete_json_timed(self, messages: list[dict[str, str]], output: type[OutputT],
                                  *, max_tokens: int = 64,
                                  timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
                                  ) -> tuple[OutputT, LlmTiming]:
        """Like ``complete_json``, with this call's timing."""
        schema = json_schema(output)
        body = self._body(messages, max_tokens)
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": _schema_name(schema), "schema": schema},
        }
        data, wall_ms = await self._post(body, timeout)
        timing = wire.timing(data, wall_ms)
        self.last_timing = timing
        content, truncated = wire.answer_content(data)
        answer = parse_reply(content, output, cut_at=max_tokens if truncated else None)
        log.debug("llm %s: %.0f ms, %s prompt (%s cached) + %s completion tokens",
                  self.model, timing.wall_ms, timing.prompt_tokens, timing.cached_tokens,
                  timing.completion_tokens)
        return answer, timing

    async def prime(self, system_prompts: Iterable[str], *,
                    timeout: float = 60.0,  # noqa: ASYNC109
                    ) -> list[LlmTiming]:
        """Have the server read each system prompt once (1-token answers).

        Call it at start-up with the turn instructions: calls that start with the
        same system prompt then find it cached instead of waiting seconds for it,
        and a server that loads models lazily (Ollama) loads it now.

        A llama.cpp slot caches only the last prompt it read, and a request goes to
        the idle slot whose cache shares most of its prompt. So with ``slots`` each
        prompt gets slots of its own, round robin (English in one, French in the
        other): reading every prompt into every slot would leave all of them holding
        the last one. With more prompts than slots, the later ones are read but not
        kept.
        """
        prompts = list(system_prompts)
        if self.slots and prompts:
            plan: list[tuple[str, int | None]] = [
                (prompts[slot % len(prompts)], slot) for slot in range(self.slots)]
            plan = [(p, None) for p in prompts[self.slots:]] + plan  # kept: the last read
        else:
            plan = [(p, None) for p in prompts]
        timings = []
        for prompt, slot in plan:
            messages = [{"role": "system", "content": prompt},
                        {"role": "user", "content": "Hello"}]
            body = self._body(messages, 1)
            if slot is not None:
                body["id_slot"] = slot
            data, wall_ms = await self._post(body, timeout)
            timings.append(wire.timing(data, wall_ms))
        return timings

    def _body(self, messages: list[dict[str, str]], max_tokens: int) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": 0,
            "max_tokens": max_tokens,
            "stream": self.stream,
        }
        if self.stream:
            body["stream_options"] = {"include_usage": True}
        if self.cache_prompt:
            body["cache_prompt"] = True
        return body

    async def _post(self, body: dict[str, Any],
                    timeout: float,  # noqa: ASYNC109
                    ) -> tuple[object, float]:
        """The answer as a non-streamed completion, and the wall time in ms."""
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout), self._client.stream(
                "POST", self.url, json=body, headers=self._headers,
                # A backstop only: the deadline above bounds the whole exchange.
                timeout=httpx.Timeout(timeout + 1.0),
            ) as response:
                if response.status_code != 200:
                    await response.aread()
                    _raise_for_status(response, self.url)
                if "text/event-stream" in response.headers.get("content-type", ""):
                    data = await wire.read_events(response.aiter_lines(), self.url)
                else:
                    data = wire.decode(await response.aread(), self.url)
        except TimeoutError:
            raise EngineError(
                f"LLM timeout: {self.url} did not answer within {timeout:g} s") from None
        except httpx.ConnectError as exc:
            raise EngineError(
                f"LLM server down: cannot connect to {self.url} ({exc or 'connection refused'})"
            ) from exc
        except httpx.TimeoutException as exc:
            raise EngineError(f"LLM timeout: {self.url}: {type(exc).__name__}") from exc
        except httpx.HTTPError as exc:
            raise EngineError(
                f"LLM request failed: {self.url}: {type(exc).__name__}: {exc}") from exc
        return data, (time.perf_counter() - started) * 1000

    async def ping(self, timeout: float = 2.0) -> None:  # noqa: ASYNC109
        """Raise ``EngineError`` unless the server answers its model list in time."""
        try:
            response = await self._client.get(f"{self.base_url}/models", headers=self._headers,
                                              timeout=timeout)
        except httpx.HTTPError as exc:
            raise EngineError(f"LLM server not answering at {self.base_url}: "
                              f"{type(exc).__name__}") from exc
        if response.status_code != 200:
            raise EngineError(f"LLM server at {self.base_url} answered "
                              f"{response.status_code} to its model list")

    async def close(self) -> None:
        if self._own_client:
            await self._client.aclose()


def _raise_for_status(response: httpx.Response, url: str) -> None:
    status = response.status_code
    # A request the server refuses (bad key, unknown model, unsupported schema)
    # fails the same way on a retry; overload and crashes may not.
    retryable = status >= 500 or status in (408, 409, 425, 429)
    text = wire.error_text(response.content, response.reason_phrase)
    raise EngineError(f"LLM HTTP error: {url} answered {status}: {text}", retryable=retryable)


def _schema_name(schema: Mapping[str, Any]) -> str:
    """The schema's title as OpenAI accepts a response format's name."""
    title = schema.get("title")
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", title)[:64] if isinstance(title, str) else ""
    return name or "reply"


def is_loopback(url: str) -> bool:
    """Whether ``url`` names this machine (localhost or a loopback address)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
