"""The embedded language model: llama.cpp's server, in-process, through xllamacpp.

The server listens on 127.0.0.1 on a free port and speaks the OpenAI-compatible
API, so the dialogue reaches it with the same client as any other backend
(``ChatCompletionsModel(server.base_url, server.model)``).

Notes on xllamacpp:
- building ``xllamacpp.Server`` loads the model and holds the interpreter lock
  until it is ready (about two seconds here), even from a worker thread; requests
  run on the server's own threads and do not hold it;
- its log goes to stderr from C++; ``verbosity`` 1 keeps errors only (0 output,
  1 error, 2 warning, 3 info, 4 debug), and the level is process-wide;
- the server stops when the ``Server`` object is freed: its destructor ends the
  main loop and joins the thread.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from voicebot.errors import ModelError

log = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "qwen2.5-coder-0.5b-instruct"
HOST = "127.0.0.1"


class EmbeddedLlamaServer:
    """llama.cpp's server on 127.0.0.1 and a free port, in this process.

    ``threads`` generate tokens (1 by default: the machine is shared with speech
    recognition and synthesis); ``batch_threads`` process prompts (as many as
    ``threads`` unless set). ``context`` tokens are split between ``parallel``
    slots, each of which keeps its last prompt cached.

    ``start`` and ``close`` block; from async code run them with ``asyncio.to_thread``.
    """

    def __init__(self, model_path: Path, *, threads: int = 1, batch_threads: int | None = None,
                 context: int = 4096, parallel: int = 2, model_name: str = DEFAULT_MODEL_NAME,
                 verbosity: int = 1, cache_ram_mib: int = 256) -> None:
        self.model_path = Path(model_path)
        self.threads = threads
        self.batch_threads = batch_threads or threads
        self.context = context
        self.parallel = parallel
        self.model = model_name
        self.verbosity = verbosity
        self.cache_ram_mib = cache_ram_mib
        self._server: object | None = None
        self._address: str | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (f"EmbeddedLlamaServer({self.model_path.name!r}, threads={self.threads}, "
                f"address={self._address!r})")

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def address(self) -> str:
        """``http://127.0.0.1:<port>``."""
        if self._address is None:
            raise ModelError("the embedded LLM server is not started")
        return self._address

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible API root: ``http://127.0.0.1:<port>/v1``."""
        return f"{self.address}/v1"

    def start(self, *, warm_up: bool = True) -> EmbeddedLlamaServer:
        """Load the model, listen, and (by default) answer one 1-token request."""
        with self._lock:
            if self._server is None:
                self._server, self._address = self._launch()
        if warm_up:
            try:
                self.warm_up()
            except BaseException:
                self.close()
                raise
        return self

    def _launch(self) -> tuple[object, str]:
        try:
            import xllamacpp
        except ImportError as exc:
            raise ModelError(f"xllamacpp is not installed ({exc}); reinstall voicebot") from exc
        if not self.model_path.is_file():
            raise ModelError(f"the embedded LLM model is missing: {self.model_path}")
        params = xllamacpp.CommonParams()
        params.model.path = str(self.model_path)
        params.model_alias = {self.model}
        params.cpuparams.n_threads = self.threads
        params.cpuparams_batch.n_threads = self.batch_threads
        params.n_ctx = self.context
        params.n_parallel = self.parallel
        params.hostnames = [HOST]
        params.port = 0  # the system picks a free port
        params.cors_origins = ""  # no browser may call it
        params.verbosity = self.verbosity
        params.cache_prompt = True
        params.cache_ram_mib = self.cache_ram_mib
        started = time.perf_counter()
        try:
            server = xllamacpp.Server(params)
        except Exception as exc:  # xllamacpp raises RuntimeError/ValueError variants
            raise ModelError(
                f"cannot start the embedded LLM server with {self.model_path}: {exc}") from exc
        address = _loopback_address(server.listening_address)
        if address is None:
            del server
            raise ModelError("the embedded LLM server did not report a 127.0.0.1 address")
        log.info("embedded LLM server on %s in %.1f s (%s, %d+%d threads, %d slots)", address,
                 time.perf_counter() - started, self.model_path.name, self.threads,
                 self.batch_threads, self.parallel)
        return server, address

    def warm_up(self, messages: list[dict[str, str]] | None = None,
                timeout: float = 120.0) -> float:
        """Answer one 1-token request; returns its wall time in ms.

        With ``messages`` whose system prompt the dialogue will use, that prefix
        is cached before the first caller speaks.
        """
        body = {
            "model": self.model,
            "messages": messages or [{"role": "user", "content": "Hello"}],
            "max_tokens": 1,
            "temperature": 0,
            "cache_prompt": True,
        }
        started = time.perf_counter()
        try:
            with httpx.Client(trust_env=False, timeout=timeout) as client:
                response = client.post(f"{self.base_url}/chat/completions", json=body)
                response.raise_for_status()
        except httpx.HTTPError as exc:
            raise ModelError(f"the embedded LLM server failed its warm-up: {exc}") from exc
        elapsed = (time.perf_counter() - started) * 1000
        log.debug("embedded LLM warm-up in %.0f ms", elapsed)
        return elapsed

    def close(self) -> None:
        """Stop the server (frees the model); safe to call twice."""
        with self._lock:
            server, self._server = self._server, None
            self._address = None
        if server is not None:
            # The last reference: the destructor ends the loop and joins its thread.
            del server
            log.info("embedded LLM server stopped")

    def __enter__(self) -> EmbeddedLlamaServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _loopback_address(listening: str) -> str | None:
    """``http://127.0.0.1:<port>`` from what xllamacpp reports, if it is that."""
    text = (listening or "").strip().rstrip("/")
    if not text:
        return None
    parts = urlsplit(text if "://" in text else f"http://{text}")
    if parts.hostname != HOST or not parts.port:
        return None
    return f"http://{HOST}:{parts.port}"
