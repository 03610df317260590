"""End-of-turn and barge-in decisions from voice-activity probabilities. Pure.

The detector sees one probability per VAD window with the stream time at the
window's end, and emits events:

- ``VoiceOnset`` (when ``hold_speech`` is set) once voiced time since the onset reaches
  it, well before the turn is confirmed: enough to stop the bot's audio at once while
  it is decided whether the caller is interrupting;
- ``SpeechStarted`` once voiced time since the onset reaches ``min_speech``
  (shorter blips are reported as ``NoiseIgnored``);
- ``BargeIn`` once per utterance, when one stretch of speech (pauses shorter
  than ``barge_in_gap`` allowed) reaches ``barge_in_speech`` of voiced time: long
  enough that it is not a cough or an "mm", and two "mm"s a second apart do not
  add up to an interruption;
- ``Pause`` once the caller has been quiet for ``pause_silence`` mid-turn: the
  turn may be over, so transcription can start while we wait to be sure;
- ``SpeechEnded`` after ``end_silence`` of silence (or when the turn grows past
  ``max_turn``).

Hysteresis as in Silero's own iterator: speech begins at ``threshold`` and only
counts as silence below ``threshold - 0.15``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class TurnConfig:
    threshold: float = 0.5
    min_speech: float = 0.2
    barge_in_speech: float = 0.5
    end_silence: float = 0.7
    onset_gap: float = 0.15  # silence that abandons an unconfirmed onset
    barge_in_gap: float = 0.3  # silence that restarts the barge-in count
    pause_silence: float = 0.25
    max_turn: float = 30.0
    hold_speech: float | None = None  # voiced time that reports a VoiceOnset (None: never)
    digits_end_silence: float | None = None  # end_silence while digits are read out


@dataclass(frozen=True)
class VoiceOnset:
    onset: float  # stream time the voice began
    at: float  # stream time it was reported


@dataclass(frozen=True)
class SpeechStarted:
    onset: float  # stream time the speech began


@dataclass(frozen=True)
class BargeIn:
    onset: float
    at: float


@dataclass(frozen=True)
class Pause:
    onset: float
    last_voiced: float


@dataclass(frozen=True)
class SpeechEnded:
    onset: float
    last_voiced: float  # stream time the caller actually stopped
    at: float  # stream time the end of turn was decided
    forced: bool = False


@dataclass(frozen=True)
class NoiseIgnored:
    onset: float
    voiced: float


TurnEvent = VoiceOnset | SpeechStarted | BargeIn | Pause | SpeechEnded | NoiseIgnored


class _State(enum.Enum):
    SILENCE = 0
    ONSET = 1
    SPEECH = 2


class TurnDetector:
    """Feeds on (probability, window end time, window length) and emits TurnEvents."""

    def __init__(self, config: TurnConfig) -> None:
        self.config = config
        self.end_silence = config.end_silence
        self._state = _State.SILENCE
        self._onset = 0.0
        self._voiced = 0.0
        self._silence = 0.0
        self._last_voiced = 0.0
        self._barged = False
        self._run = 0.0  # voiced time in the current stretch of speech
        self._paused = False  # a Pause was reported for the current silence
        self._held = False  # a VoiceOnset was reported for this utterance

    @property
    def in_speech(self) -> bool:
        return self._state is _State.SPEECH

    def push(self, prob: float, end: float, length: float) -> list[TurnEvent]:
        cfg = self.config
        speech = prob >= cfg.threshold
        silence = prob < cfg.threshold - 0.15
        events: list[TurnEvent] = []

        if self._state is _State.SILENCE:
            if speech:
                self._state = _State.ONSET
                self._onset = end - length
                self._voiced = length
                self._run = length
                self._silence = 0.0
                self._last_voiced = end
                self._barged = False
                self._paused = False
                self._held = False
                events += self._hold_if_long_enough(end)
                events += self._confirm_if_long_enough(end)
            return events

        if speech:
            if self._silence >= cfg.barge_in_gap:
                self._run = 0.0
            self._voiced += length
            self._run += length
            self._silence = 0.0
            self._paused = False
            self._last_voiced = end
        elif silence:
            self._silence += length

        if self._state is _State.ONSET:
            if self._silence >= cfg.onset_gap:
                events.append(NoiseIgnored(self._onset, self._voiced))
                self._state = _State.SILENCE
            else:
                events += self._hold_if_long_enough(end)
                events += self._confirm_if_long_enough(end)
            return events

        # In confirmed speech.
        if not self._barged and self._run >= cfg.barge_in_speech:
            self._barged = True
            events.append(BargeIn(self._onset, end))
        if not self._paused and cfg.pause_silence <= self._silence < self.end_silence:
            self._paused = True
            events.append(Pause(self._onset, self._last_voiced))
        if self._silence >= self.end_silence:
            events.append(SpeechEnded(self._onset, self._last_voiced, end))
            self._state = _State.SILENCE
        elif end - self._onset >= cfg.max_turn:
            events.append(SpeechEnded(self._onset, self._last_voiced, end, forced=True))
            self._state = _State.SILENCE
        return events

    def expect_digits(self, digits: bool) -> None:
        """People pause between groups of digits: wait longer for the end of their turn
        while they read a number out."""
        cfg = self.config
        self.end_silence = (cfg.digits_end_silence if digits and cfg.digits_end_silence
                            else cfg.end_silence)

    def end_now(self, last_voiced: float, at: float) -> SpeechEnded | None:
        """End the turn before ``end_silence`` has passed, because its words are a whole
        answer; only if the caller is still silent since ``last_voiced`` (None when
        they went on, or the turn already ended)."""
        if self._state is not _State.SPEECH or self._last_voiced != last_voiced \
                or self._silence <= 0:
            return None
        self._state = _State.SILENCE
        return SpeechEnded(self._onset, self._last_voiced, at)

    def _hold_if_long_enough(self, end: float) -> list[TurnEvent]:
        hold = self.config.hold_speech
        if hold is None or self._held or self._voiced < hold:
            return []
        self._held = True
        return [VoiceOnset(self._onset, end)]

    def _confirm_if_long_enough(self, end: float) -> list[TurnEvent]:
        if self._voiced < self.config.min_speech:
            return []
        self._state = _State.SPEECH
        events: list[TurnEvent] = [SpeechStarted(self._onset)]
        if self._run >= self.config.barge_in_speech:
            self._barged = True
            events.append(BargeIn(self._onset, end))
        return events
