"""The language model: it understands one caller turn and proposes structured JSON.

The model never decides and never speaks: the dialogue manager asks it for an
intent and slots constrained by a JSON schema, the policy engine decides, and the
bot speaks only templated amounts. Every backend is reached through the
OpenAI-compatible Chat Completions API, so one client serves the embedded
llama.cpp server, Ollama, vLLM and any other compatible server.

A call either returns a schema-valid object within its timeout or raises an
``EngineError`` that says what went wrong, so the caller can fall back to its
deterministic parsers without waiting. The error is retryable unless the server
refused the request itself (HTTP 4xx such as a bad key or an unknown model).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import math
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

import httpx

from voicebot.errors import ConfigError, EngineError

if TYPE_CHECKING:
    from voicebot.engines.llm_embedded import EmbeddedLlamaServer
    from voicebot.settings import Settings

log = logging.getLogger(__name__)

BACKENDS = ("embedded", "ollama", "openai", "none")
DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434"
DEFAULT_OLLAMA_MODEL = "qwen2.5:0.5b-instruct"
DEFAULT_TIMEOUT = 1.5
# Longest piece of a bad answer quoted in an error message.
_QUOTE = 120


class LanguageModel(Protocol):
    """Turns a few messages into one JSON object that matches ``schema``.

    ``timeout`` is part of the contract (rather than left to ``asyncio.timeout``
    around the call) so that running out of time is reported as the same
    retryable EngineError as every other failure.
    """

    async def complete_json(self, messages: list[dict[str, str]], schema: dict, *,
                            max_tokens: int = 64,
                            timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
                            ) -> dict:
        """The parsed object; raises an EngineError on any failure."""
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


# -- the Chat Completions client ---------------------------------------------------


class ChatCompletionsModel:
    """A model behind ``POST {base_url}/chat/completions`` (OpenAI-compatible).

    Requests are deterministic (``temperature: 0``) and constrained by a
    ``json_schema`` response format. ``cache_prompt`` asks llama.cpp's server to
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
        self._client = client or httpx.AsyncClient(trust_env=not _is_loopback(self.base_url))

    def __repr__(self) -> str:
        return f"ChatCompletionsModel({self.base_url!r}, {self.model!r})"

    async def complete_json(self, messages: list[dict[str, str]], schema: dict, *,
                            max_tokens: int = 64,
                            timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
                            ) -> dict:
        answer, _timing = await self.complete_json_timed(
            messages, schema, max_tokens=max_tokens, timeout=timeout)
        return answer

    async def complete_json_timed(self, messages: list[dict[str, str]], schema: dict, *,
                                  max_tokens: int = 64,
                                  timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
                                  ) -> tuple[dict, LlmTiming]:
        """Like ``complete_json``, with this call's timing."""
        body = self._body(messages, max_tokens)
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": _schema_name(schema), "schema": schema},
        }
        data, wall_ms = await self._post(body, timeout)
        timing = _timing(data, wall_ms)
        self.last_timing = timing
        answer = _parse_answer(data, schema, max_tokens)
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
            timings.append(_timing(data, wall_ms))
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
                    data = await _read_events(response, self.url)
                else:
                    data = _decode(await response.aread(), self.url)
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
    raise EngineError(f"LLM HTTP error: {url} answered {status}: {_error_text(response)}",
                      retryable=retryable)


def _decode(raw: bytes, url: str) -> object:
    try:
        return json.loads(raw)
    except ValueError:
        text = raw.decode("utf-8", "replace")
        raise EngineError(
            f"LLM invalid response: the body from {url} is not JSON: {_quote(text)}") from None


async def _read_events(response: httpx.Response, url: str) -> dict[str, Any]:
    """Server-sent completion chunks, put together as one non-streamed completion."""
    parts: list[str] = []
    finish: str | None = None
    merged: dict[str, Any] = {}
    async for line in response.aiter_lines():
        if not line.startswith("data:"):
            continue  # blank separators, comments, event names
        payload = line[5:].strip()
        if payload == "[DONE]":
            break
        chunk = _decode(payload.encode(), url)
        if not isinstance(chunk, dict):
            raise EngineError(f"LLM invalid response: unexpected event {_quote(chunk)}")
        if "error" in chunk:
            error = chunk["error"]
            message = error.get("message", error) if isinstance(error, dict) else error
            raise EngineError(f"LLM server error in stream: {_quote(message)}")
        for key in ("usage", "timings"):
            if isinstance(chunk.get(key), dict):
                merged[key] = chunk[key]
        choices = chunk.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], dict):
            delta = choices[0].get("delta") or choices[0].get("message") or {}
            if isinstance(delta, dict) and isinstance(delta.get("content"), str):
                parts.append(delta["content"])
            finish = choices[0].get("finish_reason") or finish
    message = {"role": "assistant", "content": "".join(parts)}
    return {"choices": [{"index": 0, "message": message, "finish_reason": finish}], **merged}


def _parse_answer(data: object, schema: dict, max_tokens: int) -> dict:
    """The schema-valid object in a Chat Completions answer, or an EngineError."""
    choice = None
    if isinstance(data, dict) and isinstance(data.get("choices"), list) and data["choices"]:
        choice = data["choices"][0]
    message = choice.get("message") if isinstance(choice, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str) or not content.strip():
        raise EngineError(f"LLM invalid response: no message content in {_quote(data)}")
    truncated = isinstance(choice, dict) and choice.get("finish_reason") == "length"
    text = _strip_fences(content)
    try:
        answer = json.loads(text)
    except ValueError:
        cut = f" (cut at max_tokens={max_tokens})" if truncated else ""
        raise EngineError(f"LLM invalid JSON{cut}: {_quote(content)}") from None
    if not isinstance(answer, dict):
        raise EngineError(f"LLM schema mismatch: expected a JSON object, got {_quote(text)}")
    problem = schema_problem(answer, schema)
    if problem:
        raise EngineError(f"LLM schema mismatch: {problem} in {_quote(text)}")
    return answer


def _timing(data: object, wall_ms: float) -> LlmTiming:
    usage = data.get("usage") if isinstance(data, dict) else None
    usage = usage if isinstance(usage, dict) else {}
    details = usage.get("prompt_tokens_details")
    details = details if isinstance(details, dict) else {}
    # llama.cpp's own report; other servers do not send it.
    timings = data.get("timings") if isinstance(data, dict) else None
    timings = timings if isinstance(timings, dict) else {}
    cached = details.get("cached_tokens", timings.get("cache_n"))
    return LlmTiming(
        wall_ms=round(wall_ms, 1),
        prompt_tokens=_int(usage.get("prompt_tokens")),
        completion_tokens=_int(usage.get("completion_tokens")),
        cached_tokens=_int(cached),
        prompt_ms=_float(timings.get("prompt_ms")),
        generation_ms=_float(timings.get("predicted_ms")),
    )


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return round(float(value), 1)
    return None


def _strip_fences(text: str) -> str:
    """Unconstrained servers sometimes wrap JSON in a Markdown code fence."""
    text = text.strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", text, flags=re.DOTALL)
    return fenced.group(1) if fenced else text


def _schema_name(schema: Mapping[str, Any]) -> str:
    title = schema.get("title")
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", title)[:64] if isinstance(title, str) else ""
    return name or "reply"


def _error_text(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return _quote(response.text) or response.reason_phrase
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict) and "message" in error:
        error = error["message"]
    return _quote(error if error is not None else data)


def _quote(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(text.split())
    return text if len(text) <= _QUOTE else text[:_QUOTE] + "..."


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# -- a light JSON schema check -------------------------------------------------------

_TYPES: dict[str, Any] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool)
    and math.isfinite(v),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
}


def schema_problem(value: object, schema: Mapping[str, Any], path: str = "$") -> str | None:
    """The first way ``value`` breaks ``schema``, or None.

    Covers what intent-and-slot schemas use: type (one or a list), enum, const,
    properties, required, additionalProperties, items, anyOf/oneOf and the simple
    bounds. Other keywords ($ref, patterns, formats) are not checked.
    """
    if not isinstance(schema, Mapping):
        return None
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options and all(
                schema_problem(value, option, path) for option in options):
            return f"{path} matches none of its {key} options"
    kinds = schema.get("type")
    if kinds is not None:
        names = [kinds] if isinstance(kinds, str) else list(kinds)
        if not any(_TYPES.get(name, lambda _v: True)(value) for name in names):
            return f"{path} should be {' or '.join(names)}, not {_quote(value)}"
    if "enum" in schema and not any(_same(value, item) for item in schema["enum"]):
        return f"{path} = {_quote(value)} is not one of {_quote(schema['enum'])}"
    if "const" in schema and not _same(value, schema["const"]):
        return f"{path} should be {_quote(schema['const'])}"
    if isinstance(value, dict):
        return _object_problem(value, schema, path)
    if isinstance(value, list):
        return _array_problem(value, schema, path)
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            return f"{path} is shorter than {schema['minLength']} characters"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return f"{path} is longer than {schema['maxLength']} characters"
    if _TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            return f"{path} = {value} is below {schema['minimum']}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"{path} = {value} is above {schema['maximum']}"
    return None


def _object_problem(value: dict, schema: Mapping[str, Any], path: str) -> str | None:
    for key in schema.get("required", ()):
        if key not in value:
            return f"required key {key!r} is missing from {path}"
    properties = schema.get("properties") or {}
    for key, sub in properties.items():
        if key in value and (problem := schema_problem(value[key], sub, f"{path}.{key}")):
            return problem
    extra = schema.get("additionalProperties", True)
    unknown = [key for key in value if key not in properties]
    if extra is False and unknown:
        return f"{path} has unexpected key(s) {', '.join(map(repr, unknown))}"
    if isinstance(extra, Mapping):
        for key in unknown:
            if problem := schema_problem(value[key], extra, f"{path}.{key}"):
                return problem
    return None


def _array_problem(value: list, schema: Mapping[str, Any], path: str) -> str | None:
    if len(value) < schema.get("minItems", 0):
        return f"{path} has fewer than {schema['minItems']} items"
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        return f"{path} has more than {schema['maxItems']} items"
    items = schema.get("items")
    if isinstance(items, Mapping):
        for index, item in enumerate(value):
            if problem := schema_problem(item, items, f"{path}[{index}]"):
                return problem
    return None


def _same(value: object, expected: object) -> bool:
    # JSON keeps true and 1 apart; Python's == does not.
    return value == expected and isinstance(value, bool) == isinstance(expected, bool)


# -- Ollama --------------------------------------------------------------------------


def ollama_url(host: str) -> str:
    """``host`` as the ollama client reads it: a scheme and a port (11434) when missing."""
    raw = host.strip() or DEFAULT_OLLAMA_HOST
    given_scheme = "://" in raw
    parts = urlsplit(raw if given_scheme else f"http://{raw}")
    netloc = parts.netloc
    if parts.port is None and not given_scheme:
        netloc += ":11434"
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"


def check_ollama_model(host: str, model: str, *, timeout: float = 5.0) -> None:
    """Raise ConfigError unless Ollama answers at ``host`` and has ``model``.

    Blocking: meant for start-up.
    """
    import ollama

    url = ollama_url(host)
    client = ollama.Client(host=url, timeout=timeout, trust_env=not _is_loopback(url))
    try:
        client.show(model)
    except ollama.ResponseError as exc:
        if exc.status_code == 404:
            pull = "ollama pull" if url == DEFAULT_OLLAMA_HOST else f"OLLAMA_HOST={url} ollama pull"
            raise ConfigError(f"model {model!r} is not present in Ollama at {url}; "
                              f"run: {pull} {model}") from None
        raise ConfigError(f"Ollama at {url} cannot describe model {model!r}: {exc}") from None
    except (ConnectionError, httpx.HTTPError) as exc:
        raise ConfigError(
            f"Ollama is not reachable at {url} ({type(exc).__name__}); start it with "
            f"`ollama serve` or set VOICEBOT_OLLAMA_HOST") from None
    except ValueError as exc:  # an answer that is not Ollama's (pydantic validation)
        raise ConfigError(f"the server at {url} does not answer like Ollama: {exc}") from None
    finally:
        client.close()


# -- choosing a backend from the settings ----------------------------------------------


def build_language_model(settings: Settings
                         ) -> tuple[ChatCompletionsModel | None, EmbeddedLlamaServer | None]:
    """The language model named by the settings, and the embedded server behind it.

    Returns ``(None, None)`` for the ``none`` backend (deterministic parsers only).
    The caller awaits ``model.close()`` and calls ``server.close()`` (blocking) at
    shut-down. Blocking itself (loads or checks the model): call it at start-up,
    before calls are accepted; loading the embedded model holds the interpreter
    lock for a second or two, even from a worker thread.
    """
    backend = settings.llm_backend
    model_name = settings.llm_model
    if backend == "none":
        return None, None
    if backend == "embedded":
        from voicebot.engines.llm_embedded import DEFAULT_MODEL_NAME, EmbeddedLlamaServer
        from voicebot.engines.models import ModelPaths

        path = ModelPaths(settings.models_dir).llm()
        verbose = settings.log_level == "debug"
        server = EmbeddedLlamaServer(
            path,
            threads=settings.llm_threads,
            batch_threads=settings.llm_batch_threads,
            context=settings.llm_context,
            parallel=settings.llm_parallel,
            model_name=model_name or DEFAULT_MODEL_NAME,
            verbosity=3 if verbose else 1,
        )
        server.start()
        log.info("llm: embedded llama.cpp server at %s (%s, %d thread(s), %d slots)",
                 server.base_url, path.name, server.threads, server.parallel)
        return ChatCompletionsModel(server.base_url, server.model, slots=server.parallel), server
    if backend == "ollama":
        host = ollama_url(settings.ollama_host or DEFAULT_OLLAMA_HOST)
        name = model_name or DEFAULT_OLLAMA_MODEL
        check_ollama_model(host, name)
        log.info("llm: Ollama at %s, model %s", host, name)
        # Ollama keeps its own prompt cache; the llama.cpp field would be noise.
        return ChatCompletionsModel(f"{host}/v1", name, cache_prompt=False), None
    if backend == "openai":
        base_url = settings.llm_base_url
        if not base_url or not model_name:
            raise ConfigError("VOICEBOT_LLM_BASE_URL and VOICEBOT_LLM_MODEL are required "
                              "when VOICEBOT_LLM_BACKEND=openai")
        log.info("llm: OpenAI-compatible server at %s, model %s", base_url, model_name)
        model = ChatCompletionsModel(
            base_url, model_name, api_key=settings.llm_api_key,
            cache_prompt=settings.llm_cache_prompt)
        return model, None
    raise ConfigError(f"unknown LLM backend {backend!r}; use one of {', '.join(BACKENDS)}")
