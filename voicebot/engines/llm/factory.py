"""Choosing the language model backend from the settings."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from voicebot.engines.llm.client import ChatCompletionsModel
from voicebot.engines.llm.ollama import (
    DEFAULT_OLLAMA_HOST,
    DEFAULT_OLLAMA_MODEL,
    check_ollama_model,
    ollama_url,
)
from voicebot.errors import ConfigError

if TYPE_CHECKING:
    from voicebot.engines.llm.embedded import EmbeddedLlamaServer
    from voicebot.settings import Settings

log = logging.getLogger(__name__)

BACKENDS = ("embedded", "ollama", "openai", "none")


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
        from voicebot.engines.llm.embedded import DEFAULT_MODEL_NAME, EmbeddedLlamaServer
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
