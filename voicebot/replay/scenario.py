"""Scenario files: one recorded (or scripted) call and what must come of it.

A scenario is YAML::

    name: Jane Doe agrees 100 dollars a month
    parameters: {creditor: acme-telecom, account: "100200"}   # as the carrier passes them
    caller: {voice: af_heart, language: en-us}   # who records the turns (generate.py)
    turns:
      - say: "Yes, that's right."          # the caller's words (a text turn) ...
        audio: en_jane_yes.wav             # ... and, for voice runs, the recording
      - say: "Jane Doe"
      - keypad: "94107#"                    # keys pressed
      - silence: 12                          # seconds with nothing said
      - say: "actually hang on"
        barge_in_ms: 800                     # said this far into the bot's reply
        reply_lacks: ["afford"]              # the bot's answer to this turn must not say
    expect:
      plan: agreed                           # or none
      monthly: 100                           # the instalment agreed, when there is one
      handoff: payment                       # the hand-off reason, or none
      flags: []                              # exactly these flags on the call
      disclosures: [ai_assistant]            # must have been said
      never_say: ["480"]                     # words the bot must never speak
      say: ["Do you agree"]                  # words the bot must speak at some point

Every turn starts after the bot has finished speaking unless it says ``barge_in_ms``;
``pause_ms`` adds a gap before it. A file that does not follow this shape is refused with
each problem named.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from voicebot.errors import ConfigError


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    say: str | None = None
    audio: str | None = None  # a WAV file beside the scenario (or under audio_fixtures/)
    reference: str | None = None  # what was said, for word error rates (default: say)
    keypad: str | None = Field(default=None, pattern=r"^[0-9*#]+$")
    silence: float | None = Field(default=None, ge=0, le=120)
    pause_ms: int = Field(default=300, ge=0, le=60_000)
    barge_in_ms: int | None = Field(default=None, ge=0, le=60_000)
    # What the bot's reply to this turn must and must not contain (case ignored).
    reply_has: list[str] = Field(default_factory=list)
    reply_lacks: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_kind(self) -> Turn:
        kinds = [k for k in ("say", "keypad", "silence") if getattr(self, k) is not None]
        if self.audio is not None and self.say is None:
            kinds.append("audio")
        if len(kinds) != 1:
            raise ValueError("a turn is exactly one of say (with or without audio), keypad "
                             f"or silence; this one has {kinds or 'none'}")
        return self

    @property
    def words(self) -> str | None:
        return self.reference or self.say


class Caller(BaseModel):
    """The synthetic voice that records a scenario's turns (``audio_fixtures/generate.py``):
    a Kokoro voice that is not one of the bot's, its espeak language, and a pitch and
    speed change that make one voice into several people."""

    model_config = ConfigDict(extra="forbid")

    voice: str
    language: Literal["en-us", "en-gb", "fr-fr"] = "en-us"
    pitch: float = Field(default=1.0, ge=0.6, le=1.4)
    speed: float = Field(default=1.0, ge=0.6, le=1.6)


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plan: Literal["agreed", "none"] | None = None
    monthly: Decimal | None = None
    count: int | None = None
    handoff: str | None = None  # a reason, or "none"
    flags: list[str] | None = None
    disclosures: list[str] = Field(default_factory=list)
    never_say: list[str] = Field(default_factory=list)
    say: list[str] = Field(default_factory=list)


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    parameters: dict[str, str] = Field(default_factory=dict)
    caller: Caller | None = None
    turns: list[Turn] = Field(min_length=1)
    expect: Expect = Field(default_factory=Expect)
    path: Path | None = Field(default=None, exclude=True)

    @property
    def id(self) -> str:
        return self.path.stem if self.path else self.name

    @property
    def has_audio(self) -> bool:
        return any(t.audio for t in self.turns)


def load_scenario(path: Path) -> Scenario:
    """One scenario file, checked; a ``ConfigError`` naming every problem otherwise."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the scenario: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a scenario is a mapping with name, parameters, turns")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in exc.errors())
        raise ConfigError(f"{path}: {problems}") from None
    scenario.path = path
    return scenario


def find_scenarios(paths: list[Path]) -> list[Scenario]:
    """Scenario files named, or found in the directories named, in order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.rglob("*.yaml")))
        elif path.is_file():
            files.append(path)
        else:
            raise ConfigError(f"{path}: no such scenario file or directory")
    scenarios = [load_scenario(f) for f in files if f.name != "demo_call.yaml"]
    if not scenarios:
        raise ConfigError("no scenario files found in " + ", ".join(map(str, paths)))
    return scenarios
