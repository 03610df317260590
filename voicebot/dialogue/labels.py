"""The labelled understanding corpus (``bench/corpus/*.jsonl``) as typed records.

One schema for everyone who reads the corpus: the intent classifier trains on it and
the understanding benchmark scores against it. ``bench/corpus/README.md`` defines the
fields and the labels; this module refuses lines that break it, naming the file and
the line, so a typo in a label cannot silently become a class of its own.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from voicebot.errors import ConfigError


class CorpusStage(enum.StrEnum):
    """What the bot had just asked when the caller spoke."""

    GREETING = "greeting"      # asked for the account reference
    REFERENCE = "reference"    # read a reference back: "is that right?"
    IDENTITY = "identity"      # asked for name and ZIP / code postal
    NEGOTIATE = "negotiate"    # told the balance, asked how they would like to pay
    OFFER = "offer"            # proposed a plan: "would that work for you?"
    CONSENT = "consent"        # read the plan back: "do you agree to this plan?"


SAFETY_INTENTS: tuple[str, ...] = (
    "vulnerable", "third_party", "stop_contact", "dispute", "validation", "lawyer",
    "bankruptcy", "ask_human",
)
NEGOTIATION_INTENTS: tuple[str, ...] = (
    "propose_plan", "pay_in_full", "settlement", "hardship", "ask_options", "choose_option",
)
ANSWER_INTENTS: tuple[str, ...] = (
    "yes", "no", "unsure", "question", "repeat", "card_data", "switch_language", "identify",
    "other",
)
INTENTS: tuple[str, ...] = SAFETY_INTENTS + NEGOTIATION_INTENTS + ANSWER_INTENTS
LANGUAGES: tuple[str, ...] = ("en", "fr")
REGISTERS: frozenset[str] = frozenset({
    "plain", "casual", "angry", "hedging", "elderly", "non_native", "slang", "swearing",
    "formal", "asr",
})
_REQUIRED = ("id", "lang", "stage", "register", "text", "intents")


@dataclass(frozen=True)
class LabelledLine:
    """One caller line and what it means; ``slots`` holds the optional fields as written."""

    id: str
    lang: str
    stage: CorpusStage
    register: str
    text: str
    intents: tuple[str, ...]
    slots: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def main_intent(self) -> str:
        """The first label: what the caller mostly means."""
        return self.intents[0]

    @property
    def pair(self) -> str:
        """The number in the id: the English and French lines that share it are often
        translations of each other, so cross-validation keeps them in one fold."""
        return self.id.rsplit("-", 1)[-1]


def parse_line(raw: Mapping[str, Any], *, where: str = "<line>") -> LabelledLine:
    """One JSON object from the corpus, checked against the schema."""
    missing = [key for key in _REQUIRED if key not in raw]
    if missing:
        raise ConfigError(f"{where}: missing field(s) {', '.join(missing)}")
    lang, register, text = raw["lang"], raw["register"], raw["text"]
    if lang not in LANGUAGES:
        raise ConfigError(f"{where}: lang {lang!r} is not one of {', '.join(LANGUAGES)}")
    if register not in REGISTERS:
        raise ConfigError(f"{where}: register {register!r} is not a known register")
    try:
        stage = CorpusStage(raw["stage"])
    except ValueError:
        raise ConfigError(f"{where}: stage {raw['stage']!r} is not a known stage") from None
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{where}: text must be a non-empty string")
    intents = raw["intents"]
    if not isinstance(intents, list) or not intents:
        raise ConfigError(f"{where}: intents must be a non-empty list")
    unknown = [label for label in intents if label not in INTENTS]
    if unknown:
        raise ConfigError(f"{where}: unknown intent(s) {', '.join(map(str, unknown))}")
    if len(set(intents)) != len(intents):
        raise ConfigError(f"{where}: an intent is listed twice")
    slots = {key: value for key, value in raw.items() if key not in _REQUIRED}
    return LabelledLine(id=str(raw["id"]), lang=lang, stage=stage, register=register,
                        text=text, intents=tuple(intents), slots=MappingProxyType(slots))


def parse_lines(lines: Iterable[str], *, source: str = "<corpus>") -> list[LabelledLine]:
    """Corpus lines from JSONL text; blank lines are skipped, ids must be unique."""
    records: list[LabelledLine] = []
    seen: set[str] = set()
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        where = f"{source}:{number}"
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{where}: not valid JSON ({exc.msg})") from None
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: expected a JSON object")
        line = parse_line(raw, where=where)
        if line.id in seen:
            raise ConfigError(f"{where}: duplicate id {line.id}")
        seen.add(line.id)
        records.append(line)
    return records


def read_corpus(path: Path) -> list[LabelledLine]:
    """Every line of one corpus file, in file order."""
    with path.open(encoding="utf-8") as handle:
        return parse_lines(handle, source=str(path))
