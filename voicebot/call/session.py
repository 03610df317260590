"""One call: wires listening, understanding, the dialogue and speaking together.

The session owns its tasks (the turn being processed, the reply being spoken,
the no-input and keypad timers) and cancels them explicitly. It never touches a
socket: audio comes in as carrier events and goes out through ``CallControl``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from voicebot.call.listener import Listener
from voicebot.call.record import CallRecord, HandoffDesk, TranscriptLine
from voicebot.call.recording import CallRecorder
from voicebot.call.speaker import Outbound, Speaker, Utterance
from voicebot.call.tasks import cancel, spawn
from voicebot.call.timing import CallObserver, CallTimings, NoObserver, TurnTiming
from voicebot.clock import Clock
from voicebot.dialogue.base import Dialogue, Listen, Reply
from voicebot.engines.pool import BACKGROUND, SPECULATIVE, URGENT
from voicebot.engines.registry import Engines
from voicebot.engines.stt import Transcript
from voicebot.errors import OverloadedError, VoicebotError
from voicebot.logs import CALL_ID
from voicebot.redaction import CardGuard, Heard
from voicebot.settings import Settings
from voicebot.telephony.events import (
    AudioReceived,
    CallEnded,
    CarrierEvent,
    DigitPressed,
    MarkPlayed,
)
from voicebot.turns.detector import NoiseIgnored, TurnConfig
from voicebot.turns.taking import (
    Action,
    CancelNoInput,
    DetectLanguage,
    DropTurn,
    EndNow,
    Hold,
    Interrupt,
    Moment,
    Note,
    Resume,
    TakeTurn,
    Transcribe,
    TurnTaking,
)

log = logging.getLogger(__name__)

KEYPAD_TIMEOUT = 3.0  # seconds after the last key before the entry is taken
SPOKEN_LANGUAGE_MIN_SECONDS = 1.0  # shorter first answers ("yes") are too short to tell
# A turn's recognition refused because the shared queue is full is tried again this
# often, this far apart, before the turn is given up.
OVERLOAD_RETRIES, OVERLOAD_WAIT = 40, 0.1
# Whisper writes digit strings more faithfully when its prompt shows the format.
DIGIT_HINTS = {
    "en": "Number, digit by digit: 1, 2, 3.",
    "fr": "Numéro, chiffre par chiffre : 1, 2, 3.",
}


class CallControl(Outbound, Protocol):
    async def hangup(self, reason: str) -> None: ...


@dataclass
class TranscriptEntry:
    speaker: str  # "bot" or "caller"
    text: str
    at: float
    interrupted: bool = False
    via: str = "voice"  # or "keypad"
    timing: TurnTiming | None = None  # a caller turn's stages, up to the reply's audio


class CallSession:
    def __init__(self, *, call_id: str, language: str, settings: Settings, engines: Engines,
                 dialogue: Dialogue, control: CallControl, clock: Clock,
                 desk: HandoffDesk | None = None,
                 recorder: CallRecorder | None = None,
                 observer: CallObserver | None = None) -> None:
        self.call_id = call_id
        CALL_ID.set(call_id)  # log records from here on, and from our tasks, name the call
        self._observer: CallObserver = observer or NoObserver()
        self.language = language
        self.settings = settings
        self.dialogue = dialogue
        self._engines = engines
        self._control = control
        self._clock = clock
        self._desk = desk
        self._recorder = recorder
        self._arrangement_id: str | None = None
        self._dialogue_events = 0  # dialogue events already looked at (disclosures)
        self._last_played_at: dt.datetime | None = None  # the last reply's mark came back
        self._record_tasks: set[asyncio.Task[None]] = set()
        self.listener = Listener(engines.vad.stream(), TurnConfig(
            threshold=settings.vad_threshold,
            min_speech=settings.min_speech_ms / 1000,
            barge_in_speech=settings.barge_in_min_speech_ms / 1000,
            end_silence=settings.end_of_turn_silence_ms / 1000,
            digits_end_silence=settings.digits_end_of_turn_silence_ms / 1000,
            max_turn=settings.max_turn_seconds,
            hold_speech=settings.barge_in_hold_ms / 1000 if settings.barge_in_hold_ms else None,
            pause_silence=settings.pause_transcribe_ms / 1000,
        ))
        self.speaker = Speaker(control, engines.voice(language), engines.tts_pool, clock,
                               call_id=call_id)
        self.taking = TurnTaking()
        self.timings = CallTimings()
        self.transcript: list[TranscriptEntry] = []
        self.events: list[tuple[float, str, str]] = []  # (time, kind, detail)
        self.started_at = clock.now()
        self.ended = False
        self._turn_task: asyncio.Task[None] | None = None
        self._after_task: asyncio.Task[None] | None = None
        self._no_input_task: asyncio.Task[None] | None = None
        self._keypad_task: asyncio.Task[None] | None = None
        self._keypad = ""
        # Transcription started at a pause, before the end of turn is certain.
        self._guess: tuple[float, asyncio.Task[Transcript | None]] | None = None
        self._guess_generation = 0
        self._complete_task: asyncio.Task[None] | None = None
        # The first answer's language, found while the caller is still speaking it.
        self._language_task: asyncio.Future[str] | None = None
        self._turns = 0
        # The last reply of the call (a hand-off or a goodbye) is being said: caller
        # turns and keys no longer go to the dialogue, and the call ends as it says.
        self._final: Reply | None = None
        self._handoff_id: str | None = None
        self._transferred = False
        self._started_wall = clock.wall()
        self._cards = CardGuard(language)

    # -- lifecycle -------------------------------------------------------------

    async def start(self) -> None:
        self._event("start", f"language={self.language} prompts={self.dialogue.prompt_version}")
        started = self._clock.now()
        if self._recorder is not None:
            await self._recorder.started(self.record())

        self._observer.call_started(self.language)

        def first_audio(at: float) -> None:
            self.timings.greeting_first_audio_ms = round((at - started) * 1000, 1)
            self._observer.greeting_started(at - started)

        await self._respond(self.dialogue.start(), on_first_audio=first_audio)

    async def handle(self, event: CarrierEvent) -> None:
        if self.ended:
            return
        if isinstance(event, AudioReceived):
            await self._on_audio(event)
        elif isinstance(event, DigitPressed):
            await self._on_digit(event.digit)
        elif isinstance(event, MarkPlayed):
            self.speaker.on_mark(event.name)
        elif isinstance(event, CallEnded):
            await self.close(event.reason)

    async def close(self, reason: str) -> None:
        if self.ended:
            return
        self.ended = True
        self._event("end", reason)
        guess = self._guess[1] if self._guess else None
        for task in (self._turn_task, self._after_task, self._no_input_task, self._keypad_task,
                     self._complete_task, self._language_task, guess):
            await cancel(task)
        await self.speaker.close()
        await self._settle(reason)
        if self._recorder is not None:
            for task in list(self._record_tasks):
                await asyncio.wait({task}, timeout=5)
            await self._recorder.finished(self.record(), reason)
        self._observer.call_ended(reason, self._clock.now() - self.started_at)
        log.info("%s: call ended (%s) after %.1f s; timings %s", self.call_id, reason,
                 self._clock.now() - self.started_at, self.timings.summary())

    async def wind_down(self, seconds: float, poll: float = 0.05) -> None:
        """The service is stopping: let the exchange in progress finish (the caller's
        words answered, the answer heard to its end), then hand the caller to a person
        with everything said so far. After ``seconds`` a turn still being understood is
        dropped (its words are in the packet); a sentence being said is never cut."""
        if self.ended or self._final is not None:
            return
        self._event("wind_down", f"{seconds:g}s")
        deadline = self._clock.now() + seconds
        while not self.ended and self._final is None and self._clock.now() < deadline:
            if not (self.answering() or self.speaker.speaking() or self.listener.in_speech
                    or self._guess is not None):
                break
            await self._clock.sleep(poll)
        if self.ended or self._final is not None:
            return
        await cancel(self._turn_task)
        await cancel(self._no_input_task)
        if self.speaker.speaking():
            await self.speaker.wait_until_heard()
        if not self.ended and self._final is None:
            await self._respond(self.dialogue.on_shutdown())

    def answering(self) -> bool:
        """A caller turn is being understood or answered."""
        return self._turn_task is not None and not self._turn_task.done()

    def record(self) -> CallRecord:
        """The call so far, as a frozen value (caller text already redacted)."""
        origin = self.started_at
        return CallRecord(
            call_id=self.call_id, language=self.language, started=self._started_wall,
            seconds=round(self._clock.now() - origin, 2), at=self._clock.wall(),
            transcript=tuple(TranscriptLine(e.speaker, e.text, round(e.at - origin, 2),
                                            e.interrupted, e.via,
                                            e.timing.stages() if e.timing else None)
                             for e in self.transcript),
            turn_ms=tuple(t.stages()["total"] for t in self.timings.turns
                          if "total" in t.stages()),
            events=tuple((round(at - origin, 2), kind, detail)
                         for at, kind, detail in self.events),
            outcome=self.dialogue.outcome(),
        )

    async def _settle(self, reason: str) -> None:
        """At the end of the call: nothing the caller was promised is lost."""
        if self._desk is None:
            return
        outcome = self.dialogue.outcome()
        try:
            if outcome.handoff and not self._transferred:
                # Gone before the transfer (hung up during the last words): a person
                # calls them back; the hand-off itself was kept before they heard of it.
                await self._desk.call_back(self._handoff_id, f"the caller left ({reason}) "
                                           "before the transfer")
            elif outcome.ended_request and not outcome.handoff:
                await self._desk.keep(self.record(), outcome.ended_request)
        except Exception:
            log.exception("%s: could not settle the call's hand-off", self.call_id)

    # -- caller audio ----------------------------------------------------------------

    async def _on_audio(self, event: AudioReceived) -> None:
        if self._clock.now() - self.started_at > self.settings.max_call_seconds:
            await self._hangup("max_call_duration")
            return
        # Resampling and voice detection run off the event loop (Listener.hear).
        turn_events = await self.listener.hear(event.payload, event.timestamp_ms,
                                               self._clock.now(), event.encoding)
        for turn_event in turn_events:
            if self.ended:
                return
            if isinstance(turn_event, NoiseIgnored):
                log.debug("%s: ignored %.0f ms of noise", self.call_id, turn_event.voiced * 1000)
            await self._act(self.taking.on_event(turn_event, self._moment()))
        if self.ended:
            return
        await self._act(self.taking.after_frame(
            self._moment(), in_speech=self.listener.in_speech,
            first_answer=not any(e.speaker == "caller" for e in self.transcript),
            languages=len(self._engines.voices)))

    def _moment(self) -> Moment:
        pool = self._engines.stt_pool
        return Moment(
            now=self._clock.now(), stream_now=self.listener.now,
            bot_speaking=self.speaker.speaking(), bot_time_left=self.speaker.time_left(),
            answering=self._turn_task is not None and not self._turn_task.done(),
            recognition_busy=pool.pending > pool.workers,
        )

    async def _act(self, actions: list[Action]) -> None:
        """Carry out what turn-taking decided (``voicebot/turns/taking.py``)."""
        for action in actions:
            if isinstance(action, CancelNoInput):
                await cancel(self._no_input_task)
            elif isinstance(action, Hold):
                if await self.speaker.pause():
                    self._event("hold", f"{action.voiced * 1000:.0f} ms of voice")
                else:
                    self.taking.not_held()
            elif isinstance(action, Resume):
                if self.speaker.resume():
                    self._event("resumed", action.why)
            elif isinstance(action, Interrupt):
                await self._interrupt(action)
            elif isinstance(action, DropTurn):
                await cancel(self._turn_task)
            elif isinstance(action, Transcribe):
                self._start_guess(action)
            elif isinstance(action, EndNow):
                ended = self.listener.end_now(action.last_voiced)
                if ended is not None:
                    self._event("early_end", f"{(ended.at - ended.last_voiced) * 1000:.0f} ms")
                    await self._act(self.taking.on_event(ended, self._moment()))
            elif isinstance(action, TakeTurn):
                self._take_turn(action)
            elif isinstance(action, DetectLanguage):
                audio = self.listener.turn_audio(action.onset, action.until)
                self._language_task = asyncio.ensure_future(self._engines.stt_pool.submit(
                    BACKGROUND, functools.partial(self._spoken_language, audio)))
            elif isinstance(action, Note):
                self._event(action.kind, action.detail)

    async def _interrupt(self, action: Interrupt) -> None:
        """The caller interrupts: the bot stops, and what they heard of it is kept."""
        heard = await self.speaker.interrupt()
        self._mark_interrupted(heard)
        self._event("barge_in", heard)
        if action.onset_at is None:
            return  # keys or a text turn
        # The caller was heard when the audio stopped: at the hold, if there was one.
        stopped = action.held_at if action.held_at is not None else self._clock.now()
        self.timings.barge_in_ms.append(round((stopped - action.onset_at) * 1000, 1))
        self._observer.barge_in(stopped - action.onset_at)
        log.info("%s: barge-in after %.0f ms of speech", self.call_id, action.voiced * 1000)
        log.debug("%s: the caller heard %r", self.call_id, heard)

    def _start_guess(self, action: Transcribe) -> None:
        """Start transcribing at a pause: if the turn is over, the words are ready sooner,
        and if they answer the question in full the turn ends now."""
        audio = self.listener.turn_audio(action.onset, action.last_voiced)
        self._guess_generation += 1
        task = spawn(self._transcribe(audio, self._guess_generation),
                     f"{self.call_id}-guess-{self._guess_generation}")
        self._guess = (action.last_voiced, task)
        self._complete_task = spawn(self._judge_guess(task, action.last_voiced),
                                    f"{self.call_id}-complete-{self._guess_generation}")

    async def _judge_guess(self, guess: asyncio.Task[Transcript | None],
                           last_voiced: float) -> None:
        """End of turn from meaning: do the words heard at the pause answer the question
        in full (a yes, the whole postcode, the name on file)? A number cut short does
        not."""
        try:
            transcript = await asyncio.shield(guess)
        except (asyncio.CancelledError, VoicebotError):
            return
        if transcript is None or self.ended:
            return
        text = transcript.text.strip()
        self.taking.words_heard(last_voiced, bool(text) and self.dialogue.complete(text))

    async def _transcribe(self, audio: np.ndarray, generation: int | None) -> Transcript | None:
        """Transcribe in the pool; a guess that went stale while queued is skipped."""
        hint = DIGIT_HINTS.get(self.language) if self.dialogue.listen is Listen.DIGITS else None

        first = not any(e.speaker == "caller" for e in self.transcript)
        known: str | None = None
        if first and self._language_task is not None:
            try:
                known = await asyncio.shield(self._language_task)
            except VoicebotError:
                known = None

        def work() -> Transcript | None:
            if generation is not None and generation != self._guess_generation:
                return None
            language = known or (self._spoken_language(audio) if first else self.language)
            return self._engines.stt.transcribe(audio, language, hint)

        # A guess may be thrown away: the words a caller is waiting on go first.
        return await self._engines.stt_pool.submit(
            SPECULATIVE if generation is not None else URGENT, work)

    def _spoken_language(self, audio: np.ndarray) -> str:
        """The caller's first words decide the language they are heard in: a French
        caller on an English line is transcribed in French (and told, in French, what
        the line can do), not forced into English. Runs on the worker thread."""
        others = [lang for lang in self._engines.voices if lang != self.language]
        if not others or len(audio) < SPOKEN_LANGUAGE_MIN_SECONDS * 16_000:
            return self.language
        try:
            odds = self._engines.stt.detect_language(audio, [self.language, *others])
        except VoicebotError as exc:
            log.warning("%s: %s", self.call_id, exc)
            return self.language
        best = max(others, key=lambda lang: odds[lang])
        if odds[best] >= 0.6 and odds[best] >= 3 * odds[self.language]:
            log.info("%s: the caller speaks %s (%.2f against %.2f)", self.call_id, best,
                     odds[best], odds[self.language])
            return best
        return self.language

    def _take_turn(self, action: TakeTurn) -> None:
        audio = self.listener.turn_audio(action.onset, action.last_voiced)
        now = self._clock.now()
        self._turns += 1
        timing = TurnTiming(
            index=self._turns,
            speech_end=now - (self.listener.now - action.last_voiced),
            end_detected=now,
            audio_seconds=len(audio) / 16_000,
        )
        guess, self._guess = self._guess, None
        if not action.use_guess or guess is None or guess[0] != action.last_voiced:
            self._guess_generation += 1  # any queued guess is stale now
            guess = None
        self._turn_task = spawn(self._process_turn(audio, timing, guess[1] if guess else None),
                                f"{self.call_id}-turn-{self._turns}")

    async def _process_turn(self, audio: np.ndarray, timing: TurnTiming,
                            guess: asyncio.Task[Transcript | None] | None) -> None:
        if self._final is not None:
            self._event("ignored_turn", "the call is ending")
            return
        try:
            transcript = await guess if guess is not None else None
            for attempt in range(OVERLOAD_RETRIES + 1):
                if transcript is not None:
                    break
                try:
                    transcript = await self._transcribe(audio, None)
                except OverloadedError:
                    # Every call's recognition is queued: wait for room rather than
                    # lose what the caller said.
                    if attempt == OVERLOAD_RETRIES:
                        raise
                    await self._clock.sleep(OVERLOAD_WAIT)
            assert transcript is not None
        except VoicebotError as exc:
            log.error("%s: speech recognition failed: %s", self.call_id, exc)
            self.taking.understood()
            self._start_no_input_timer()
            return
        self.taking.understood()
        timing.transcript_ready = self._clock.now()
        text = transcript.text.strip()
        if not text:
            log.info("%s: turn %d had no words (%.1f s of audio)", self.call_id, timing.index,
                     transcript.audio_seconds)
            self._start_no_input_timer()
            return
        await self._take_words(text, timing)

    async def hear_text(self, text: str) -> None:
        """A caller turn already in words (a replayed text turn): from here on it takes
        the path of a transcribed turn. Said over the bot, it cuts the bot short as a
        barge-in would. Returns once the turn is being answered."""
        if self.ended or self._final is not None:
            return
        await self._act(self.taking.on_typed(self._moment()))
        if not text.strip():
            self._start_no_input_timer()  # as a turn with no words in it
            return
        now = self._clock.now()
        self._turns += 1
        timing = TurnTiming(index=self._turns, speech_end=now, end_detected=now,
                            audio_seconds=0.0)
        timing.transcript_ready = now
        self._turn_task = spawn(self._take_words(text.strip(), timing),
                                f"{self.call_id}-turn-{self._turns}")
        await asyncio.sleep(0)

    async def _take_words(self, text: str, timing: TurnTiming) -> None:
        """A caller turn's words, from redaction to the reply."""
        # Card data is redacted here, where the words enter: nothing after (the
        # dialogue, the language model, the transcript, the logs) ever sees it.
        heard = self._heard(text)
        timing.text = heard.text
        self.transcript.append(TranscriptEntry("caller", heard.text, timing.transcript_ready,
                                               timing=timing))
        reply = await self._answer(self.dialogue.on_caller_text(heard.text))
        timing.reply_ready = self._clock.now()
        self.timings.turns.append(timing)

        def first_audio(at: float) -> None:
            timing.first_audio_sent = at
            self._observer.turn_answered(timing.stages())
            log.info("%s: turn %d; stages ms %s", self.call_id, timing.index, timing.stages())
            log.debug("%s: turn %d %r -> %r", self.call_id, timing.index, heard.text,
                      reply.text[:80])

        await self._respond(reply, on_first_audio=first_audio)

    # -- keypad ------------------------------------------------------------------------

    async def _on_digit(self, digit: str) -> None:
        if self._final is not None:
            return  # the call is ending: keys change nothing now
        await self._act(self.taking.on_typed(self._moment()))
        await cancel(self._keypad_task)
        if digit == "*":
            self._keypad = ""
            return
        if digit != "#":
            self._keypad += digit
        if digit == "#" or (self.dialogue.listen is Listen.YES_NO and len(self._keypad) == 1):
            self._keypad_task = spawn(self._submit_keypad(), f"{self.call_id}-keypad")
        else:
            self._keypad_task = spawn(self._keypad_timeout(), f"{self.call_id}-keypad")

    async def _keypad_timeout(self) -> None:
        await self._clock.sleep(KEYPAD_TIMEOUT)
        await self._submit_keypad()

    async def _submit_keypad(self) -> None:
        digits, self._keypad = self._keypad, ""
        if not digits:
            return
        heard = self._heard(digits)
        self.transcript.append(TranscriptEntry("caller", heard.text, self._clock.now(),
                                               via="keypad"))
        self._event("keypad", f"{len(digits)} digits")
        pending = (self.dialogue.on_caller_text(heard.text) if heard.card_data
                   else self.dialogue.on_keypad(digits))
        await self._respond(await self._answer(pending))

    def _heard(self, text: str) -> Heard:
        """One caller turn (voice or keypad) through the call's card guard: a card read
        over several turns is caught, and the earlier turns it began in are amended."""
        heard = self._cards.hear(text, key=len(self.transcript))
        for amend in heard.amends:
            entry = self.transcript[amend.key]
            entry.text = amend.apply(entry.text)
            for timing in self.timings.turns:
                if timing.text and abs(timing.transcript_ready - entry.at) < 1e-9:
                    timing.text = amend.apply(timing.text)
        return heard

    # -- replies ---------------------------------------------------------------------------

    async def _answer(self, pending: Coroutine[Any, Any, Reply]) -> Reply:
        """The dialogue's reply; a holding phrase if it takes a while; never an exception."""
        task: asyncio.Task[Reply] = asyncio.ensure_future(pending)
        try:
            done, _ = await asyncio.wait({task}, timeout=self.settings.filler_after_seconds)
            if not done and not self.speaker.speaking():
                self.speaker.say(self.dialogue.filler())
                self._event("filler", "")
            reply = await task
        except asyncio.CancelledError:
            task.cancel()
            raise
        except Exception:
            log.exception("%s: the dialogue failed; handing off", self.call_id)
            reply = self.dialogue.on_failure()
        if self.speaker.speaking():
            await self.speaker.wait_until_heard()  # let the holding phrase finish
        return reply

    async def _respond(self, reply: Reply, on_first_audio=None) -> None:  # type: ignore[no-untyped-def]
        if self._final is not None:
            return  # the last reply is already being said
        if reply.handoff and self._recorder is not None and self._arrangement_id is None \
                and self.dialogue.outcome().agreed:
            reply = await self._keep_arrangement(reply)
        if reply.handoff or reply.end_call:
            self._final = reply
        if reply.handoff:
            await self._open_handoff(reply.handoff)
        if reply.language and reply.language != self.language:
            self.language = reply.language
            self.speaker.use(self._engines.voice(reply.language))
            self._event("language", reply.language)
        self.listener.expect_digits(self.dialogue.listen is Listen.DIGITS)
        utterance = self.speaker.say(reply.text, on_first_audio=on_first_audio)
        self.transcript.append(TranscriptEntry("bot", reply.text, self._clock.now()))
        disclosed = self._new_disclosures()
        self._write_progress()
        if self._after_task is not None and not self._after_task.done():
            self._after_task.cancel()
        self._after_task = spawn(self._after_reply(utterance, reply, disclosed),
                                 f"{self.call_id}-after")

    async def _keep_arrangement(self, reply: Reply) -> Reply:
        """Commit the agreed plan before the caller hears it confirmed; if it cannot be
        kept, a person takes the call instead of a confirmation nothing backs."""
        assert self._recorder is not None
        said = [e for e in self.transcript if e.speaker == "bot"]
        heard = [e for e in self.transcript if e.speaker == "caller"]
        try:
            self._arrangement_id = await self._recorder.agreed(
                self.record(), said[-1].text if said else "", heard[-1].text if heard else "",
                readback_finished_at=self._last_played_at)
        except Exception:
            log.exception("%s: the agreed plan could not be kept; passing to a person",
                          self.call_id)
            self._event("arrangement_not_kept", "")
            return self.dialogue.on_failure()
        self._event("arrangement_kept", self._arrangement_id)
        return reply

    def _new_disclosures(self) -> tuple[str, ...]:
        events = self.dialogue.outcome().events
        new = tuple(detail for kind, detail in events[self._dialogue_events:]
                    if kind == "disclosure")
        self._dialogue_events = len(events)
        return new

    def _write_progress(self) -> None:
        """Write the new turns and events without holding up the reply."""
        if self._recorder is None:
            return
        task = spawn(self._recorder.progress(self.record()), f"{self.call_id}-record")
        self._record_tasks.add(task)
        task.add_done_callback(self._record_tasks.discard)

    async def _open_handoff(self, reason: str) -> None:
        """Keep the hand-off (an agreed plan with it) before the caller hears about it."""
        self._event("handoff", reason)
        self._observer.handoff(reason)
        log.info("%s: hand-off: %s", self.call_id, reason)
        if self._desk is None:
            return
        try:
            self._handoff_id = await self._desk.open(self.record(), reason)
        except Exception:
            log.exception("%s: the hand-off could not be kept; transferring anyway",
                          self.call_id)

    async def _after_reply(self, utterance: Utterance, reply: Reply,
                           disclosed: tuple[str, ...] = ()) -> None:
        await self.speaker.wait_until_heard()
        if utterance.pieces:
            self.timings.speech_gaps_ms.append(round(utterance.longest_gap * 1000, 1))
            self._observer.speech_gap(utterance.longest_gap)
        if self._recorder is not None:
            # Proof of play: the carrier echoed the mark after the reply's last piece.
            last = utterance.pieces[-1].mark if utterance.pieces else None
            played = utterance.all_played() and not utterance.interrupted
            for name in disclosed:
                await self._recorder.disclosure(self.record(), name, reply.text, last, played)
            self._last_played_at = self._clock.wall() if played else None
        if self.ended:
            return
        if reply.handoff:
            # Interrupted or not, the caller goes to a person now. The carrier moves the
            # call before the stream closes: closing first would end the call, as
            # nothing follows <Connect> in its TwiML.
            if self._desk is not None:
                self._event("transfer_requested", reply.handoff)
                try:
                    self._transferred = await self._desk.transfer(
                        self.record(), self._handoff_id, reply.handoff)
                except Exception:
                    log.exception("%s: the transfer failed", self.call_id)
                if not self._transferred and not self.ended:
                    await self._promise_call_back()
            await self._hangup(f"handoff:{reply.handoff}")
        elif reply.end_call:
            await self._hangup("dialogue_ended")
        elif utterance.failed and not utterance.interrupted:
            # A piece could not be said (synthesis failed): never let the caller answer
            # what they did not hear.
            log.error("%s: %d piece(s) of the reply were not said", self.call_id,
                      len(utterance.failed))
            await self._respond(self.dialogue.on_unheard())
        elif not utterance.interrupted:
            self._start_no_input_timer()

    async def _promise_call_back(self) -> None:
        """Nobody can take the caller now, and the call ends with the bot: they are told
        a person will call them back (the packet says so too)."""
        assert self._desk is not None
        text = self._desk.not_moved(self.language)
        if not text:
            return
        self._event("call_back_promised", "")
        utterance = self.speaker.say(text)
        self.transcript.append(TranscriptEntry("bot", text, self._clock.now()))
        await self.speaker.wait_until_heard()
        if utterance.failed:
            log.error("%s: the call-back promise could not be said", self.call_id)

    def _start_no_input_timer(self) -> None:
        if self._no_input_task is not None and not self._no_input_task.done():
            self._no_input_task.cancel()
        self._no_input_task = spawn(self._no_input(), f"{self.call_id}-no-input")

    async def _no_input(self) -> None:
        await self._clock.sleep(self.settings.no_input_timeout_seconds)
        if self.listener.in_speech or self.speaker.speaking() or self.ended:
            return
        self._event("no_input", "")
        await self._respond(self.dialogue.on_no_input())

    async def _hangup(self, reason: str) -> None:
        if self._recorder is not None:
            # As the stream closes the carrier asks what next (/twilio/continue): the
            # answer depends on this end being on record first.
            await self._recorder.finished(self.record(), reason)
        await self._control.hangup(reason)
        await self.close(reason)

    def _mark_interrupted(self, heard: str) -> None:
        for entry in reversed(self.transcript):
            if entry.speaker == "bot":
                entry.text, entry.interrupted = heard, True
                break

    def _event(self, kind: str, detail: str) -> None:
        self.events.append((self._clock.now(), kind, detail))

    def transfer_after_last_word_ms(self) -> float | None:
        """From the caller's last word to the carrier being asked to move the call."""
        requested = [at for at, kind, _ in self.events if kind == "transfer_requested"]
        if not requested or not self.timings.turns:
            return None
        return round((requested[-1] - self.timings.turns[-1].speech_end) * 1000, 1)
