"""What the phones' WAV files hold, 20 ms frame by frame: the level of each frame and
the spans of sound. A recording can be read while baresip is still writing it (its
header's sizes are not trusted), to wait for the bot to finish a sentence.

A phone's two files share one timeline: baresip starts reading what it sends and
writing what it hears when the call's audio starts (see ``phone.py``), so second ``t``
of the sent file and second ``t`` of the heard one are the same moment, to within a
frame or two of buffering on either side.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

FRAME = 0.02  # seconds
LOUD = 300.0  # RMS of 16-bit PCM: speech is far above it, the line's silence is 0
GAP = 0.6  # a silence shorter than this is a pause inside one stretch of speech


def levels(wav: Path) -> np.ndarray:
    """The RMS of each whole 20 ms frame of a mono 16-bit WAV file (so far)."""
    data = wav.read_bytes() if wav.exists() else b""
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return np.zeros(0)
    rate = struct.unpack("<I", data[24:28])[0]
    at = 12
    while at + 8 <= len(data):  # the chunks: "fmt ", then "data" (to the end of the file)
        name, size = data[at:at + 4], struct.unpack("<I", data[at + 4:at + 8])[0]
        if name == b"data":
            break
        at += 8 + size
    pcm = data[at + 8:]
    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float64)
    frame = round(rate * FRAME)
    frames = samples[: len(samples) // frame * frame].reshape(-1, frame)
    return np.sqrt((frames**2).mean(axis=1))


def spans(level: np.ndarray, threshold: float = LOUD,
          gap: float = GAP) -> list[tuple[float, float]]:
    """The stretches of sound, as (start, end) seconds; pauses under ``gap`` bridged."""
    found: list[tuple[float, float]] = []
    for frame in np.flatnonzero(level > threshold):
        start, end = frame * FRAME, (frame + 1) * FRAME
        if found and start - found[-1][1] < gap:
            found[-1] = (found[-1][0], end)
        else:
            found.append((start, end))
    return [(round(s, 2), round(e, 2)) for s, e in found]


def span_at(level: np.ndarray, t: float, threshold: float = LOUD,
            gap: float = GAP) -> tuple[float, float] | None:
    """The stretch of sound going on at second ``t``, if any."""
    return next(((s, e) for s, e in spans(level, threshold, gap) if s <= t < e), None)


def first_sound(level: np.ndarray, after: float = 0.0,
                threshold: float = LOUD) -> float | None:
    """The second the first loud frame at or after ``after`` starts, if any."""
    first = round(after / FRAME)
    loud = np.flatnonzero(level[first:] > threshold)
    return None if not len(loud) else round((first + loud[0]) * FRAME, 2)
