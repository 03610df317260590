"""Outbound speech: synthesis piece by piece, 20 ms frames, marks, barge-in.

A reply is cut into sentences (and long sentences into clauses). The pieces are
synthesized one after another in the TTS pool while earlier ones play; the
first starts playing only when the rest will be ready in time (see
``playout``), so a slow voice never leaves a hole mid-reply. Each piece is
converted to 8 kHz mu-law (fixed phrases come ready from the voice's cache),
sent as 20 ms frames and followed by a mark. The carrier echoes a mark when the
audio before it has played, which tells us what the caller actually heard;
between marks the playhead is estimated from the clock. ``interrupt()`` cancels
synthesis, tells the carrier to drop its buffer and returns the words that
were heard. ``pause()`` stops the carrier at once too, for a caller who may be
interrupting (a voice over the bot's); ``resume()`` says the rest, from the start of
the sentence or clause that was cut, if it was only a cough or an "mm-hm".
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from voicebot.audio.framing import (
    TELEPHONY_RATE,
    ULAW_FRAME_BYTES,
    Framer,
    to_telephony,
    ulaw_silence,
)
from voicebot.call.playout import earliest_start, plan_pieces
from voicebot.call.tasks import cancel, spawn
from voicebot.call.text import split_for_speech, truncate_to_fraction
from voicebot.clock import Clock
from voicebot.engines.pool import WorkerPool
from voicebot.engines.tts import SpeechSynthesizer, Voice
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
    index: int = 0  # the piece's place in the reply (split_for_speech)


@dataclass
class Utterance:
    """One reply being spoken, and what of it has been heard."""

    id: str
    text: str
    pieces: list[_Piece] = field(default_factory=list)
    synthesis_done: bool = False
    interrupted: bool = False
    failed: list[str] = field(default_factory=list)  # pieces that could not be synthesized
    heard: str | None = None  # set when finished or interrupted
    longest_gap: float = 0.0  # seconds the line ran dry between two of its pieces
    made: dict[int, bytes] = field(default_factory=dict)  # mu-law per piece, once made
    paused: bool = False  # stopped while the caller's voice is weighed
    heard_if_cut: str = ""  # what the caller had heard when it was paused
    resume_from: int = 0  # the piece to say again from when it resumes
    restarts: int = 0
    fresh: bool = True  # the next piece sent starts the reply (or its resumption)
    count: int = 0  # pieces in the whole reply

    def expected_end(self) -> float:
        return self.pieces[-1].play_start + self.pieces[-1].duration if self.pieces else 0.0

    def all_played(self) -> bool:
        return self.synthesis_done and all(p.played for p in self.pieces)


class Speaker:
    def __init__(self, outbound: Outbound, synthesizer: SpeechSynthesizer, pool: WorkerPool,
                 clock: Clock, *, call_id: str = "call") -> None:
        self._outbound = outbound
        self._voice = _metered(synthesizer)
        self._pool = pool
        self._clock = clock
        self._ids = itertools.count(1)
        self._call_id = call_id
        self.current: Utterance | None = None
        self._task: asyncio.Task[None] | None = None
        self._playhead = 0.0  # clock time the carrier's buffer runs dry

    @property
    def voice(self) -> Voice:
        return self._voice

    def use(self, synthesizer: SpeechSynthesizer) -> None:
        """Speak the next replies with this voice (the caller's language changed)."""
        self._voice = _metered(synthesizer)

    # -- speaking ----------------------------------------------------------

    def say(self, text: str, on_first_audio: Callable[[float], None] | None = None) -> Utterance:
        """Start speaking ``text``; returns at once. Any current speech must be over."""
        utterance = Utterance(id=f"u{next(self._ids)}", text=text)
        self.current = utterance
        self._task = spawn(self._speak(utterance, on_first_audio),
                           f"{self._call_id}-speak-{utterance.id}")
        return utterance

    async def _speak(self, utt: Utterance, on_first_audio: Callable[[float], None] | None,
                     start: int = 0) -> None:
        all_texts = split_for_speech(utt.text)
        utt.count = len(all_texts)
        texts = all_texts[start:]  # from ``start`` when resuming after a pause
        voice = self._voice  # a language switch applies from the next reply
        made = _Shifted(utt.made, start)  # mu-law per piece (empty when synthesis failed)
        progress = asyncio.Event()
        making: list[float] = []  # when synthesis of the earliest missing piece began
        maker = spawn(self._make(voice, texts, made, progress, making, utt,
                                 last=len(all_texts) - 1 - start),
                      f"{self._call_id}-synth-{utt.id}")
        begun = False
        try:
            for index, text in enumerate(texts):
                while index not in made or not (begun or self._may_start(
                        voice, texts, made, making)):
                    progress.clear()
                    if index not in made:
                        await progress.wait()
                    else:
                        await self._wait_for_start(voice, texts, made, making, progress)
                if made[index]:
                    begun = True
                    await self._send_piece(utt, start + index, text, made[index],
                                           on_first_audio)
        finally:
            utt.synthesis_done = True
            await cancel(maker)

    async def _make(self, voice: Voice, texts: list[str], made: _Shifted,
                    progress: asyncio.Event, making: list[float], utt: Utterance, last: int
                    ) -> None:
        """Fixed phrases from the cache at once, then the rest in order, as fast as
        the pool allows (pieces made before a pause are kept)."""
        gap = ulaw_silence(PIECE_GAP)
        for index, text in enumerate(texts):
            cached = voice.phrases.get(text) if index not in made else None
            if cached is not None:
                made[index] = cached + (gap if index < last else b"")
        progress.set()
        for index, text in enumerate(texts):
            if index in made:
                continue
            started = self._clock.now()
            making[:] = [started]
            try:
                pcm = await self._pool.run(voice.synthesize, text)
            except VoicebotError as exc:
                log.error("%s: synthesis of piece %d failed: %s", self._call_id, index, exc)
                utt.failed.append(text)
                made[index] = b""
            else:
                voice.meter.record(text, len(pcm) / voice.sample_rate,
                                   self._clock.now() - started)
                audio = to_telephony(pcm, voice.sample_rate)
                made[index] = audio + (gap if audio and index < last else b"")
            progress.set()

    def _start_time(self, voice: Voice, texts: list[str], made: _Shifted,
                    making: list[float]) -> float:
        now = self._clock.now()
        pieces = [len(made[i]) / TELEPHONY_RATE if i in made else text
                  for i, text in enumerate(texts)]
        return earliest_start(now, plan_pieces(now, pieces, making[0] if making else None,
                                               voice.meter, PIECE_GAP))

    def _may_start(self, voice: Voice, texts: list[str], made: _Shifted,
                   making: list[float]) -> bool:
        return self._start_time(voice, texts, made, making) <= self._clock.now()

    async def _wait_for_start(self, voice: Voice, texts: list[str], made: _Shifted,
                              making: list[float], progress: asyncio.Event) -> None:
        """Wait until the planned start, or until another piece is ready (plans change)."""
        delay = self._start_time(voice, texts, made, making) - self._clock.now()
        if delay <= 0:
            return
        sleeper = asyncio.ensure_future(self._clock.sleep(delay))
        waiter = asyncio.ensure_future(progress.wait())
        try:
            await asyncio.wait({sleeper, waiter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            waiter.cancel()

    async def _send_piece(self, utt: Utterance, index: int, text: str, audio: bytes,
                          on_first_audio: Callable[[float], None] | None) -> None:
        mark = f"{utt.id}.{index}" + (f".{utt.restarts}" if utt.restarts else "")
        piece = _Piece(text, mark, len(audio) / TELEPHONY_RATE, 0.0, 0.0, index=index)
        first_of_reply = not utt.pieces
        starting, utt.fresh = utt.fresh, False  # the reply's start, or its resumption
        utt.pieces.append(piece)
        framer = Framer(ULAW_FRAME_BYTES)
        frames = [*framer.push(audio), *framer.flush(pad=ULAW_SILENCE)]
        for number, frame in enumerate(frames):
            await self._pace()
            if number == 0:
                now = self._clock.now()
                if not starting and now > self._playhead:
                    # The carrier played everything before this piece: a hole the
                    # caller hears (the pause between sentences is in the audio).
                    utt.longest_gap = max(utt.longest_gap, now - self._playhead)
                piece.sent_at, piece.play_start = now, max(now, self._playhead)
            self._playhead = max(self._playhead, self._clock.now()) + FRAME_SECONDS
            await self._outbound.send_audio(frame)
            if number == 0 and first_of_reply and on_first_audio is not None:
                on_first_audio(self._clock.now())
        await self._outbound.send_mark(piece.mark)

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
        if utt.paused or not utt.synthesis_done:
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
        if utt.paused:  # stopped already: the caller heard what was out when it stopped
            utt.paused = False
            utt.interrupted = True
            utt.heard = utt.heard_if_cut
            return utt.heard
        await self._outbound.clear()
        utt.interrupted = True
        utt.heard = self._heard(utt, self._clock.now())
        self._playhead = self._clock.now()
        return utt.heard

    def time_left(self) -> float:
        """Seconds of the current reply the caller has still to hear (infinite while
        its last piece has not started going out)."""
        utt = self.current
        if utt is None or not self.speaking():
            return 0.0
        last = utt.pieces[-1] if utt.pieces else None
        if utt.paused or last is None or last.index < utt.count - 1 or not last.sent_at:
            return float("inf")
        return max(0.0, last.play_start + last.duration - self._clock.now())

    async def pause(self) -> bool:
        """Stop the bot's audio at once, the reply kept: a voice has come over it and it
        is not yet known whether the caller is interrupting. False when nothing was
        playing."""
        utt = self.current
        if utt is None or utt.paused or not self.speaking():
            return False
        await cancel(self._task)
        await self._outbound.clear()
        now = self._clock.now()
        utt.heard_if_cut = self._heard(utt, now)
        started = [p for p in utt.pieces if p.played or (p.sent_at and p.play_start < now)]
        cut = next((p for p in started if not p.played
                    and p.play_start + p.duration > now), None)
        # The sentence that was cut is said again from its start; pieces still in the
        # carrier's buffer were never heard and are sent again.
        utt.resume_from = cut.index if cut is not None else (
            started[-1].index + 1 if started else 0)
        utt.pieces = [p for p in started if p is not cut]
        for piece in utt.pieces:
            piece.played = True
        utt.paused = True
        self._playhead = now
        return True

    def resume(self) -> bool:
        """Say the rest of a paused reply (it was a cough, an "mm-hm"). False when there
        was nothing to resume."""
        utt = self.current
        if utt is None or not utt.paused:
            return False
        utt.paused = False
        if utt.resume_from >= len(split_for_speech(utt.text)):
            utt.heard = utt.text  # it had all been heard
            return True
        utt.restarts += 1
        utt.synthesis_done = False
        utt.fresh = True
        self._task = spawn(self._speak(utt, None, start=utt.resume_from),
                           f"{self._call_id}-resume-{utt.id}")
        return True

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


class _Shifted:
    """A reply's made pieces seen from piece ``start`` on (index 0 is piece ``start``)."""

    def __init__(self, made: dict[int, bytes], start: int) -> None:
        self._made, self._start = made, start

    def __contains__(self, index: object) -> bool:
        return isinstance(index, int) and index + self._start in self._made

    def __getitem__(self, index: int) -> bytes:
        return self._made[index + self._start]

    def __setitem__(self, index: int, audio: bytes) -> None:
        self._made[index + self._start] = audio


def _metered(synthesizer: SpeechSynthesizer) -> Voice:
    if isinstance(synthesizer, Voice):
        return synthesizer
    return Voice(synthesizer)
