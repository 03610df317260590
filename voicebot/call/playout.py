"""When a reply may start playing so that it then plays without a hole.

Pieces of a reply are synthesized one after another while earlier ones play.
If the voice is slow (Kokoro on a busy 2-core machine runs near real time), a
short first piece can finish playing long before the second is ready, and the
silence in between sounds like the end of the bot's turn: callers start
talking and the conversation falls out of step. So playback starts only when,
by the voice's measured speed, every later piece will be ready before the
audio in front of it has played. A slower machine waits a little longer before
the first word; it never stops in the middle.

Pure: times and speeds are passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from voicebot.engines.tts import SynthesisMeter

# A pause this long at a sentence or clause boundary sounds natural.
BOUNDARY_TOLERANCE = 0.1
@dataclass(frozen=True)
class PlannedPiece:
    """A piece of a reply: how long it plays and when its audio is (or will be) ready."""

    duration: float
    ready_at: float


def plan_pieces(now: float, pieces: Sequence[float | str], making_since: float | None,
                meter: SynthesisMeter, gap: float = 0.0) -> list[PlannedPiece]:
    """Each piece of a reply with its duration and when it is (or will be) ready.

    A piece is either made (its real duration, gap included) or still text,
    estimated: missing pieces are synthesized in order, the first of them since
    ``making_since``, and each is followed by ``gap`` of silence but the last.
    """
    planned = []
    ready_at = making_since if making_since is not None else now
    last = len(pieces) - 1
    for index, piece in enumerate(pieces):
        if isinstance(piece, float):
            planned.append(PlannedPiece(piece, now))
            continue
        ready_at = max(ready_at + meter.synthesis_seconds(piece), now)
        duration = meter.audio_seconds(piece) + (gap if index < last else 0.0)
        planned.append(PlannedPiece(duration, ready_at))
    return planned


def earliest_start(now: float, pieces: Sequence[PlannedPiece],
                   tolerance: float = BOUNDARY_TOLERANCE) -> float:
    """The earliest time playback can begin and reach the end without a hole.

    A piece that starts playing ``offset`` seconds after playback began must
    be ready by then (give or take ``tolerance``, a natural pause).
    """
    start, offset = now, 0.0
    for index, piece in enumerate(pieces):
        slack = tolerance if index else 0.0
        start = max(start, piece.ready_at - offset - slack)
        offset += piece.duration
    return start
