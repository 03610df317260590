"""The embedded model (Qwen2.5-Coder-0.5B-Instruct on llama.cpp's server, in-process), for real.

One server is loaded for the whole module, with one generation thread as in
production; every test talks to it over HTTP through its own client.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Literal, get_args

import httpx
import pytest

from voicebot.engines.llm import (
    ChatCompletionsModel,
    LlmTiming,
    StructuredOutput,
    build_language_model,
)
from voicebot.engines.llm.embedded import EmbeddedLlamaServer
from voicebot.errors import EngineError
from voicebot.settings import Settings

pytestmark = pytest.mark.models

Intent = Literal["ask_human", "provide_amount", "agree", "refuse", "other"]


class Reading(StructuredOutput):
    intent: Intent
    amount: float | None


class Story(StructuredOutput):
    story: str

# About 150 tokens, the size of a real turn's instructions.
SYSTEM = (
    "You classify what a caller said during a phone call about paying an overdue bill. "
    "The caller may speak English or French. Reply with JSON only. "
    "intent is one of: ask_human when the caller wants to talk to a real person, an agent, "
    "an advisor or a human; provide_amount when the caller states an amount of money they "
    "can pay; agree when the caller accepts the proposal; refuse when the caller declines "
    "the proposal or says they cannot pay; other for anything else. "
    "amount is the amount of money the caller said, as a number, or null when they did not "
    "say one. Never invent an amount. Examples: 'I can pay fifty dollars' gives "
    "provide_amount with 50. 'Oui, d'accord' gives agree with null. 'Non merci' gives "
    "refuse with null."
)
# Generous: the machine is shared; the latency test reports the real numbers.
TIMEOUT = 20.0


def messages(text: str, system: str = SYSTEM) -> list[dict[str, str]]:
    return [{"role": "system", "content": system}, {"role": "user", "content": text}]


@pytest.fixture(scope="module")
def server(model_paths):
    """The default backend, built and primed the way the service does at start-up."""
    settings = Settings.from_env().model_copy(update={"llm_backend": "embedded",
                                                      "llm_threads": 1, "llm_parallel": 2})
    first, embedded = build_language_model(settings)
    assert isinstance(embedded, EmbeddedLlamaServer) and first.slots == embedded.parallel == 2
    address = embedded.address
    # The turn instructions, read into every slot before any caller speaks.
    timings = asyncio.run(prime(first, [SYSTEM]))
    assert len(timings) == 2 and all(t.prompt_tokens > 100 for t in timings)
    yield embedded
    embedded.close()
    assert not embedded.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{address}/health", timeout=2)


async def prime(model: ChatCompletionsModel, prompts: list[str]) -> list[LlmTiming]:
    try:
        return await model.prime(prompts)
    finally:
        await model.close()  # its client belongs to this event loop only


@pytest.fixture
async def model(server):
    """A client of the shared server, bound to this test's event loop."""
    client = ChatCompletionsModel(server.base_url, server.model, slots=server.parallel)
    yield client
    await client.close()


def test_server_listens_on_loopback(server):
    assert server.base_url.startswith("http://127.0.0.1:") and server.base_url.endswith("/v1")
    assert httpx.get(f"{server.address}/health", timeout=5).json()["status"] == "ok"
    models = httpx.get(f"{server.base_url}/models", timeout=5).json()
    assert server.model in [m["id"] for m in models["data"]]


@pytest.mark.parametrize(("text", "intent", "amount"), [
    ("Can I speak to a real person please?", "ask_human", None),
    ("Je voudrais parler à un conseiller", "ask_human", None),
    ("I can pay 120 dollars next week", "provide_amount", 120),
    ("Je peux payer cinquante euros", "provide_amount", 50),
])
async def test_classifies_english_and_french(model, capfd, text, intent, amount):
    capfd.readouterr()
    answer = await model.complete_json(messages(text), Reading, max_tokens=40, timeout=TIMEOUT)
    assert answer == Reading(intent=intent, amount=amount)
    assert model.last_timing.cached_tokens >= 100  # the primed instructions
    assert capfd.readouterr().err == ""  # llama.cpp's log is quiet


async def test_cached_prefix_is_faster(model, capsys):
    # System prompts no earlier test used, each with its own first line: every one
    # of these calls pays for its whole prompt.
    systems = [f"Reference {n}. {SYSTEM}" for n in (418, 73, 9051)]
    cold = [await timed(model, system, "Hello, who is this?") for system in systems]
    # The same prefix again: only the caller's line is new.
    lines = ["Can I talk to someone?", "I can pay 80 dollars", "Oui, d'accord",
             "Non, je ne peux pas", "What is this about?"]
    warm = [await timed(model, systems[-1], line) for line in lines]

    assert all((t.cached_tokens or 0) < 20 for t in cold)
    assert all((t.cached_tokens or 0) >= 100 for t in warm)
    cold_ms = statistics.median(t.wall_ms for t in cold)
    warm_ms = statistics.median(t.wall_ms for t in warm)
    assert warm_ms < cold_ms
    prompt_rate = statistics.median(rate(t.prompt_tokens, t.prompt_ms) for t in cold)
    generation_rate = statistics.median(t.tokens_per_second or 0 for t in warm)
    with capsys.disabled():
        print(f"\n[llm latency] {warm[0].prompt_tokens} prompt tokens, "
              f"{statistics.median(t.completion_tokens or 0 for t in warm)} generated: "
              f"median {cold_ms:.0f} ms uncached, {warm_ms:.0f} ms with "
              f"{warm[0].cached_tokens} tokens cached; prompt {prompt_rate:.0f} tok/s, "
              f"generation {generation_rate:.1f} tok/s")


async def timed(model: ChatCompletionsModel, system: str, text: str) -> LlmTiming:
    _answer, timing = await model.complete_json_timed(
        messages(text, system), Reading, max_tokens=40, timeout=TIMEOUT)
    return timing


def rate(tokens: int | None, millis: float | None) -> float:
    return tokens * 1000 / millis if tokens and millis else 0.0


async def test_timeout_stops_generation_and_next_call_is_cached(model):
    started = time.perf_counter()
    with pytest.raises(EngineError, match="LLM timeout"):
        await model.complete_json(messages("Tell me a long story about your day"), Story,
                                  max_tokens=300, timeout=0.5)
    assert time.perf_counter() - started < 0.5 + 0.2
    # The abandoned answer would take ~10 s to generate; the server drops it.
    deadline = time.monotonic() + 1.5
    while any(slot["is_processing"] for slot in slots(model)):
        assert time.monotonic() < deadline, "the server kept generating after the timeout"
        await asyncio.sleep(0.1)
    answer = await model.complete_json(messages("Je voudrais parler à un humain"), Reading,
                                       max_tokens=40, timeout=TIMEOUT)
    assert answer.intent in get_args(Intent)
    assert model.last_timing.cached_tokens >= 100


def slots(model: ChatCompletionsModel) -> list[dict]:
    root = model.base_url.removesuffix("/v1")
    return httpx.get(f"{root}/slots", timeout=5).json()


async def test_two_callers_at_once(model):
    first, second = await asyncio.gather(
        model.complete_json(messages("Can I speak to a real person please?"), Reading,
                            max_tokens=40, timeout=TIMEOUT),
        model.complete_json(messages("Je voudrais parler à un conseiller"), Reading,
                            max_tokens=40, timeout=TIMEOUT),
    )
    assert first.intent == second.intent == "ask_human"
    assert model.last_timing.cached_tokens >= 100  # whichever slot served it


async def test_each_language_keeps_its_prompt_in_a_slot_of_its_own(model):
    """Primed with an English and a French prompt, each slot holds one: calls in either
    language, one after the other, find their instructions cached."""
    english = f"English calls. {SYSTEM}"
    french = ("Appels en français. Tu classes ce que dit un appelant au sujet d'une facture "
              f"impayée. {SYSTEM}")
    await model.prime([english, french])
    held = sorted(slot["prompt"][:40] for slot in slots(model) if slot.get("prompt"))
    lines = [(english, "I can pay 80 dollars"), (french, "Je peux payer 50 euros"),
             (english, "Can I talk to someone?"), (french, "Non, je ne peux pas"),
             (french, "Oui, d'accord"), (english, "What is this about?")]
    cached = []
    for system, line in lines:
        cached.append((await timed(model, system, line)).cached_tokens or 0)
    assert all(tokens >= 100 for tokens in cached), (cached, held)
