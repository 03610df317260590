"""Speech made once for the fixed phrases a voice says on every call.

Greetings, questions, notices and hand-off lines come from the prompt files
word for word; making them again on every call costs a slow voice seconds of
CPU and the caller seconds of waiting. They are kept here as 8 kHz mu-law,
ready to send, in memory and (optionally) on disk so a restart does not make
them again.

Only text from the prompt files and the creditors' names is ever stored, never
anything a caller said or an account holds: ``put`` is called by the
pre-rendering of fixed phrases alone, and a lookup of other text just misses.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path

log = logging.getLogger(__name__)

# Change when the way audio is made changes, so stale files are not used.
FORMAT = "ulaw8k-1"


class PhraseCache:
    def __init__(self, voice_id: str, directory: Path | None = None,
                 max_bytes: int = 64 * 1024 * 1024) -> None:
        self.voice_id = voice_id
        self.max_bytes = max_bytes
        self._memory: dict[str, bytes] = {}
        self._bytes = 0
        self._lock = threading.Lock()
        key = hashlib.sha256(f"{FORMAT}\0{voice_id}".encode()).hexdigest()[:16]
        self._dir = directory / key if directory is not None else None

    def __len__(self) -> int:
        return len(self._memory)

    def get(self, text: str) -> bytes | None:
        with self._lock:
            audio = self._memory.get(text)
        if audio is not None or self._dir is None:
            return audio
        try:
            audio = self._path(text).read_bytes()
        except OSError:
            return None
        self._remember(text, audio)
        return audio

    def put(self, text: str, audio: bytes) -> None:
        """Keep the speech for ``text`` (a fixed phrase from the prompt files)."""
        if not audio or not self._remember(text, audio) or self._dir is None:
            return
        path = self._path(text)
        try:
            self._dir.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(audio)
            partial.replace(path)  # readers never see half a file
        except OSError as exc:
            # Read-only or full: keep them in memory only, and say so once.
            log.warning("cannot keep phrase audio in %s (%s); keeping it in memory only",
                        self._dir, exc)
            self._dir = None

    def _remember(self, text: str, audio: bytes) -> bool:
        with self._lock:
            if text in self._memory:
                return True
            if self._bytes + len(audio) > self.max_bytes:
                return False
            self._memory[text] = audio
            self._bytes += len(audio)
            return True

    def _path(self, text: str) -> Path:
        assert self._dir is not None
        return self._dir / (hashlib.sha256(text.encode()).hexdigest()[:32] + ".ulaw")
