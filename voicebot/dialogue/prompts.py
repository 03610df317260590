"""Versioned prompt files, one per language, validated when loaded."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from voicebot.errors import ConfigError

# Each template may use only these placeholders.
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "greeting": frozenset({"creditor"}),
    "greeting_known_reference": frozenset({"creditor", "digits"}),
    "read_back": frozenset({"digits"}),
    "reference_confirmed": frozenset({"digits"}),
    "ask_again": frozenset(),
    "not_understood_reference": frozenset(),
    "not_understood_yes_no": frozenset({"digits"}),
    "no_input": frozenset(),
    "goodbye_no_input": frozenset(),
    "too_many_attempts": frozenset(),
}


class _PromptFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str
    language: str
    templates: dict[str, str]


@dataclass(frozen=True)
class Prompts:
    version: str
    language: str
    templates: dict[str, str]

    def render(self, name: str, **values: str) -> str:
        return self.templates[name].format(**values)


def load_prompts(directory: Path, language: str) -> Prompts:
    path = directory / f"{language}.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no prompt file for language {language!r}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    try:
        data = _PromptFile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from None
    if data.language != language:
        raise ConfigError(f"{path}: language is {data.language!r}, expected {language!r}")
    missing = sorted(set(PLACEHOLDERS) - set(data.templates))
    if missing:
        raise ConfigError(f"{path}: templates missing: {', '.join(missing)}")
    for name, text in data.templates.items():
        allowed = PLACEHOLDERS.get(name)
        if allowed is None:
            raise ConfigError(f"{path}: templates.{name}: unknown template")
        used = {field for _, field, _, _ in string.Formatter().parse(text) if field}
        if used - allowed:
            unknown = ", ".join(sorted(used - allowed))
            raise ConfigError(f"{path}: templates.{name}: unknown placeholder(s) {unknown}")
    return Prompts(version=data.version, language=language, templates=dict(data.templates))
