"""The language model client, its failures and the Ollama start-up check.

The servers here are tiny fakes on 127.0.0.1: a refused port, a server slower than
the deadline, a garbage body or an HTTP 500 cannot be caused on a real model.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

import pytest

from voicebot.engines.llm import (
    ChatCompletionsModel,
    InvalidReplyError,
    LlmTiming,
    StructuredOutput,
    build_language_model,
)
from voicebot.engines.llm.ollama import DEFAULT_OLLAMA_MODEL, check_ollama_model, ollama_url
from voicebot.errors import ConfigError, EngineError
from voicebot.settings import Settings


class Reading(StructuredOutput):
    intent: Literal["ask_human", "provide_amount", "agree", "refuse", "other"]
    amount: float | None


SCHEMA = {
    "type": "object",
    "title": "Reading",
    "properties": {
        "intent": {"type": "string", "title": "Intent",
                   "enum": ["ask_human", "provide_amount", "agree", "refuse", "other"]},
        "amount": {"anyOf": [{"type": "number"}, {"type": "null"}], "title": "Amount"},
    },
    "required": ["intent", "amount"],
    "additionalProperties": False,
}
MESSAGES = [{"role": "system", "content": "Classify."}, {"role": "user", "content": "Hi"}]

# Status, body, and seconds to wait before answering; a body given as a list of
# pieces is sent as server-sent events, waiting that long before each piece.
Reply = tuple[int, bytes | list[bytes], float]


class FakeServer:
    """An HTTP server on 127.0.0.1 whose answers a test sets through ``route``."""

    def __init__(self, route: Callable[[str, str, dict], Reply]) -> None:
        self.route = route
        self.requests: list[tuple[str, str, dict, dict]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else {}
                fake.requests.append((self.command, self.path, body, dict(self.headers)))
                status, payload, delay = fake.route(self.command, self.path, body)
                try:
                    if isinstance(payload, list):
                        self.send_response(status)
                        self.send_header("Content-Type", "text/event-stream")
                        self.end_headers()  # HTTP/1.0: the body ends when the server closes
                        for piece in payload:
                            time.sleep(delay)
                            self.wfile.write(piece)
                            self.wfile.flush()
                        return
                    time.sleep(delay)
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up first: that is what some tests want

            do_GET = do_POST = _serve

            def log_message(self, *_args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,),
                                       daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port() -> int:
    """A loopback port nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chat_reply(content: object, *, finish: str = "stop", status: int = 200,
               delay: float = 0.0, extra: dict | None = None) -> Reply:
    body = {
        "object": "chat.completion",
        "choices": [{"index": 0, "finish_reason": finish,
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 180, "completion_tokens": 14, "total_tokens": 194,
                  "prompt_tokens_details": {"cached_tokens": 172}},
        **(extra or {}),
    }
    return status, json.dumps(body).encode(), delay


def event(data: object) -> bytes:
    return f"data: {data if isinstance(data, str) else json.dumps(data)}\n\n".encode()


def streamed_reply(pieces: list[str], *, delay: float = 0.0, done: bool = True) -> Reply:
    """A completion as llama.cpp streams it: a role, content deltas, usage and timings."""
    events = [event({"choices": [{"index": 0, "delta": {"role": "assistant", "content": None},
                                  "finish_reason": None}]})]
    events += [event({"choices": [{"index": 0, "delta": {"content": piece},
                                   "finish_reason": None}]}) for piece in pieces]
    events.append(event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    events.append(event({
        "choices": [],
        "usage": {"prompt_tokens": 190, "completion_tokens": len(pieces), "total_tokens": 200,
                  "prompt_tokens_details": {"cached_tokens": 179}},
        "timings": {"cache_n": 179, "prompt_n": 11, "prompt_ms": 150.0,
                    "predicted_n": len(pieces), "predicted_ms": 400.0},
    }))
    if done:
        events.append(event("[DONE]"))
    return 200, events, delay


@pytest.fixture
def chat_server():
    state: dict[str, Reply] = {"reply": chat_reply('{"intent": "other", "amount": null}')}
    server = FakeServer(lambda _method, _path, _body: state["reply"])
    server.state = state
    yield server
    server.close()


def model_for(server: FakeServer, **kwargs: object) -> ChatCompletionsModel:
    return ChatCompletionsModel(f"{server.url}/v1", "test-model", **kwargs)


# -- answers ------------------------------------------------------------------------


async def test_answer_is_parsed_and_request_is_deterministic(chat_server):
    chat_server.state["reply"] = chat_reply(
        '{"intent": "provide_amount", "amount": 120}',
        extra={"timings": {"cache_n": 172, "prompt_n": 8, "prompt_ms": 120.5,
                           "predicted_n": 14, "predicted_ms": 560.0}})
    model = model_for(chat_server, api_key="sk-test")
    try:
        answer = await model.complete_json(MESSAGES, Reading, max_tokens=40, timeout=5)
    finally:
        await model.close()
    assert answer == Reading(intent="provide_amount", amount=120.0)
    method, path, body, headers = chat_server.requests[-1]
    assert (method, path) == ("POST", "/v1/chat/completions")
    assert body["model"] == "test-model"
    assert body["messages"] == MESSAGES
    assert body["temperature"] == 0
    assert body["max_tokens"] == 40
    assert body["cache_prompt"] is True
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["response_format"] == {
        "type": "json_schema", "json_schema": {"name": "Reading", "schema": SCHEMA}}
    assert headers["Authorization"] == "Bearer sk-test"
    timing = model.last_timing
    assert timing is not None and timing.wall_ms > 0
    assert (timing.prompt_tokens, timing.completion_tokens, timing.cached_tokens) == (180, 14, 172)
    assert timing.prompt_ms == 120.5 and timing.generation_ms == 560.0
    assert timing.tokens_per_second == pytest.approx(25.0)


async def test_cache_prompt_can_be_left_out_and_fences_are_tolerated(chat_server):
    chat_server.state["reply"] = chat_reply('```json\n{"intent": "agree", "amount": null}\n```')
    model = model_for(chat_server, cache_prompt=False, stream=False)
    try:
        answer, timing = await model.complete_json_timed(MESSAGES, Reading, timeout=5)
    finally:
        await model.close()
    assert answer == Reading(intent="agree", amount=None)
    body = chat_server.requests[-1][2]
    assert "cache_prompt" not in body
    assert body["stream"] is False and "stream_options" not in body
    assert "Authorization" not in chat_server.requests[-1][3]
    assert timing.generation_ms is None  # only llama.cpp reports it


async def test_prime_reads_each_system_prompt_once(chat_server):
    model = model_for(chat_server)
    try:
        timings = await model.prime(["Instructions in English.", "Consignes en français."])
    finally:
        await model.close()
    assert [t.cached_tokens for t in timings] == [172, 172]
    bodies = [body for _m, _p, body, _h in chat_server.requests[-2:]]
    assert [b["messages"][0] for b in bodies] == [
        {"role": "system", "content": "Instructions in English."},
        {"role": "system", "content": "Consignes en français."}]
    assert all(b["max_tokens"] == 1 and "response_format" not in b for b in bodies)
    assert all("id_slot" not in b for b in bodies)


async def test_streamed_answer_is_put_together(chat_server):
    chat_server.state["reply"] = streamed_reply(
        ['{"', "intent", '":', ' "', "refuse", '",', ' "amount', '":', " null", "}"])
    model = model_for(chat_server)
    try:
        answer, timing = await model.complete_json_timed(MESSAGES, Reading, timeout=5)
    finally:
        await model.close()
    assert answer == Reading(intent="refuse", amount=None)
    assert (timing.prompt_tokens, timing.completion_tokens, timing.cached_tokens) == (190, 10, 179)
    assert timing.tokens_per_second == pytest.approx(25.0)


async def test_stream_cut_short_is_invalid_json(chat_server):
    chat_server.state["reply"] = streamed_reply(['{"intent": "ag'], done=False)
    model = model_for(chat_server)
    try:
        with pytest.raises(InvalidReplyError, match="LLM invalid JSON"):
            await model.complete_json(MESSAGES, Reading, timeout=5)
    finally:
        await model.close()


async def test_error_event_in_stream(chat_server):
    chat_server.state["reply"] = (200, [event({"error": {"code": 500,
                                                         "message": "context shift failed"}})],
                                  0.0)
    model = model_for(chat_server)
    try:
        with pytest.raises(EngineError, match="server error in stream: context shift failed"):
            await model.complete_json(MESSAGES, Reading, timeout=5)
    finally:
        await model.close()


async def test_trickling_stream_is_cut_at_the_deadline(chat_server):
    # Each piece arrives well within any read timeout; the whole answer does not.
    chat_server.state["reply"] = streamed_reply(['{"intent"', ': "other"', ', "amount": 1}'],
                                                delay=0.25)
    model = model_for(chat_server)
    started = time.perf_counter()
    try:
        with pytest.raises(EngineError, match="LLM timeout"):
            await model.complete_json(MESSAGES, Reading, timeout=0.6)
    finally:
        await model.close()
    assert time.perf_counter() - started < 0.6 + 0.2


async def test_prime_gives_each_prompt_slots_of_its_own(chat_server):
    """English in one slot, French in the other: each keeps its own prompt cached."""
    model = model_for(chat_server, slots=2)
    try:
        timings = await model.prime(["Instructions in English.", "Consignes en français."])
    finally:
        await model.close()
    assert len(timings) == 2
    bodies = [body for _m, _p, body, _h in chat_server.requests[-2:]]
    assert [(b["messages"][0]["content"][:5], b["id_slot"]) for b in bodies] == [
        ("Instr", 0), ("Consi", 1)]


@pytest.mark.parametrize(("slots", "prompts", "expected"), [
    (4, ["en", "fr"], [("en", 0), ("fr", 1), ("en", 2), ("fr", 3)]),
    (1, ["en", "fr"], [("fr", None), ("en", 0)]),  # the first prompt is the one kept
    (2, ["en"], [("en", 0), ("en", 1)]),
])
async def test_prime_with_more_or_fewer_slots_than_prompts(chat_server, slots, prompts,
                                                          expected):
    model = model_for(chat_server, slots=slots)
    try:
        await model.prime(prompts)
    finally:
        await model.close()
    bodies = [body for _m, _p, body, _h in chat_server.requests[-len(expected):]]
    assert [(b["messages"][0]["content"], b.get("id_slot")) for b in bodies] == expected


# -- failures -----------------------------------------------------------------------


async def test_server_down_fails_fast():
    model = ChatCompletionsModel(f"http://127.0.0.1:{closed_port()}/v1", "test-model")
    started = time.perf_counter()
    try:
        with pytest.raises(EngineError, match="LLM server down") as info:
            await model.complete_json(MESSAGES, Reading, timeout=1.5)
    finally:
        await model.close()
    assert time.perf_counter() - started < 0.5
    assert info.value.retryable


async def test_slow_server_times_out_on_time(chat_server):
    chat_server.state["reply"] = chat_reply('{"intent": "other", "amount": null}', delay=3.0)
    model = model_for(chat_server)
    started = time.perf_counter()
    try:
        with pytest.raises(EngineError, match=r"LLM timeout: .* within 0.3 s") as info:
            await model.complete_json(MESSAGES, Reading, timeout=0.3)
    finally:
        await model.close()
    assert time.perf_counter() - started < 0.3 + 0.2
    assert info.value.retryable


@pytest.mark.parametrize(("reply", "problem"), [
    ((200, b"<html>Bad gateway</html>", 0.0), "body from .* is not JSON: <html>Bad gateway"),
    ((500, b'{"error": {"code": 500, "message": "slot crashed"}}', 0.0),
     "LLM HTTP error: .* answered 500: slot crashed"),
    ((503, b"Service Unavailable", 0.0), "answered 503: Service Unavailable"),
])
async def test_server_faults_name_the_problem(chat_server, reply, problem):
    chat_server.state["reply"] = reply
    model = model_for(chat_server)
    try:
        with pytest.raises(EngineError, match=problem) as info:
            await model.complete_json(MESSAGES, Reading, timeout=5)
    finally:
        await model.close()
    assert info.value.retryable
    assert not isinstance(info.value, InvalidReplyError)


@pytest.mark.parametrize(("reply", "problem"), [
    (chat_reply("Sure! The caller wants a human."), "LLM invalid JSON: Sure!"),
    (chat_reply('{"intent": "agree", "amo', finish="length"),
     r"LLM invalid JSON \(cut at max_tokens=64\)"),
    (chat_reply('{"intent": "ask_human"}'), r"schema mismatch: required key \$.amount is missing"),
    (chat_reply('{"intent": "shout", "amount": null}'),
     r'schema mismatch: \$.intent = "shout" is not one of the allowed values'),
    (chat_reply('{"intent": "agree", "amount": "fifty"}'),
     r'schema mismatch: \$.amount = "fifty": Input should be a valid number'),
    (chat_reply('["agree"]'), "schema mismatch: expected a JSON object"),
    (chat_reply(None), "no message content"),
    ((200, b'{"choices": []}', 0.0), "no message content"),
])
async def test_bad_answers_name_the_problem(chat_server, reply, problem):
    chat_server.state["reply"] = reply
    model = model_for(chat_server)
    try:
        with pytest.raises(InvalidReplyError, match=problem) as info:
            await model.complete_json(MESSAGES, Reading, timeout=5)
    finally:
        await model.close()
    assert info.value.retryable


async def test_refused_request_is_not_retryable(chat_server):
    chat_server.state["reply"] = (401, b'{"error": {"message": "invalid api key"}}', 0.0)
    model = model_for(chat_server)
    try:
        with pytest.raises(EngineError, match="answered 401: invalid api key") as info:
            await model.complete_json(MESSAGES, Reading, timeout=5)
    finally:
        await model.close()
    assert not info.value.retryable


async def test_shared_client_is_left_open(chat_server):
    import httpx

    async with httpx.AsyncClient() as client:
        model = model_for(chat_server, client=client)
        assert await model.complete_json(MESSAGES, Reading, timeout=5)
        await model.close()
        assert not client.is_closed


def test_timing_without_server_report():
    timing = LlmTiming(wall_ms=500.0, completion_tokens=10)
    assert timing.tokens_per_second == pytest.approx(20.0)
    assert LlmTiming(wall_ms=500.0).tokens_per_second is None


# -- Ollama -------------------------------------------------------------------------

OLLAMA_DETAILS = {"parent_model": "", "format": "gguf", "family": "qwen2", "families": ["qwen2"],
                  "parameter_size": "494.03M", "quantization_level": "Q4_K_M"}


def ollama_route(models: list[str]) -> Callable[[str, str, dict], Reply]:
    """Ollama's /api/tags and /api/show, as the ollama client reads them."""

    def route(method: str, path: str, body: dict) -> Reply:
        if (method, path) == ("GET", "/api/tags"):
            listing = [{"name": m, "model": m, "modified_at": "2025-01-01T00:00:00Z",
                        "size": 397_821_319, "digest": "0" * 64, "details": OLLAMA_DETAILS}
                       for m in models]
            return 200, json.dumps({"models": listing}).encode(), 0.0
        if (method, path) == ("POST", "/api/show"):
            name = body.get("model", "")
            if name in models or f"{name}:latest" in models:
                return 200, json.dumps({
                    "modelfile": f"FROM {name}", "parameters": "", "template": "{{ .Prompt }}",
                    "details": OLLAMA_DETAILS, "model_info": {"general.architecture": "qwen2"},
                    "capabilities": ["completion"], "modified_at": "2025-01-01T00:00:00Z",
                }).encode(), 0.0
            return 404, json.dumps({"error": f"model '{name}' not found"}).encode(), 0.0
        return 404, b"404 page not found", 0.0

    return route


@pytest.fixture
def ollama_server():
    server = FakeServer(ollama_route([DEFAULT_OLLAMA_MODEL, "llama3.2:latest"]))
    yield server
    server.close()


def test_ollama_model_present(ollama_server):
    check_ollama_model(ollama_server.url, DEFAULT_OLLAMA_MODEL)
    check_ollama_model(ollama_server.url, "llama3.2")
    assert ("POST", "/api/show") in [(m, p) for m, p, _b, _h in ollama_server.requests]


def test_ollama_model_missing_says_how_to_pull(ollama_server):
    with pytest.raises(ConfigError) as info:
        check_ollama_model(ollama_server.url, "mistral:7b")
    message = str(info.value)
    assert f"model 'mistral:7b' is not present in Ollama at {ollama_server.url}" in message
    assert message.endswith(f"run: OLLAMA_HOST={ollama_server.url} ollama pull mistral:7b")


def test_ollama_missing_on_the_default_host(ollama_server, monkeypatch):
    from voicebot.engines.llm import ollama

    monkeypatch.setattr(ollama, "DEFAULT_OLLAMA_HOST", ollama_server.url)
    with pytest.raises(ConfigError) as info:
        check_ollama_model(ollama_server.url, "qwen2.5:1.5b-instruct")
    assert str(info.value) == (
        f"model 'qwen2.5:1.5b-instruct' is not present in Ollama at {ollama_server.url}; "
        "run: ollama pull qwen2.5:1.5b-instruct")


def test_ollama_url_is_read_like_the_ollama_client():
    assert ollama_url("127.0.0.1:11434") == "http://127.0.0.1:11434"
    assert ollama_url("") == "http://127.0.0.1:11434"
    assert ollama_url("localhost") == "http://localhost:11434"
    assert ollama_url("https://ollama.internal/") == "https://ollama.internal"


def test_ollama_down_is_a_config_error():
    url = f"http://127.0.0.1:{closed_port()}"
    started = time.perf_counter()
    with pytest.raises(ConfigError, match=f"Ollama is not reachable at {url}"):
        check_ollama_model(url, DEFAULT_OLLAMA_MODEL)
    assert time.perf_counter() - started < 2


def test_not_ollama_is_a_config_error(chat_server):
    with pytest.raises(ConfigError, match="does not answer like Ollama"):
        check_ollama_model(chat_server.url, DEFAULT_OLLAMA_MODEL)


# -- choosing a backend -------------------------------------------------------------


async def test_build_ollama_backend(ollama_server):
    settings = Settings(llm_backend="ollama", ollama_host=ollama_server.url)
    model, server = build_language_model(settings)
    try:
        assert server is None
        assert model.base_url == f"{ollama_server.url}/v1"
        assert model.model == DEFAULT_OLLAMA_MODEL
        assert model.cache_prompt is False
    finally:
        await model.close()


def test_build_without_a_model():
    assert build_language_model(Settings(llm_backend="none")) == (None, None)


def test_build_ollama_backend_without_the_model(ollama_server):
    settings = Settings(llm_backend="ollama", ollama_host=ollama_server.url,
                        llm_model="qwen2.5:7b")
    with pytest.raises(ConfigError, match=r"ollama pull qwen2\.5:7b"):
        build_language_model(settings)


async def test_build_openai_backend(chat_server):
    settings = Settings(llm_backend="openai", llm_base_url=f"{chat_server.url}/v1/",
                        llm_model="served-model", llm_api_key="k")
    model, server = build_language_model(settings)
    try:
        assert server is None
        assert await model.complete_json(MESSAGES, Reading, timeout=5)
        _method, path, body, headers = chat_server.requests[-1]
        assert path == "/v1/chat/completions" and body["model"] == "served-model"
        assert headers["Authorization"] == "Bearer k"
    finally:
        await model.close()


def test_build_rejects_bad_settings():
    with pytest.raises(ConfigError, match="VOICEBOT_LLM_BASE_URL"):
        build_language_model(Settings(llm_backend="openai", llm_model="m"))
    with pytest.raises(ConfigError, match="VOICEBOT_LLM_BACKEND"):
        Settings.from_env({"VOICEBOT_LLM_BACKEND": "gpt"})


def test_every_embedded_server_setting_can_be_set():
    """Each of the embedded server's numbers is a setting read from the environment."""
    settings = Settings.from_env({"VOICEBOT_LLM_THREADS": "2", "VOICEBOT_LLM_BATCH_THREADS": "3",
                                  "VOICEBOT_LLM_CONTEXT": "2048", "VOICEBOT_LLM_PARALLEL": "4",
                                  "VOICEBOT_LLM_CACHE_PROMPT": "false"})
    assert (settings.llm_threads, settings.llm_batch_threads, settings.llm_context,
            settings.llm_parallel, settings.llm_cache_prompt) == (2, 3, 2048, 4, False)
