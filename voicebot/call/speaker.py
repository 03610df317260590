"""Outbound speech: synthesis piece by piece, 20 ms frames, marks, barge-in.

A reply is cut into sentences (and long sentences into clauses). Each piece is
synthesized in the TTS pool, converted to 8 kHz mu-law, sent as 20 ms frames
and followed by a mark. The carrier echoes a mark when the audio before it has
played, which tells us what the caller actually heard; between marks the
playhead is estimated from the clock. ``interrupt()`` cancels synthesis, tells
the carrier to drop its buffer and returns the words that were heard.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from voicebot.audio.codec import float_to_int16, int16_to_float, ulaw_encode
from voicebot.audio.framing import TELEPHONY_RATE, ULAW_FRAME_BYTES, Framer
from voicebot.audio.resample import resample
from voicebot.call.tasks import cancel, spawn
from voicebot.call.text import split_for_speech, truncate_to_fraction
from voicebot.clock import Clock
from voicebot.engines.pool import WorkerPool
from voicebot.engines.tts import SpeechSynthesizer
from voicebot.errors import VoicebotError

log = logging.getLogger(__name__)

ULAW_SILENCE = 0xFF
PIECE_GAP = 0.12  # seconds of silence between sentences
PLAYBACK_GRACE = 1.5  # how long past the estimated end we wait for a missing mark
# Audio is sent at the pace it plays, this far ahead: enough to ride out jitter,
# little enough that the carrier holds almost nothing a barge-in must throw away.
PLAYOUT_LEAD = 0.4
FRAME_SECONDS = ULAW_FRAME_BYTES / TELEPHONY_RATE


class Outbound(Protocol):
    """What a carrier connection offers the speaker."""

    async def send_audio(self, ulaw: bytes) -> None: ...

    async def send_mark(self, name: str) -> None: ...

    async def clear(self) -> None: ...


@dataclass
class _Piece:
    text: str
    mark: str
    duration: float
    sent_at: float
    play_start: float
    played: bool = False


@dataclass
class Utterance:
    """One reply being spoken, and what of it has been heard."""

    id: str
    text: str
    pieces: list[_Piece] = field(default_factory=list)
    synthesis_done: bool = False
    interrupted: bool = False
    heard: str | None = None  # set when finished or interrupted

    def expected_end(self) -> float:
        return self.pieces[-1].play_start + self.pieces[-1].duration if self.pieces else 0.0

    def all_played(self) -> bool:
        return self.synthesis_done and all(p.played for p in self.pieces)


class Speaker:
    def __init__(self, outbound: Outbound, synthesizer: SpeechSynthesizer, pool: WorkerPool,
                 clock: Clock, *, call_id: str = "call") -> None:
        self._outbound = outbound
        self.voice = synthesizer
        self._pool = pool
        self._clock = clock
        self._ids = itertools.count(1)
        self._call_id = call_id
        self.current: Utterance | None = None
        self._task: asyncio.Task[None] | None = None
        self._playhead = 0.0  # clock time the carrier's buffer runs dry

    # -- speaking ----------------------------------------------------------

    def say(self, text: str, on_first_audio: Callable[[float], None] | None = None) -> Utterance:
        """Start speaking ``text``; returns at once. Any current speech must be over."""
        utterance = Utterance(id=f"u{next(self._ids)}", text=text)
        self.current = utterance
        self._task = spawn(self._speak(utterance, on_first_audio),
                           f"{self._call_id}-speak-{utterance.id}")
        return utterance

    async def _speak(self, utt: Utterance, on_first_audio: Callable[[float], None] | None
                     ) -> None:
        pieces = split_for_speech(utt.text)
        # The next piece is synthesized while the current one is sent and plays.
        upcoming = self._synthesize(pieces[0]) if pieces else None
        try:
            for index, text in enumerate(pieces):
                assert upcoming is not None
                try:
                    pcm = await upcoming
                except VoicebotError as exc:
                    log.error("%s: synthesis of %r failed: %s", self._call_id, text[:60], exc)
                    pcm = None
                upcoming = self._synthesize(pieces[index + 1]) if index + 1 < len(pieces) else None
                if pcm is None:
                    continue
                gap = PIECE_GAP if index < len(pieces) - 1 else 0.0
                audio = _to_ulaw(pcm, self.voice.sample_rate, gap)
                if not audio:
                    continue
                piece = _Piece(text, f"{utt.id}.{index}", len(audio) / TELEPHONY_RATE, 0.0, 0.0)
                utt.pieces.append(piece)
                framer = Framer(ULAW_FRAME_BYTES)
                frames = [*framer.push(audio), *framer.flush(pad=ULAW_SILENCE)]
                for number, frame in enumerate(frames):
                    await self._pace()
                    if number == 0:
                        now = self._clock.now()
                        piece.sent_at, piece.play_start = now, max(now, self._playhead)
                    self._playhead = max(self._playhead, self._clock.now()) + FRAME_SECONDS
                    await self._outbound.send_audio(frame)
                    if number == 0 and index == 0 and on_first_audio is not None:
                        on_first_audio(self._clock.now())
                await self._outbound.send_mark(piece.mark)
        finally:
            utt.synthesis_done = True
            if upcoming is not None and not upcoming.done():
                upcoming.cancel()

    def _synthesize(self, text: str) -> asyncio.Future[np.ndarray]:
        return asyncio.ensure_future(self._pool.run(self.voice.synthesize, text))

    async def _pace(self) -> None:
        """Wait until the carrier holds less than PLAYOUT_LEAD of unplayed audio."""
        ahead = self._playhead - self._clock.now()
        if ahead > PLAYOUT_LEAD:
            await self._clock.sleep(ahead - PLAYOUT_LEAD)

    def on_mark(self, name: str) -> None:
        """The carrier has played everything up to mark ``name``."""
        utt = self.current
        if utt is None or all(p.mark != name for p in utt.pieces):
            return  # a mark of an earlier, interrupted utterance
        now = self._clock.now()
        seen = False
        end = now
        for piece in utt.pieces:
            if not seen:
                piece.played = True
                seen = piece.mark == name
            else:
                # Re-anchor the estimate of what plays next on the real clock.
                piece.play_start = max(piece.sent_at, end)
                end = piece.play_start + piece.duration
        if utt.all_played() and utt.heard is None:
            utt.heard = utt.text

    def speaking(self) -> bool:
        """True while the caller may still be hearing the bot."""
        utt = self.current
        if utt is None or utt.interrupted or utt.heard is not None:
            return False
        if not utt.synthesis_done:
            return True
        if utt.all_played():
            return False
        return self._clock.now() < utt.expected_end() + PLAYBACK_GRACE

    async def wait_until_heard(self, poll: float = 0.05) -> Utterance | None:
        """Wait for the current utterance to finish playing (or be interrupted)."""
        utt = self.current
        while utt is not None and self.speaking():
            await self._clock.sleep(poll)
        if utt is not None and utt.heard is None and not utt.interrupted:
            utt.heard = utt.text  # marks never came back: trust the clock
        return utt

    # -- barge-in ------------------------------------------------------------

    async def interrupt(self) -> str:
        """Stop speaking now; returns the text the caller heard."""
        utt = self.current
        if utt is None:
            return ""
        await cancel(self._task)
        await self._outbound.clear()
        utt.interrupted = True
        utt.heard = self._heard(utt, self._clock.now())
        self._playhead = self._clock.now()
        return utt.heard

    @staticmethod
    def _heard(utt: Utterance, now: float) -> str:
        parts = []
        for piece in utt.pieces:
            if piece.played:
                parts.append(piece.text)
                continue
            if piece.sent_at and now > piece.play_start:
                fraction = (now - piece.play_start) / piece.duration
                partial = truncate_to_fraction(piece.text, fraction)
                if partial:
                    parts.append(partial)
            break
        return " ".join(parts)

    async def close(self) -> None:
        await cancel(self._task)


def _to_ulaw(pcm: np.ndarray, rate: int, trailing_silence: float) -> bytes:
    if len(pcm) == 0:
        return b""
    audio = resample(int16_to_float(pcm), rate, TELEPHONY_RATE)
    if trailing_silence:
        audio = np.concatenate([audio, np.zeros(int(trailing_silence * TELEPHONY_RATE),
                                                dtype=np.float32)])
    return ulaw_encode(float_to_int16(audio))
