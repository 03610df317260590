"""What the dialogue decided, for logs, the hand-off packet and text mode."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DialogueRecord:
    events: list[tuple[str, str]] = field(default_factory=list)
    llm_calls: int = 0
    llm_ms: list[float] = field(default_factory=list)

    def add(self, kind: str, detail: str) -> None:
        self.events.append((kind, detail))
