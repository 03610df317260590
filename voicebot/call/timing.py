"""Per-turn latency: when the caller stopped, and when each stage finished."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Protocol

STAGES = ("end_detection", "stt", "dialogue", "tts_first_audio", "total")


@dataclass
class TurnTiming:
    """Clock times (seconds) of one caller turn's milestones."""

    index: int
    speech_end: float
    end_detected: float
    transcript_ready: float | None = None
    reply_ready: float | None = None
    first_audio_sent: float | None = None
    audio_seconds: float = 0.0
    text: str = ""

    def stages(self) -> dict[str, float]:
        """Milliseconds per stage, for the stages this turn reached."""
        out: dict[str, float] = {"end_detection": self.end_detected - self.speech_end}
        if self.transcript_ready is not None:
            out["stt"] = self.transcript_ready - self.end_detected
        if self.reply_ready is not None and self.transcript_ready is not None:
            out["dialogue"] = self.reply_ready - self.transcript_ready
        if self.first_audio_sent is not None and self.reply_ready is not None:
            out["tts_first_audio"] = self.first_audio_sent - self.reply_ready
        if self.first_audio_sent is not None:
            out["total"] = self.first_audio_sent - self.speech_end
        return {k: round(v * 1000, 1) for k, v in out.items()}


@dataclass
class CallTimings:
    turns: list[TurnTiming] = field(default_factory=list)
    barge_in_ms: list[float] = field(default_factory=list)  # onset of speech -> clear sent
    greeting_first_audio_ms: float | None = None
    speech_gaps_ms: list[float] = field(default_factory=list)  # per reply, its longest hole

    def summary(self) -> dict[str, object]:
        per_stage: dict[str, list[float]] = {s: [] for s in STAGES}
        for turn in self.turns:
            for stage, ms in turn.stages().items():
                per_stage[stage].append(ms)
        return {
            "turns": len(self.turns),
            "median_ms": {s: round(statistics.median(v), 1) for s, v in per_stage.items() if v},
            "max_ms": {s: round(max(v), 1) for s, v in per_stage.items() if v},
            "barge_ins": len(self.barge_in_ms),
            "barge_in_median_ms": round(statistics.median(self.barge_in_ms), 1)
            if self.barge_in_ms else None,
            "greeting_first_audio_ms": self.greeting_first_audio_ms,
            "longest_speech_gap_ms": max(self.speech_gaps_ms, default=0.0),
        }


class CallObserver(Protocol):
    """What a call reports as it goes, for the service's metrics (all seconds)."""

    def call_started(self, language: str) -> None: ...

    def turn_answered(self, stages_ms: dict[str, float]) -> None: ...

    def greeting_started(self, seconds: float) -> None: ...

    def barge_in(self, seconds: float) -> None: ...

    def speech_gap(self, seconds: float) -> None: ...

    def handoff(self, reason: str) -> None: ...

    def call_ended(self, reason: str, seconds: float) -> None: ...


class NoObserver:
    """A call nobody measures."""

    def call_started(self, language: str) -> None:
        pass

    def turn_answered(self, stages_ms: dict[str, float]) -> None:
        pass

    def greeting_started(self, seconds: float) -> None:
        pass

    def barge_in(self, seconds: float) -> None:
        pass

    def speech_gap(self, seconds: float) -> None:
        pass

    def handoff(self, reason: str) -> None:
        pass

    def call_ended(self, reason: str, seconds: float) -> None:
        pass
