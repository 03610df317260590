"""Voice activity from Silero VAD (the ONNX model faster-whisper ships).

One ONNX session is shared by all calls (``run`` is thread-safe); each call owns
a small ``VadStream`` with the recurrent state and the 64-sample context the
model expects in front of every 512-sample (32 ms) window at 16 kHz.
"""

from __future__ import annotations

from collections import deque
from importlib import resources
from pathlib import Path
from typing import Protocol

import numpy as np

from voicebot.errors import ModelError

VAD_RATE = 16_000
WINDOW = 512  # samples per probability, 32 ms at 16 kHz
CONTEXT = 64
WINDOW_SECONDS = WINDOW / VAD_RATE
# Silero's recurrent state drifts during long silences and the model then scores
# speech lower and lower (after 12 s of line silence a clear "yes" fell from 0.95
# to 0.55). Resetting the state once the line has been quiet this long keeps it
# as sensitive as at the start of a call.
RESET_AFTER_QUIET_WINDOWS = 16  # about 0.5 s
# A state reset to zeros is cold: speech in the next windows scores low (a soft
# "yes" right after a reset stayed under 0.5 for 0.35 s, and the turn lost its
# first word). After a reset the state is warmed on the last few quiet windows
# the line actually carried, so it starts where a fresh call's state would be.
WARM_UP_WINDOWS = 4
QUIET_PROBABILITY = 0.1


class VoiceActivity(Protocol):
    """Speech probabilities for successive 32 ms windows of a 16 kHz stream."""

    def push(self, samples: np.ndarray) -> list[float]: ...


def silero_model_path() -> Path:
    path = Path(str(resources.files("faster_whisper") / "assets" / "silero_vad_v6.onnx"))
    if not path.is_file():
        raise ModelError(f"Silero VAD model not found at {path}; reinstall faster-whisper")
    return path


class SileroVad:
    """The shared model. ``stream()`` gives each call its own state."""

    def __init__(self, path: Path | None = None) -> None:
        import onnxruntime

        opts = onnxruntime.SessionOptions()
        opts.inter_op_num_threads = 1
        opts.intra_op_num_threads = 1
        opts.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(path or silero_model_path()), sess_options=opts,
            providers=["CPUExecutionProvider"],
        )

    def stream(self) -> VadStream:
        return VadStream(self)

    def infer(
        self, window: np.ndarray, h: np.ndarray, c: np.ndarray
    ) -> tuple[float, np.ndarray, np.ndarray]:
        out, h, c = self._session.run(None, {"input": window, "h": h, "c": c})
        return float(out.reshape(-1)[0]), h, c


class VadStream:
    """Per-call streaming state over the shared model."""

    def __init__(self, model: SileroVad) -> None:
        self._model = model
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        self._quiet = 0
        self._recent: deque[np.ndarray] = deque(maxlen=WARM_UP_WINDOWS)

    def push(self, samples: np.ndarray) -> list[float]:
        """Feed float32 samples at 16 kHz; returns one probability per full window."""
        self._pending = np.concatenate([self._pending, samples.astype(np.float32, copy=False)])
        probs: list[float] = []
        while len(self._pending) >= WINDOW:
            chunk = self._pending[:WINDOW]
            self._pending = self._pending[WINDOW:]
            window = np.concatenate([self._context, chunk])[None, :]
            prob, self._h, self._c = self._model.infer(window, self._h, self._c)
            self._recent.append(window)
            self._context = chunk[-CONTEXT:]
            probs.append(prob)
            self._quiet = self._quiet + 1 if prob < QUIET_PROBABILITY else 0
            if self._quiet >= RESET_AFTER_QUIET_WINDOWS:
                self._reset()
        return probs

    def _reset(self) -> None:
        """Forget the drifted state, then warm a fresh one on the line's recent quiet."""
        self._h = np.zeros_like(self._h)
        self._c = np.zeros_like(self._c)
        self._quiet = 0
        for window in self._recent:
            _, self._h, self._c = self._model.infer(window, self._h, self._c)
