"""Sample-rate conversion with soxr: one-shot and streaming."""

from __future__ import annotations

import numpy as np
import soxr


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Resample a whole float32 or int16 signal (mono)."""
    if from_rate == to_rate:
        return samples
    return soxr.resample(samples, from_rate, to_rate, quality="HQ")


class StreamResampler:
    """Resamples a mono stream chunk by chunk, keeping filter state across chunks."""

    def __init__(self, from_rate: int, to_rate: int, dtype: str = "float32") -> None:
        self.from_rate = from_rate
        self.to_rate = to_rate
        self._passthrough = from_rate == to_rate
        self._stream = (
            None if self._passthrough else soxr.ResampleStream(from_rate, to_rate, 1, dtype=dtype)
        )

    def push(self, samples: np.ndarray, last: bool = False) -> np.ndarray:
        if self._stream is None:
            return samples
        return self._stream.resample_chunk(samples, last=last)
