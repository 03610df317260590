"""Turn-taking: who has the floor, decided from turn events and the bot's speaking state.
Pure: the time and everything it needs to know about the call are passed in, and it
answers with actions for the session to carry out.

The detector (``turns/detector.py``) says what the caller's voice is doing; this says
what the call does about it:

- a voice over the bot's **holds** the reply at once (its audio stops, the reply kept);
  if the voice becomes half a second of speech it **interrupts** the reply; if it goes
  quiet first (a cough, an "mm-hm") the reply **resumes** from the start of the cut
  sentence;
- a voice that starts with under ``answer_over_end`` seconds of the reply left is the
  caller answering as the question ends: the end plays out and the words are a turn,
  never a backchannel to drop;
- at a short pause the words so far are **transcribed** (unless recognition is queued
  with other calls' work); if they answer the question in full (``words_heard``) the
  turn **ends now**, between frames, rather than after the rest of the silence;
- at the end of a turn the caller's words are **taken** (with the guess made at the
  pause when it covered the same audio); a caller who goes on before being answered
  ("one zero zero... two zero zero") has the half-understood turn **dropped** and heard
  again with what follows;
- the first answer's **language** is found while it is still being spoken.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicebot.turns.detector import (
    BargeIn,
    NoiseIgnored,
    Pause,
    SpeechEnded,
    SpeechStarted,
    TurnEvent,
    VoiceOnset,
)

# A voice that starts with this little of the bot's reply left to play is an answer to
# it (people answer as a question ends), not an interruption or a backchannel.
ANSWER_OVER_END_SECONDS = 1.0
# A first answer this long has its language found while the caller is still speaking.
EARLY_LANGUAGE_SECONDS = 1.0


@dataclass(frozen=True)
class Moment:
    """The call as turn-taking needs to see it when an event arrives."""

    now: float  # the call's clock, seconds
    stream_now: float  # the caller's audio stream time, seconds
    bot_speaking: bool  # the caller may still be hearing the bot
    bot_time_left: float = 0.0  # of the reply still to play (inf while it is being made)
    answering: bool = False  # a caller turn is being understood or answered
    recognition_busy: bool = False  # recognition is queued up with other calls' work

    def stream_to_clock(self, stream_time: float) -> float:
        return self.now - (self.stream_now - stream_time)


# -- actions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CancelNoInput:
    """The caller is talking: "are you still there?" must not come."""


@dataclass(frozen=True)
class Hold:
    """Stop the bot's audio now and keep the reply: it is not yet known whether the
    caller is interrupting."""

    voiced: float  # seconds of voice that caused it


@dataclass(frozen=True)
class Resume:
    """Say the rest of the held reply, from the start of the cut sentence."""

    why: str  # "backchannel" or "noise"


@dataclass(frozen=True)
class Interrupt:
    """The caller is interrupting: the reply ends here."""

    onset_at: float | None  # clock time the caller began (None: keys or text)
    held_at: float | None  # clock time the audio stopped, when it was held first
    voiced: float = 0.0  # seconds of speech that made it an interruption


@dataclass(frozen=True)
class DropTurn:
    """Forget the turn being understood: the caller went on, it is heard again whole."""


@dataclass(frozen=True)
class Transcribe:
    """Transcribe the turn so far (a guess: the turn may not be over)."""

    onset: float
    last_voiced: float


@dataclass(frozen=True)
class EndNow:
    """The words at the pause are a whole answer: end the turn now if the caller is
    still silent since ``last_voiced``."""

    last_voiced: float


@dataclass(frozen=True)
class TakeTurn:
    """The caller's turn is over: understand and answer it."""

    onset: float
    last_voiced: float
    at: float  # stream time the end was decided
    use_guess: bool  # the guess made at the pause covers exactly this audio


@dataclass(frozen=True)
class DetectLanguage:
    """Find the language of the first answer from its audio so far."""

    onset: float
    until: float


@dataclass(frozen=True)
class Note:
    """Something worth the call's event log."""

    kind: str
    detail: str = ""


Action = (CancelNoInput | Hold | Resume | Interrupt | DropTurn | Transcribe | EndNow
          | TakeTurn | DetectLanguage | Note)


class TurnTaking:
    """One call's turn-taking state. Feed it the detector's events (``on_event``), the
    meaning of the words heard at a pause (``words_heard``), the end of each frame
    (``after_frame``) and caller input that is not voice (``on_typed``)."""

    def __init__(self, *, answer_over_end: float = ANSWER_OVER_END_SECONDS,
                 early_language: float = EARLY_LANGUAGE_SECONDS) -> None:
        self.answer_over_end = answer_over_end
        self.early_language = early_language
        self.onset: float | None = None  # onset of the turn being heard or understood
        self.overlapped = False  # the caller began while the bot spoke
        self.barged = False  # and it became an interruption
        self.held_at: float | None = None  # clock time a voice paused the reply
        self.over_end = False  # the caller began over the reply's last moments
        self._guess_at: float | None = None  # last voiced time the pending guess ends at
        self._end_early: float | None = None
        self._language_asked = False

    # -- the caller's voice --------------------------------------------------------

    def on_event(self, event: TurnEvent, m: Moment) -> list[Action]:
        if isinstance(event, VoiceOnset):
            return self._voice_onset(event, m)
        if isinstance(event, SpeechStarted):
            return self._speech_started(event, m)
        if isinstance(event, BargeIn):
            return self._barge_in(event, m)
        if isinstance(event, Pause):
            return self._pause(event, m)
        if isinstance(event, SpeechEnded):
            return self._speech_ended(event, m)
        if isinstance(event, NoiseIgnored):
            self.over_end = False
            return self._resume("noise")
        raise TypeError(f"not a turn event: {event!r}")

    def _voice_onset(self, event: VoiceOnset, m: Moment) -> list[Action]:
        if not m.bot_speaking:
            return []
        if m.bot_time_left <= self.answer_over_end:
            # "Yes" said as the question ends: the end plays out, and the caller's words
            # are their answer (never taken for an "mm-hm" and dropped).
            self.over_end = True
            return [Note("answer_over_end", f"{m.bot_time_left * 1000:.0f} ms left")]
        self.held_at = m.now
        return [Hold(event.at - event.onset)]

    def _speech_started(self, event: SpeechStarted, m: Moment) -> list[Action]:
        actions: list[Action] = [CancelNoInput()]
        self.barged = False
        if m.bot_time_left <= self.answer_over_end:
            self.over_end = True  # (also when nothing was held: see _voice_onset)
        self.overlapped = m.bot_speaking and not self.over_end
        if m.answering:
            # The caller went on before being answered: the half-understood turn is
            # heard again with what follows (the turn keeps its first onset).
            actions += [DropTurn(), Note("turn_continued")]
        else:
            self.onset = event.onset
        return actions

    def _barge_in(self, event: BargeIn, m: Moment) -> list[Action]:
        if not m.bot_speaking:
            return []
        self.barged = True
        held, self.held_at = self.held_at, None
        return [Interrupt(m.stream_to_clock(event.onset), held, event.at - event.onset)]

    def _backchannel(self, m: Moment) -> bool:
        """A voice over the bot's that went quiet before it became an interruption."""
        return self.overlapped and not self.barged and m.bot_speaking

    def _pause(self, event: Pause, m: Moment) -> list[Action]:
        if self._backchannel(m):
            # The bot goes on (if the caller goes on too, that is a barge-in after all).
            return self._resume("backchannel")  # and not worth transcribing
        if m.recognition_busy:
            return []  # recognition is queued with other calls: a guess would only wait
        onset = self.onset if self.onset is not None else event.onset
        self._guess_at = event.last_voiced
        return [Transcribe(onset, event.last_voiced)]

    def _speech_ended(self, event: SpeechEnded, m: Moment) -> list[Action]:
        self.over_end = False
        self._end_early = None
        if self._backchannel(m):
            self.onset = None
            self._guess_at = None
            return [Note("backchannel", f"{(event.last_voiced - event.onset) * 1000:.0f} ms"),
                    *self._resume("backchannel")]
        onset = self.onset if self.onset is not None else event.onset
        use_guess = self._guess_at == event.last_voiced
        self._guess_at = None
        return [TakeTurn(onset, event.last_voiced, event.at, use_guess)]

    def _resume(self, why: str) -> list[Action]:
        if self.held_at is None:
            return []
        self.held_at = None
        return [Resume(why)]

    # -- what the rest of the call reports -------------------------------------------

    def not_held(self) -> None:
        """The reply could not be held (it had just ended)."""
        self.held_at = None

    def words_heard(self, last_voiced: float, complete: bool) -> None:
        """The guess made at the pause ending at ``last_voiced`` came back: a whole
        answer to the question ends the turn at the next frame, if it is still the
        latest guess."""
        if complete and self._guess_at == last_voiced:
            self._end_early = last_voiced

    def understood(self) -> None:
        """The turn's words are in (or could not be had): the next voice is a new turn."""
        self.onset = None

    def after_frame(self, m: Moment, *, in_speech: bool, first_answer: bool,
                    languages: int) -> list[Action]:
        """Between frames, when the detector is not being fed: an early end of turn
        decided since the last frame, and the first answer's language."""
        actions: list[Action] = []
        if (not self._language_asked and first_answer and languages > 1 and in_speech
                and self.onset is not None and not m.recognition_busy
                and self._guess_at is None  # (after a pause, the guess finds it)
                and m.stream_now - self.onset >= self.early_language):
            self._language_asked = True
            actions.append(DetectLanguage(self.onset, m.stream_now))
        if self._end_early is not None:
            actions.append(EndNow(self._end_early))
            self._end_early = None
        return actions

    def on_typed(self, m: Moment) -> list[Action]:
        """Keys pressed or a turn given as text: it stops the bot as a voice would."""
        actions: list[Action] = [CancelNoInput()]
        if m.bot_speaking:
            held, self.held_at = self.held_at, None
            actions.append(Interrupt(None, held))
        return actions
